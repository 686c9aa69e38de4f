//! `korpus batch`: reads many queries (lines, TSV or JSON Lines, detected), opens the index
//! once, runs them on all cores and writes results in input order as JSON Lines or a TREC run.
//! A failing query gets an error line; the others still run.

use std::io::{Read, Write};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde_json::Value;

use super::{Outcome, open_index};
use crate::cli::{BatchArgs, BatchInput, BatchOutput, DocIdKind};
use crate::config::{self, IndexLocation};
use crate::render;
use crate::search::{Engine, GroupBy, QueryOutcome, SearchError, SearchRequest};

pub struct BatchConfig {
    pub index: IndexLocation,
    pub file: String,
    pub input: Option<BatchInput>,
    pub output: BatchOutput,
    pub doc_id: DocIdKind,
    /// Defaults for every query; JSON Lines queries may override some fields.
    pub defaults: SearchRequest,
    pub threads: usize,
    pub progress: bool,
    pub summary: bool,
}

impl BatchConfig {
    pub fn new(index: IndexLocation, args: BatchArgs) -> Result<BatchConfig> {
        let (filters, group_by) = config::filters(&args.filters)?;
        let group_by = if args.doc_id == DocIdKind::Article && args.format == BatchOutput::Trec {
            GroupBy::Article
        } else {
            group_by
        };
        Ok(BatchConfig {
            index,
            file: args.file,
            input: args.input_format,
            output: args.format,
            doc_id: args.doc_id,
            defaults: SearchRequest {
                limit: args.limit,
                filters,
                group_by,
                snippets: !args.no_snippets && args.format == BatchOutput::Jsonl,
                literal: args.literal,
                count_total: false,
                correct: !args.exact,
                ..SearchRequest::new(String::new())
            },
            threads: config::threads(args.threads),
            progress: config::progress(args.quiet),
            summary: !args.quiet,
        })
    }
}

/// One query of a batch: its id and request, or why its line could not be read.
#[derive(Debug, Clone)]
pub struct BatchQuery {
    pub id: String,
    pub request: Result<SearchRequest, String>,
}

pub fn run(cfg: &BatchConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Outcome> {
    let text = read_input(&cfg.file)?;
    let queries = parse_queries(&text, cfg.input, &cfg.defaults);
    let index = open_index(&cfg.index, diag)?;
    let engine = Engine::new(&index)?;
    let started = Instant::now();
    // Results stream out in input order, a chunk of queries at a time: the workers also render
    // them, and memory holds one chunk, not the whole run.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let (trec, articles) = (
        cfg.output == BatchOutput::Trec,
        cfg.doc_id == DocIdKind::Article,
    );
    let render = |o: QueryOutcome| -> (Vec<u8>, Option<String>) {
        let mut line = Vec::with_capacity(4096);
        // Writing to a Vec cannot fail.
        let _ = if trec {
            render::trec(&mut line, &o, articles)
        } else {
            render::batch_jsonl(&mut line, &o)
        };
        (line, o.result.err().map(|e| format!("query {}: {e}", o.id)))
    };
    let (mut total, mut failed) = (0, 0);
    execute_each(
        &engine,
        &queries,
        cfg.threads,
        cfg.progress,
        render,
        |(line, error)| {
            total += 1;
            out.write_all(&line)?;
            if let Some(e) = error {
                failed += 1;
                if trec {
                    writeln!(diag, "korpus: {e}")?;
                }
            }
            Ok(())
        },
    )?;
    out.flush()?;
    let elapsed = started.elapsed().as_secs_f64();
    if cfg.summary {
        writeln!(
            diag,
            "korpus: {total} queries, {failed} failed, {:.2} s, {:.0} queries/s",
            elapsed,
            total as f64 / elapsed.max(1e-9)
        )?;
    }
    Ok(Outcome::from_failures(failed))
}

fn read_input(file: &str) -> Result<String> {
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("could not read queries from standard input")?;
    } else {
        bytes =
            std::fs::read(file).with_context(|| format!("could not read queries from {file}"))?;
    }
    String::from_utf8(bytes).with_context(|| format!("queries in {file} are not valid UTF-8"))
}

/// Detects the layout from the first non-blank line: `{` → JSON Lines, a tab → TSV, else one
/// query per line.
pub fn detect_input(text: &str) -> BatchInput {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with('{') {
        BatchInput::Jsonl
    } else if first.contains('\t') {
        BatchInput::Tsv
    } else {
        BatchInput::Lines
    }
}

/// Parses the queries; blank lines are skipped. Ids default to the line number.
pub fn parse_queries(
    text: &str,
    layout: Option<BatchInput>,
    defaults: &SearchRequest,
) -> Vec<BatchQuery> {
    let layout = layout.unwrap_or_else(|| detect_input(text));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = (i + 1).to_string();
        if line.trim().is_empty() {
            continue;
        }
        let with_query = |q: &str| SearchRequest {
            query: q.to_string(),
            ..defaults.clone()
        };
        out.push(match layout {
            BatchInput::Lines => BatchQuery {
                id: line_no,
                request: Ok(with_query(line.trim())),
            },
            BatchInput::Tsv => match line.split_once('\t') {
                Some((id, q)) => BatchQuery {
                    id: id.trim().to_string(),
                    request: Ok(with_query(q.trim())),
                },
                None => BatchQuery {
                    id: line_no,
                    request: Err("expected `id<TAB>query`".into()),
                },
            },
            BatchInput::Jsonl => jsonl_query(line, line_no, defaults),
        });
    }
    out
}

fn jsonl_query(line: &str, line_no: String, defaults: &SearchRequest) -> BatchQuery {
    let obj = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(o)) => o,
        Ok(_) => {
            return BatchQuery {
                id: line_no,
                request: Err("expected a JSON object".into()),
            };
        }
        Err(e) => {
            return BatchQuery {
                id: line_no,
                request: Err(format!("invalid JSON: {e}")),
            };
        }
    };
    let id = match obj.get("id").or_else(|| obj.get("_id")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => line_no,
    };
    let request = request_of(&obj, defaults);
    BatchQuery { id, request }
}

/// The search request of a JSON query object: its query and options over the defaults.
fn request_of(
    obj: &serde_json::Map<String, Value>,
    defaults: &SearchRequest,
) -> Result<SearchRequest, String> {
    let query = obj
        .get("query")
        .or_else(|| obj.get("text"))
        .and_then(Value::as_str)
        .ok_or("no `query` (or `text`) string")?;
    let mut req = SearchRequest {
        query: query.to_string(),
        ..defaults.clone()
    };
    if let Some(v) = obj.get("limit") {
        req.limit = v.as_u64().ok_or("`limit` must be a positive number")? as usize;
    }
    let text_field = |k: &str| -> Result<Option<String>, String> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{k}` must be a string")),
        }
    };
    let date = |k: &'static str, end: bool| -> Result<Option<jiff::civil::Date>, String> {
        text_field(k)?
            .map(|s| {
                crate::search::parse_date_bound(&s, k, end).map_err(|e: SearchError| e.to_string())
            })
            .transpose()
    };
    if let Some(d) = date("since", false)? {
        req.filters.since = Some(d);
    }
    if let Some(d) = date("until", true)? {
        req.filters.until = Some(d);
    }
    if let Some(l) = text_field("lang")? {
        req.filters.lang = Some(l);
    }
    if let Some(s) = text_field("source")? {
        req.filters.source = Some(s);
    }
    if let Some(g) = text_field("group_by")? {
        req.group_by = match g.as_str() {
            "article" => GroupBy::Article,
            "passage" => GroupBy::Passage,
            other => {
                return Err(format!(
                    "`group_by` must be passage or article, not {other:?}"
                ));
            }
        };
    }
    Ok(req)
}

/// Runs the queries on `threads` workers and returns their outcomes in input order.
pub fn execute(
    engine: &Engine,
    queries: &[BatchQuery],
    threads: usize,
    progress: bool,
) -> Result<Vec<QueryOutcome>> {
    let mut outcomes = Vec::with_capacity(queries.len());
    execute_each(
        engine,
        queries,
        threads,
        progress,
        |o| o,
        |o| {
            outcomes.push(o);
            Ok(())
        },
    )?;
    Ok(outcomes)
}

/// Queries handed to the workers at a time.
const CHUNK: usize = 512;

/// Runs the queries on `threads` workers, turns each outcome into a `T` there with `map`, and
/// hands them to `sink` in input order, a chunk at a time.
pub fn execute_each<T: Send>(
    engine: &Engine,
    queries: &[BatchQuery],
    threads: usize,
    progress: bool,
    map: impl Fn(QueryOutcome) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("could not start worker threads")?;
    let bar = if progress && queries.len() >= 100 {
        let bar =
            ProgressBar::with_draw_target(Some(queries.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("searching [{bar:40}] {pos}/{len} queries {per_sec}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let one = |q: &BatchQuery| {
        let started = Instant::now();
        let (query, result) = match &q.request {
            Ok(req) => (
                req.query.clone(),
                engine.search(req).map_err(|e| e.to_string()),
            ),
            Err(e) => (String::new(), Err(e.clone())),
        };
        bar.inc(1);
        map(QueryOutcome {
            id: q.id.clone(),
            query,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            result,
        })
    };
    for chunk in queries.chunks(CHUNK) {
        let done: Vec<T> = pool.install(|| chunk.par_iter().map(one).collect());
        done.into_iter().try_for_each(&mut sink)?;
    }
    bar.finish_and_clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_layouts_and_reads_ids() {
        let d = SearchRequest::new("");
        assert_eq!(detect_input("\n{\"_id\": 1}"), BatchInput::Jsonl);
        assert_eq!(detect_input("q1\tKim"), BatchInput::Tsv);
        assert_eq!(detect_input("Kim Trump"), BatchInput::Lines);
        let q = parse_queries("a\n\nb\n", None, &d);
        assert_eq!(
            q.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
            ["1", "3"]
        );
        let q = parse_queries(
            "{\"_id\": \"x\", \"text\": \"Kim\"}\n{\"id\": 7, \"query\": \"a\", \"limit\": 3, \"since\": \"2024\"}\n{\"id\": 8, \"query\": \"a\", \"since\": \"gestern\"}\n",
            None,
            &d,
        );
        assert_eq!(q[0].id, "x");
        assert_eq!(q[0].request.as_ref().unwrap().query, "Kim");
        let r = q[1].request.as_ref().unwrap();
        assert_eq!((q[1].id.as_str(), r.limit), ("7", 3));
        assert_eq!(r.filters.since, Some("2024-01-01".parse().unwrap()));
        assert!(q[2].request.as_ref().unwrap_err().contains("since"));
    }
}

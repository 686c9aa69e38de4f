//! `korpus eval`: runs a BEIR test set's queries against the index (articles ranked by their
//! best passage, article ids matched to corpus ids) and reports MRR@10, Recall@1/5/10/100 and
//! nDCG@10, computed the way `trec_eval` and BEIR's scorer do.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::batch::{self, BatchQuery};
use super::{Outcome, open_index};
use crate::cli::{BatchInput, EvalArgs, OutputFormat};
use crate::config::{self, IndexLocation};
use crate::render;
use crate::search::{Engine, GroupBy, SearchRequest};

/// Hits retrieved per query (enough for Recall@100).
const DEPTH: usize = 100;

pub struct EvalConfig {
    pub index: IndexLocation,
    pub queries: PathBuf,
    pub qrels: PathBuf,
    pub run: Option<PathBuf>,
    pub format: OutputFormat,
    pub threads: usize,
}

impl EvalConfig {
    pub fn new(index: IndexLocation, args: EvalArgs) -> EvalConfig {
        EvalConfig {
            index,
            queries: args.queries,
            qrels: args.qrels,
            run: args.run,
            format: args.format,
            threads: config::threads(args.threads),
        }
    }
}

/// Relevance judgements: query id → document id → graded relevance (> 0).
pub type Qrels = HashMap<String, HashMap<String, f64>>;

/// The metrics of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    #[serde(rename = "MRR@10")]
    pub mrr10: f64,
    #[serde(rename = "R@1")]
    pub r1: f64,
    #[serde(rename = "R@5")]
    pub r5: f64,
    #[serde(rename = "R@10")]
    pub r10: f64,
    #[serde(rename = "R@100")]
    pub r100: f64,
    #[serde(rename = "nDCG@10")]
    pub ndcg10: f64,
    pub queries: usize,
    /// Judged queries the run has no hits for (they score 0).
    pub without_hits: usize,
}

pub fn run(cfg: &EvalConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Outcome> {
    let qrels = read_qrels(&cfg.qrels)?;
    let queries = judged_queries(cfg, &qrels)?;
    let index = open_index(&cfg.index, diag)?;
    let engine = Engine::new(&index)?;
    let started = Instant::now();
    let outcomes = batch::execute(&engine, &queries, cfg.threads, false)?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut failed = 0;
    let mut run: HashMap<String, Vec<String>> = HashMap::new();
    for o in &outcomes {
        match &o.result {
            Ok(r) => {
                run.insert(
                    o.id.clone(),
                    r.hits.iter().map(|h| h.article.id.clone()).collect(),
                );
            }
            Err(e) => {
                failed += 1;
                writeln!(diag, "korpus: query {}: {e}", o.id)?;
            }
        }
    }
    if let Some(path) = &cfg.run {
        write_run(path, &outcomes)?;
    }
    write_metrics(out, &evaluate(&qrels, &run), cfg.format)?;
    writeln!(
        diag,
        "korpus: {} queries in {:.2} s ({:.0} queries/s)",
        outcomes.len(),
        elapsed,
        outcomes.len() as f64 / elapsed.max(1e-9)
    )?;
    Ok(Outcome::from_failures(failed))
}

/// The test set's queries that have judgements, read as plain text.
fn judged_queries(cfg: &EvalConfig, qrels: &Qrels) -> Result<Vec<BatchQuery>> {
    let text = std::fs::read_to_string(&cfg.queries)
        .with_context(|| format!("could not read queries from {}", cfg.queries.display()))?;
    let defaults = SearchRequest {
        limit: DEPTH,
        group_by: GroupBy::Article,
        snippets: false,
        literal: true,
        ..SearchRequest::new("")
    };
    let queries: Vec<BatchQuery> = batch::parse_queries(&text, Some(BatchInput::Jsonl), &defaults)
        .into_iter()
        .filter(|q| qrels.contains_key(&q.id))
        .collect();
    if queries.is_empty() {
        bail!(
            "none of the queries in {} has judgements in {}",
            cfg.queries.display(),
            cfg.qrels.display()
        );
    }
    Ok(queries)
}

/// Writes the TREC run of the outcomes to `path`.
fn write_run(path: &Path, outcomes: &[crate::search::QueryOutcome]) -> Result<()> {
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(path)
            .with_context(|| format!("could not write {}", path.display()))?,
    );
    for o in outcomes {
        render::trec(&mut f, o, true)?;
    }
    Ok(f.flush()?)
}

fn write_metrics(out: &mut dyn Write, m: &Metrics, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Text => {
            for (name, v) in [
                ("MRR@10", m.mrr10),
                ("R@1", m.r1),
                ("R@5", m.r5),
                ("R@10", m.r10),
                ("R@100", m.r100),
                ("nDCG@10", m.ndcg10),
            ] {
                writeln!(out, "{name:<9}{v:.4}")?;
            }
            writeln!(
                out,
                "{:<9}{}  (without hits: {})",
                "queries", m.queries, m.without_hits
            )?;
        }
        OutputFormat::Json | OutputFormat::Jsonl => {
            serde_json::to_writer(&mut *out, &m)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Reads BEIR TSV (`query-id corpus-id score`, header optional), TREC qrels
/// (`qid 0 docid rel`) or two columns (`qid docid`, relevance 1). Scores ≤ 0 are not relevant.
pub fn read_qrels(path: &Path) -> Result<Qrels> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read qrels from {}", path.display()))?;
    let mut qrels = Qrels::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (q, d, rel) = match parts.as_slice() {
            [q, _, d, rel] => (q, d, *rel),
            [q, d, rel] => (q, d, *rel),
            [q, d] => (q, d, "1"),
            _ => continue,
        };
        let Ok(rel) = rel.parse::<f64>() else {
            continue; // header
        };
        if rel > 0.0 {
            qrels
                .entry(q.to_string())
                .or_default()
                .insert(d.to_string(), rel);
        }
    }
    if qrels.is_empty() {
        bail!("no relevance judgements in {}", path.display());
    }
    Ok(qrels)
}

/// Averages the metrics over every judged query; a query missing from `run` scores 0.
/// A document repeated in a ranking counts at its first position only.
pub fn evaluate(qrels: &Qrels, run: &HashMap<String, Vec<String>>) -> Metrics {
    let mut m = Metrics::default();
    for (qid, rels) in qrels {
        let Some(ranked) = run.get(qid) else {
            m.without_hits += 1;
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        let ranked: Vec<&String> = ranked.iter().filter(|d| seen.insert(*d)).collect();
        if ranked.is_empty() {
            m.without_hits += 1;
        }
        let relevant = rels.len() as f64;
        let found_in = |k: usize| {
            ranked
                .iter()
                .take(k)
                .filter(|d| rels.contains_key(**d))
                .count() as f64
        };
        if let Some(pos) = ranked.iter().take(10).position(|d| rels.contains_key(*d)) {
            m.mrr10 += 1.0 / (pos as f64 + 1.0);
        }
        m.r1 += found_in(1) / relevant;
        m.r5 += found_in(5) / relevant;
        m.r10 += found_in(10) / relevant;
        m.r100 += found_in(100) / relevant;
        let dcg: f64 = ranked
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, d)| rels.get(*d).copied().unwrap_or(0.0) / (i as f64 + 2.0).log2())
            .sum();
        let mut ideal: Vec<f64> = rels.values().copied().collect();
        ideal.sort_by(|a, b| b.total_cmp(a));
        let idcg: f64 = ideal
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, g)| g / (i as f64 + 2.0).log2())
            .sum();
        if idcg > 0.0 {
            m.ndcg10 += dcg / idcg;
        }
    }
    let n = qrels.len().max(1) as f64;
    for v in [
        &mut m.mrr10,
        &mut m.r1,
        &mut m.r5,
        &mut m.r10,
        &mut m.r100,
        &mut m.ndcg10,
    ] {
        *v /= n;
    }
    m.queries = qrels.len();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map<V: Clone>(pairs: &[(&str, V)]) -> HashMap<String, V> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn metrics_by_hand() {
        let qrels: Qrels = map(&[
            ("q1", map(&[("a", 1.0)])),
            ("q2", map(&[("b", 2.0), ("c", 1.0)])),
            ("q3", map(&[("z", 1.0)])),
        ]);
        let run = map(&[
            ("q1", vec!["x".to_string(), "a".to_string()]),
            (
                "q2",
                vec![
                    "b".to_string(),
                    "b".to_string(),
                    "y".to_string(),
                    "c".to_string(),
                ],
            ),
        ]);
        let m = evaluate(&qrels, &run);
        // q1: first relevant at 2; q2: at 1; q3: missing.
        assert!((m.mrr10 - (0.5 + 1.0) / 3.0).abs() < 1e-12);
        // q2 R@1 = 1/2 (one of two relevant docs at rank 1).
        assert!((m.r1 - 0.5 / 3.0).abs() < 1e-12);
        // q2's "c" is at rank 3 once the repeated "b" is dropped.
        assert!((m.r5 - 2.0 / 3.0).abs() < 1e-12);
        let q1 = 1.0 / 3f64.log2();
        let q2 = (2.0 + 1.0 / 4f64.log2()) / (2.0 + 1.0 / 3f64.log2());
        assert!((m.ndcg10 - (q1 + q2) / 3.0).abs() < 1e-12);
        assert_eq!((m.queries, m.without_hits), (3, 1));
    }
}

//! Rendering: turns typed results into bytes on any `impl Write` — aligned text for people
//! (bold highlights on a terminal), JSON and JSON Lines for scripts (schema in `wire`).

pub mod wire;

use std::io::{self, Write};

use crate::cli::TimelineFormat;
use crate::corpus::{ArticleMeta, Passage, PassageKind};
use crate::search::facets::Bucket;
use crate::search::{
    Expanded, Facet, FacetCount, Hit, QueryOutcome, SearchResults, Snippet, Timeline,
};

/// Whether to use ANSI styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn bold(self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn dim(self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Output formats of search-like commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
    Jsonl,
}

/// Search results in the chosen format.
pub fn search(
    out: &mut dyn Write,
    query: &str,
    results: &SearchResults,
    format: OutputFormat,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &wire::SearchJson::new(query, results))?;
            writeln!(out)
        }
        OutputFormat::Jsonl => {
            for hit in &results.hits {
                serde_json::to_writer(&mut *out, &wire::HitJson::from(hit))?;
                writeln!(out)?;
            }
            Ok(())
        }
        OutputFormat::Text => {
            for e in &results.expanded {
                let shown = e
                    .terms
                    .iter()
                    .take(12)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = match e.terms.len() {
                    n if n > 12 => format!(", … ({n} terms)"),
                    _ => String::new(),
                };
                writeln!(out, "{} → {shown}{more}", e.word)?;
            }
            if !results.expanded.is_empty() {
                writeln!(out)?;
            }
            for hit in &results.hits {
                hit_text(out, hit, style)?;
            }
            facets_text(out, &results.facets, style)
        }
    }
}

/// The facet counts as a compact block: one line per facet.
fn facets_text(
    out: &mut dyn Write,
    facets: &[(Facet, Vec<FacetCount>)],
    style: Style,
) -> io::Result<()> {
    for (facet, values) in facets {
        let shown: Vec<String> = (values.iter())
            .map(|v| format!("{} {}", v.value, style.dim(&v.count.to_string())))
            .collect();
        let shown = if shown.is_empty() {
            "–".to_string()
        } else {
            shown.join(" · ")
        };
        writeln!(out, "{:>7}: {shown}", facet.name())?;
    }
    Ok(())
}

/// What a search corrected, for people: `korpus: no "Kausikn" in the index; searched "Kausikan"`.
pub fn corrections(diag: &mut dyn Write, corrected: &[Expanded]) -> io::Result<()> {
    for c in corrected {
        let searched: Vec<String> = c.terms.iter().map(|t| format!("{t:?}")).collect();
        writeln!(
            diag,
            "korpus: no {:?} in the index; searched {}",
            c.word,
            searched.join(" or ")
        )?;
    }
    Ok(())
}

/// A timeline: a bar chart for people, JSON or CSV for scripts.
pub fn timeline(
    out: &mut dyn Write,
    query: &str,
    t: &Timeline,
    format: TimelineFormat,
) -> io::Result<()> {
    let label = |b: &Bucket| t.by.label(b.start);
    match format {
        TimelineFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &wire::TimelineJson::new(query, t))?;
            writeln!(out)
        }
        TimelineFormat::Csv => {
            writeln!(out, "start,articles,passages")?;
            for b in &t.buckets {
                writeln!(out, "{},{},{}", label(b), b.articles, b.passages)?;
            }
            Ok(())
        }
        TimelineFormat::Text => {
            const WIDTH: u64 = 50;
            let most = t
                .buckets
                .iter()
                .map(|b| b.articles)
                .max()
                .unwrap_or(0)
                .max(1);
            let digits = most.to_string().len();
            for b in &t.buckets {
                // Eighths of a block, so that small counts still show.
                let eighths = (b.articles * WIDTH * 8).div_ceil(most);
                let mut bar = "█".repeat((eighths / 8) as usize);
                if eighths % 8 > 0 {
                    bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][(eighths % 8 - 1) as usize]);
                }
                writeln!(out, "{}  {:>digits$}  {bar}", label(b), b.articles)?;
            }
            if t.undated_articles > 0 {
                writeln!(out, "undated: {} articles", t.undated_articles)?;
            }
            Ok(())
        }
    }
}

fn hit_text(out: &mut dyn Write, hit: &Hit, style: Style) -> io::Result<()> {
    let a = &hit.article;
    let p = &hit.passage;
    writeln!(
        out,
        "{:>3}. {}  {}",
        hit.rank,
        style.bold(&a.title),
        style.dim(&format!("[{:.2}]", hit.score))
    )?;
    let mut facts: Vec<String> = Vec::new();
    if let Some(s) = &p.section {
        facts.push(format!("§ {s}"));
    }
    facts.push(format!("{} {}/{}", p.kind, p.number, p.count));
    if let Some(d) = a.published {
        facts.push(d.to_string());
    }
    if let Some(s) = &a.source {
        facts.push(s.clone());
    }
    if !a.authors.is_empty() {
        facts.push(a.authors.join(", "));
    }
    if let Some(n) = hit.other_matches.filter(|&n| n > 0) {
        facts.push(format!("+{n} more passages match"));
    }
    writeln!(out, "     {}", style.dim(&facts.join(" · ")))?;
    let cited = a.url.as_deref().unwrap_or(&a.path);
    writeln!(out, "     {}", style.dim(&format!("{cited} ({})", a.id)))?;
    if let Some(s) = &hit.snippet {
        writeln!(out, "     {}", highlighted(s, style))?;
    }
    if let Some(expl) = &hit.explanation {
        for c in expl {
            writeln!(out, "       {:>8.3}  {}", c.score, c.what)?;
        }
    }
    writeln!(out)
}

/// The snippet with highlights in bold (or as-is without colour).
fn highlighted(s: &Snippet, style: Style) -> String {
    let mut out = String::with_capacity(s.text.len() + 16);
    let mut at = 0;
    for &(a, b) in &s.highlights {
        out.push_str(&s.text[at..a]);
        out.push_str(&style.bold(&s.text[a..b]));
        at = b;
    }
    out.push_str(&s.text[at..]);
    out
}

/// One article with its metadata and numbered passages.
pub fn article_text(
    out: &mut dyn Write,
    meta: &ArticleMeta,
    passages: &[Passage],
    style: Style,
) -> io::Result<()> {
    writeln!(out, "{}", style.bold(&meta.title))?;
    let mut row = |k: &str, v: &str| -> io::Result<()> {
        if v.is_empty() {
            return Ok(());
        }
        writeln!(out, "{:<13}{v}", style.dim(&format!("{k}:")))
    };
    row("id", &meta.id)?;
    row("path", &meta.path)?;
    row("author", &meta.authors.join(", "))?;
    row(
        "published",
        &meta.published.map(|d| d.to_string()).unwrap_or_default(),
    )?;
    row("source", meta.source.as_deref().unwrap_or_default())?;
    row(
        "language",
        &format!("{} ({:?})", meta.lang, meta.lang_origin).to_lowercase(),
    )?;
    if let Some(t) = &meta.translation {
        let mut facts = Vec::new();
        if let Some(from) = &t.from {
            facts.push(format!("from {from}"));
        }
        if t.machine {
            facts.push("by machine".into());
        }
        if let Some(s) = &t.original_source {
            facts.push(format!("original in {s}"));
        }
        if let Some(d) = t.original_published {
            facts.push(format!("on {d}"));
        }
        row("translated", &facts.join(", "))?;
    }
    row("url", meta.url.as_deref().unwrap_or_default())?;
    row("tags", &meta.tags.join(", "))?;
    row("teaser", meta.teaser.as_deref().unwrap_or_default())?;
    row("ingested", &meta.ingested_at)?;
    row("hash", &meta.content_hash)?;
    if !meta.sections.is_empty() {
        writeln!(out, "{}", style.dim("sections:"))?;
        for (i, s) in meta.sections.iter().enumerate() {
            writeln!(out, "  {:>2}. {s}", i + 1)?;
        }
    }
    writeln!(out)?;
    let mut section: Option<&str> = None;
    for p in passages {
        if p.section.as_deref() != section {
            section = p.section.as_deref();
            if let Some(s) = section {
                writeln!(out, "  {}", style.bold(&format!("§ {s}")))?;
            }
        }
        writeln!(out, "{:>4} {:<8} {}", p.number, p.kind.as_str(), p.text)?;
    }
    Ok(())
}

/// An article's main text as a reader sees it: its body passages in order under their section
/// headings, a blank line between paragraphs, the windows of a long paragraph joined again
/// (their overlap once).
pub fn main_text(out: &mut dyn Write, passages: &[Passage]) -> io::Result<()> {
    let mut last_end: Option<usize> = None;
    let mut section = None;
    for p in passages.iter().filter(|p| p.kind == PassageKind::Body) {
        if p.section.is_some() && p.section != section {
            section.clone_from(&p.section);
            let sep = if last_end.is_some() { "\n\n" } else { "" };
            write!(
                out,
                "{sep}{}\n\n{}",
                p.section.as_deref().unwrap_or_default(),
                p.text
            )?;
            last_end = Some(p.range.1);
            continue;
        }
        let (start, end) = p.range;
        match last_end {
            // A window of the paragraph before: only what it adds.
            Some(e) if start < e => {
                let skip = e - start;
                let rest: String = p.text.chars().skip(skip).collect();
                write!(out, "{rest}")?;
            }
            Some(e) if start <= e + 1 => write!(out, " {}", p.text)?,
            Some(_) => write!(out, "\n\n{}", p.text)?,
            None => write!(out, "{}", p.text)?,
        }
        last_end = Some(end.max(last_end.unwrap_or(0)));
    }
    if last_end.is_some() {
        writeln!(out)?;
    }
    Ok(())
}

/// `korpus stats` for people.
pub fn stats_text(out: &mut dyn Write, stats: &wire::StatsJson) -> io::Result<()> {
    let list = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "index       {}", stats.index)?;
    writeln!(out, "articles    {}", stats.articles)?;
    writeln!(out, "passages    {}", stats.passages)?;
    let mut langs = list(&stats.languages);
    if stats.lang_fallback > 0 {
        langs += &format!(
            " ({} assumed German: detection unreliable)",
            stats.lang_fallback
        );
    }
    writeln!(out, "languages   {langs}")?;
    writeln!(out, "sources     {}", list(&stats.sources))?;
    if let (Some(a), Some(b)) = (&stats.first_published, &stats.last_published) {
        writeln!(out, "published   {a} … {b}")?;
    }
    writeln!(
        out,
        "size        {:.1} MiB",
        stats.size_bytes as f64 / (1 << 20) as f64
    )?;
    writeln!(out, "segments    {}", stats.segments)?;
    writeln!(out, "analyzers   {}", stats.fingerprint)?;
    Ok(())
}

/// `batch --format jsonl`: the line of one query.
pub fn batch_jsonl(out: &mut dyn Write, o: &QueryOutcome) -> io::Result<()> {
    let line = match &o.result {
        Ok(r) => wire::BatchLineJson {
            id: &o.id,
            query: &o.query,
            took_ms: Some((o.took_ms * 1000.0).round() / 1000.0),
            corrected: wire::by_word(&r.corrected),
            hits: Some(r.hits.iter().map(wire::HitJson::from).collect()),
            error: None,
        },
        Err(e) => wire::BatchLineJson {
            id: &o.id,
            query: &o.query,
            took_ms: None,
            corrected: Default::default(),
            hits: None,
            error: Some(e),
        },
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// A TREC run's lines for one query: `qid Q0 docid rank score korpus`. With `articles`, the
/// document id is the article id and each article appears once (results must be grouped by
/// article). A failed query has none.
pub fn trec(out: &mut dyn Write, o: &QueryOutcome, articles: bool) -> io::Result<()> {
    let Ok(r) = &o.result else { return Ok(()) };
    let qid: String = o.id.split_whitespace().collect::<Vec<_>>().join("_");
    let mut seen = std::collections::HashSet::new();
    let mut rank = 0;
    for h in &r.hits {
        let doc = if articles {
            if !seen.insert(h.article.id.as_str()) {
                continue;
            }
            h.article.id.clone()
        } else {
            format!("{}#{}", h.article.id, h.passage.number)
        };
        rank += 1;
        writeln!(out, "{qid} Q0 {doc} {rank} {:.4} korpus", h.score)?;
    }
    Ok(())
}

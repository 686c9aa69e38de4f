//! `korpus stats`: what the index holds.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;

use super::{Outcome, open_index};
use crate::analysis::Fingerprint;
use crate::config::IndexLocation;
use crate::corpus::LangOrigin;
use crate::render::{OutputFormat, wire::StatsJson};

pub fn run(
    location: &IndexLocation,
    format: OutputFormat,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<Outcome> {
    let index = open_index(location, diag)?;
    let reader = index.reader()?;
    let articles = index.articles(&reader)?;
    let mut languages = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for a in &articles {
        *languages.entry(a.lang.clone()).or_insert(0) += 1;
        if let Some(s) = &a.source {
            *sources.entry(s.clone()).or_insert(0) += 1;
        }
    }
    let dates = || articles.iter().filter_map(|a| a.published);
    let stats = StatsJson {
        index: location.path.display().to_string(),
        articles: articles.len(),
        passages: index.passage_count(&reader)?,
        languages,
        lang_fallback: articles
            .iter()
            .filter(|a| a.lang_origin == LangOrigin::Fallback)
            .count(),
        sources,
        first_published: dates().min().map(|d| d.to_string()),
        last_published: dates().max().map(|d| d.to_string()),
        size_bytes: index.size_on_disk(),
        segments: reader.searcher().segment_readers().len(),
        fingerprint: Fingerprint::current().to_string(),
    };
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => {
            serde_json::to_writer_pretty(&mut *out, &stats)?;
            writeln!(out)?;
        }
        OutputFormat::Text => {
            let list = |m: &BTreeMap<String, usize>| {
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
        }
    }
    Ok(Outcome::Success)
}

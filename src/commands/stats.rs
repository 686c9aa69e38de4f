//! `korpus stats`: what the index holds.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;

use super::{Outcome, open_index};
use crate::analysis::Fingerprint;
use crate::config::IndexLocation;
use crate::corpus::LangOrigin;
use crate::render::{self, OutputFormat, wire::StatsJson};

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
        OutputFormat::Text => render::stats_text(out, &stats)?,
    }
    Ok(Outcome::Success)
}

//! `korpus search`: one query, ranked passages, rendered as text, JSON or JSON Lines.

use std::io::Write;

use anyhow::Result;

use super::{Outcome, open_index};
use crate::cli::{SearchArgs, SortArg};
use crate::config::{self, IndexLocation};
use crate::render::{self, OutputFormat, Style};
use crate::search::{Engine, SearchRequest, Sort};

pub struct SearchConfig {
    pub index: IndexLocation,
    pub request: SearchRequest,
    pub format: OutputFormat,
    pub style: Style,
}

impl SearchConfig {
    pub fn new(index: IndexLocation, args: SearchArgs) -> Result<SearchConfig> {
        let (filters, group_by) = config::filters(&args.filters)?;
        Ok(SearchConfig {
            index,
            request: SearchRequest {
                limit: args.limit,
                offset: args.offset,
                sort: match args.sort {
                    SortArg::Relevance => Sort::Relevance,
                    SortArg::Newest => Sort::Newest,
                    SortArg::Oldest => Sort::Oldest,
                },
                correct: !args.exact,
                facets: args.facets.map(|f| f.0).unwrap_or_default(),
                facet_limit: args.facet_limit,
                filters,
                group_by,
                explain: args.explain,
                ..SearchRequest::new(args.query)
            },
            format: config::output_format(args.format),
            style: config::style(args.color),
        })
    }
}

pub fn run(cfg: &SearchConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Outcome> {
    let index = open_index(&cfg.index, diag)?;
    let engine = Engine::new(&index)?;
    let results = engine.search(&cfg.request)?;
    if cfg.format == OutputFormat::Text {
        render::corrections(diag, &results.corrected)?;
    }
    render::search(out, &cfg.request.query, &results, cfg.format, cfg.style)?;
    out.flush()?;
    if results.hits.is_empty() {
        if cfg.format == OutputFormat::Text {
            writeln!(diag, "korpus: no hits for {:?}", cfg.request.query)?;
        }
        return Ok(Outcome::NoHits);
    }
    Ok(Outcome::Success)
}

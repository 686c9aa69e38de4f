//! `korpus timeline`: how many matching articles were published per period, as a bar chart,
//! JSON or CSV.

use std::io::Write;

use anyhow::Result;

use super::{Outcome, open_index};
use crate::cli::{PeriodArg, TimelineArgs};
use crate::config;
use crate::render;
use crate::search::{Engine, Period, SearchRequest};

pub fn run(
    index: &config::IndexLocation,
    args: TimelineArgs,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<Outcome> {
    let (filters, group_by) = config::filters(&args.filters)?;
    let request = SearchRequest {
        filters,
        group_by,
        correct: !args.exact,
        snippets: false,
        ..SearchRequest::new(args.query)
    };
    let by = match args.by {
        PeriodArg::Year => Period::Year,
        PeriodArg::Month => Period::Month,
        PeriodArg::Week => Period::Week,
        PeriodArg::Day => Period::Day,
    };
    let index = open_index(index, diag)?;
    let engine = Engine::new(&index)?;
    let (timeline, corrected) = engine.timeline(&request, by)?;
    render::corrections(diag, &corrected)?;
    render::timeline(out, &request.query, &timeline, args.format)?;
    out.flush()?;
    let matched = timeline.buckets.iter().any(|b| b.articles > 0) || timeline.undated_articles > 0;
    Ok(if matched {
        Outcome::Success
    } else {
        Outcome::NoHits
    })
}

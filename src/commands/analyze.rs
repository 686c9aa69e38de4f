//! `korpus analyze TEXT`: the tokens (with positions and offsets) an analyzer makes of a text,
//! for finding out why a word does or does not match.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Outcome;
use crate::analysis::{self, Lang};
use crate::cli::{AnalyzeArgs, AnalyzeLang, OutputFormat};
use crate::corpus::decode::normalize_text;

#[derive(Serialize)]
struct TokenJson<'a> {
    position: usize,
    token: &'a str,
    /// The text the token was made from.
    source: &'a str,
    /// Byte offsets in the normalized input.
    start: usize,
    end: usize,
}

pub fn run(args: &AnalyzeArgs, out: &mut dyn Write) -> Result<Outcome> {
    let lang = match args.lang {
        AnalyzeLang::De => Lang::German,
        AnalyzeLang::En => Lang::English,
        AnalyzeLang::Plain => Lang::Plain,
    };
    let text = normalize_text(&args.text);
    let tokens = analysis::tokens(&mut lang.analyzer(), &text);
    let rows: Vec<TokenJson> = tokens
        .iter()
        .map(|t| TokenJson {
            position: t.position,
            token: &t.text,
            source: &text[t.offset_from..t.offset_to],
            start: t.offset_from,
            end: t.offset_to,
        })
        .collect();
    match args.format {
        OutputFormat::Text => {
            for r in &rows {
                writeln!(out, "{:>4}  {:<24} {}", r.position, r.token, r.source)?;
            }
        }
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
        OutputFormat::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut *out, r)?;
                writeln!(out)?;
            }
        }
    }
    Ok(Outcome::Success)
}

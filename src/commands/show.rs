//! `korpus show ID`: one article with its metadata and numbered passages.

use std::io::Write;

use anyhow::{Result, bail};

use super::{Outcome, open_index};
use crate::config::IndexLocation;
use crate::render::{self, OutputFormat, wire};

pub fn run(
    location: &IndexLocation,
    id: &str,
    format: OutputFormat,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<Outcome> {
    let index = open_index(location, diag)?;
    let reader = index.reader()?;
    let Some(meta) = index.article(&reader, id)? else {
        bail!("no article with id `{id}` in {}", location.path.display());
    };
    let passages = index.passages(&reader, id)?;
    match format {
        OutputFormat::Text => render::article_text(
            out,
            &meta,
            &passages,
            crate::config::style(crate::cli::ColorChoice::Auto),
        )?,
        OutputFormat::Json | OutputFormat::Jsonl => {
            let json = wire::ShowJson {
                article: &meta,
                passages: passages.iter().map(wire::ShownPassageJson::from).collect(),
            };
            if format == OutputFormat::Json {
                serde_json::to_writer_pretty(&mut *out, &json)?;
            } else {
                serde_json::to_writer(&mut *out, &json)?;
            }
            writeln!(out)?;
        }
    }
    Ok(Outcome::Success)
}

//! `korpus extract FILE…`: what korpus reads from files, without touching an index: each
//! article's main text (`text`), or its metadata and passages as `show` prints them (`json`,
//! `jsonl`). A file or record that cannot be read is named on stderr and skipped.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::Outcome;
use crate::analysis::detect_language;
use crate::corpus::{self, At, Collect, Format, KnownHashes, PassageSplitter, ReadContext};
use crate::ingest::report::Message;
use crate::render::{self, OutputFormat, wire};

pub fn run(
    paths: &[PathBuf],
    format: Option<Format>,
    output: OutputFormat,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<Outcome> {
    let walk = corpus::walk(paths, format);
    let mut failed = walk.errors.len();
    for (path, reason) in &walk.errors {
        writeln!(diag, "korpus: {}", Message::error(path, At::Whole, reason))?;
    }
    let (splitter, known) = (PassageSplitter::default(), KnownHashes::default());
    let cx = ReadContext {
        splitter: &splitter,
        known: &known,
    };
    for source in &walk.files {
        let mut all = Collect::default();
        let _ = corpus::read_source(source, cx, &mut all);
        let path = &source.display;
        for (at, w) in all.read.warnings {
            writeln!(diag, "korpus: {}", Message::warning(path, at, w))?;
        }
        for (at, n) in all.read.notes {
            writeln!(diag, "korpus: {}", Message::note(path, at, n))?;
        }
        for record in all.read.records {
            let mut article = match record.result {
                Ok(article) => article,
                Err(e) => {
                    failed += 1;
                    writeln!(diag, "korpus: {}", Message::error(path, record.at, e))?;
                    continue;
                }
            };
            match output {
                OutputFormat::Text => render::main_text(out, &article.passages)?,
                OutputFormat::Json | OutputFormat::Jsonl => {
                    detect_language(&mut article);
                    let json = wire::ShowJson {
                        article: &article.meta,
                        passages: article
                            .passages
                            .iter()
                            .map(wire::ShownPassageJson::from)
                            .collect(),
                    };
                    if output == OutputFormat::Json {
                        serde_json::to_writer_pretty(&mut *out, &json)?;
                    } else {
                        serde_json::to_writer(&mut *out, &json)?;
                    }
                    writeln!(out)?;
                }
            }
        }
    }
    Ok(Outcome::from_failures(failed))
}

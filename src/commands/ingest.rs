//! `korpus ingest`: runs the ingest stage over the given paths with a progress bar on a
//! terminal, prints the summary, and maps the run to an exit code (Ctrl-C rolls it back).

use std::io::Write;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Outcome;
use crate::ingest::{self, IngestConfig, Interrupted, Progress};

/// Runs `korpus ingest`; diagnostics and the summary go to `diag`.
pub fn run(cfg: &IngestConfig, show_progress: bool, diag: &mut dyn Write) -> Result<Outcome> {
    // If a handler cannot be installed, Ctrl-C simply ends the process: still nothing committed.
    let _ = ctrlc::set_handler(ingest::interrupt);
    let bar =
        Bar(show_progress
            .then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())));
    let report = match ingest::ingest(cfg, &bar, diag) {
        Err(e) if e.is::<Interrupted>() => {
            writeln!(diag, "korpus: {e}")?;
            return Ok(Outcome::Interrupted);
        }
        other => other?,
    };
    if !cfg.quiet {
        writeln!(diag, "{}", report.summary())?;
    }
    Ok(Outcome::from_failures(report.failed))
}

/// A progress bar on stderr, counting sources.
struct Bar(Option<ProgressBar>);

impl Progress for Bar {
    fn start(&self, sources: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(sources as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} ingesting [{bar:40}] {pos}/{len} files {elapsed}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
        }
    }

    fn advance(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

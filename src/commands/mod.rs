//! One module per subcommand: each a thin `run` that calls into the pipeline stages and
//! writes results to the given output. Dispatch is one `match` over [`Command`].

pub mod analyze;
pub mod batch;
pub mod eval;
pub mod extract;
pub mod ingest;
pub mod search;
pub mod show;
pub mod stats;
pub mod timeline;

use std::io::Write;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::{self, IndexLocation};
use crate::ingest::{IngestConfig, Input};

/// How a command ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: a search found nothing.
    NoHits,
    /// Exit 2: some inputs or queries failed; the rest was done.
    PartialFailure,
    /// Exit 130: interrupted (Ctrl-C) before anything was committed.
    Interrupted,
}

impl Outcome {
    /// Success, or a partial failure when any input or query failed.
    pub fn from_failures(failed: usize) -> Outcome {
        if failed > 0 {
            Outcome::PartialFailure
        } else {
            Outcome::Success
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::NoHits => 1,
            Outcome::PartialFailure => 2,
            Outcome::Interrupted => 130,
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Outcome> {
    let location = IndexLocation::new(cli.index);
    match cli.command {
        Command::Ingest(args) => {
            let cfg = IngestConfig {
                index: location.path,
                input: if args.paths.is_empty() {
                    Input::default_corpus()
                } else {
                    Input::Paths(args.paths)
                },
                format: args.format.map(config::input_format),
                rebuild: args.rebuild,
                prune: args.prune,
                threads: config::threads(args.threads),
                memory_mb: args.memory,
                quiet: args.quiet,
            };
            ingest::run(&cfg, config::progress(args.quiet), diag)
        }
        Command::Search(args) => {
            search::run(&search::SearchConfig::new(location, args)?, out, diag)
        }
        Command::Batch(args) => batch::run(&batch::BatchConfig::new(location, args)?, out, diag),
        Command::Timeline(args) => timeline::run(&location, args, out, diag),
        Command::Eval(args) => eval::run(&eval::EvalConfig::new(location, args), out, diag),
        Command::Stats(args) => {
            stats::run(&location, config::output_format(args.format), out, diag)
        }
        Command::Show(args) => show::run(
            &location,
            &args.id,
            config::output_format(args.format),
            out,
            diag,
        ),
        Command::Analyze(args) => analyze::run(&args, out),
        Command::Completions(args) => {
            crate::cli::write_completions(args.shell, out);
            Ok(Outcome::Success)
        }
        Command::Man => {
            crate::cli::write_man_page(out)?;
            Ok(Outcome::Success)
        }
        Command::Extract(args) => extract::run(
            &args.paths,
            args.input_format.map(config::input_format),
            config::output_format(args.format),
            out,
            diag,
        ),
    }
}

/// Opens the index for reading. The default index is built from the default corpus the first
/// time it is needed (saying so on stderr); an explicit index must exist.
pub fn open_index(
    location: &IndexLocation,
    diag: &mut dyn Write,
) -> Result<crate::index::KorpusIndex> {
    use crate::index::KorpusIndex;
    if !location.explicit && !KorpusIndex::exists(&location.path) {
        let input = Input::default_corpus();
        let what = match &input {
            Input::Paths(_) => "corpus/",
            Input::Embedded => "the embedded corpus",
        };
        writeln!(
            diag,
            "korpus: no index at {} yet; ingesting {what} into it first",
            location.path.display()
        )?;
        let cfg = IngestConfig {
            index: location.path.clone(),
            input,
            format: None,
            rebuild: false,
            prune: false,
            threads: config::threads(None),
            memory_mb: crate::ingest::DEFAULT_MEMORY_MB,
            quiet: false,
        };
        let report = crate::ingest::ingest(&cfg, &(), diag)?;
        writeln!(diag, "korpus: {}", report.summary())?;
    }
    Ok(KorpusIndex::open(&location.path)?)
}

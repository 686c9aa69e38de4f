//! The ingest stage, between `corpus` and `index`: finds the sources of a run, reads them in
//! parallel through their format's [`Reader`](crate::corpus::Reader), upserts every article
//! ([`sink`]), prunes what is gone, and commits once — all or nothing. Failures are counted and
//! reported per source and position ([`report`]); they never stop the run. Prints nothing but
//! its diagnostics, to the writer it is given.

pub mod report;
pub mod sink;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

pub use report::IngestReport;
use report::{Counted, Diagnostics, Message, Tally};
use sink::{Run, SourceSink};

use crate::corpus::{self, At, Format, PassageSplitter, ReadContext, Sink, SourceFile};
use crate::index::{ArticleWriter, KorpusIndex};

/// The article shipped inside the binary: the default corpus when `corpus/` is absent. Read
/// from there it has the id and path it has when read from the repository's `corpus/`.
pub const EMBEDDED_PATH: &str = "corpus/trump-kim-nordkorea-romanze.txt";
const EMBEDDED: &[u8] = include_bytes!("../../corpus/trump-kim-nordkorea-romanze.txt");

/// The default of `--memory`, in MB.
pub const DEFAULT_MEMORY_MB: u64 = 1024;

/// What to read.
#[derive(Debug, Clone)]
pub enum Input {
    Paths(Vec<PathBuf>),
    /// The article embedded in the binary.
    Embedded,
}

impl Input {
    /// `corpus/` if it exists, else the embedded article.
    pub fn default_corpus() -> Input {
        if Path::new("corpus").is_dir() {
            Input::Paths(vec![PathBuf::from("corpus")])
        } else {
            Input::Embedded
        }
    }
}

/// A run's settings.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub index: PathBuf,
    pub input: Input,
    /// Overrides detection by extension.
    pub format: Option<Format>,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Remove articles whose files under the input paths are gone.
    pub prune: bool,
    pub threads: usize,
    /// The memory budget of the run, in MB (see `docs/performance.md`): half of it buffers new
    /// documents in tantivy's indexing threads.
    pub memory_mb: u64,
    /// Print errors only (no warnings, notes or skip counts).
    pub quiet: bool,
}

/// Told how far a run is, source by source (a progress bar; `()` for none).
pub trait Progress: Sync {
    fn start(&self, _sources: usize) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

impl Progress for () {}

/// Set by Ctrl-C during an ingest: workers stop, nothing is committed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Asks a running ingest to stop; it rolls back (for a Ctrl-C handler).
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Why an ingest stopped without committing.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: nothing was written, the index is as it was before this run")]
pub struct Interrupted;

/// Runs an ingest: reads every source, writes what changed, commits, writes the diagnostics
/// to `diag` and returns the counts.
pub fn ingest(
    cfg: &IngestConfig,
    progress: &dyn Progress,
    diag: &mut dyn Write,
) -> Result<IngestReport> {
    let started = Instant::now();
    let index = open_for_writing(&cfg.index, cfg.rebuild)?;
    let existing = match cfg.rebuild {
        true => None,
        false => Some(index.reader()?.searcher()),
    };
    let buffers = usize::try_from(cfg.memory_mb / 2 * (1 << 20)).unwrap_or(usize::MAX);
    let writer = ArticleWriter::new(&index, existing, cfg.threads, buffers, cfg.rebuild)?;
    let (tally, diagnostics) = (Tally::default(), Diagnostics::default());
    let run = Run {
        writer: &writer,
        tally: &tally,
        diagnostics: &diagnostics,
        splitter: PassageSplitter::default(),
        ingested_at: now(),
    };
    let mut report = IngestReport::default();
    match &cfg.input {
        Input::Embedded => read_embedded(&run)?,
        Input::Paths(paths) => {
            let walk = corpus::walk(paths, cfg.format);
            (report.skipped_hidden, report.skipped_unknown) = (walk.hidden, walk.unknown);
            for (path, reason) in walk.errors {
                diagnostics.file_failed(&path);
                tally.count(Counted::Failed, 0);
                diagnostics.extend(vec![Message::error(&path, At::Whole, reason)]);
            }
            progress.start(walk.files.len());
            let read = read_sources(&run, &walk.files, cfg.threads, progress);
            progress.finish();
            read?;
            if cfg.prune {
                report.pruned = prune(&writer, paths, &diagnostics)?;
            }
        }
    }
    if interrupted() {
        return Err(Interrupted.into());
    }
    writer.commit()?;
    diagnostics.write_to(diag, cfg.quiet)?;
    if report.skipped_hidden + report.skipped_unknown > 0 && !cfg.quiet {
        writeln!(
            diag,
            "korpus: skipped {} hidden and {} of unknown type",
            report::count(report.skipped_hidden, "file"),
            report::count(report.skipped_unknown, "file")
        )?;
    }
    tally.into_report(&mut report);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Reads the sources in parallel on `threads` workers; stops at the first fatal error.
fn read_sources(
    run: &Run<'_>,
    sources: &[SourceFile],
    threads: usize,
    progress: &dyn Progress,
) -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("could not start worker threads")?;
    pool.install(|| {
        sources.par_iter().try_for_each(|source| {
            let known = run.writer.known_hashes(&source.display)?;
            let mut sink = SourceSink::new(run, &source.display, &known);
            let cx = ReadContext {
                splitter: &run.splitter,
                known: &known,
            };
            let _ = corpus::read_source(source, cx, &mut sink);
            progress.advance();
            sink.finish()
        })
    })
}

/// Reads the article built into the binary.
fn read_embedded(run: &Run<'_>) -> Result<()> {
    let source = SourceFile {
        rel: EMBEDDED_PATH.trim_start_matches("corpus/").to_string(),
        ..SourceFile::virtual_file(EMBEDDED_PATH, Format::Text)
    };
    let known = run.writer.known_hashes(&source.display)?;
    let mut sink = SourceSink::new(run, &source.display, &known);
    let _ = sink.take(corpus::read_bytes(&source, EMBEDDED, &run.splitter));
    sink.finish()
}

/// Deletes the articles from files under `roots` that this run did not see, except those of
/// files that could not be read. Returns how many.
fn prune(writer: &ArticleWriter, roots: &[PathBuf], diagnostics: &Diagnostics) -> Result<usize> {
    let roots: Vec<String> = (roots.iter())
        .map(|r| corpus::walk::display(r).trim_end_matches('/').to_string())
        .collect();
    let under = |path: &str, root: &str| {
        root == "." || path == root || path.starts_with(&format!("{root}/"))
    };
    let pruned = writer
        .prune(|path| roots.iter().any(|r| under(path, r)) && !diagnostics.has_failed(path))?;
    Ok(pruned.len())
}

/// Opens the index for writing, creating it if needed; an incompatible index is replaced only
/// with `rebuild`.
fn open_for_writing(path: &Path, rebuild: bool) -> Result<KorpusIndex> {
    if !KorpusIndex::exists(path) {
        return Ok(KorpusIndex::create(path, false)?);
    }
    match KorpusIndex::open(path) {
        Ok(index) => Ok(index),
        Err(crate::index::IndexError::Incompatible { .. }) if rebuild => {
            Ok(KorpusIndex::create(path, true)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The time of a run, in whole seconds (RFC 3339).
fn now() -> String {
    jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

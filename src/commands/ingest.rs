//! `korpus ingest`: walks the inputs, reads and analyses articles in parallel, upserts them
//! into the index and commits once. A file that fails is named with its reason and skipped.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, Ordering as AtomicOrdering};
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::Outcome;
use crate::analysis::{detect_language, detect_language_of};
use crate::corpus::{self, ArticleMeta, FileRead, Format, PassageSplitter, ReadError, SourceFile};
use crate::index::{ArticleWriter, KorpusIndex, Upsert};

/// The article shipped inside the binary: the default corpus when `corpus/` is absent.
pub const EMBEDDED_PATH: &str = "corpus/trump-kim-nordkorea-romanze.txt";
const EMBEDDED: &[u8] = include_bytes!("../../corpus/trump-kim-nordkorea-romanze.txt");

/// Indexing memory budget shared by the writer threads.
const WRITER_MEMORY: usize = 512 << 20;

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

#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub index: PathBuf,
    pub input: Input,
    pub format: Option<Format>,
    pub rebuild: bool,
    pub prune: bool,
    pub threads: usize,
    pub progress: bool,
}

/// Counts of one run.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub pruned: usize,
    pub passages: usize,
    pub skipped_hidden: usize,
    pub skipped_unknown: usize,
    pub seconds: f64,
}

impl IngestReport {
    pub fn summary(&self) -> String {
        let total = self.new + self.updated + self.unchanged + self.failed;
        let mut s = format!(
            "{total} articles ({} new, {} updated, {} unchanged, {} failed), {} passages",
            self.new, self.updated, self.unchanged, self.failed, self.passages
        );
        if self.pruned > 0 {
            s += &format!(", {} pruned", self.pruned);
        }
        s + &format!(", {:.2} s", self.seconds)
    }
}

#[derive(Default)]
struct Tally {
    new: AtomicUsize,
    updated: AtomicUsize,
    unchanged: AtomicUsize,
    failed: AtomicUsize,
    passages: AtomicUsize,
}

/// Set by Ctrl-C during an ingest: workers stop, nothing is committed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Why an ingest stopped without committing.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: nothing was written, the index is as it was before this run")]
pub struct Interrupted;

/// Runs `korpus ingest`; diagnostics and the summary go to `diag`. Ctrl-C stops the run and
/// rolls it back: an ingest is one commit, all or nothing.
pub fn run(cfg: &IngestConfig, diag: &mut dyn Write) -> Result<Outcome> {
    // If a handler cannot be installed, Ctrl-C simply ends the process: still nothing committed.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, AtomicOrdering::SeqCst));
    let report = match ingest(cfg, diag) {
        Err(e) if e.is::<Interrupted>() => {
            writeln!(diag, "korpus: {e}")?;
            return Ok(Outcome::Interrupted);
        }
        other => other?,
    };
    writeln!(diag, "{}", report.summary())?;
    Ok(Outcome::from_failures(report.failed))
}

/// Ingests and returns the counts (also used by `search` to build the default index).
pub fn ingest(cfg: &IngestConfig, diag: &mut dyn Write) -> Result<IngestReport> {
    let started = Instant::now();
    let index = open_for_writing(&cfg.index, cfg.rebuild)?;
    let existing = if cfg.rebuild {
        Vec::new()
    } else {
        index.articles(&index.reader()?)?
    };
    let writer = ArticleWriter::new(&index, existing, cfg.threads, WRITER_MEMORY, cfg.rebuild)?;

    let (files, mut report, walk_errors) = match &cfg.input {
        Input::Paths(paths) => {
            let w = corpus::walk(paths, cfg.format);
            let report = IngestReport {
                skipped_hidden: w.hidden,
                skipped_unknown: w.unknown,
                ..IngestReport::default()
            };
            (w.files, report, w.errors)
        }
        Input::Embedded => (Vec::new(), IngestReport::default(), Vec::new()),
    };
    let tally = Tally::default();
    let messages: Mutex<Msgs> = Mutex::new(Vec::new());
    let failed_files: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    for (path, reason) in &walk_errors {
        messages.lock().unwrap_or_else(|p| p.into_inner()).push((
            path.clone(),
            0,
            format!("error: {reason}"),
        ));
        failed_files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.clone());
        tally.failed.fetch_add(1, Ordering::Relaxed);
    }
    let ingested_at = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
        .map(|t| t.to_string())
        .unwrap_or_default();
    let splitter = PassageSplitter::default();
    let bar = progress_bar(cfg.progress, files.len());

    // What one article's upsert did, counted; a duplicate id is reported.
    let settle = |meta: &ArticleMeta, status: Upsert, passages: usize, msgs: &mut Msgs, line| {
        let counter = match status {
            Upsert::New => &tally.new,
            Upsert::Updated => &tally.updated,
            Upsert::Unchanged => &tally.unchanged,
            Upsert::Duplicate { first_path } => {
                msgs.push((
                    meta.path.clone(),
                    line,
                    format!(
                        "error: duplicate article id `{}` (first seen in {first_path}); skipped",
                        meta.id
                    ),
                ));
                tally.failed.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
        tally.passages.fetch_add(passages, Ordering::Relaxed);
    };
    let handle = |source: &SourceFile, read: FileRead| -> Result<()> {
        if INTERRUPTED.load(AtomicOrdering::SeqCst) {
            return Err(Interrupted.into());
        }
        let mut msgs = Vec::new();
        for (line, hash) in &read.known {
            match writer.keep(&source.display, hash) {
                Some(passages) => {
                    tally.unchanged.fetch_add(1, Ordering::Relaxed);
                    tally.passages.fetch_add(passages, Ordering::Relaxed);
                }
                None => {
                    tally.failed.fetch_add(1, Ordering::Relaxed);
                    msgs.push((
                        source.display.clone(),
                        *line,
                        "error: duplicate article (the same text as one already read in this \
                         run, under the same id); skipped"
                            .into(),
                    ));
                }
            }
        }
        // A record that could not be read; a file that could not be read at all is kept from
        // being pruned.
        let fail = |msgs: &mut Msgs, line: u64, e: ReadError| {
            tally.failed.fetch_add(1, Ordering::Relaxed);
            if line == 0 {
                failed_files
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(source.display.clone());
            }
            msgs.push((source.display.clone(), line, format!("error: {e}")));
        };
        for w in read.warnings {
            let (line, text) = split_line_prefix(&w);
            msgs.push((source.display.clone(), line, format!("warning: {text}")));
        }
        for record in read.records {
            let line = record.line.unwrap_or(0);
            match record.result {
                Ok(mut article) => {
                    article.meta.ingested_at = ingested_at.clone();
                    detect_language(&mut article);
                    let status = writer.upsert(&article)?;
                    settle(
                        &article.meta,
                        status,
                        article.passages.len(),
                        &mut msgs,
                        line,
                    );
                }
                Err(e) => fail(&mut msgs, line, e),
            }
        }
        if !msgs.is_empty() {
            messages_of(&messages).extend(msgs);
        }
        Ok(())
    };

    // A page dump too large to hold: metadata from a first pass, passages streamed in a second.
    let large = |source: &SourceFile| -> Result<()> {
        let known = writer.known_hashes(&source.display);
        if !known.is_empty()
            && let Ok(hash) = corpus::large::content_hash(source)
            && known.contains_key(&hash)
        {
            let read = FileRead {
                known: vec![(0, hash)],
                ..FileRead::default()
            };
            return handle(source, read);
        }
        let scan = match corpus::large::scan(source, &splitter) {
            Ok(scan) => scan,
            Err(e) => return handle(source, FileRead::failed(e)),
        };
        let mut msgs: Msgs = (scan.warnings.iter())
            .map(|w| (source.display.clone(), 0, format!("warning: {w}")))
            .collect();
        let mut meta = scan.meta;
        meta.ingested_at = ingested_at.clone();
        detect_language_of(&mut meta, scan.sample.iter().map(String::as_str));
        let count = scan.passages as usize;
        let status = writer.claim(&meta);
        if matches!(status, Upsert::New | Upsert::Updated) {
            writer.add_record(&meta)?;
            let streamed = corpus::large::passages(source, &splitter, &meta.content_hash, |ps| {
                if INTERRUPTED.load(AtomicOrdering::SeqCst) {
                    return Err(Streamed::Stopped(Interrupted.into()));
                }
                writer
                    .add_passages(&meta, &ps, count)
                    .map_err(|e| Streamed::Stopped(e.into()))
            });
            match streamed {
                Ok(()) => {}
                Err(Streamed::Stopped(e)) => return Err(e),
                Err(Streamed::Unread(e)) => {
                    writer.withdraw(&meta.id);
                    messages_of(&messages).extend(msgs);
                    return handle(source, FileRead::failed(e));
                }
            }
        }
        settle(&meta, status, count, &mut msgs, 0);
        messages_of(&messages).extend(msgs);
        Ok(())
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .context("could not start worker threads")?;
    match &cfg.input {
        Input::Embedded => {
            let source = SourceFile::virtual_file(EMBEDDED_PATH, Format::Text);
            let read = corpus::read_bytes(&source, EMBEDDED, &splitter);
            handle(&source, read)?;
        }
        Input::Paths(_) => pool.install(|| {
            files.par_iter().try_for_each(|source| -> Result<()> {
                if source.format == Format::Jsonl {
                    match std::fs::File::open(&source.path) {
                        Ok(file) => {
                            let mut result = Ok(());
                            let known = writer.known_hashes(&source.display);
                            corpus::jsonl::read_batches(source, file, &splitter, known, |batch| {
                                result = handle(source, batch);
                                result.is_ok()
                            });
                            result?;
                        }
                        Err(e) => handle(source, FileRead::unreadable(&e))?,
                    }
                } else if corpus::large::applies(source) {
                    large(source)?;
                } else {
                    let known = writer.known_hashes(&source.display);
                    handle(source, corpus::read_file(source, &splitter, known))?;
                }
                bar.inc(1);
                Ok(())
            })
        })?,
    }
    bar.finish_and_clear();
    if INTERRUPTED.load(AtomicOrdering::SeqCst) {
        return Err(Interrupted.into());
    }

    if cfg.prune
        && let Input::Paths(roots) = &cfg.input
    {
        let roots: Vec<String> = roots.iter().map(|r| shown(r)).collect();
        let failed = failed_files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let pruned =
            writer.prune(|m| roots.iter().any(|r| under(&m.path, r)) && !failed.contains(&m.path));
        report.pruned = pruned.len();
    }
    writer.commit()?;

    let mut messages = messages.into_inner().unwrap_or_else(|p| p.into_inner());
    messages.sort();
    for (path, line, text) in messages {
        if line > 0 {
            writeln!(diag, "korpus: {path}:{line}: {text}")?;
        } else {
            writeln!(diag, "korpus: {path}: {text}")?;
        }
    }
    if report.skipped_hidden + report.skipped_unknown > 0 {
        writeln!(
            diag,
            "korpus: skipped {} hidden and {} files of unknown type",
            report.skipped_hidden, report.skipped_unknown
        )?;
    }
    report.new = tally.new.into_inner();
    report.updated = tally.updated.into_inner();
    report.unchanged = tally.unchanged.into_inner();
    report.failed = tally.failed.into_inner();
    report.passages = tally.passages.into_inner();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Diagnostics of a run: path, line (0 for a whole file) and text; sorted before printing.
type Msgs = Vec<(String, u64, String)>;

fn messages_of(m: &Mutex<Msgs>) -> std::sync::MutexGuard<'_, Msgs> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why streaming a large file's passages ended early: the file failed (the article is
/// skipped), or the run must stop.
enum Streamed {
    Unread(ReadError),
    Stopped(anyhow::Error),
}

impl From<ReadError> for Streamed {
    fn from(e: ReadError) -> Streamed {
        Streamed::Unread(e)
    }
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

/// Warnings from JSON Lines start with `line N: `; split that off for `path:N:` output.
fn split_line_prefix(w: &str) -> (u64, &str) {
    w.strip_prefix("line ")
        .and_then(|r| r.split_once(": "))
        .and_then(|(n, text)| Some((n.parse().ok()?, text)))
        .unwrap_or((0, w))
}

fn shown(p: &Path) -> String {
    corpus::walk::display(p).trim_end_matches('/').to_string()
}

fn under(path: &str, root: &str) -> bool {
    root == "." || path == root || path.starts_with(&format!("{root}/"))
}

fn progress_bar(show: bool, len: usize) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} ingesting [{bar:40}] {pos}/{len} files {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

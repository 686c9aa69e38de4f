//! The ingest side of a read: every article a reader hands over gets its ingest time and
//! language, is upserted and counted; failures and warnings become messages naming the source
//! and position. One [`SourceSink`] per source, many at once over one shared [`Run`].

use std::ops::ControlFlow;

use super::report::{Counted, Diagnostics, Message, Tally};
use super::{Interrupted, interrupted};
use crate::analysis::{detect_language, detect_language_of};
use crate::corpus::{
    ArticleMeta, At, FileRead, KnownHashes, PassageSplitter, Sink, Streamed, read::Pump,
};
use crate::index::{ArticleWriter, Upsert};

/// What all sources of a run share.
pub struct Run<'a> {
    pub writer: &'a ArticleWriter,
    pub tally: &'a Tally,
    pub diagnostics: &'a Diagnostics,
    pub splitter: PassageSplitter,
    /// RFC 3339 time of the run, whole seconds: every article written gets it.
    pub ingested_at: String,
}

/// Takes what is read from one source into the index.
pub struct SourceSink<'r> {
    run: &'r Run<'r>,
    path: &'r str,
    /// The articles indexed from this source, by content hash.
    known: &'r KnownHashes,
    messages: Vec<Message>,
    /// Why the run must stop (Ctrl-C, a failed index write), once it must.
    stopped: Option<anyhow::Error>,
}

impl<'r> SourceSink<'r> {
    pub fn new(run: &'r Run<'r>, path: &'r str, known: &'r KnownHashes) -> SourceSink<'r> {
        SourceSink {
            run,
            path,
            known,
            messages: Vec::new(),
            stopped: None,
        }
    }

    /// Hands the messages to the run; fails when the run must stop.
    pub fn finish(self) -> anyhow::Result<()> {
        self.run.diagnostics.extend(self.messages);
        self.stopped.map_or(Ok(()), Err)
    }

    fn stop(&mut self, e: impl Into<anyhow::Error>) -> ControlFlow<()> {
        self.stopped = Some(e.into());
        ControlFlow::Break(())
    }

    fn fail(&mut self, at: At, reason: impl std::fmt::Display) {
        self.run.tally.count(Counted::Failed, 0);
        self.messages.push(Message::error(self.path, at, reason));
    }

    /// Counts what an upsert did; a second article with the same id is an error.
    fn settle(&mut self, meta: &ArticleMeta, status: Upsert, passages: usize, at: At) {
        let counted = match status {
            Upsert::New => Counted::New,
            Upsert::Updated => Counted::Updated,
            Upsert::Unchanged => Counted::Unchanged,
            Upsert::Duplicate { first_path } if meta.url.is_some() => {
                // The same page saved twice (known by its URL): one article.
                let why =
                    format!("the same article as in {first_path} (same URL); this copy skipped");
                return self.messages.push(Message::note(self.path, at, why));
            }
            Upsert::Duplicate { first_path } => {
                let why = format!(
                    "duplicate article id `{}` (first seen in {first_path}); skipped",
                    meta.id
                );
                return self.fail(at, why);
            }
        };
        self.run.tally.count(counted, passages);
    }

    /// Keeps articles found unchanged by their content hash.
    fn keep_known(&mut self, known: Vec<(At, String)>) {
        for (at, hash) in known {
            let candidates = self.known.get(&hash).map_or(&[][..], Vec::as_slice);
            match self.run.writer.keep(self.path, candidates) {
                Some(passages) => self.run.tally.count(Counted::Unchanged, passages),
                None => self.fail(
                    at,
                    "duplicate article (the same text as one already read in this run, under \
                     the same id); skipped",
                ),
            }
        }
    }
}

impl Sink for SourceSink<'_> {
    fn take(&mut self, read: FileRead) -> ControlFlow<()> {
        if interrupted() {
            return self.stop(Interrupted);
        }
        self.keep_known(read.known);
        for (at, w) in read.warnings {
            self.messages.push(Message::warning(self.path, at, w));
        }
        for (at, n) in read.notes {
            self.messages.push(Message::note(self.path, at, n));
        }
        for record in read.records {
            match record.result {
                Ok(mut article) => {
                    article.meta.ingested_at.clone_from(&self.run.ingested_at);
                    detect_language(&mut article);
                    match self.run.writer.upsert(&article) {
                        Ok(status) => {
                            self.settle(&article.meta, status, article.passages.len(), record.at)
                        }
                        Err(e) => return self.stop(e),
                    }
                }
                Err(e) => {
                    if record.at == At::Whole {
                        self.run.diagnostics.file_failed(self.path);
                    }
                    self.fail(record.at, e);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn take_streamed(&mut self, article: Streamed, pump: &mut Pump<'_>) -> ControlFlow<()> {
        if interrupted() {
            return self.stop(Interrupted);
        }
        let Streamed {
            mut meta,
            passages,
            sample,
            warnings,
        } = article;
        for w in warnings {
            self.messages
                .push(Message::warning(self.path, At::Whole, w));
        }
        meta.ingested_at.clone_from(&self.run.ingested_at);
        detect_language_of(&mut meta, sample.iter().map(String::as_str));
        let count = passages as usize;
        let writer = self.run.writer;
        let status = match writer.claim(&meta) {
            Ok(status) => status,
            Err(e) => return self.stop(e),
        };
        if matches!(status, Upsert::New | Upsert::Updated) {
            if let Err(e) = writer.add_record(&meta, count) {
                return self.stop(e);
            }
            let mut failure: Option<anyhow::Error> = None;
            let pumped = pump(&mut |ps| {
                let added = match interrupted() {
                    true => Err(Interrupted.into()),
                    false => writer.add_passages(&meta, &ps, count).map_err(Into::into),
                };
                added.map_or_else(
                    |e| {
                        failure = Some(e);
                        ControlFlow::Break(())
                    },
                    ControlFlow::Continue,
                )
            });
            if let Some(e) = failure {
                return self.stop(e);
            }
            if let Err(e) = pumped {
                writer.withdraw(&meta.id);
                return self.take(FileRead::failed(e));
            }
        }
        self.settle(&meta, status, count, At::Whole);
        ControlFlow::Continue(())
    }
}

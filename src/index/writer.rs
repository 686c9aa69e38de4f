//! Writing articles: upserts by content hash (unchanged articles are skipped, changed ones
//! replaced), prunes articles whose files are gone, and commits once per run. Nothing is
//! visible to readers until [`ArticleWriter::commit`]; dropping the writer rolls back.

use rustc_hash::FxHashMap;
use std::sync::{Arc, Condvar, Mutex};

use tantivy::Searcher;

use tantivy::directory::error::LockError;
use tantivy::indexer::{IndexWriterOptions, UserOperation};
use tantivy::schema::document::Document;
use tantivy::{IndexWriter, TantivyDocument, TantivyError, Term};

use super::{
    Existing, Fields, IndexError, KorpusIndex, article_key, tantivy_reason, to_tantivy_date,
};
use crate::analysis::Lang;
use crate::corpus::{Article, ArticleMeta, KnownHashes, Passage};

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    New,
    Updated,
    Unchanged,
    /// Another article with the same id was already written in this run.
    Duplicate {
        first_path: String,
    },
}

/// The single writer of an index during one ingest run.
pub struct ArticleWriter {
    writer: IndexWriter<Queued>,
    backlog: Arc<Backlog>,
    fields: Fields,
    path: String,
    /// The articles committed before this run (none with `rebuild`).
    existing: Existing,
    /// The ids written or kept in this run.
    seen: Mutex<Seen>,
}

/// The ids of a run's articles with the file each came from, compact: a 128-bit hash per id
/// and one copy of each path (a million articles take about 40 MB, not the 150 MB of strings).
#[derive(Default)]
struct Seen {
    ids: FxHashMap<u128, u64>,
    paths: FxHashMap<u64, String>,
}

impl Seen {
    fn key(text: &str) -> u128 {
        let hash = blake3::hash(text.as_bytes());
        u128::from_le_bytes(hash.as_bytes()[..16].try_into().unwrap_or_default())
    }

    fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(&Seen::key(id))
    }

    /// Where `id` was first seen, if it was.
    fn first_path(&self, id: &str) -> Option<&str> {
        let path = self.ids.get(&Seen::key(id))?;
        self.paths.get(path).map(String::as_str)
    }

    fn insert(&mut self, id: &str, path: &str) {
        let path_key = Seen::key(path) as u64;
        self.paths
            .entry(path_key)
            .or_insert_with(|| path.to_string());
        self.ids.insert(Seen::key(id), path_key);
    }
}

impl ArticleWriter {
    /// Takes the index's writer lock. `existing` is the index as committed before the run
    /// (its articles are looked up as they are read); with `rebuild` everything in it is
    /// deleted at commit.
    pub fn new(
        index: &KorpusIndex,
        existing: Option<Searcher>,
        threads: usize,
        memory_bytes: usize,
        rebuild: bool,
    ) -> Result<ArticleWriter, IndexError> {
        let path = index.path.display().to_string();
        // tantivy gives every indexing thread at least 15 MB.
        let threads = threads.clamp(1, (memory_bytes / (15 << 20)).max(1));
        let options = IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(memory_bytes / threads)
            // One merge at a time: each merge maps the segments it reads.
            .num_merge_threads(1)
            .build();
        let writer = index
            .index
            .writer_with_options(options)
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => {
                    IndexError::Locked { path: path.clone() }
                }
                other => IndexError::Tantivy {
                    what: "could not open the index for writing",
                    path: path.clone(),
                    reason: tantivy_reason(&other),
                },
            })?;
        if rebuild {
            writer
                .delete_all_documents()
                .map_err(|e| IndexError::Tantivy {
                    what: "could not clear the index",
                    path: path.clone(),
                    reason: tantivy_reason(&e),
                })?;
        }
        let existing = Existing::new(existing.filter(|_| !rebuild), &index.fields);
        Ok(ArticleWriter {
            writer,
            backlog: Arc::default(),
            fields: index.fields.clone(),
            path,
            existing,
            seen: Mutex::default(),
        })
    }

    /// Adds or replaces an article (safe to call from many threads).
    pub fn upsert(&self, article: &Article) -> Result<Upsert, IndexError> {
        let status = self.claim(&article.meta)?;
        if matches!(status, Upsert::New | Upsert::Updated) {
            let (meta, passages) = (&article.meta, &article.passages);
            let record = record_document(&self.fields, meta, passages.len());
            let passages = self.passage_documents(meta, passages, passages.len());
            self.add(std::iter::once(record).chain(passages).collect())?;
        }
        Ok(status)
    }

    /// Claims an article's id for this run and says what to do with it: for `New` and
    /// `Updated` (old documents deleted) the caller adds its record and passages, which an
    /// article too large to hold in memory does in pieces.
    pub fn claim(&self, meta: &ArticleMeta) -> Result<Upsert, IndexError> {
        let id = &meta.id;
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(first) = seen.first_path(id) {
                return Ok(Upsert::Duplicate {
                    first_path: first.to_string(),
                });
            }
            seen.insert(id, &meta.path);
        }
        let old = (self.existing.by_id(id)).map_err(|e| self.err("could not read the index", e))?;
        Ok(match old {
            Some(old) if old.content_hash == meta.content_hash && old.path == meta.path => {
                Upsert::Unchanged
            }
            Some(_) => {
                self.withdraw(id);
                Upsert::Updated
            }
            None => Upsert::New,
        })
    }

    /// The articles indexed from `path` by content hash: their records need not be read again.
    pub fn known_hashes(&self, path: &str) -> Result<KnownHashes, IndexError> {
        (self.existing.by_path(path)).map_err(|e| self.err("could not read the index", e))
    }

    /// Keeps an indexed article found unchanged (same path and content hash) without reading
    /// it again, given the articles indexed from `path` with that hash; returns its passage
    /// count, or `None` when no such article is left unclaimed.
    pub fn keep(&self, path: &str, candidates: &[(String, u64)]) -> Option<usize> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (id, passages) = candidates.iter().find(|(id, _)| !seen.contains(id))?;
        seen.insert(id, path);
        Some(*passages as usize)
    }

    /// Deletes every document of an article added so far (in this run or before).
    pub fn withdraw(&self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.article_id, id));
    }

    /// Adds the record document of an article that has `count` passages.
    pub fn add_record(&self, meta: &ArticleMeta, count: usize) -> Result<(), IndexError> {
        self.add(vec![record_document(&self.fields, meta, count)])
    }

    /// Adds passages of an article that has `count` in all.
    pub fn add_passages(
        &self,
        meta: &ArticleMeta,
        passages: &[Passage],
        count: usize,
    ) -> Result<(), IndexError> {
        self.add(self.passage_documents(meta, passages, count).collect())
    }

    fn passage_documents(
        &self,
        meta: &ArticleMeta,
        passages: &[Passage],
        count: usize,
    ) -> impl Iterator<Item = TantivyDocument> {
        let shared = Shared::new(meta, count);
        let (mut previous, mut start) = (None, 0);
        (passages.iter()).map(move |p| {
            // The first passage of a run under one heading indexes the heading.
            let heads = p.section.is_some() && p.section != previous;
            if heads {
                start = p.number;
            }
            previous.clone_from(&p.section);
            passage_document(&self.fields, &shared, p, start, heads)
        })
    }

    /// Adds documents as one batch: tantivy writes a batch into one segment, in order, so an
    /// article's documents stay together (one channel message, neighbouring doc ids, repeated
    /// metadata in the same store block).
    fn add(&self, docs: Vec<TantivyDocument>) -> Result<(), IndexError> {
        let mut ticket = Some(self.backlog.enter(docs.len()));
        let queued = docs.into_iter().map(|doc| {
            UserOperation::Add(Queued {
                doc,
                _ticket: ticket.take(),
            })
        });
        self.writer
            .run(queued)
            .map(drop)
            .map_err(|e| self.err("could not add a document", e))
    }

    /// Deletes the articles that were in the index, were not seen in this run, and whose path
    /// `gone` says is gone. Returns their ids. Walks the indexed paths one at a time.
    pub fn prune(&self, gone: impl Fn(&str) -> bool) -> Result<Vec<String>, IndexError> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let mut pruned = Vec::new();
        (self.existing.for_paths(gone, |_, articles| {
            for a in articles {
                if !seen.contains(&a.id) {
                    self.withdraw(&a.id);
                    pruned.push(a.id);
                }
            }
        }))
        .map_err(|e| self.err("could not read the index", e))?;
        pruned.sort();
        Ok(pruned)
    }

    /// Makes every change of this run visible at once.
    pub fn commit(mut self) -> Result<(), IndexError> {
        self.writer
            .commit()
            .map_err(|e| self.err("could not commit the index", e))?;
        self.writer
            .wait_merging_threads()
            .map_err(|e| IndexError::Tantivy {
                what: "could not finish merging the index",
                path: self.path.clone(),
                reason: tantivy_reason(&e),
            })
    }

    /// tantivy reports a failed write from its worker threads without the cause; a small probe
    /// write in the index folder finds the usual one (a full disk, a read-only folder).
    fn err(&self, what: &'static str, e: TantivyError) -> IndexError {
        let probe = std::path::Path::new(&self.path).join(".korpus-write-probe");
        let reason = match std::fs::write(&probe, [0u8; 64 << 10]) {
            Err(io) => crate::corpus::io_reason(&io),
            Ok(()) => tantivy_reason(&e),
        };
        let _ = std::fs::remove_file(&probe);
        IndexError::Tantivy {
            what,
            path: self.path.clone(),
            reason,
        }
    }
}

/// Documents handed to tantivy that no indexing thread has taken up yet. tantivy's queue holds
/// 10,000 batches; with whole articles as batches that would let ~150,000 documents (hundreds of
/// MB) wait in memory while the readers run ahead, so the writer waits below this many.
#[derive(Default)]
struct Backlog {
    docs: Mutex<usize>,
    taken: Condvar,
}

const MAX_BACKLOG_DOCS: usize = 10_000;
const STALLED: std::time::Duration = std::time::Duration::from_millis(50);

impl Backlog {
    /// Waits until the backlog has room, then counts `docs` more in it. A wait that sees no
    /// progress for a while gives up (a failed indexing thread takes nothing more; sending then
    /// reports its error).
    fn enter(self: &Arc<Self>, docs: usize) -> Ticket {
        let mut n = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        while *n > 0 && *n + docs > MAX_BACKLOG_DOCS {
            let seen = *n;
            let (guard, wait) =
                (self.taken.wait_timeout(n, STALLED)).unwrap_or_else(|p| p.into_inner());
            n = guard;
            if wait.timed_out() && *n == seen {
                break;
            }
        }
        *n += docs;
        Ticket {
            backlog: Arc::clone(self),
            docs,
        }
    }
}

/// Carried by the first document of a batch: leaves the backlog when tantivy has indexed it
/// (the indexing thread drops it), taking the batch's count along.
struct Ticket {
    backlog: Arc<Backlog>,
    docs: usize,
}

impl Drop for Ticket {
    /// Wakes the waiting writers only when the backlog has drained to half (or to nothing):
    /// woken for every article indexed, they would mostly find it still full and wait again,
    /// a context switch on a busy core each time.
    fn drop(&mut self) {
        let mut n = (self.backlog.docs.lock()).unwrap_or_else(|p| p.into_inner());
        let before = *n;
        *n -= self.docs;
        if wakes_writers(before, *n) {
            self.backlog.taken.notify_all();
        }
    }
}

/// Whether taking the backlog from `before` to `after` documents wakes the waiting writers:
/// when it empties or falls to half.
fn wakes_writers(before: usize, after: usize) -> bool {
    after == 0 || (before > MAX_BACKLOG_DOCS / 2 && after <= MAX_BACKLOG_DOCS / 2)
}

/// A document on its way to tantivy.
struct Queued {
    doc: TantivyDocument,
    _ticket: Option<Ticket>,
}

impl Document for Queued {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }

    fn into_tantivy_document(self) -> TantivyDocument {
        self.doc
    }
}

/// An article's record: its id, content hash, path, passage count and full metadata, and what
/// a search matches once per article (title, authors, source).
fn record_document(f: &Fields, meta: &ArticleMeta, passages: usize) -> TantivyDocument {
    let mut record = TantivyDocument::default();
    record.add_text(f.record_id, &meta.id);
    record.add_text(f.record_hash, &meta.content_hash);
    record.add_u64(f.record_passages, passages as u64);
    record.add_text(f.record_path, &meta.path);
    record.add_text(f.doc_kind, super::RECORD_KIND);
    record.add_text(f.article_id, &meta.id);
    record.add_u64(f.join_key, article_key(&meta.id));
    record.add_text(f.title_for(Lang::for_code(&meta.lang)), &meta.title);
    if !meta.authors.is_empty() {
        record.add_text(f.record_author, meta.authors.join("; "));
    }
    if let Some(s) = &meta.source {
        record.add_text(f.record_source, s);
    }
    record.add_text(f.meta, serde_json::to_string(meta).unwrap_or_default());
    record
}

/// What every passage document of an article carries.
struct Shared<'a> {
    meta: &'a ArticleMeta,
    lang: Lang,
    count: u64,
    authors: String,
    /// The lowercased source, for exact source filters.
    source_key: Option<String>,
    key: u64,
}

impl<'a> Shared<'a> {
    fn new(meta: &'a ArticleMeta, count: usize) -> Shared<'a> {
        Shared {
            meta,
            lang: Lang::for_code(&meta.lang),
            count: count as u64,
            authors: meta.authors.join("; "),
            source_key: meta.source.as_ref().map(|s| s.to_lowercase()),
            key: article_key(&meta.id),
        }
    }
}

/// A passage's document. `section_start` is the number of the first passage of its run under
/// its heading; that passage `heads` the run and indexes the heading for `section:` clauses.
fn passage_document(
    f: &Fields,
    a: &Shared,
    p: &Passage,
    section_start: u32,
    heads: bool,
) -> TantivyDocument {
    let (meta, lang) = (a.meta, a.lang);
    let mut d = TantivyDocument::default();
    d.add_text(f.article_id, &meta.id);
    d.add_u64(f.article_key, a.key);
    d.add_u64(f.number, u64::from(p.number));
    d.add_u64(f.count, a.count);
    d.add_text(f.kind, p.kind.as_str());
    d.add_u64(f.range_start, p.range.0 as u64);
    d.add_u64(f.range_end, p.range.1 as u64);
    d.add_text(f.text, &p.text);
    d.add_text(f.text_for(lang), &p.text);
    d.add_text(f.text_for(lang), &meta.title);
    d.add_text(f.title, &meta.title);
    if let Some(s) = &p.section {
        d.add_text(f.text_for(lang), s);
        d.add_text(f.section, s);
        d.add_u64(f.section_start, u64::from(section_start));
        if heads {
            d.add_text(f.doc_kind, super::SECTION_KIND);
            d.add_text(f.section_for(lang), s);
        }
    }
    if !a.authors.is_empty() {
        d.add_text(f.author, &a.authors);
    }
    for author in &meta.authors {
        d.add_text(f.facet_author, author);
    }
    for tag in &meta.tags {
        d.add_text(f.facet_tag, tag);
    }
    if let (Some(s), Some(key)) = (&meta.source, &a.source_key) {
        d.add_text(f.source, s);
        d.add_text(f.source_key, key);
        d.add_text(f.facet_source, s);
    }
    d.add_text(f.lang, &meta.lang);
    if let Some(date) = meta.published {
        d.add_date(f.published, to_tantivy_date(date));
    }
    d.add_text(f.path, &meta.path);
    if let Some(url) = &meta.url {
        d.add_text(f.url, url);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(b: &Backlog) -> usize {
        *b.docs.lock().unwrap()
    }

    #[test]
    fn writers_are_woken_when_the_backlog_halves_or_empties() {
        let (full, half) = (MAX_BACKLOG_DOCS, MAX_BACKLOG_DOCS / 2);
        assert!(
            !wakes_writers(full, full - 15),
            "one article taken from a full backlog"
        );
        assert!(!wakes_writers(half + 100, half + 1));
        assert!(wakes_writers(half + 1, half));
        assert!(wakes_writers(full, 0));
        assert!(!wakes_writers(half, half - 10), "already woken at half");
        assert!(
            wakes_writers(10, 0),
            "a writer with a batch larger than half waits for empty"
        );
    }

    #[test]
    fn the_backlog_counts_batches_until_indexed_and_never_waits_forever() {
        let backlog = Arc::new(Backlog::default());
        let first = backlog.enter(MAX_BACKLOG_DOCS - 5);
        let second = backlog.enter(5);
        assert_eq!(waiting(&backlog), MAX_BACKLOG_DOCS);
        // Full: a batch waits for room, which a taken batch makes.
        let b = Arc::clone(&backlog);
        let taker = std::thread::spawn(move || {
            std::thread::sleep(STALLED / 5);
            let before = waiting(&b);
            drop(first);
            (b, before)
        });
        let third = backlog.enter(100);
        let (backlog, before) = taker.join().unwrap();
        assert_eq!(
            before, MAX_BACKLOG_DOCS,
            "the third batch entered a full backlog"
        );
        assert_eq!(waiting(&backlog), 105);
        // With nothing taken (a stopped indexing thread), the wait gives up.
        let fourth = backlog.enter(MAX_BACKLOG_DOCS);
        assert_eq!(waiting(&backlog), MAX_BACKLOG_DOCS + 105);
        drop((second, third, fourth));
        assert_eq!(waiting(&backlog), 0);
    }
}

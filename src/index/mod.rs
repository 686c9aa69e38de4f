//! The on-disk index: schema, opening and creating it at an explicit path, korpus's own
//! versioned metadata file beside the tantivy files, and (in `writer`) the only code that
//! writes. One tantivy document per passage, plus one record document per article that holds
//! its full metadata.

mod directory;
mod existing;
mod writer;

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{
    DateOptions, FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::{DateTime, Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{self, Fingerprint, Lang};
use crate::corpus::{ArticleMeta, Passage, PassageKind};

pub use existing::{Existing, Indexed};
pub use writer::{ArticleWriter, Upsert};

/// Version of the schema and of the metadata file; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 9;
/// korpus's own metadata file inside the index folder.
pub const META_FILE: &str = "korpus.json";

/// Why an index could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {path}; create it with `korpus ingest --index {path} PATH…`")]
    NotFound { path: String },
    #[error("{path} is a file, not an index folder")]
    NotADirectory { path: String },
    #[error("{path} holds files but no korpus index; choose an empty folder or an existing index")]
    NotAnIndex { path: String },
    #[error(
        "the index at {path} was built by another version of korpus ({found}; this one uses \
         {expected}); rebuild it with `korpus ingest --rebuild`"
    )]
    Incompatible {
        path: String,
        found: String,
        expected: String,
    },
    #[error("index is being written by another korpus process ({path})")]
    Locked { path: String },
    #[error("{what} at {path}: {reason}")]
    Io {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("{what} at {path}: {reason}")]
    Tantivy {
        what: &'static str,
        path: String,
        reason: String,
    },
}

/// The fields of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// `article` on article records, `section` on the first passage of a section; other
    /// passages have none (only exact keys and the fields
    /// queries score are indexed per passage; filters read fast fields).
    pub doc_kind: Field,
    pub article_id: Field,
    /// Stable 64-bit hash of the article id (fast field, for grouping), on passages.
    pub article_key: Field,
    /// On passages under a heading: the number of the first passage of their run under it
    /// (with the article key, it names the section; see `search::join`).
    pub section_start: Field,
    /// The article key on article records (fast field, for `search::join`).
    pub join_key: Field,
    pub number: Field,
    pub count: Field,
    pub kind: Field,
    pub range_start: Field,
    pub range_end: Field,
    /// Stored passage text, title and section heading.
    pub text: Field,
    pub title: Field,
    pub section: Field,
    /// Indexed text, one field per analyzer family, in [`Lang::ALL`] order. A passage's text
    /// field also holds its article's title (a second value), so that one scorer per word
    /// ranks both.
    pub text_by_lang: [Field; 3],
    /// Indexed on article records only, for `title:` clauses.
    pub title_by_lang: [Field; 3],
    /// Indexed on the first passage of each section only, for `section:` clauses (every
    /// passage's text field holds its heading).
    pub section_by_lang: [Field; 3],
    /// Stored authors (`; `-separated) and source of a passage's article.
    pub author: Field,
    pub source: Field,
    /// Authors and source, indexed on article records only (for `author:` and `source:`).
    pub record_author: Field,
    pub record_source: Field,
    /// Lowercased source, for exact `--source` filters (a fast field).
    pub source_key: Field,
    /// On passages, as written, one value each: the source, the authors, the tags (columns
    /// for facet counts).
    pub facet_source: Field,
    pub facet_author: Field,
    pub facet_tag: Field,
    pub lang: Field,
    pub published: Field,
    pub path: Field,
    /// Stored URL of a passage's article, when it has one.
    pub url: Field,
    /// Article records: the full metadata as JSON.
    pub meta: Field,
    /// Article records: the id, content hash and passage count (columns), and the path
    /// (indexed and a column), so that an ingest looks up the articles it reads instead of
    /// loading every article of the index (see [`Existing`]).
    pub record_id: Field,
    pub record_hash: Field,
    pub record_passages: Field,
    pub record_path: Field,
}

impl Fields {
    pub fn text_for(&self, lang: Lang) -> Field {
        self.text_by_lang[lang_index(lang)]
    }
    pub fn title_for(&self, lang: Lang) -> Field {
        self.title_by_lang[lang_index(lang)]
    }
    pub fn section_for(&self, lang: Lang) -> Field {
        self.section_by_lang[lang_index(lang)]
    }
}

fn lang_index(lang: Lang) -> usize {
    Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexed = |tokenizer: &str, record: IndexRecordOption, norms: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record)
                .set_fieldnorms(norms),
        )
    };
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let analysed = |lang: Lang| indexed(lang.analyzer_name(), positions, true);
    // Names (authors, sources) are short: their length says nothing, so no field norms; exact
    // keys are only matched, never scored (a field norm costs a byte per document).
    let plain = indexed(Lang::Plain.analyzer_name(), positions, false);
    let key = indexed("raw", IndexRecordOption::Basic, false);
    // Values counted per matching article (`--facets`), read from columns.
    let facet = TextOptions::default().set_fast("raw");
    let by_lang = |b: &mut tantivy::schema::SchemaBuilder, name: &str| {
        Lang::ALL.map(|l| b.add_text_field(&format!("{name}_{}", l.suffix()), analysed(l)))
    };
    let fields = Fields {
        doc_kind: b.add_text_field("doc_kind", key.clone()),
        article_id: b.add_text_field("article_id", key.clone() | STORED),
        article_key: b.add_u64_field("article_key", FAST),
        section_start: b.add_u64_field("section_start", FAST),
        join_key: b.add_u64_field("join_key", FAST),
        number: b.add_u64_field("number", STORED | FAST),
        count: b.add_u64_field("count", STORED),
        kind: b.add_text_field("kind", STORED),
        range_start: b.add_u64_field("range_start", STORED),
        range_end: b.add_u64_field("range_end", STORED),
        text: b.add_text_field("text", STORED),
        title: b.add_text_field("title", STORED),
        section: b.add_text_field("section", STORED),
        text_by_lang: by_lang(&mut b, "text"),
        title_by_lang: by_lang(&mut b, "title"),
        section_by_lang: by_lang(&mut b, "section"),
        author: b.add_text_field("author", STORED),
        source: b.add_text_field("source", STORED),
        record_author: b.add_text_field("record_author", plain.clone()),
        record_source: b.add_text_field("record_source", plain),
        source_key: b.add_text_field("source_key", TextOptions::default().set_fast("raw")),
        facet_source: b.add_text_field("facet_source", facet.clone()),
        facet_author: b.add_text_field("facet_author", facet.clone()),
        facet_tag: b.add_text_field("facet_tag", facet),
        lang: b.add_text_field("lang", (key.clone() | STORED).set_fast("raw")),
        published: b.add_date_field("published", DateOptions::default().set_stored().set_fast()),
        path: b.add_text_field("path", STORED),
        url: b.add_text_field("url", STORED),
        meta: b.add_text_field("meta", STORED),
        record_id: b.add_text_field("record_id", TextOptions::default().set_fast("raw")),
        record_hash: b.add_text_field("record_hash", TextOptions::default().set_fast("raw")),
        record_passages: b.add_u64_field("record_passages", FAST),
        record_path: b.add_text_field("record_path", key.set_fast("raw")),
    };
    (b.build(), fields)
}

/// korpus's metadata file: what wrote the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexMeta {
    format: String,
    schema_version: u32,
    fingerprint: Fingerprint,
}

impl IndexMeta {
    fn current() -> IndexMeta {
        IndexMeta {
            format: "korpus-index".into(),
            schema_version: SCHEMA_VERSION,
            fingerprint: Fingerprint::current(),
        }
    }

    fn describe(&self) -> String {
        format!("schema v{}, {}", self.schema_version, self.fingerprint)
    }
}

/// An open korpus index.
pub struct KorpusIndex {
    pub index: Index,
    pub fields: Fields,
    pub path: PathBuf,
}

fn tantivy_err(
    what: &'static str,
    path: &Path,
) -> impl FnOnce(tantivy::TantivyError) -> IndexError {
    let path = path.display().to_string();
    move |e| IndexError::Tantivy {
        what,
        path,
        reason: tantivy_reason(&e),
    }
}

/// A tantivy error in korpus's words: an I/O cause as `io_reason` says it (tantivy's own text
/// embeds Debug output and temporary file names).
fn tantivy_reason(e: &tantivy::TantivyError) -> String {
    use tantivy::TantivyError as T;
    use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
    let io = match e {
        T::IoError(io)
        | T::LockFailure(LockError::IoError(io), _)
        | T::OpenDirectoryError(OpenDirectoryError::IoError { io_error: io, .. })
        | T::OpenWriteError(OpenWriteError::IoError { io_error: io, .. })
        | T::OpenReadError(OpenReadError::IoError { io_error: io, .. }) => io,
        other => return other.to_string(),
    };
    crate::corpus::io_reason(io)
}

fn io_err(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> IndexError {
    let path = path.display().to_string();
    move |e| IndexError::Io {
        what,
        path,
        reason: crate::corpus::io_reason(&e),
    }
}

impl KorpusIndex {
    /// True when `path` holds an index (compatible or not).
    pub fn exists(path: &Path) -> bool {
        path.join("meta.json").is_file()
    }

    /// Opens an existing index, refusing one written by an incompatible korpus.
    pub fn open(path: &Path) -> Result<KorpusIndex, IndexError> {
        let shown = path.display().to_string();
        if path.is_file() {
            return Err(IndexError::NotADirectory { path: shown });
        }
        if !Self::exists(path) {
            return Err(IndexError::NotFound { path: shown });
        }
        let expected = IndexMeta::current();
        let found: Option<IndexMeta> = std::fs::read_to_string(path.join(META_FILE))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok());
        match &found {
            Some(m)
                if m.schema_version == expected.schema_version
                    && m.fingerprint == expected.fingerprint => {}
            other => {
                return Err(IndexError::Incompatible {
                    path: shown,
                    found: other
                        .as_ref()
                        .map_or_else(|| "unknown version".into(), IndexMeta::describe),
                    expected: expected.describe(),
                });
            }
        }
        let index = directory::IndexDir::open(path)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
            .map_err(tantivy_err("could not open the index", path))?;
        analysis::register(index.tokenizers());
        let (schema, fields) = schema();
        if index.schema() != schema {
            return Err(IndexError::Incompatible {
                path: shown,
                found: format!("{} with another schema", expected.describe()),
                expected: expected.describe(),
            });
        }
        Ok(KorpusIndex {
            index,
            fields,
            path: path.to_path_buf(),
        })
    }

    /// Creates an empty index in `path` (created if missing; must be empty but for dotfiles).
    /// An incompatible old index there is removed only when `replace_incompatible` is set.
    pub fn create(path: &Path, replace_incompatible: bool) -> Result<KorpusIndex, IndexError> {
        let shown = path.display().to_string();
        if path.is_file() {
            return Err(IndexError::NotADirectory { path: shown });
        }
        std::fs::create_dir_all(path).map_err(io_err("could not create the index folder", path))?;
        let old_index = Self::exists(path);
        if old_index && !replace_incompatible {
            return Err(IndexError::NotAnIndex { path: shown });
        }
        for entry in
            std::fs::read_dir(path).map_err(io_err("could not read the index folder", path))?
        {
            let entry = entry.map_err(io_err("could not read the index folder", path))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                && name != ".tantivy-meta.lock"
                && name != ".tantivy-writer.lock"
            {
                continue;
            }
            if !old_index {
                return Err(IndexError::NotAnIndex { path: shown });
            }
            let p = entry.path();
            let removed = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
            removed.map_err(io_err("could not remove the old index", &p))?;
        }
        let (schema, fields) = schema();
        // The document store: lz4 in 16 KB blocks; a hit decompresses one block. On the 100k
        // benchmark corpus 32 -> 16 KB makes a batch with snippets 7 % less CPU (10 % less wall)
        // for a store 8.5 % larger (index 1.21 -> 1.26x the baseline's); 8 KB gains 3 % more
        // but takes it to 1.35x. zstd (level 1) stores 28 % less but makes batches 43 % slower.
        let settings = IndexSettings {
            docstore_blocksize: 16 * 1024,
            ..IndexSettings::default()
        };
        let index = directory::IndexDir::open(path)
            .map_err(tantivy::TantivyError::from)
            .and_then(|dir| Index::create(dir, schema, settings))
            .map_err(tantivy_err("could not create the index", path))?;
        analysis::register(index.tokenizers());
        let meta = serde_json::to_string_pretty(&IndexMeta::current()).unwrap_or_default();
        std::fs::write(path.join(META_FILE), meta + "\n")
            .map_err(io_err("could not write the index metadata", path))?;
        Ok(KorpusIndex {
            index,
            fields,
            path: path.to_path_buf(),
        })
    }

    /// A reader that sees the last commit.
    pub fn reader(&self) -> Result<IndexReader, IndexError> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_err("could not read the index", &self.path))
    }

    /// The metadata of every article in the index.
    pub fn articles(&self, reader: &IndexReader) -> Result<Vec<ArticleMeta>, IndexError> {
        let searcher = reader.searcher();
        let q = TermQuery::new(record_term(&self.fields), IndexRecordOption::Basic);
        let docs = searcher
            .search(&q, &DocSetCollector)
            .map_err(tantivy_err("could not read the index", &self.path))?;
        let mut out = Vec::with_capacity(docs.len());
        for addr in docs {
            let doc: TantivyDocument = searcher
                .doc(addr)
                .map_err(tantivy_err("could not read the index", &self.path))?;
            if let Some(meta) = doc
                .get_first(self.fields.meta)
                .and_then(|v| v.as_str())
                .and_then(|s| serde_json::from_str::<ArticleMeta>(s).ok())
            {
                out.push(meta);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The metadata of one article.
    pub fn article(
        &self,
        reader: &IndexReader,
        id: &str,
    ) -> Result<Option<ArticleMeta>, IndexError> {
        let searcher = reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.article_id, id),
            IndexRecordOption::Basic,
        );
        let docs = searcher
            .search(&q, &DocSetCollector)
            .map_err(tantivy_err("could not read the index", &self.path))?;
        for addr in docs {
            let doc: TantivyDocument = searcher
                .doc(addr)
                .map_err(tantivy_err("could not read the index", &self.path))?;
            if let Some(meta) = doc.get_first(self.fields.meta).and_then(|v| v.as_str()) {
                return Ok(serde_json::from_str(meta).ok());
            }
        }
        Ok(None)
    }

    /// The passages of one article, in order.
    pub fn passages(&self, reader: &IndexReader, id: &str) -> Result<Vec<Passage>, IndexError> {
        let f = &self.fields;
        let searcher = reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(f.article_id, id),
            IndexRecordOption::Basic,
        );
        let docs = searcher
            .search(&q, &DocSetCollector)
            .map_err(tantivy_err("could not read the index", &self.path))?;
        let mut out = Vec::new();
        for addr in docs {
            let doc: TantivyDocument = searcher
                .doc(addr)
                .map_err(tantivy_err("could not read the index", &self.path))?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let num = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
            let Some(kind) = text(f.kind).as_deref().and_then(PassageKind::parse) else {
                continue; // the article record
            };
            out.push(Passage {
                number: num(f.number) as u32,
                kind,
                section: text(f.section),
                text: text(f.text).unwrap_or_default(),
                range: (num(f.range_start) as usize, num(f.range_end) as usize),
            });
        }
        out.sort_by_key(|p| p.number);
        Ok(out)
    }

    /// How many passages the index holds.
    pub fn passage_count(&self, reader: &IndexReader) -> Result<usize, IndexError> {
        let searcher = reader.searcher();
        let q = TermQuery::new(record_term(&self.fields), IndexRecordOption::Basic);
        let records = searcher
            .search(&q, &tantivy::collector::Count)
            .map_err(tantivy_err("could not read the index", &self.path))?;
        Ok((searcher.num_docs() as usize).saturating_sub(records))
    }

    /// Size of the index folder in bytes.
    pub fn size_on_disk(&self) -> u64 {
        std::fs::read_dir(&self.path)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}

/// The `doc_kind` of article records.
pub const RECORD_KIND: &str = "article";

/// The term only article records have.
pub fn record_term(f: &Fields) -> Term {
    Term::from_field_text(f.doc_kind, RECORD_KIND)
}

/// The `doc_kind` of the first passage of each section, which indexes the heading.
pub const SECTION_KIND: &str = "section";

/// The term only the first passages of sections have.
pub fn section_term(f: &Fields) -> Term {
    Term::from_field_text(f.doc_kind, SECTION_KIND)
}

/// The 64-bit key of an article id (FNV-1a: stable across versions and platforms).
pub fn article_key(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const EPOCH: Date = Date::constant(1970, 1, 1);

/// A calendar date as a tantivy date (midnight UTC).
pub fn to_tantivy_date(d: Date) -> DateTime {
    let days = d.since(EPOCH).map(|s| s.get_days()).unwrap_or(0);
    DateTime::from_timestamp_secs(i64::from(days) * 86_400)
}

/// A tantivy date as a calendar date.
pub fn from_tantivy_date(d: DateTime) -> Option<Date> {
    let days = d.into_timestamp_secs().div_euclid(86_400);
    EPOCH
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2025-02-26", "1950-06-25", "2099-12-31"] {
            let d: Date = s.parse().unwrap();
            assert_eq!(from_tantivy_date(to_tantivy_date(d)), Some(d));
        }
    }

    #[test]
    fn refuses_an_index_of_another_version() {
        let dir = tempfile::tempdir().unwrap();
        KorpusIndex::create(dir.path(), false).unwrap();
        assert!(KorpusIndex::open(dir.path()).is_ok());
        let meta = dir.path().join(META_FILE);
        let old = std::fs::read_to_string(&meta)
            .unwrap()
            .replace("0.27.0", "0.22.0");
        std::fs::write(&meta, old).unwrap();
        let err = KorpusIndex::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("another version of korpus"), "{err}");
        assert!(err.contains("--rebuild"), "{err}");
        assert!(KorpusIndex::create(dir.path(), true).is_ok());
        assert!(KorpusIndex::open(dir.path()).is_ok());
    }
}

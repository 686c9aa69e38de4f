//! What an ingest knows of the articles already in the index: looked up for the articles it
//! reads — by id, and by the path they were read from — through the index's term dictionaries
//! and the record documents' columns, never loaded all at once. An ingest into a large archive
//! costs what it adds, not what the archive holds.

use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term};

use super::Fields;
use crate::corpus::KnownHashes;

/// An article of the index, as an ingest needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub id: String,
    pub content_hash: String,
    pub path: String,
    pub passages: u64,
}

/// The record columns of one segment.
struct Columns {
    id: StrColumn,
    hash: StrColumn,
    path: StrColumn,
    passages: Column<u64>,
}

impl Columns {
    fn open(reader: &SegmentReader) -> tantivy::Result<Option<Columns>> {
        let fast = reader.fast_fields();
        let (Some(id), Some(hash), Some(path)) = (
            fast.str("record_id")?,
            fast.str("record_hash")?,
            fast.str("record_path")?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Columns {
            id,
            hash,
            path,
            passages: fast.u64("record_passages")?,
        }))
    }

    /// The articles whose records are among `docs` (passages have none), their strings read
    /// from the dictionaries in order.
    fn get(&self, docs: &[DocId]) -> std::io::Result<Vec<Indexed>> {
        let ids = strings(&self.id, docs)?;
        let hashes = strings(&self.hash, docs)?;
        let paths = strings(&self.path, docs)?;
        let mut out = Vec::new();
        for (i, id) in ids.into_iter().enumerate() {
            if let Some(id) = id {
                out.push(Indexed {
                    id,
                    content_hash: hashes[i].clone().unwrap_or_default(),
                    path: paths[i].clone().unwrap_or_default(),
                    passages: self.passages.first(docs[i]).unwrap_or(0),
                });
            }
        }
        Ok(out)
    }
}

/// Each document's value of a string column (none where it has none).
fn strings(column: &StrColumn, docs: &[DocId]) -> std::io::Result<Vec<Option<String>>> {
    let ords: Vec<Option<u64>> = docs.iter().map(|&d| column.term_ords(d).next()).collect();
    let mut sorted: Vec<u64> = ords.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut values = Vec::with_capacity(sorted.len());
    (column.dictionary()).sorted_ords_to_term_cb(&sorted, |bytes| {
        values.push(String::from_utf8_lossy(bytes).into_owned());
    })?;
    Ok((ords.into_iter())
        .map(|o| Some(values[sorted.binary_search(&o?).ok()?].clone()))
        .collect())
}

/// The articles of an index as it was committed when the ingest started (or none).
pub struct Existing {
    searcher: Option<Searcher>,
    fields: Fields,
}

impl Existing {
    pub fn new(searcher: Option<Searcher>, fields: &Fields) -> Existing {
        Existing {
            searcher,
            fields: fields.clone(),
        }
    }

    /// The live records whose `field` holds `term`, read from each segment's postings.
    fn records(&self, term: &Term) -> tantivy::Result<Vec<Indexed>> {
        let mut out = Vec::new();
        let Some(searcher) = &self.searcher else {
            return Ok(out);
        };
        for reader in searcher.segment_readers() {
            let index = reader.inverted_index(term.field())?;
            let Some(mut postings) = index.read_postings(term, IndexRecordOption::Basic)? else {
                continue;
            };
            let Some(columns) = Columns::open(reader)? else {
                continue;
            };
            let alive = reader.alive_bitset();
            let mut docs = Vec::new();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    docs.push(doc);
                }
                doc = postings.advance();
            }
            out.extend(columns.get(&docs)?);
        }
        Ok(out)
    }

    /// The indexed article with this id.
    pub fn by_id(&self, id: &str) -> tantivy::Result<Option<Indexed>> {
        let term = Term::from_field_text(self.fields.article_id, id);
        Ok(self.records(&term)?.into_iter().next())
    }

    /// The articles indexed from `path`, as (content hash → ids and passage counts).
    pub fn by_path(&self, path: &str) -> tantivy::Result<KnownHashes> {
        let mut known = KnownHashes::default();
        for a in self.records(&Term::from_field_text(self.fields.record_path, path))? {
            (known.entry(a.content_hash).or_default()).push((a.id, a.passages));
        }
        Ok(known)
    }

    /// Calls `each` with every indexed path that `wanted` accepts and the articles read from
    /// it, in path order. The segments' term dictionaries are merged as they are walked, so
    /// memory holds one path at a time.
    pub fn for_paths(
        &self,
        wanted: impl Fn(&str) -> bool,
        mut each: impl FnMut(&str, Vec<Indexed>),
    ) -> tantivy::Result<()> {
        let Some(searcher) = &self.searcher else {
            return Ok(());
        };
        let indexes = (searcher.segment_readers().iter())
            .map(|r| r.inverted_index(self.fields.record_path))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // Each segment's next path, and its place in the segment's sorted dictionary.
        let mut heads = Vec::new();
        for index in &indexes {
            let mut stream = index.terms().stream()?;
            if stream.advance() {
                heads.push((stream.key().to_vec(), stream));
            }
        }
        while let Some(next) = heads.iter().map(|(key, _)| key).min().cloned() {
            heads.retain_mut(|(key, stream)| {
                if *key != next {
                    return true;
                }
                let more = stream.advance();
                if more {
                    *key = stream.key().to_vec();
                }
                more
            });
            if let Ok(path) = std::str::from_utf8(&next)
                && wanted(path)
            {
                let term = Term::from_field_text(self.fields.record_path, path);
                each(path, self.records(&term)?);
            }
        }
        Ok(())
    }
}

//! BM25 statistics that count passages, not tantivy documents. The index also holds one record
//! document per article, and each language's text lives in its own field; tantivy's default
//! statistics would count both into every field's average length and document count, skewing
//! length normalisation (and more so the more languages an archive holds). Clauses matched once
//! per group (on the article records, on sections' first passages) count those documents.

use std::collections::HashMap;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::analysis::Lang;
use crate::index::Fields;

/// Statistics per analysed field, computed once per searcher.
pub struct PassageStats {
    searcher: Searcher,
    /// The language families that have passages.
    pub langs: Vec<Lang>,
    passages: u64,
    /// Passages that can have tokens in a field (those of its language).
    docs_for_field: HashMap<Field, u64>,
    tokens: HashMap<Field, u64>,
}

impl PassageStats {
    pub fn new(searcher: &Searcher, f: &Fields) -> tantivy::Result<PassageStats> {
        // Every document but the article records is a passage (deleted ones included, as in
        // tantivy's own statistics).
        let docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let passages = docs.saturating_sub(searcher.doc_freq(&crate::index::record_term(f))?);
        let de = searcher.doc_freq(&Term::from_field_text(f.lang, "de"))?;
        let en = searcher.doc_freq(&Term::from_field_text(f.lang, "en"))?;
        let mut docs_for_field = HashMap::new();
        let mut langs = Vec::new();
        let mut tokens = HashMap::new();
        for lang in Lang::ALL {
            let n = match lang {
                Lang::German => de,
                Lang::English => en,
                Lang::Plain => passages.saturating_sub(de + en),
            };
            if n > 0 {
                langs.push(lang);
            }
            docs_for_field.insert(f.text_for(lang), n.max(1));
        }
        for &field in docs_for_field.keys() {
            tokens.insert(field, total_tokens(searcher, field)?);
        }
        Ok(PassageStats {
            searcher: searcher.clone(),
            langs,
            passages: passages.max(1),
            docs_for_field,
            tokens,
        })
    }
}

impl Bm25StatisticsProvider for PassageStats {
    /// Scaled so that tokens / `total_num_docs` is the average length over the passages of
    /// the field's language.
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let tokens = self.tokens.get(&field).copied().unwrap_or(0);
        let docs = self
            .docs_for_field
            .get(&field)
            .copied()
            .unwrap_or(self.passages);
        Ok((tokens as f64 * self.passages as f64 / docs as f64).round() as u64)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.passages)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// Statistics for clauses matched on one document per group (see `join`): the documents that
/// have `marker`.
pub struct MarkedStats<'a> {
    searcher: &'a Searcher,
    docs: u64,
}

impl<'a> MarkedStats<'a> {
    pub fn new(searcher: &'a Searcher, marker: &Term) -> tantivy::Result<MarkedStats<'a>> {
        Ok(MarkedStats {
            searcher,
            docs: searcher.doc_freq(marker)?.max(1),
        })
    }
}

impl Bm25StatisticsProvider for MarkedStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        total_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// The tokens indexed in `field` over every segment.
fn total_tokens(searcher: &Searcher, field: Field) -> tantivy::Result<u64> {
    let mut total = 0;
    for seg in searcher.segment_readers() {
        total += seg.inverted_index(field)?.total_num_tokens();
    }
    Ok(total)
}

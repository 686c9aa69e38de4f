//! The index's vocabulary: the terms of a field and how many passages hold each, read from
//! every segment's term dictionary (an FST) — for fuzzy words (a Levenshtein automaton run
//! over the dictionary), prefixes (a range of it) and the correction of words the index does
//! not hold. Never a scan of the documents.

use rustc_hash::FxHashMap;
use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::termdict::TermDictionary;
use tantivy::{Searcher, Term};

use super::query::{Lexicon, MAX_EXPANSION};

/// The vocabulary of the segments a searcher sees.
pub struct IndexLexicon<'a> {
    pub searcher: &'a Searcher,
}

impl IndexLexicon<'_> {
    /// Sums each term's document frequency over the segments; most frequent first, at most
    /// [`MAX_EXPANSION`] terms.
    fn gather(
        &self,
        field: Field,
        mut each: impl FnMut(&TermDictionary, &mut dyn FnMut(&[u8], u64)),
    ) -> Vec<(String, u64)> {
        let mut found: FxHashMap<String, u64> = FxHashMap::default();
        for reader in self.searcher.segment_readers() {
            let Ok(index) = reader.inverted_index(field) else {
                continue;
            };
            each(index.terms(), &mut |key, df| {
                if let Ok(t) = std::str::from_utf8(key) {
                    *found.entry(t.to_string()).or_default() += df;
                }
            });
        }
        let mut terms: Vec<(String, u64)> = found.into_iter().collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        terms.truncate(MAX_EXPANSION);
        terms
    }
}

impl Lexicon for IndexLexicon<'_> {
    fn doc_freq(&self, field: Field, term: &str) -> u64 {
        (self.searcher.segment_readers().iter())
            .filter_map(|r| r.inverted_index(field).ok())
            .filter_map(|i| i.terms().get(term.as_bytes()).ok().flatten())
            .map(|info| u64::from(info.doc_freq))
            .sum()
    }

    fn docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    fn fuzzy(&self, field: Field, term: &str, distance: u8) -> Vec<(String, u64)> {
        let query = FuzzyTermQuery::new(Term::from_field_text(field, term), distance, true);
        self.gather(field, |dict, add| {
            let Ok(automaton) = query.automaton() else {
                return;
            };
            if let Ok(mut stream) = dict.search(automaton).into_stream() {
                while let Some((key, info)) = stream.next() {
                    add(key, u64::from(info.doc_freq));
                }
            }
        })
    }

    fn prefix(&self, field: Field, prefix: &str) -> Vec<(String, u64)> {
        self.gather(field, |dict, add| {
            if let Ok(mut stream) = dict.range().ge(prefix.as_bytes()).into_stream() {
                while let Some((key, info)) = stream.next() {
                    if !key.starts_with(prefix.as_bytes()) {
                        break;
                    }
                    add(key, u64::from(info.doc_freq));
                }
            }
        })
    }
}

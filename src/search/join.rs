//! Clauses on what a group of passages shares, indexed once per group: an article's title,
//! authors and source on its record, a section heading on the section's first passage. Such a
//! clause is matched and scored on those documents (with statistics over them), then stands
//! for every passage of the groups that match.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::stats::MarkedStats;
use crate::index::Fields;

/// How the explanation of a joined clause starts (followed by what matched where).
pub const JOINED: &str = "Joined ";

/// What a [`JoinQuery`] groups passages by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Matched on the article records.
    Article,
    /// Matched on the first passage of each run of passages under one heading.
    Section,
}

impl Group {
    /// The term every document indexed for a group of this kind has.
    fn marker(self, f: &Fields) -> Term {
        match self {
            Group::Article => crate::index::record_term(f),
            Group::Section => crate::index::section_term(f),
        }
    }
}

/// The passages of the groups whose indexed document matches `inner`, each scored as that
/// document.
#[derive(Debug)]
pub struct JoinQuery {
    inner: Box<dyn Query>,
    /// The term every document indexed for a group has (the statistics count them).
    marker: Term,
    group: Group,
}

impl JoinQuery {
    pub fn new(inner: Box<dyn Query>, group: Group, fields: &Fields) -> JoinQuery {
        JoinQuery {
            inner,
            marker: group.marker(fields),
            group,
        }
    }
}

/// A segment's group keys: the article key, and the section's first passage number for
/// sections.
struct Keys {
    article: Column<u64>,
    section: Option<Column<u64>>,
}

impl Keys {
    /// The keys of the passages.
    fn of_passages(reader: &SegmentReader, group: Group) -> tantivy::Result<Keys> {
        Self::read(reader, group, "article_key")
    }

    /// The keys of the documents a group is matched on: the records carry their article key
    /// apart (so that records are never passages of a group), a section's first passage is a
    /// passage.
    fn of_matched(reader: &SegmentReader, group: Group) -> tantivy::Result<Keys> {
        match group {
            Group::Article => Self::read(reader, group, "join_key"),
            Group::Section => Self::of_passages(reader, group),
        }
    }

    fn read(reader: &SegmentReader, group: Group, article: &str) -> tantivy::Result<Keys> {
        let fast = reader.fast_fields();
        Ok(Keys {
            article: fast.u64(article)?,
            section: match group {
                Group::Article => None,
                Group::Section => Some(fast.u64("section_start")?),
            },
        })
    }

    fn get(&self, doc: DocId) -> Option<u64> {
        let article = self.article.first(doc)?;
        Some(match &self.section {
            None => article,
            Some(start) => article ^ start.first(doc)?.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        })
    }
}

impl Clone for JoinQuery {
    fn clone(&self) -> JoinQuery {
        JoinQuery {
            inner: self.inner.box_clone(),
            marker: self.marker.clone(),
            group: self.group,
        }
    }
}

impl Query for JoinQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let searcher = scoring
            .searcher()
            .ok_or_else(|| TantivyError::InvalidArgument("a join needs a searcher".into()))?;
        let stats = MarkedStats::new(searcher, &self.marker)?;
        let weight = self.inner.weight(if scoring.is_scoring_enabled() {
            EnableScoring::enabled_from_statistics_provider(&stats, searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        })?;
        let mut groups: FxHashMap<u64, Score> = FxHashMap::default();
        for reader in searcher.segment_readers() {
            let keys = Keys::of_matched(reader, self.group)?;
            let alive = reader.alive_bitset();
            weight.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc))
                    && let Some(key) = keys.get(doc)
                {
                    groups.insert(key, score);
                }
            })?;
        }
        let mut terms = Vec::new();
        self.inner.query_terms(&mut |t, _| {
            let field = searcher.schema().get_field_name(t.field());
            terms.push(format!("{field}:{}", t.value().as_str().unwrap_or("?")));
        });
        let of = match self.group {
            Group::Article => "the article record",
            Group::Section => "the section's first passage",
        };
        Ok(Box::new(JoinWeight {
            groups: Arc::new(groups),
            group: self.group,
            label: format!("{} on {of}", terms.join(" ")),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct JoinWeight {
    /// The matching groups' keys and scores.
    groups: Arc<FxHashMap<u64, Score>>,
    group: Group,
    /// What matched, for explanations.
    label: String,
}

impl Weight for JoinWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = Vec::new();
        if !self.groups.is_empty() {
            let keys = Keys::of_passages(reader, self.group)?;
            for doc in 0..reader.max_doc() {
                if let Some(score) = keys.get(doc).and_then(|k| self.groups.get(&k)) {
                    docs.push((doc, score * boost));
                }
            }
        }
        Ok(Box::new(Listed { docs, at: 0 }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} is not in a matching group"
            )));
        }
        Ok(Explanation::new_with_string(
            format!("{JOINED}{}", self.label),
            scorer.score(),
        ))
    }
}

struct Listed {
    docs: Vec<(DocId, Score)>,
    at: usize,
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).map_or(TERMINATED, |d| d.0)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

impl Scorer for Listed {
    fn score(&mut self) -> Score {
        self.docs.get(self.at).map_or(0.0, |d| d.1)
    }
}

//! The JSON wire types: the documented, stable schema of `--format json|jsonl` output (see the
//! README's "Output formats"). Field names here are a contract; add fields, never rename.

use serde::Serialize;

use crate::corpus::{ArticleMeta, Passage};
use std::collections::BTreeMap;

use crate::search::{Expanded, Facet, FacetCount, Hit, SearchResults, Timeline};

#[derive(Debug, Serialize)]
pub struct ArticleJson<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// `YYYY-MM-DD` or null.
    pub published: Option<String>,
    pub source: Option<&'a str>,
    /// Authors joined with `, `, or null.
    pub author: Option<String>,
    pub lang: &'a str,
    pub path: &'a str,
    /// The article's URL (a web page's canonical URL), or null.
    pub url: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct PassageJson<'a> {
    /// `ARTICLE_ID#NUMBER`.
    pub id: String,
    pub number: u32,
    pub count: u32,
    pub kind: &'static str,
    pub section: Option<&'a str>,
    pub text: &'a str,
    /// Character range `[start, end)` in the article's normalized text.
    pub range: [usize; 2],
}

#[derive(Debug, Serialize)]
pub struct SnippetJson<'a> {
    pub text: &'a str,
    /// Character ranges `[start, end)` of highlighted words in `text`.
    pub highlights: Vec<[usize; 2]>,
}

#[derive(Debug, Serialize)]
pub struct ContributionJson<'a> {
    pub term: &'a str,
    pub score: f32,
}

#[derive(Debug, Serialize)]
pub struct HitJson<'a> {
    pub rank: usize,
    pub score: f32,
    pub article: ArticleJson<'a>,
    pub passage: PassageJson<'a>,
    pub snippet: Option<SnippetJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_matches: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<ContributionJson<'a>>>,
}

impl<'a> From<&'a Hit> for HitJson<'a> {
    fn from(h: &'a Hit) -> Self {
        let a = &h.article;
        let p = &h.passage;
        HitJson {
            rank: h.rank,
            score: round(h.score),
            article: ArticleJson {
                id: &a.id,
                title: &a.title,
                published: a.published.map(|d| d.to_string()),
                source: a.source.as_deref(),
                author: (!a.authors.is_empty()).then(|| a.authors.join(", ")),
                lang: &a.lang,
                path: &a.path,
                url: a.url.as_deref(),
            },
            passage: PassageJson {
                id: format!("{}#{}", a.id, p.number),
                number: p.number,
                count: p.count,
                kind: p.kind.as_str(),
                section: p.section.as_deref(),
                text: &p.text,
                range: [p.range.0, p.range.1],
            },
            snippet: h.snippet.as_ref().map(|s| SnippetJson {
                text: &s.text,
                highlights: s
                    .highlights
                    .iter()
                    .map(|&(b0, b1)| {
                        let c0 = s.text[..b0].chars().count();
                        [c0, c0 + s.text[b0..b1].chars().count()]
                    })
                    .collect(),
            }),
            other_matches: h.other_matches,
            explanation: h.explanation.as_ref().map(|e| {
                e.iter()
                    .map(|c| ContributionJson {
                        term: &c.what,
                        score: round(c.score),
                    })
                    .collect()
            }),
        }
    }
}

/// `search --format json`.
#[derive(Debug, Serialize)]
pub struct SearchJson<'a> {
    pub query: &'a str,
    pub total: Option<usize>,
    pub offset: usize,
    /// The offset of the next page; null on the last.
    pub next_offset: Option<usize>,
    /// Words that matched nothing in the index → the words searched instead.
    pub corrected: BTreeMap<&'a str, &'a [String]>,
    /// With `--explain`: what each fuzzy, prefix or corrected word searched (index terms).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub expanded: BTreeMap<&'a str, &'a [String]>,
    pub hits: Vec<HitJson<'a>>,
    /// With `--facets`: matching articles per value.
    #[serde(skip_serializing_if = "FacetsJson::is_empty")]
    pub facets: FacetsJson<'a>,
}

/// Facets in the order asked, each a list of `{"value", "count"}`.
#[derive(Debug)]
pub struct FacetsJson<'a>(&'a [(Facet, Vec<FacetCount>)]);

impl FacetsJson<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for FacetsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (facet, values) in self.0 {
            let values: Vec<serde_json::Value> = (values.iter())
                .map(|v| serde_json::json!({"value": v.value, "count": v.count}))
                .collect();
            map.serialize_entry(facet.name(), &values)?;
        }
        map.end()
    }
}

impl<'a> SearchJson<'a> {
    pub fn new(query: &'a str, results: &'a SearchResults) -> Self {
        SearchJson {
            query,
            total: results.total,
            offset: results.offset,
            next_offset: results.next_offset,
            corrected: by_word(&results.corrected),
            expanded: by_word(&results.expanded),
            hits: results.hits.iter().map(HitJson::from).collect(),
            facets: FacetsJson(&results.facets),
        }
    }
}

/// Expanded or corrected words by the word as written.
pub fn by_word(list: &[Expanded]) -> BTreeMap<&str, &[String]> {
    (list.iter())
        .map(|e| (e.word.as_str(), e.terms.as_slice()))
        .collect()
}

/// `timeline --format json`.
#[derive(Debug, Serialize)]
pub struct TimelineJson<'a> {
    pub query: &'a str,
    pub by: &'static str,
    pub buckets: Vec<BucketJson>,
    /// Matching articles without a date.
    pub undated: u64,
}

#[derive(Debug, Serialize)]
pub struct BucketJson {
    pub start: String,
    pub articles: u64,
    pub passages: u64,
}

impl<'a> TimelineJson<'a> {
    pub fn new(query: &'a str, t: &Timeline) -> Self {
        TimelineJson {
            query,
            by: t.by.name(),
            buckets: (t.buckets.iter())
                .map(|b| BucketJson {
                    start: t.by.label(b.start),
                    articles: b.articles,
                    passages: b.passages,
                })
                .collect(),
            undated: t.undated_articles,
        }
    }
}

/// `show --format json`.
#[derive(Debug, Serialize)]
pub struct ShowJson<'a> {
    pub article: &'a ArticleMeta,
    pub passages: Vec<ShownPassageJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ShownPassageJson<'a> {
    pub number: u32,
    pub kind: &'static str,
    pub section: Option<&'a str>,
    pub text: &'a str,
    pub range: [usize; 2],
}

impl<'a> From<&'a Passage> for ShownPassageJson<'a> {
    fn from(p: &'a Passage) -> Self {
        ShownPassageJson {
            number: p.number,
            kind: p.kind.as_str(),
            section: p.section.as_deref(),
            text: &p.text,
            range: [p.range.0, p.range.1],
        }
    }
}

/// Scores with four decimals: enough to rank, stable across platforms in tests.
pub fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// `stats --format json`.
#[derive(Debug, Serialize)]
pub struct StatsJson {
    pub index: String,
    pub articles: usize,
    pub passages: usize,
    /// Articles per language code.
    pub languages: std::collections::BTreeMap<String, usize>,
    /// Articles whose language detection was unreliable and fell back to German.
    pub lang_fallback: usize,
    /// Articles per source (articles without a source are not counted).
    pub sources: std::collections::BTreeMap<String, usize>,
    /// Earliest and latest publication date, `YYYY-MM-DD`.
    pub first_published: Option<String>,
    pub last_published: Option<String>,
    pub size_bytes: u64,
    pub segments: usize,
    pub fingerprint: String,
}

/// One line of `batch --format jsonl`: the hits, or the error of a failed query.
#[derive(Debug, Serialize)]
pub struct BatchLineJson<'a> {
    pub id: &'a str,
    pub query: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub took_ms: Option<f64>,
    /// Words that matched nothing in the index → the words searched instead.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub corrected: BTreeMap<&'a str, &'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits: Option<Vec<HitJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

//! Searching: parses a query, runs it with filters against the index, ranks passages (or the
//! best passage per article) and returns typed [`Hit`]s with snippets. Never prints.

pub mod facets;
mod group;
mod join;
mod lexicon;
mod proximity;
mod prune;
pub mod query;
mod rescore;
pub mod snippet;
mod stats;
mod top;

use std::collections::HashMap;
use std::ops::Bound;

use jiff::civil::Date;
use tantivy::collector::Count;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::analysis::Lang;
use crate::corpus::PassageKind;
use crate::index::{Fields, IndexError, KorpusIndex, from_tantivy_date, to_tantivy_date};
pub use facets::{Facet, FacetCount, Period, Timeline};
pub use query::{Boosts, Expanded, QueryError};
pub use snippet::Snippet;

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("invalid query: {0}")]
    Query(QueryError),
    #[error("invalid {flag} date `{value}`: use YYYY, YYYY-MM or YYYY-MM-DD")]
    BadDate { flag: &'static str, value: String },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Tantivy(String),
}

impl From<QueryError> for SearchError {
    fn from(e: QueryError) -> Self {
        SearchError::Query(e)
    }
}

use top::Candidate;

/// Candidates (at least) whose proximity score is computed before the final ranking.
const RESCORE_WINDOW: usize = 10;

/// Candidates beyond the page that are rescored too.
const RESCORE_MARGIN: usize = 5;

/// Passages of the same date as the last of a page sorted by date that are scored exactly to
/// order them (beyond that, equal dates are ordered by the collected scores).
const MAX_DATE_TIES: usize = 1000;

/// Restrictions on which passages may match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub source: Option<String>,
    pub lang: Option<String>,
    pub article: Option<String>,
}

/// How hits are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GroupBy {
    /// Every matching passage is a hit.
    #[default]
    Passage,
    /// The best passage of each article is a hit.
    Article,
}

/// The order of hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best score first.
    #[default]
    Relevance,
    /// Latest published first; undated articles last; ties by score.
    Newest,
    /// Earliest published first; undated articles last; ties by score.
    Oldest,
}

/// One search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    /// Hits skipped before the first one returned (paging).
    pub offset: usize,
    pub sort: Sort,
    /// Correct words that match nothing in the index to the closest indexed words.
    pub correct: bool,
    /// Count matching articles per value of these (over all matches).
    pub facets: Vec<Facet>,
    pub facet_limit: usize,
    pub filters: Filters,
    pub group_by: GroupBy,
    pub snippets: bool,
    pub explain: bool,
    /// Count every match (`SearchResults::total`); costs the skipping of non-competitive hits.
    pub count_total: bool,
    /// Read the query as plain text, without operators or fields.
    pub literal: bool,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            correct: true,
            facets: Vec::new(),
            facet_limit: 10,
            filters: Filters::default(),
            group_by: GroupBy::Passage,
            snippets: true,
            explain: false,
            count_total: true,
            literal: false,
        }
    }
}

/// The article a hit belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRef {
    pub id: String,
    pub title: String,
    pub published: Option<Date>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    pub lang: String,
    pub path: String,
    pub url: Option<String>,
}

/// The passage a hit is.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageRef {
    pub number: u32,
    pub count: u32,
    pub kind: PassageKind,
    pub section: Option<String>,
    pub text: String,
    pub range: (usize, usize),
}

/// A ranked passage.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    pub score: f32,
    pub article: ArticleRef,
    pub passage: PassageRef,
    pub snippet: Option<Snippet>,
    /// With `--group-by article`: how many other passages of the article matched.
    pub other_matches: Option<u64>,
    /// With `--explain`: matched terms and their score contributions.
    pub explanation: Option<Vec<Contribution>>,
}

/// One term's part in a hit's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub what: String,
    pub score: f32,
}

/// The outcome of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Matching passages (or articles, when grouped), if counted.
    pub total: Option<usize>,
    pub hits: Vec<Hit>,
    /// The offset of the first hit, and of the next page (none after the last).
    pub offset: usize,
    pub next_offset: Option<usize>,
    /// Words that matched nothing in the index, and the indexed words searched instead (as
    /// written in the hits where they appear).
    pub corrected: Vec<Expanded>,
    /// What each fuzzy, prefix or corrected word searched (index terms).
    pub expanded: Vec<Expanded>,
    /// Matching articles per value, for each requested facet.
    pub facets: Vec<(Facet, Vec<FacetCount>)>,
}

/// The result of one query of a batch.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    pub id: String,
    pub query: String,
    pub took_ms: f64,
    pub result: Result<SearchResults, String>,
}

/// A searcher over one index, opened once and shared by many queries (it is `Sync`).
pub struct Engine {
    fields: Fields,
    searcher: Searcher,
    /// The order of equal scores, per segment.
    order: top::Order,
    stats: stats::PassageStats,
    builder: query::QueryBuilder,
}

impl Engine {
    pub fn new(index: &KorpusIndex) -> Result<Engine, SearchError> {
        let searcher = index.reader()?.searcher();
        let stats = stats::PassageStats::new(&searcher, &index.fields)
            .map_err(|e| SearchError::Tantivy(e.to_string()))?;
        let langs = stats.langs.clone();
        let order = top::Order::new(&searcher).map_err(|e| SearchError::Tantivy(e.to_string()))?;
        Ok(Engine {
            order,
            fields: index.fields.clone(),
            searcher,
            stats,
            builder: query::QueryBuilder::for_languages(index.fields.clone(), langs),
        })
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// Parses, corrects and builds a request's query, with its filters.
    fn prepare(&self, req: &SearchRequest) -> Result<Prepared, SearchError> {
        let mut clauses = if req.literal {
            query::parse_literal(&req.query)?
        } else {
            query::parse(&req.query)?
        };
        let lexicon = lexicon::IndexLexicon {
            searcher: &self.searcher,
        };
        let corrected = match req.correct {
            true => self.builder.correct(&mut clauses, &lexicon),
            false => Vec::new(),
        };
        let built = self.builder.build(&clauses, &lexicon)?;
        let filters = self.filter_queries(&req.filters)?;
        Ok(Prepared {
            full: with_filters(built.query, filters),
            proximity: built.proximity,
            highlight: built.highlight,
            expanded: built.expanded,
            corrected,
        })
    }

    /// How many matching articles (and passages) were published in each period.
    /// Also returns the words corrected (as index terms).
    pub fn timeline(
        &self,
        req: &SearchRequest,
        by: Period,
    ) -> Result<(Timeline, Vec<Expanded>), SearchError> {
        let p = self.prepare(req)?;
        let collector = facets::DatesCollector::new(&self.order);
        let dates = (self.searcher)
            .search_with_statistics_provider(&p.full, &collector, &self.stats)
            .map_err(|e| SearchError::Tantivy(e.to_string()))?;
        Ok((facets::timeline(dates, by), p.corrected))
    }

    /// Runs one search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let Prepared {
            full,
            proximity,
            highlight,
            expanded,
            mut corrected,
        } = self.prepare(req)?;
        let searcher = &self.searcher;
        let limit = req.limit.max(1);
        let wanted = req.offset.saturating_add(limit);
        // Proximity and exact sums are scored for the best candidates only (a rescoring
        // window), so the ranked words can be collected with tantivy's skipping (block-max
        // WAND). The window reaches past the page so that passages whose collected scores
        // differ from their exact ones by rounding still compete for its last places.
        let window = if !proximity.is_empty() || rescore::adds_up(&*full) {
            wanted.saturating_add(RESCORE_MARGIN).max(RESCORE_WINDOW)
        } else {
            wanted
        };
        let tantivy_err = |e: tantivy::TantivyError| SearchError::Tantivy(e.to_string());
        let facet_counts = if req.facets.is_empty() {
            Vec::new()
        } else {
            let collector = facets::FacetCollector::new(&self.order, &req.facets);
            let counts = searcher
                .search_with_statistics_provider(&full, &collector, &self.stats)
                .map_err(tantivy_err)?;
            facets::top(counts, &req.facets, req.facet_limit)
        };
        let (total, mut ranked): (Option<usize>, Vec<Candidate>) = match (req.sort, req.group_by) {
            (Sort::Newest | Sort::Oldest, group_by) => {
                let collector = facets::DatesCollector::new(&self.order);
                let dates = searcher
                    .search_with_statistics_provider(&full, &collector, &self.stats)
                    .map_err(tantivy_err)?;
                let newest = req.sort == Sort::Newest;
                let per_article = group_by == GroupBy::Article;
                let (total, mut dated) = facets::by_date(dates, newest, per_article);
                // The page's passages, and those of the same date as its last (their order
                // is by score), get their exact scores and are sorted again.
                let mut end = wanted.min(dated.len());
                if let Some(&(last, _)) = end.checked_sub(1).and_then(|i| dated.get(i)) {
                    let cap = end.saturating_add(MAX_DATE_TIES).min(dated.len());
                    end += dated[end..cap]
                        .iter()
                        .take_while(|(d, _)| *d == last)
                        .count();
                }
                dated.truncate(end);
                let mut ranked: Vec<Candidate> = dated.iter().map(|(_, c)| *c).collect();
                rescore::rescore(searcher, &self.stats, &*full, &[], &mut ranked)
                    .map_err(tantivy_err)?;
                for ((_, c), exact) in dated.iter_mut().zip(ranked) {
                    *c = exact;
                }
                facets::sort_by_date(&mut dated, newest);
                (Some(total), dated.into_iter().map(|(_, c)| c).collect())
            }
            (Sort::Relevance, GroupBy::Passage) => {
                let top = searcher
                    .search_with_statistics_provider(
                        &full,
                        &top::TopScores::new(window, &self.order),
                        &self.stats,
                    )
                    .map_err(tantivy_err)?;
                // Counted apart, without scores: counted with the best k, every match would be
                // scored (no skipping), which costs more than a second pass that only counts.
                let total = match req.count_total {
                    true => Some(searcher.search(&full, &Count).map_err(tantivy_err)?),
                    false => None,
                };
                (
                    total,
                    top.into_iter().map(|(s, k, a)| (s, k, a, None)).collect(),
                )
            }
            (Sort::Relevance, GroupBy::Article) => {
                let groups = searcher
                    .search_with_statistics_provider(
                        &full,
                        &group::BestPerArticle::new(window, &self.order),
                        &self.stats,
                    )
                    .map_err(tantivy_err)?;
                (
                    Some(groups.total_articles),
                    groups
                        .top
                        .into_iter()
                        .map(|g| (g.score, g.key, g.doc, Some(g.matches - 1)))
                        .collect(),
                )
            }
        };
        if req.sort == Sort::Relevance {
            rescore::rescore(searcher, &self.stats, &*full, &proximity, &mut ranked)
                .map_err(tantivy_err)?;
            ranked.sort_by(|a, b| top::best_first((a.0, a.1), (b.0, b.1)));
        }
        let more = ranked.len() > wanted || total.is_some_and(|t| t > wanted);
        ranked.truncate(wanted);
        ranked.drain(..req.offset.min(ranked.len()));
        let mut hits = Vec::with_capacity(ranked.len());
        for (i, &(score, _, addr, other)) in ranked.iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(addr).map_err(tantivy_err)?;
            hits.push(self.hit(&doc, req.offset + i + 1, score, other));
        }
        if req.snippets {
            let terms: HashMap<Lang, Vec<String>> = (highlight.into_iter())
                .map(|(lang, t)| (lang, t.into_iter().collect()))
                .collect();
            let langs: Vec<Lang> = (hits.iter())
                .map(|h| Lang::for_code(&h.article.lang))
                .collect();
            let marking: Vec<snippet::Marking> = (langs.iter().zip(&ranked))
                .map(|(&lang, &(_, _, doc, _))| snippet::Marking {
                    doc,
                    field: self.fields.text_for(lang),
                    terms: terms.get(&lang).map_or(&[], Vec::as_slice),
                })
                .collect();
            let matched = snippet::matches(searcher, &marking).map_err(tantivy_err)?;
            for ((hit, lang), matched) in hits.iter_mut().zip(langs).zip(matched) {
                hit.snippet = Some(snippet::snippet(
                    lang,
                    &hit.passage.text,
                    &matched,
                    snippet::SNIPPET_CHARS,
                ));
            }
        }
        let near = match req.explain {
            true => {
                let prox = proximity::Proximity::new(searcher, &self.stats, &proximity)
                    .map_err(tantivy_err)?;
                let docs: Vec<_> = ranked.iter().map(|c| c.2).collect();
                let scores = prox.scores(&docs).map_err(tantivy_err)?;
                let pairs: Vec<String> = prox.pairs().map(|n| n.describe(searcher)).collect();
                Some((pairs, scores))
            }
            false => None,
        };
        for (i, (hit, &(_, _, addr, _))) in hits.iter_mut().zip(&ranked).enumerate() {
            if let Some((pairs, scores)) = &near {
                let scoring =
                    EnableScoring::enabled_from_statistics_provider(&self.stats, searcher);
                let reader = searcher.segment_reader(addr.segment_ord);
                let e = full
                    .weight(scoring)
                    .and_then(|w| w.explain(reader, addr.doc_id))
                    .map_err(tantivy_err)?;
                let mut parts = contributions(&e, searcher.schema());
                for (what, &score) in pairs.iter().zip(&scores[i]) {
                    if score > 0.0 {
                        parts.push(Contribution {
                            what: what.clone(),
                            score,
                        });
                    }
                }
                hit.explanation = Some(parts);
            }
        }
        for c in &mut corrected {
            c.terms = c.terms.iter().map(|t| written(&hits, t)).collect();
        }
        Ok(SearchResults {
            total,
            hits,
            offset: req.offset,
            next_offset: more.then_some(wanted),
            corrected,
            expanded: if req.explain { expanded } else { Vec::new() },
            facets: facet_counts,
        })
    }

    fn filter_queries(&self, f: &Filters) -> Result<Vec<Box<dyn Query>>, SearchError> {
        let fields = &self.fields;
        let term = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if f.since.is_some() || f.until.is_some() {
            let bound = |d: Option<Date>| match d {
                Some(d) => {
                    Bound::Included(Term::from_field_date(fields.published, to_tantivy_date(d)))
                }
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(bound(f.since), bound(f.until))));
        }
        if let Some(s) = &f.source {
            let key = Term::from_field_text(fields.source_key, &s.to_lowercase());
            out.push(Box::new(RangeQuery::new(
                Bound::Included(key.clone()),
                Bound::Included(key),
            )));
        }
        if let Some(l) = &f.lang {
            out.push(term(fields.lang, &l.to_lowercase()));
        }
        if let Some(a) = &f.article {
            out.push(term(fields.article_id, a));
        }
        Ok(out)
    }

    fn hit(&self, doc: &TantivyDocument, rank: usize, score: f32, other: Option<u64>) -> Hit {
        let f = &self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let opt = |field| Some(text(field)).filter(|s: &String| !s.is_empty());
        let num = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        Hit {
            rank,
            score,
            article: ArticleRef {
                id: text(f.article_id),
                title: text(f.title),
                published: doc
                    .get_first(f.published)
                    .and_then(|v| v.as_datetime())
                    .and_then(from_tantivy_date),
                source: opt(f.source),
                authors: opt(f.author)
                    .map(|a| a.split("; ").map(str::to_string).collect())
                    .unwrap_or_default(),
                lang: text(f.lang),
                path: text(f.path),
                url: opt(f.url),
            },
            passage: PassageRef {
                number: num(f.number) as u32,
                count: num(f.count) as u32,
                kind: PassageKind::parse(&text(f.kind)).unwrap_or(PassageKind::Body),
                section: opt(f.section),
                text: text(f.text),
                range: (num(f.range_start) as usize, num(f.range_end) as usize),
            },
            snippet: None,
            other_matches: other,
            explanation: None,
        }
    }
}

/// A query ready to run: the words with the filters, the proximity clauses, the terms to
/// highlight, and what the words expanded to.
struct Prepared {
    full: Box<dyn Query>,
    proximity: Vec<proximity::Near>,
    highlight: HashMap<Lang, std::collections::HashSet<String>>,
    expanded: Vec<Expanded>,
    corrected: Vec<Expanded>,
}

/// The query restricted by filters (which do not score).
fn with_filters(query: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return query;
    }
    let mut parts = vec![(Occur::Must, query)];
    parts.extend(filters.into_iter().map(|f| {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(f, 0.0)) as Box<dyn Query>,
        )
    }));
    Box::new(BooleanQuery::new(parts))
}

/// An index term as a hit's text writes it (`kausikan` → `Kausikan`), else the term.
fn written(hits: &[Hit], term: &str) -> String {
    for hit in hits {
        let lang = Lang::for_code(&hit.article.lang);
        let text = &hit.passage.text;
        let mut analyzer = lang.analyzer();
        let mut position = usize::MAX;
        for t in crate::analysis::tokens(&mut analyzer, text) {
            // The word itself is the first token at its position; its compound parts follow
            // with the whole word's offsets (`Flüchtlingskrise` is no spelling of `fluchtling`).
            let whole = t.position != position;
            position = t.position;
            if whole
                && t.text == term
                && let Some(w) = text.get(t.offset_from..t.offset_to)
            {
                return w.to_string();
            }
        }
    }
    term.to_string()
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first (`end = false`) or last day it covers.
pub fn parse_date_bound(value: &str, flag: &'static str, end: bool) -> Result<Date, SearchError> {
    let bad = || SearchError::BadDate {
        flag,
        value: value.to_string(),
    };
    let parts: Vec<&str> = value.trim().split('-').collect();
    let num = |s: &str, len: usize| -> Result<i16, SearchError> {
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let date = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            if end {
                Date::new(y, 12, 31)
            } else {
                Date::new(y, 1, 1)
            }
        }
        [y, m] => {
            let first = Date::new(num(y, 4)?, num(m, 2)? as i8, 1).map_err(|_| bad())?;
            if end {
                Ok(first.last_of_month())
            } else {
                Ok(first)
            }
        }
        [y, m, d] => Date::new(num(y, 4)?, num(m, 2)? as i8, num(d, 2)? as i8),
        _ => return Err(bad()),
    };
    date.map_err(|_| bad())
}

/// The leaves of a tantivy explanation that score a term or phrase, with their (boosted)
/// scores, named `field:term`.
fn contributions(
    e: &tantivy::query::Explanation,
    schema: &tantivy::schema::Schema,
) -> Vec<Contribution> {
    let value = serde_json::to_value(e).unwrap_or_default();
    let mut out = Vec::new();
    collect_terms(&value, 1.0, schema, &mut out);
    out
}

fn collect_terms(
    v: &serde_json::Value,
    boost: f32,
    schema: &tantivy::schema::Schema,
    out: &mut Vec<Contribution>,
) {
    let desc = v.get("description").and_then(|d| d.as_str()).unwrap_or("");
    let score = v.get("value").and_then(|d| d.as_f64()).unwrap_or(0.0) as f32;
    let context = v
        .get("context")
        .and_then(|c| c.as_array())
        .map(|c| {
            c.iter()
                .filter_map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    if desc.starts_with("TermQuery") || desc.starts_with("Phrase") {
        let what = describe_term(&context, schema).unwrap_or_else(|| "phrase".to_string());
        out.push(Contribution {
            what,
            score: score * boost,
        });
        return;
    }
    if let Some(what) = desc.strip_prefix(join::JOINED) {
        out.push(Contribution {
            what: what.to_string(),
            score: score * boost,
        });
        return;
    }
    let boost = desc
        .strip_prefix("Boost x")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|b| b.parse::<f32>().ok())
        .map_or(boost, |b| boost * b);
    if let Some(details) = v.get("details").and_then(|d| d.as_array()) {
        for d in details {
            collect_terms(d, boost, schema, out);
        }
    }
}

/// `Term=Term(field=12, type=Str, "raket")` as `text_de:raket`.
fn describe_term(context: &str, schema: &tantivy::schema::Schema) -> Option<String> {
    let rest = context.split("field=").nth(1)?;
    let (id, rest) = rest.split_once(',')?;
    let field = tantivy::schema::Field::from_field_id(id.trim().parse().ok()?);
    let value = rest.split_once('"')?.1.rsplit_once('"')?.0;
    Some(format!("{}:{value}", schema.get_field_name(field)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_bounds() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            parse_date_bound("2024", "--since", false).unwrap(),
            d("2024-01-01")
        );
        assert_eq!(
            parse_date_bound("2024", "--until", true).unwrap(),
            d("2024-12-31")
        );
        assert_eq!(
            parse_date_bound("2024-02", "--until", true).unwrap(),
            d("2024-02-29")
        );
        assert_eq!(
            parse_date_bound("2024-02-03", "--since", false).unwrap(),
            d("2024-02-03")
        );
        for bad in ["24", "2024-13", "2024-02-30", "gestern", "2024-1-1"] {
            let e = parse_date_bound(bad, "--since", false)
                .unwrap_err()
                .to_string();
            assert!(e.contains("invalid --since date"), "{e}");
        }
    }
}

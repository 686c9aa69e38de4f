//! Counting over every match, not just the shown hits: matching articles per value of a facet
//! (`--facets source,author,lang,year,month,tag`), matching articles and passages per period
//! (`korpus timeline`), and every match with its date (`--sort newest|oldest`). All of it reads
//! columns (fast fields); an article is counted once, however many of its passages match (an
//! article's passages share a segment, written as one batch).

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use jiff::civil::Date;

use super::top::{Candidate, Key, Keys, Order, best_first};
use crate::index::from_tantivy_date;

/// What matching articles can be counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Source,
    Author,
    Lang,
    Year,
    Month,
    Tag,
}

impl Facet {
    pub const ALL: [Facet; 6] = [
        Facet::Source,
        Facet::Author,
        Facet::Lang,
        Facet::Year,
        Facet::Month,
        Facet::Tag,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Facet::Source => "source",
            Facet::Author => "author",
            Facet::Lang => "lang",
            Facet::Year => "year",
            Facet::Month => "month",
            Facet::Tag => "tag",
        }
    }

    /// Parses a comma-separated list of facet names.
    pub fn parse_list(list: &str) -> Result<Vec<Facet>, String> {
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let facet = (Facet::ALL.into_iter())
                .find(|f| f.name().eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    format!(
                        "unknown facet `{name}` (known: source, author, lang, year, month, tag)"
                    )
                })?;
            if !out.contains(&facet) {
                out.push(facet);
            }
        }
        if out.is_empty() {
            return Err("no facet named (known: source, author, lang, year, month, tag)".into());
        }
        Ok(out)
    }

    /// The column a facet reads; dates come from `published`.
    fn column(self) -> &'static str {
        match self {
            Facet::Source => "facet_source",
            Facet::Author => "facet_author",
            Facet::Lang => "lang",
            Facet::Tag => "facet_tag",
            Facet::Year | Facet::Month => "published",
        }
    }
}

/// How many matching articles have one value of a facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts matching articles per value of each of its facets.
pub struct FacetCollector {
    order: Order,
    facets: Vec<Facet>,
}

impl FacetCollector {
    pub fn new(order: &Order, facets: &[Facet]) -> FacetCollector {
        FacetCollector {
            order: order.clone(),
            facets: facets.to_vec(),
        }
    }
}

/// A facet's column in one segment.
enum FacetColumn {
    Text(Option<StrColumn>),
    Date(Column<DateTime>, bool),
}

pub struct FacetSegment {
    keys: Keys,
    columns: Vec<FacetColumn>,
    seen: FxHashSet<u64>,
    /// Per facet: articles by term ordinal (text, dense) or by `year * 100 + month` (dates).
    counts: Vec<Counts>,
}

enum Counts {
    ByOrd(Vec<u64>),
    ByCode(FxHashMap<u64, u64>),
}

impl Collector for FacetCollector {
    type Fruit = Vec<FxHashMap<String, u64>>;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        let columns = (self.facets.iter())
            .map(|f| {
                Ok(match f {
                    Facet::Year | Facet::Month => {
                        FacetColumn::Date(fast.date(f.column())?, *f == Facet::Month)
                    }
                    _ => FacetColumn::Text(fast.str(f.column())?),
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(FacetSegment {
            keys: self.order.segment(segment, reader)?,
            counts: (columns.iter())
                .map(|c| match c {
                    FacetColumn::Text(Some(col)) => Counts::ByOrd(vec![0; col.num_terms()]),
                    _ => Counts::ByCode(FxHashMap::default()),
                })
                .collect(),
            columns,
            seen: FxHashSet::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<FxHashMap<String, u64>> =
            self.facets.iter().map(|_| FxHashMap::default()).collect();
        for fruit in fruits {
            for (total, part) in all.iter_mut().zip(fruit) {
                for (value, n) in part {
                    *total.entry(value).or_default() += n;
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<FxHashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let key = self.keys.article(doc).unwrap_or(u64::from(doc));
        if !self.seen.insert(key) {
            return;
        }
        for (column, counts) in self.columns.iter().zip(&mut self.counts) {
            match (column, counts) {
                (FacetColumn::Text(Some(col)), Counts::ByOrd(counts)) => {
                    let mut last = None;
                    for ord in col.term_ords(doc) {
                        if last != Some(ord)
                            && let Some(n) = counts.get_mut(ord as usize)
                        {
                            *n += 1;
                        }
                        last = Some(ord);
                    }
                }
                (FacetColumn::Date(col, month), Counts::ByCode(counts)) => {
                    if let Some(d) = col.first(doc).and_then(from_tantivy_date) {
                        let code =
                            d.year() as u64 * 100 + if *month { d.month() as u64 } else { 0 };
                        *counts.entry(code).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut named: FxHashMap<String, u64> = FxHashMap::default();
            match (column, counts) {
                (FacetColumn::Text(Some(col)), Counts::ByOrd(counts)) => {
                    // The dictionary read once, in order, for the values that occur.
                    let ords: Vec<u64> = (0..counts.len() as u64)
                        .filter(|&o| counts[o as usize] > 0)
                        .collect();
                    let mut n = ords.iter().map(|&o| counts[o as usize]);
                    let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                        let count = n.next().unwrap_or(0);
                        *named
                            .entry(String::from_utf8_lossy(bytes).into_owned())
                            .or_default() += count;
                    });
                }
                (FacetColumn::Date(_, month), Counts::ByCode(counts)) => {
                    for (code, n) in counts {
                        let value = match month {
                            true => format!("{}-{:02}", code / 100, code % 100),
                            false => (code / 100).to_string(),
                        };
                        *named.entry(value).or_default() += n;
                    }
                }
                _ => {}
            }
            out.push(named);
        }
        out
    }
}

/// The `limit` most frequent values of each facet (ties by value); years and months newest
/// first.
pub fn top(
    counts: Vec<FxHashMap<String, u64>>,
    facets: &[Facet],
    limit: usize,
) -> Vec<(Facet, Vec<FacetCount>)> {
    (facets.iter().zip(counts))
        .map(|(&facet, counts)| {
            let mut values: Vec<FacetCount> = (counts.into_iter())
                .map(|(value, count)| FacetCount { value, count })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            values.truncate(limit);
            (facet, values)
        })
        .collect()
}

/// One matching passage with its article and date.
#[derive(Debug, Clone, Copy)]
pub struct Dated {
    pub score: Score,
    pub key: Key,
    pub doc: DocAddress,
    pub article: u64,
    pub date: Option<Date>,
}

/// Collects every match with its article key and published date.
pub struct DatesCollector(Order);

impl DatesCollector {
    pub fn new(order: &Order) -> DatesCollector {
        DatesCollector(order.clone())
    }
}

pub struct DatesSegment {
    segment: SegmentOrdinal,
    order: Keys,
    dates: Column<DateTime>,
    found: Vec<Dated>,
}

impl Collector for DatesCollector {
    type Fruit = Vec<Dated>;
    type Child = DatesSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DatesSegment> {
        let fast = reader.fast_fields();
        Ok(DatesSegment {
            segment,
            order: self.0.segment(segment, reader)?,
            dates: fast.date("published")?,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Dated>>) -> tantivy::Result<Vec<Dated>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for DatesSegment {
    type Fruit = Vec<Dated>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.found.push(Dated {
            score,
            key: self.order.get(doc),
            doc: DocAddress::new(self.segment, doc),
            article: self.order.article(doc).unwrap_or(u64::from(doc)),
            date: self.dates.first(doc).and_then(from_tantivy_date),
        });
    }

    fn harvest(self) -> Vec<Dated> {
        self.found
    }
}

/// Matches ordered by date (newest or oldest first; undated last; ties by score): every
/// passage, or each article's best passage with its number of other matches. Returns the
/// number of passages (or articles) and the ordered candidates with their dates.
pub fn by_date(
    mut matches: Vec<Dated>,
    newest: bool,
    per_article: bool,
) -> (usize, Vec<(Option<Date>, Candidate)>) {
    let mut others: FxHashMap<u64, u64> = FxHashMap::default();
    if per_article {
        let mut best: FxHashMap<u64, Dated> = FxHashMap::default();
        for m in matches {
            *others.entry(m.article).or_default() += 1;
            best.entry(m.article)
                .and_modify(|b| {
                    if best_first((m.score, m.key), (b.score, b.key)).is_lt() {
                        *b = m;
                    }
                })
                .or_insert(m);
        }
        matches = best.into_values().collect();
    }
    let total = matches.len();
    let mut ranked: Vec<(Option<Date>, Candidate)> = (matches.into_iter())
        .map(|m| {
            let other = per_article.then(|| others.get(&m.article).copied().unwrap_or(1) - 1);
            (m.date, (m.score, m.key, m.doc, other))
        })
        .collect();
    sort_by_date(&mut ranked, newest);
    (total, ranked)
}

/// Sorts by date (newest or oldest first; undated last), then by score and key.
pub fn sort_by_date(ranked: &mut [(Option<Date>, Candidate)], newest: bool) {
    ranked.sort_by(|(x, a), (y, b)| {
        let by_date = match (x, y) {
            (Some(x), Some(y)) if newest => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_date.then_with(|| best_first((a.0, a.1), (b.0, b.1)))
    });
}

/// The length of a timeline's periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    Month,
    Week,
    Day,
}

impl Period {
    pub fn name(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::Month => "month",
            Period::Week => "week",
            Period::Day => "day",
        }
    }

    /// The first day of the period holding `d` (weeks begin on Monday).
    fn start(self, d: Date) -> Date {
        match self {
            Period::Year => d.first_of_year(),
            Period::Month => d.first_of_month(),
            Period::Week => d
                .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
                .unwrap_or(d),
            Period::Day => d,
        }
    }

    fn next(self, start: Date) -> Option<Date> {
        let step = match self {
            Period::Year => jiff::Span::new().years(1),
            Period::Month => jiff::Span::new().months(1),
            Period::Week => jiff::Span::new().weeks(1),
            Period::Day => jiff::Span::new().days(1),
        };
        start.checked_add(step).ok()
    }

    /// `2025`, `2025-02`, `2025-W07` (ISO week) or `2025-02-14`.
    pub fn label(self, start: Date) -> String {
        match self {
            Period::Year => start.year().to_string(),
            Period::Month => format!("{}-{:02}", start.year(), start.month()),
            Period::Week => {
                let w = start.iso_week_date();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Day => start.to_string(),
        }
    }
}

/// Matching articles and passages per period, oldest first, empty periods included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub by: Period,
    pub buckets: Vec<Bucket>,
    /// Matching articles (and their matching passages) without a date.
    pub undated_articles: u64,
    pub undated_passages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub start: Date,
    pub articles: u64,
    pub passages: u64,
}

/// Periods beyond which a timeline is not filled (a century of days).
const MAX_BUCKETS: usize = 40_000;

/// Buckets the matches by the period of their article's date.
pub fn timeline(matches: Vec<Dated>, by: Period) -> Timeline {
    let mut counts: std::collections::BTreeMap<Date, (u64, u64)> = Default::default();
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let (mut undated_articles, mut undated_passages) = (0, 0);
    for m in &matches {
        let new = seen.insert(m.article);
        match m.date {
            Some(d) => {
                let c = counts.entry(by.start(d)).or_default();
                c.0 += u64::from(new);
                c.1 += 1;
            }
            None => {
                undated_articles += u64::from(new);
                undated_passages += 1;
            }
        }
    }
    let mut buckets = Vec::new();
    if let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) {
        let mut at = Some(first);
        while let Some(start) = at.filter(|s| *s <= last) {
            let (articles, passages) = counts.get(&start).copied().unwrap_or_default();
            buckets.push(Bucket {
                start,
                articles,
                passages,
            });
            if buckets.len() >= MAX_BUCKETS {
                break;
            }
            at = by.next(start);
        }
    }
    Timeline {
        by,
        buckets,
        undated_articles,
        undated_passages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(article: u64, date: Option<&str>) -> Dated {
        Dated {
            score: 1.0,
            key: (article, 0),
            doc: DocAddress::new(0, article as u32),
            article,
            date: date.map(|d| d.parse().unwrap()),
        }
    }

    #[test]
    fn timelines_fill_empty_periods_and_count_articles_once() {
        let matches = vec![
            dated(1, Some("2025-01-30")),
            dated(1, Some("2025-01-30")),
            dated(2, Some("2025-04-02")),
            dated(3, None),
        ];
        let t = timeline(matches, Period::Month);
        let shown: Vec<(String, u64, u64)> = (t.buckets.iter())
            .map(|b| (Period::Month.label(b.start), b.articles, b.passages))
            .collect();
        assert_eq!(
            shown,
            [
                ("2025-01".into(), 1, 2),
                ("2025-02".into(), 0, 0),
                ("2025-03".into(), 0, 0),
                ("2025-04".into(), 1, 1)
            ]
        );
        assert_eq!((t.undated_articles, t.undated_passages), (1, 1));
    }

    #[test]
    fn weeks_are_iso_weeks_starting_monday() {
        let d: Date = "2025-01-01".parse().unwrap(); // a Wednesday
        assert_eq!(Period::Week.start(d).to_string(), "2024-12-30");
        assert_eq!(Period::Week.label(Period::Week.start(d)), "2025-W01");
    }

    #[test]
    fn unknown_facets_are_named() {
        assert_eq!(
            Facet::parse_list("source, year").unwrap(),
            [Facet::Source, Facet::Year]
        );
        assert!(
            Facet::parse_list("nosuch")
                .unwrap_err()
                .contains("`nosuch`")
        );
    }
}

//! The query language: words (OR, ranked), `+required`, `-excluded`, `"phrases"`, field
//! filters (`title:`, `section:`, `text:`, `author:`, `source:`, `lang:`), and the words
//! `AND`, `OR`, `NOT`. Parsing is lenient where intent is clear and explains itself where it is
//! not; building turns the parsed query into a tantivy query over every language's fields.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::join::{self, JoinQuery};
use super::proximity::Near;
use super::prune::{PrunedPhrase, PrunedUnion};
use crate::analysis::{self, Lang};
use crate::corpus::decode::normalize_text;
use crate::index::Fields;

/// Longest query accepted, in bytes; longer queries are refused rather than run slowly.
pub const MAX_QUERY_BYTES: usize = 256 * 1024;
/// Most clauses used from one query; the rest are dropped with a notice.
pub const MAX_CLAUSES: usize = 1024;

/// Why a query could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is empty")]
    Empty,
    #[error("the query is too long ({0} bytes; at most {MAX_QUERY_BYTES})")]
    TooLong(usize),
    #[error("unclosed quote: the phrase starting at column {0} has no closing `\"`")]
    UnclosedQuote(usize),
    #[error("unknown field `{0}:` (known fields: title, section, text, author, source, lang)")]
    UnknownField(String),
    #[error("`{0}:` needs a word or a \"quoted phrase\" after it")]
    MissingValue(String),
    #[error("the query only excludes words; add at least one word to search for")]
    OnlyExcluded,
    #[error("the query has no searchable words (only punctuation or operators)")]
    NothingSearchable,
    #[error(
        "`{0}`: a fuzzy word ends in `~`, `~1` or `~2` (the number of letters that may differ)"
    )]
    BadFuzzy(String),
    #[error("`{0}`: a prefix needs at least {MIN_PREFIX} letters before the `*` (`Atom*`)")]
    ShortPrefix(String),
    #[error("`{0}`: `*` may only end a word (`Atom*` finds the words that begin with `atom`)")]
    StarInside(String),
}

/// Letters a prefix search needs before its `*`.
pub const MIN_PREFIX: usize = 3;

/// How a word matches more than itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expand {
    /// `word~N`: the indexed words within N edits (letters added, dropped, changed or swapped).
    Fuzzy(u8),
    /// `word*`: the indexed words that begin with it.
    Prefix,
    /// These indexed terms (a word corrected to the closest ones in the index).
    Terms(Vec<String>),
}

/// Where a clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Passage text, title and section heading.
    Any,
    Title,
    Section,
    Text,
    Author,
    Source,
    Lang,
}

impl Scope {
    fn parse(name: &str) -> Option<Scope> {
        Some(match name {
            "title" => Scope::Title,
            "section" | "heading" => Scope::Section,
            "text" => Scope::Text,
            "author" => Scope::Author,
            "source" => Scope::Source,
            "lang" | "language" => Scope::Lang,
            _ => return None,
        })
    }
}

/// One parsed clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub occur: Occur,
    pub scope: Scope,
    pub text: String,
    pub phrase: bool,
    pub expand: Option<Expand>,
}

/// Reads a query as plain text: every word is a ranked word, nothing is an operator. For
/// natural-language questions from scripts (`batch --literal`, `eval`), where `-` or `:` are
/// part of the text (`Privatpersonen und -organisationen`).
pub fn parse_literal(input: &str) -> Result<Vec<Clause>, QueryError> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong(input.len()));
    }
    let clauses: Vec<Clause> = input
        .split_whitespace()
        .take(MAX_CLAUSES)
        .map(|w| Clause {
            occur: Occur::Should,
            scope: Scope::Any,
            text: normalize_text(w).into_owned(),
            phrase: false,
            expand: None,
        })
        .collect();
    if clauses.is_empty() {
        return Err(QueryError::Empty);
    }
    Ok(clauses)
}

/// Parses a query string.
pub fn parse(input: &str) -> Result<Vec<Clause>, QueryError> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong(input.len()));
    }
    let input = normalize_text(input);
    let chars: Vec<char> = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut clauses = Vec::new();
    let mut i = 0;
    let mut pending: Option<Occur> = None;
    let mut and_next = false;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut occur = pending.take().unwrap_or(Occur::Should);
        if matches!(chars[i], '+' | '-') {
            let op = chars[i];
            i += 1;
            if i >= chars.len() || chars[i].is_whitespace() {
                continue; // a lone operator means nothing
            }
            occur = if op == '+' {
                Occur::Must
            } else {
                Occur::MustNot
            };
        }
        // field prefix
        let mut scope = Scope::Any;
        let ident_end = (i..chars.len())
            .find(|&j| !chars[j].is_ascii_alphabetic())
            .unwrap_or(chars.len());
        if ident_end > i && ident_end < chars.len() && chars[ident_end] == ':' {
            let name: String = chars[i..ident_end]
                .iter()
                .collect::<String>()
                .to_lowercase();
            let value_at = ident_end + 1;
            if value_at >= chars.len() || chars[value_at].is_whitespace() {
                return Err(QueryError::MissingValue(name));
            }
            scope = Scope::parse(&name).ok_or(QueryError::UnknownField(name))?;
            i = value_at;
        }
        let (text, phrase) = if chars[i] == '"' {
            let close = (i + 1..chars.len()).find(|&j| chars[j] == '"');
            let Some(close) = close else {
                return Err(QueryError::UnclosedQuote(i + 1));
            };
            let t: String = chars[i + 1..close].iter().collect();
            i = close + 1;
            (t, true)
        } else {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let t: String = chars[i..end].iter().collect();
            i = end;
            (t, false)
        };
        if !phrase && scope == Scope::Any && start == i - text.chars().count() {
            match text.as_str() {
                "OR" => continue,
                "AND" => {
                    if let Some(last) = clauses.last_mut() {
                        let last: &mut Clause = last;
                        if last.occur == Occur::Should {
                            last.occur = Occur::Must;
                        }
                    }
                    and_next = true;
                    continue;
                }
                "NOT" => {
                    pending = Some(Occur::MustNot);
                    continue;
                }
                _ => {}
            }
        }
        if and_next && occur == Occur::Should {
            occur = Occur::Must;
        }
        and_next = false;
        let (text, expand) = if phrase || scope == Scope::Lang {
            (text, None)
        } else {
            expansion(text)?
        };
        clauses.push(Clause {
            occur,
            scope,
            text,
            phrase,
            expand,
        });
    }
    if clauses.is_empty() {
        return Err(QueryError::Empty);
    }
    if clauses.iter().all(|c| c.occur == Occur::MustNot) {
        return Err(QueryError::OnlyExcluded);
    }
    clauses.truncate(MAX_CLAUSES);
    Ok(clauses)
}

/// Splits `word~`, `word~N` and `word*` into the word and how it expands.
fn expansion(word: String) -> Result<(String, Option<Expand>), QueryError> {
    if let Some((stem, n)) = word.rsplit_once('~') {
        let distance = match n {
            "" if stem.chars().count() > 8 => 2,
            "" => 1,
            "1" => 1,
            "2" => 2,
            _ => return Err(QueryError::BadFuzzy(word)),
        };
        if stem.is_empty() || stem.contains('~') {
            return Err(QueryError::BadFuzzy(word));
        }
        return Ok((stem.to_string(), Some(Expand::Fuzzy(distance))));
    }
    match word.find('*') {
        None => Ok((word, None)),
        Some(at) if at + 1 < word.len() => Err(QueryError::StarInside(word)),
        Some(at) => {
            let stem = &word[..at];
            if stem.chars().filter(|c| c.is_alphanumeric()).count() < MIN_PREFIX {
                return Err(QueryError::ShortPrefix(word));
            }
            Ok((stem.to_string(), Some(Expand::Prefix)))
        }
    }
}

/// Edits (a letter added, dropped, changed, or two neighbours swapped) from `a` to `b`.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// Ranking knobs (chosen on the XQuAD-de dev set; see the README).
#[derive(Debug, Clone, Copy)]
pub struct Boosts {
    /// Weight of a compound's parts relative to the whole word (`Atomwaffen` → `atom`, `waffen`).
    pub parts: f32,
    /// Weight of the proximity clauses: adjacent query words within `slop` words of each other.
    pub proximity: f32,
    pub slop: u32,
}

impl Default for Boosts {
    fn default() -> Self {
        Boosts {
            parts: 0.4,
            proximity: 0.3,
            slop: 6,
        }
    }
}

/// Builds tantivy queries from parsed clauses.
pub struct QueryBuilder {
    fields: Fields,
    /// The language families whose fields are searched (those the index holds).
    langs: Vec<Lang>,
    analyzers: HashMap<Lang, TextAnalyzer>,
    pub boosts: Boosts,
}

/// A built query and the analysed terms to highlight, per analyzer family.
pub struct Built {
    /// The words, phrases and fields. Ranked words are flat `Should` term clauses at the top (or,
    /// beside phrases or joined clauses, in a [`PrunedUnion`]), so that non-competitive passages
    /// are skipped (block-max WAND).
    pub query: Box<dyn Query>,
    /// The proximity pairs, scored only for the best candidates of `query` (rescoring); each
    /// adds its score where its words stand close together.
    pub proximity: Vec<Near>,
    pub highlight: HashMap<Lang, HashSet<String>>,
    /// What each fuzzy, prefix or corrected word searched.
    pub expanded: Vec<Expanded>,
}

/// The indexed terms a fuzzy, prefix or corrected word searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub word: String,
    pub terms: Vec<String>,
}

/// The index's vocabulary, for fuzzy and prefix words: each list is most frequent first and
/// holds at most [`MAX_EXPANSION`] terms.
pub trait Lexicon {
    /// How many passages hold `term` in `field`.
    fn doc_freq(&self, field: Field, term: &str) -> u64;
    /// How many passages the index holds.
    fn docs(&self) -> u64;
    /// The terms of `field` within `distance` edits of `term`, with their frequencies.
    fn fuzzy(&self, field: Field, term: &str, distance: u8) -> Vec<(String, u64)>;
    /// The terms of `field` that begin with `prefix`, with their frequencies.
    fn prefix(&self, field: Field, prefix: &str) -> Vec<(String, u64)>;
}

/// Most terms one fuzzy or prefix word searches on one field.
pub const MAX_EXPANSION: usize = 1000;

/// No vocabulary: fuzzy and prefix words match nothing.
pub struct NoLexicon;

impl Lexicon for NoLexicon {
    fn doc_freq(&self, _: Field, _: &str) -> u64 {
        0
    }
    fn docs(&self) -> u64 {
        0
    }
    fn fuzzy(&self, _: Field, _: &str, _: u8) -> Vec<(String, u64)> {
        Vec::new()
    }
    fn prefix(&self, _: Field, _: &str) -> Vec<(String, u64)> {
        Vec::new()
    }
}

/// The terms an analyzer makes of one word position: the word itself first, then its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    position: usize,
    terms: Vec<String>,
}

impl QueryBuilder {
    /// A builder that searches every language family.
    pub fn new(fields: Fields) -> QueryBuilder {
        Self::for_languages(fields, Lang::ALL.to_vec())
    }

    /// A builder that searches only the fields of `langs` (an empty index: all of them).
    pub fn for_languages(fields: Fields, langs: Vec<Lang>) -> QueryBuilder {
        let langs = if langs.is_empty() {
            Lang::ALL.to_vec()
        } else {
            langs
        };
        QueryBuilder {
            fields,
            langs,
            analyzers: Lang::ALL.iter().map(|&l| (l, l.analyzer())).collect(),
            boosts: Boosts::default(),
        }
    }

    /// The analysed terms of `text`, grouped by position.
    fn groups(&self, lang: Lang, text: &str) -> Vec<Group> {
        let mut analyzer = self.analyzers[&lang].clone();
        let mut out: Vec<Group> = Vec::new();
        for t in analysis::tokens(&mut analyzer, text) {
            match out.last_mut() {
                Some(g) if g.position == t.position => g.terms.push(t.text),
                _ => out.push(Group {
                    position: t.position,
                    terms: vec![t.text],
                }),
            }
        }
        out
    }

    fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
        if (boost - 1.0).abs() > f32::EPSILON {
            Box::new(BoostQuery::new(q, boost))
        } else {
            q
        }
    }

    fn term(field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// The query for one clause's text on one field analysed as `lang`. A single word matches
    /// as itself or (weighted down) through its compound parts (term clauses, `words`); several
    /// words, or a phrase, match as a phrase of the words themselves.
    fn field_query(&self, field: Field, groups: &[Group], phrase: bool) -> Alternatives {
        let mut out = Alternatives::default();
        match groups {
            [] => {}
            [g] => {
                let query_terms = if phrase { &g.terms[..1] } else { &g.terms[..] };
                for (i, t) in query_terms.iter().enumerate() {
                    let w = if i == 0 { 1.0 } else { self.boosts.parts };
                    if w > 0.0 {
                        out.words.push(Self::boosted(Self::term(field, t), w));
                    }
                }
            }
            _ => {
                let first = groups[0].position;
                let terms = (groups.iter())
                    .map(|g| {
                        let term = Term::from_field_text(field, &g.terms[0]);
                        (g.position - first, term)
                    })
                    .collect();
                out.others.push(Box::new(PrunedPhrase::new(terms)));
            }
        }
        out
    }

    /// True when every word of the clause is a stop word.
    fn is_stop_clause(c: &Clause) -> bool {
        let words = analysis::german::words(&c.text);
        !words.is_empty()
            && words.iter().all(|(s, e)| {
                analysis::stopwords::is_stop_word_in(Lang::Plain, &c.text[*s..*e].to_lowercase())
            })
    }

    /// The query for one clause on one field analysed as `lang`, and the terms it searches.
    fn clause_on(
        &self,
        field: Field,
        lang: Lang,
        c: &Clause,
        lexicon: &dyn Lexicon,
        expanded: &mut Vec<Expanded>,
    ) -> (Alternatives, Vec<String>) {
        let groups = self.groups(lang, &c.text);
        let Some(how) = &c.expand else {
            let alts = self.field_query(field, &groups, c.phrase);
            return (alts, groups.into_iter().flat_map(|g| g.terms).collect());
        };
        let whole = groups.first().map(|g| g.terms[0].clone());
        let with_freq = |terms: Vec<String>| -> Vec<(String, u64)> {
            (terms.into_iter())
                .map(|t| {
                    let df = lexicon.doc_freq(field, &t);
                    (t, df)
                })
                .collect()
        };
        let found: Vec<(String, u64)> = match how {
            Expand::Terms(terms) => with_freq(terms.clone()),
            Expand::Fuzzy(d) => whole.map_or(Vec::new(), |w| lexicon.fuzzy(field, &w, *d)),
            Expand::Prefix => {
                let lower = c.text.to_lowercase();
                let prefix = match lang {
                    Lang::German => analysis::fold::fold(&lower).into_owned(),
                    _ => lower,
                };
                // The word itself as the analyzer indexes it (`Regierung*` → `regier`), then
                // the words that begin with it.
                let mut found = with_freq(whole.into_iter().collect());
                for (t, df) in lexicon.prefix(field, &prefix) {
                    if !found.iter().any(|(f, _)| *f == t) {
                        found.push((t, df));
                    }
                }
                found
            }
        };
        // Each term weighs as much as the most frequent one (its BM25 weight scaled to that
        // term's IDF), so that a rare expansion (`regierungsarbeit`) does not outrank the word
        // searched for; a passage still scores more for holding more of them.
        let idf = |df: u64| {
            let (n, df) = (lexicon.docs().max(df) as f32, df as f32);
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        let most = found.iter().map(|(_, df)| *df).max().unwrap_or(0);
        let words: Vec<Box<dyn Query>> = (found.iter())
            .filter(|(_, df)| *df > 0)
            .map(|(t, df)| Self::boosted(Self::term(field, t), idf(most) / idf(*df)))
            .collect();
        let terms: Vec<String> = found.into_iter().map(|(t, _)| t).collect();
        match expanded.iter_mut().find(|e| e.word == c.text) {
            Some(e) => e.terms.extend(
                terms
                    .iter()
                    .filter(|t| !e.terms.contains(t))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            None => expanded.push(Expanded {
                word: c.text.clone(),
                terms: terms.clone(),
            }),
        }
        let alts = Alternatives {
            // A word that expands to nothing matches nothing (and is no error).
            others: match words.is_empty() {
                true => vec![Box::new(EmptyQuery)],
                false => Vec::new(),
            },
            words,
        };
        (alts, terms)
    }

    /// Corrects each word that matches nothing in the index (neither as itself nor through
    /// its compound parts) to the closest indexed words: within 1 edit for words of 5 to 8
    /// letters, 2 for longer ones; never shorter words, numbers, phrases, excluded words or
    /// names (`author:`, `source:`). Returns the corrections made.
    pub fn correct(&self, clauses: &mut [Clause], lexicon: &dyn Lexicon) -> Vec<Expanded> {
        const MAX_CORRECTIONS: usize = 3;
        let mut out = Vec::new();
        for c in clauses.iter_mut() {
            let letters = c.text.chars().filter(|ch| ch.is_alphabetic()).count();
            if c.occur == Occur::MustNot
                || c.phrase
                || c.expand.is_some()
                || !matches!(
                    c.scope,
                    Scope::Any | Scope::Text | Scope::Title | Scope::Section
                )
                || letters < 5
                || c.text.chars().any(char::is_numeric)
            {
                continue;
            }
            let distance = if letters <= 8 { 1 } else { 2 };
            // (edits, rank by frequency, term) of every candidate.
            let mut candidates: Vec<(usize, usize, String)> = Vec::new();
            let mut known = false;
            for &lang in &self.langs {
                let field = self.fields.text_for(lang);
                let groups = self.groups(lang, &c.text);
                let [group] = &groups[..] else {
                    known = true; // several words or none: not a typo korpus can mend
                    break;
                };
                if group.terms.iter().any(|t| lexicon.doc_freq(field, t) > 0) {
                    known = true;
                    break;
                }
                let whole = &group.terms[0];
                for (rank, (t, _)) in lexicon
                    .fuzzy(field, whole, distance)
                    .into_iter()
                    .enumerate()
                {
                    candidates.push((edits(whole, &t), rank, t));
                }
            }
            if known || candidates.is_empty() {
                continue;
            }
            candidates.sort();
            let best = candidates[0].0;
            let mut terms: Vec<String> = Vec::new();
            for (_, _, t) in candidates.into_iter().take_while(|c| c.0 == best) {
                if !terms.contains(&t) && terms.len() < MAX_CORRECTIONS {
                    terms.push(t);
                }
            }
            out.push(Expanded {
                word: c.text.clone(),
                terms: terms.clone(),
            });
            c.expand = Some(Expand::Terms(terms));
        }
        out
    }

    /// Builds the query for `clauses`; fuzzy and prefix words expand to the terms `lexicon`
    /// finds.
    pub fn build(&self, clauses: &[Clause], lexicon: &dyn Lexicon) -> Result<Built, QueryError> {
        let f = &self.fields;
        let mut expanded: Vec<Expanded> = Vec::new();
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // The ranked (Should) clauses.
        let mut ranked = Alternatives::default();
        let mut highlight: HashMap<Lang, HashSet<String>> = HashMap::new();
        // Stop words only add noise to a ranked bag of words; a phrase or a required word keeps
        // them, and so does a query of nothing but stop words.
        let droppable = |c: &Clause| {
            c.occur == Occur::Should
                && !c.phrase
                && c.scope == Scope::Any
                && Self::is_stop_clause(c)
        };
        let drop_stop_words = clauses
            .iter()
            .any(|c| c.occur != Occur::MustNot && !droppable(c));
        let mut content: Vec<&Clause> = Vec::new();
        for c in clauses {
            if drop_stop_words && droppable(c) {
                continue;
            }
            if c.occur != Occur::MustNot && !c.phrase && matches!(c.scope, Scope::Any | Scope::Text)
            {
                content.push(c);
            }
            let mut alternatives = Alternatives::default();
            let mut on = |field: Field, lang: Lang, alts: &mut Alternatives| {
                let (alt, terms) = self.clause_on(field, lang, c, lexicon, &mut expanded);
                alts.extend(alt);
                if c.occur != Occur::MustNot {
                    highlight.entry(lang).or_default().extend(terms);
                }
            };
            match c.scope {
                Scope::Any | Scope::Text => {
                    for &lang in &self.langs {
                        on(f.text_for(lang), lang, &mut alternatives);
                    }
                }
                Scope::Title => {
                    for &lang in &self.langs {
                        on(f.title_for(lang), lang, &mut alternatives);
                    }
                }
                Scope::Section => {
                    for &lang in &self.langs {
                        on(f.section_for(lang), lang, &mut alternatives);
                    }
                }
                Scope::Author => on(f.record_author, Lang::Plain, &mut alternatives),
                Scope::Source => on(f.record_source, Lang::Plain, &mut alternatives),
                Scope::Lang => alternatives.others.push(Box::new(TermQuery::new(
                    Term::from_field_text(f.lang, c.text.trim().to_lowercase().as_str()),
                    IndexRecordOption::Basic,
                ))),
            }
            // What a group of passages shares is matched once per group.
            let join = match c.scope {
                Scope::Title | Scope::Author | Scope::Source => Some(join::Group::Article),
                Scope::Section => Some(join::Group::Section),
                _ => None,
            };
            if let Some(group) = join {
                alternatives = Alternatives {
                    words: Vec::new(),
                    others: any_of(alternatives.into_vec())
                        .map(|q| -> Box<dyn Query> { Box::new(JoinQuery::new(q, group, f)) })
                        .into_iter()
                        .collect(),
                };
            }
            if c.occur == Occur::Should {
                // A sum of Should clauses scores the same flat or nested; flat is faster.
                ranked.extend(alternatives);
                continue;
            }
            if let Some(q) = any_of(alternatives.into_vec()) {
                parts.push((c.occur, q));
            }
        }
        if !parts.is_empty() {
            parts.extend(ranked.into_vec().into_iter().map(|q| (Occur::Should, q)));
        } else if !ranked.words.is_empty() && !ranked.others.is_empty() {
            // Only ranked clauses, of both kinds: the words skip around the others.
            let union = PrunedUnion::new(ranked.words, ranked.others);
            parts.push((Occur::Should, Box::new(union)));
        } else if let Some(q) = any_of(ranked.into_vec()) {
            parts.push((Occur::Should, q));
        }
        if parts.iter().all(|(o, _)| *o == Occur::MustNot) {
            return Err(if parts.is_empty() {
                QueryError::NothingSearchable
            } else {
                QueryError::OnlyExcluded
            });
        }
        let proximity = if self.boosts.proximity > 0.0 {
            self.proximity(&content)
        } else {
            Vec::new()
        };
        // A lone clause runs as itself: tantivy makes a boolean query's only `Should` clause a
        // `Must`, and scores a one-clause intersection without skipping (block-max WAND), which
        // a term query on its own does skip.
        let query: Box<dyn Query> = match parts.len() {
            1 if parts[0].0 != Occur::MustNot => parts.remove(0).1,
            _ => Box::new(BooleanQuery::new(parts)),
        };
        Ok(Built {
            query,
            proximity,
            highlight,
            expanded,
        })
    }

    /// Rewards passages where adjacent query words stand close together: a pair of neighbouring
    /// words, on each language's text field.
    fn proximity(&self, content: &[&Clause]) -> Vec<Near> {
        let mut out = Vec::new();
        for &lang in &self.langs {
            let field = self.fields.text_for(lang);
            let words: Vec<String> = content
                .iter()
                .filter_map(|c| match self.groups(lang, &c.text).as_slice() {
                    [g] => Some(g.terms[0].clone()),
                    _ => None,
                })
                .collect();
            for pair in words.windows(2) {
                if pair[0] == pair[1] {
                    continue;
                }
                out.push(Near {
                    field,
                    first: Term::from_field_text(field, &pair[0]),
                    second: Term::from_field_text(field, &pair[1]),
                    slop: self.boosts.slop,
                    boost: self.boosts.proximity,
                });
            }
        }
        out
    }
}

/// What one clause becomes: term clauses (`words`, which can skip with block-max WAND) and
/// other queries.
#[derive(Default)]
struct Alternatives {
    words: Vec<Box<dyn Query>>,
    others: Vec<Box<dyn Query>>,
}

impl Alternatives {
    fn extend(&mut self, more: Alternatives) {
        self.words.extend(more.words);
        self.others.extend(more.others);
    }

    fn into_vec(self) -> Vec<Box<dyn Query>> {
        self.words.into_iter().chain(self.others).collect()
    }
}

/// A query matching any of `alternatives` (none: `None`).
pub(super) fn any_of(mut alternatives: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match alternatives.len() {
        0 | 1 => alternatives.pop(),
        _ => Some(Box::new(BooleanQuery::union(alternatives))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(occur: Occur, scope: Scope, text: &str, phrase: bool) -> Clause {
        Clause {
            expand: None,
            occur,
            scope,
            text: text.into(),
            phrase,
        }
    }

    #[test]
    fn parses_operators_phrases_and_fields() {
        let c =
            parse(r#"Trump -Obama +"strategischen Geduld" title:Kim author:"Bilahari""#).unwrap();
        assert_eq!(
            c,
            [
                clause(Occur::Should, Scope::Any, "Trump", false),
                clause(Occur::MustNot, Scope::Any, "Obama", false),
                clause(Occur::Must, Scope::Any, "strategischen Geduld", true),
                clause(Occur::Should, Scope::Title, "Kim", false),
                clause(Occur::Should, Scope::Author, "Bilahari", true),
            ]
        );
    }

    #[test]
    fn boolean_words() {
        let c = parse("Kim AND Trump NOT Obama OR Biden").unwrap();
        let occurs: Vec<Occur> = c.iter().map(|c| c.occur).collect();
        assert_eq!(
            occurs,
            [Occur::Must, Occur::Must, Occur::MustNot, Occur::Should]
        );
    }

    #[test]
    fn errors_explain_themselves() {
        assert_eq!(parse("   "), Err(QueryError::Empty));
        assert_eq!(parse("a \"b c"), Err(QueryError::UnclosedQuote(3)));
        assert_eq!(
            parse("foo:bar"),
            Err(QueryError::UnknownField("foo".into()))
        );
        assert_eq!(
            parse("title: x"),
            Err(QueryError::MissingValue("title".into()))
        );
        assert_eq!(parse("-Obama"), Err(QueryError::OnlyExcluded));
        assert_eq!(parse("- + -"), Err(QueryError::Empty));
    }

    proptest::proptest! {
        /// Any string parses or is refused with a message; what parses also builds.
        #[test]
        fn any_query_string_is_safe(q in "\\PC{0,80}|[-+\"():a-zA-Zäöü ]{0,60}") {
            let builder = QueryBuilder::new(crate::index::schema().1);
            for clauses in [parse(&q), parse_literal(&q)].into_iter().flatten() {
                let _ = builder.build(&clauses, &NoLexicon);
            }
        }
    }

    #[test]
    fn huge_queries_are_bounded() {
        let words = "Wort ".repeat(10_000);
        assert!(parse(&words).unwrap().len() <= MAX_CLAUSES);
        let big = "x".repeat(1 << 20);
        assert_eq!(parse(&big), Err(QueryError::TooLong(1 << 20)));
        assert_eq!(parse("\u{0}\u{7}Kim\u{1b}").unwrap()[0].text, "Kim");
    }

    #[test]
    fn colons_in_words_are_not_fields() {
        let c = parse("10:30 Uhr").unwrap();
        assert_eq!(c[0].text, "10:30");
    }
}

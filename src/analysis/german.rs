//! The German analyzer, one pass per text: words are runs of letters and digits, and words
//! joined by hyphens (`Süd-Korea`, `Russland-Ukraine-Krieg`) form one word. Each word is
//! indexed at one position as itself (hyphens dropped), as its hyphen parts and as its compound
//! parts (`Atomwaffenprogramm` → `atomwaffen`, `atom`, `waffen`, `programm`); every token is
//! then folded (ä/ae → a, ö/oe → o, ü/ue → u, ß → ss) and stemmed (Snowball German). All
//! tokens of a word carry the word's offsets, so highlighting marks what the reader wrote.

use std::hash::BuildHasher;
use std::sync::{Arc, LazyLock, Mutex};

use rustc_hash::{FxBuildHasher, FxHashMap};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::MAX_TOKEN_BYTES;
use super::compound;
use super::fold::fold;

#[derive(Clone, Default)]
pub struct GermanTokenizer;

/// Streams the tokens of one text word by word, reusing one `Token` (no allocation per token).
pub struct GermanTokenStream<'a> {
    text: &'a str,
    words: Words<'a>,
    position: usize,
    terms: Terms,
    next_term: usize,
    token: Token,
}

impl TokenStream for GermanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while self.next_term >= self.terms.len() {
            let Some((start, end)) = self.words.next() else {
                return false;
            };
            self.terms = word_terms(&self.text[start..end]);
            self.next_term = 0;
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.position;
            self.position += 1;
        }
        self.token.text.clear();
        self.token.text.push_str(&self.terms[self.next_term]);
        self.next_term += 1;
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for GermanTokenizer {
    type TokenStream<'a> = GermanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GermanTokenStream<'a> {
        GermanTokenStream {
            text,
            words: Words::new(text),
            position: 0,
            terms: Arc::from(Vec::new()),
            next_term: 0,
            token: Token::default(),
        }
    }
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The words of `text` as byte spans; words joined by single hyphens are one word.
pub fn words(text: &str) -> Vec<(usize, usize)> {
    Words::new(text).collect()
}

/// The words of a text as byte spans, found lazily (see [`words`]).
pub struct Words<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Words<'a> {
        Words {
            chars: text.char_indices().peekable(),
        }
    }
}

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let mut word_start: Option<usize> = None;
        let mut in_run = false;
        let mut run_end = 0;
        while let Some((i, c)) = self.chars.next() {
            if c.is_alphanumeric() {
                if word_start.is_none() {
                    word_start = Some(i);
                }
                in_run = true;
                run_end = i + c.len_utf8();
                continue;
            }
            let joins = in_run
                && is_hyphen(c)
                && self.chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            in_run = false;
            if joins {
                continue;
            }
            if let Some(s) = word_start {
                return Some((s, run_end));
            }
        }
        word_start.map(|s| (s, run_end))
    }
}

/// The hyphen-joined segments of a word (byte spans within it).
fn segments(word: &str) -> Vec<&str> {
    word.split(is_hyphen).filter(|s| !s.is_empty()).collect()
}

/// Words whose terms are kept before a shard of the cache starts over (news vocabulary is
/// Zipfian: most words repeat, and splitting and stemming them once is most of the analyzer's
/// work). One cache serves all threads, so each word is analysed once per run.
const CACHE_WORDS: usize = 1 << 20;
const CACHE_SHARDS: usize = 64;

/// The terms of a word: the word itself first, then its parts.
type Terms = Arc<[Box<str>]>;

type Shard = Mutex<FxHashMap<Box<str>, Terms>>;

static CACHE: LazyLock<Vec<Shard>> =
    LazyLock::new(|| (0..CACHE_SHARDS).map(|_| Mutex::default()).collect());

fn shard(hash: u64) -> std::sync::MutexGuard<'static, FxHashMap<Box<str>, Terms>> {
    CACHE[(hash >> 32) as usize % CACHE_SHARDS]
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// Slots of the per-thread cache in front of the shared one: the few thousand most frequent
/// words are most of the tokens, and answering them without a lock or a trip to main memory
/// is the analyzer's fast path.
const HOT_SLOTS: usize = 8192;

type HotSlot = Option<(Box<str>, Terms)>;

thread_local! {
    static HOT: std::cell::RefCell<Vec<HotSlot>> =
        std::cell::RefCell::new(vec![None; HOT_SLOTS]);
}

/// The terms of a word, from the caches or analysed.
fn word_terms(word: &str) -> Terms {
    let hash = FxBuildHasher.hash_one(word);
    let slot = hash as usize % HOT_SLOTS;
    let hot = HOT.with_borrow(|hot| match &hot[slot] {
        Some((w, terms)) if **w == *word => Some(terms.clone()),
        _ => None,
    });
    if let Some(terms) = hot {
        return terms;
    }
    let cached = shard(hash).get(word).cloned();
    let terms = cached.unwrap_or_else(|| {
        let terms = analyse_word(word);
        let mut c = shard(hash);
        if c.len() >= CACHE_WORDS / CACHE_SHARDS {
            c.clear();
        }
        c.insert(word.into(), terms.clone());
        terms
    });
    HOT.with_borrow_mut(|hot| hot[slot] = Some((word.into(), terms.clone())));
    terms
}

/// The distinct terms of one word as written (with its hyphens and capitalisation): the word
/// itself first, then its parts.
fn analyse_word(word: &str) -> Terms {
    let lower: Vec<String> = segments(word)
        .into_iter()
        .map(|s| fold(&s.to_lowercase()).into_owned())
        .collect();
    let mut raw: Vec<String> = vec![lower.concat()];
    if lower.len() > 1 {
        for seg in &lower {
            raw.push(seg.clone());
            raw.extend(compound::expansions(seg));
        }
    } else {
        raw.extend(compound::expansions(&lower[0]));
    }
    if word.starts_with(char::is_uppercase) {
        raw.extend(compound::without_genitive_s(&raw[0]));
    }
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::German);
    let mut terms: Vec<Box<str>> = Vec::with_capacity(raw.len());
    for r in &raw {
        let stem = stemmer.stem(r);
        let stemmed = ier_verb_stem(&stem);
        if !stemmed.is_empty()
            && stemmed.len() <= MAX_TOKEN_BYTES
            && !terms.iter().any(|t| **t == *stemmed)
        {
            terms.push(stemmed.into());
        }
    }
    let terms: Terms = terms.into();
    terms
}

/// One stem for the forms of a verb in `-ieren`: Snowball stems `kritisieren` to `kritisi`
/// but `kritisiert`, `kritisierte` to `kritisiert`; all become `kritisi`. Nouns keep their own
/// stems (`Regierung` → `regier`, `Papier` → `papi`), and short stems (`friert`) are left alone.
fn ier_verb_stem(stem: &str) -> &str {
    match stem.strip_suffix("iert") {
        Some(base) if base.chars().count() >= 3 => &stem[..base.len() + 1],
        _ => stem,
    }
}

/// The German tokens of a text.
pub fn analyze(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    for (position, (start, end)) in words(text).into_iter().enumerate() {
        for term in word_terms(&text[start..end]).iter() {
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position,
                text: term.to_string(),
                position_length: 1,
            });
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<(usize, String)> {
        analyze(text)
            .into_iter()
            .map(|t| (t.position, t.text))
            .collect()
    }

    fn texts_at(text: &str, position: usize) -> Vec<String> {
        toks(text)
            .into_iter()
            .filter(|(p, _)| *p == position)
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn compounds_are_indexed_with_their_parts_at_one_position() {
        let t = texts_at("Das Atomwaffenprogramm", 1);
        assert_eq!(t[0], "atomwaffenprogramm");
        for part in ["atom", "waff", "programm", "atomwaff"] {
            assert!(t.contains(&part.to_string()), "{part} missing from {t:?}");
        }
        assert!(texts_at("Langstreckenraketen", 0).contains(&"rak".to_string()));
        assert!(texts_at("Bundesregierung", 0).contains(&"regier".to_string()));
        let w = texts_at("Wiedervereinigungskrieg", 0);
        assert!(w.contains(&texts_at("Wiedervereinigung", 0)[0]), "{w:?}");
        assert!(w.contains(&"krieg".to_string()), "{w:?}");
        assert!(texts_at("Abschreckungsmittel", 0).contains(&texts_at("Abschreckung", 0)[0]));
    }

    #[test]
    fn hyphenated_words_match_joined_and_as_parts() {
        assert_eq!(texts_at("Süd-Korea", 0)[0], texts_at("Südkorea", 0)[0]);
        let t = texts_at("Russland-Ukraine-Krieg", 0);
        for part in ["russland", "ukrain", "krieg"] {
            assert!(t.contains(&part.to_string()), "{part} missing from {t:?}");
        }
        assert_eq!(toks("Kim Jong-un sagt").last().unwrap().0, 2);
        // A hyphen before a space ends the word: "Atomwaffen- oder Raketenprogramme".
        assert_eq!(words("Atomwaffen- oder").len(), 2);
    }

    #[test]
    fn forms_of_ieren_verbs_share_a_stem() {
        let stem = |w| texts_at(w, 0)[0].clone();
        for w in ["kritisiert", "kritisierte", "kritisierten", "kritisiertes"] {
            assert_eq!(stem(w), stem("kritisieren"), "{w}");
        }
        assert_eq!(stem("restaurierte"), stem("restaurieren"));
        assert_eq!(stem("Regierung"), "regier");
        assert_eq!(stem("Papier"), stem("Papiere"));
        assert_eq!(stem("friert"), "friert");
    }

    #[test]
    fn spellings_fold_together() {
        assert_eq!(toks("Pjöngjang"), toks("Pjoengjang"));
        assert_eq!(toks("Straße"), toks("Strasse"));
        assert_eq!(toks("Übersetzung"), toks("Uebersetzung"));
        assert_eq!(fold("quelle"), "quelle");
        assert_eq!(fold("neue"), "neue");
        assert_eq!(fold("bauen"), "bauen");
    }

    #[test]
    fn offsets_cover_the_written_word() {
        let text = "Die Langstreckenraketen fliegen";
        for t in analyze(text) {
            if t.position == 1 {
                assert_eq!(&text[t.offset_from..t.offset_to], "Langstreckenraketen");
            }
        }
    }
}

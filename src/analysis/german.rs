//! The German analyzer, one pass per text: words are runs of letters and digits, and words
//! joined by hyphens (`Süd-Korea`, `Russland-Ukraine-Krieg`) form one word. Each word is
//! indexed at one position as itself (hyphens dropped), as its hyphen parts and as its compound
//! parts (`Atomwaffenprogramm` → `atomwaffen`, `atom`, `waffen`, `programm`); every token is
//! then folded (ä/ae → a, ö/oe → o, ü/ue → u, ß → ss) and stemmed (Snowball German). All
//! tokens of a word carry the word's offsets, so highlighting marks what the reader wrote.
//!
//! News vocabulary is Zipfian: most words repeat, and splitting and stemming a word is most of
//! the analyzer's work, so each word is analysed once per run and its terms cached — in a
//! per-thread table that answers the frequent words without a lock, a shared allocation or an
//! atomic, and behind it one cache shared by all threads.

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::sync::{LazyLock, Mutex};

use rustc_hash::{FxBuildHasher, FxHashMap};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::MAX_TOKEN_BYTES;
use super::compound;
use super::fold::fold;

/// The German tokenizer. It replays the tokens of the short texts it analysed last: a passage's
/// indexed text also holds its article's title and its section heading, so each passage
/// repeats them (one tokenizer serves one field of one indexing thread).
#[derive(Clone, Default)]
pub struct GermanTokenizer {
    recent: [Recorded; RECENT],
    /// The slot the next short text is recorded in.
    next: usize,
}

/// Short texts whose tokens are kept.
const RECENT: usize = 4;
/// Longest text whose tokens are kept, in bytes.
const RECORDED_BYTES: usize = 256;

/// The tokens of one short text.
#[derive(Clone, Default)]
struct Recorded {
    text: String,
    /// Set once every token was recorded (a stream left early records nothing usable).
    complete: bool,
    /// The tokens' terms, one after the other.
    terms: String,
    /// Offsets, position and the end of the term in `terms`, per token.
    tokens: Vec<[usize; 4]>,
}

impl Recorded {
    fn start(&mut self, text: &str) {
        self.text.clear();
        self.text.push_str(text);
        self.complete = false;
        self.terms.clear();
        self.tokens.clear();
    }
}

/// What a stream does with the tokens of its text.
enum Memo<'a> {
    None,
    Record(&'a mut Recorded),
    /// Replays the recorded tokens; the next one's index.
    Replay(&'a Recorded, usize),
}

/// Streams the tokens of one text word by word, reusing one `Token` and one buffer of terms
/// (no allocation per token).
pub struct GermanTokenStream<'a> {
    text: &'a str,
    words: Words<'a>,
    /// The next two words (spans and hashes), whose table entries are being fetched.
    ahead: [Option<(usize, usize, u64)>; 2],
    position: usize,
    /// The current word's terms, encoded (see [`encode`]), and the read cursor into them.
    terms: String,
    next_term: usize,
    token: Token,
    memo: Memo<'a>,
}

impl GermanTokenStream<'_> {
    /// The next word of the text with its hash.
    fn next_word(&mut self) -> Option<(usize, usize, u64)> {
        let (start, end) = self.words.next()?;
        Some((start, end, word_hash(&self.text[start..end])))
    }

    fn replay(&mut self) -> Option<bool> {
        let Memo::Replay(rec, next) = &mut self.memo else {
            return None;
        };
        let Some(&[from, to, position, end]) = rec.tokens.get(*next) else {
            return Some(false);
        };
        let start = if *next == 0 {
            0
        } else {
            rec.tokens[*next - 1][3]
        };
        *next += 1;
        self.token.text.clear();
        self.token.text.push_str(&rec.terms[start..end]);
        (self.token.offset_from, self.token.offset_to) = (from, to);
        self.token.position = position;
        Some(true)
    }
}

impl TokenStream for GermanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(more) = self.replay() {
            return more;
        }
        while self.next_term >= self.terms.len() {
            // Two words ahead: the bucket of the word after next is fetched, and the next
            // word's entry, found in its bucket fetched a word ago; the table is larger than
            // the caches, and a lookup that waits for memory twice was most of its cost.
            let Some((start, end, hash)) = self.ahead[0].take().or_else(|| self.next_word()) else {
                if let Memo::Record(rec) = &mut self.memo {
                    rec.complete = true;
                }
                return false;
            };
            self.ahead[0] = self.ahead[1].take().or_else(|| self.next_word());
            self.ahead[1] = self.next_word();
            LOCAL.with_borrow(|local| {
                if let Some((_, _, next)) = self.ahead[0] {
                    local.prefetch_entry(next);
                }
                if let Some((_, _, after)) = self.ahead[1] {
                    local.prefetch_bucket(after);
                }
            });
            self.terms.clear();
            with_hashed_terms(&self.text[start..end], hash, |t| self.terms.push_str(t));
            self.next_term = 0;
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.position;
            self.position += 1;
        }
        let rest = &self.terms[self.next_term..];
        let len = term_len(rest);
        self.token.text.clear();
        self.token.text.push_str(&rest[..len]);
        self.next_term += len + 1;
        if let Memo::Record(rec) = &mut self.memo {
            rec.terms.push_str(&self.token.text);
            let t = &self.token;
            rec.tokens
                .push([t.offset_from, t.offset_to, t.position, rec.terms.len()]);
        }
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
        let memo = if text.len() > RECORDED_BYTES {
            Memo::None
        } else if let Some(i) = (self.recent.iter()).position(|r| r.complete && r.text == text) {
            Memo::Replay(&self.recent[i], 0)
        } else {
            let slot = &mut self.recent[self.next];
            self.next = (self.next + 1) % RECENT;
            slot.start(text);
            Memo::Record(slot)
        };
        // A replay needs no buffer of terms.
        let terms = match memo {
            Memo::Replay(..) => String::new(),
            _ => String::with_capacity(256),
        };
        GermanTokenStream {
            text,
            words: Words::new(text),
            ahead: [None, None],
            position: 0,
            terms,
            next_term: 0,
            token: Token::default(),
            memo,
        }
    }
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Whether a word holds a hyphen, its bytes looked at first: every hyphen is `-` or starts
/// with the byte 0xE2 (U+2010, U+2011), and decoding each char of every word was measurable.
fn has_hyphen(word: &str) -> bool {
    word.bytes().any(|b| b == b'-' || b == 0xE2) && word.contains(is_hyphen)
}

/// The words of `text` as byte spans; words joined by single hyphens are one word.
pub fn words(text: &str) -> Vec<(usize, usize)> {
    Words::new(text).collect()
}

/// The words of a text as byte spans, found lazily (see [`words`]). ASCII bytes are classified
/// directly; other characters are decoded.
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Words<'a> {
        Words { text, at: 0 }
    }

    /// The length of the character at byte `i` if it is a letter or digit, else 0.
    #[inline]
    fn word_char(&self, i: usize) -> usize {
        match self.text.as_bytes().get(i) {
            Some(b) if b.is_ascii() => usize::from(b.is_ascii_alphanumeric()),
            Some(_) => self.text[i..]
                .chars()
                .next()
                .filter(|c| c.is_alphanumeric())
                .map_or(0, char::len_utf8),
            None => 0,
        }
    }

    /// The length of the hyphen at byte `i`, if there is one, else 0.
    #[inline]
    fn hyphen(&self, i: usize) -> usize {
        match self.text.as_bytes().get(i) {
            Some(b'-') => 1,
            Some(0xE2) => self.text[i..]
                .chars()
                .next()
                .filter(|&c| is_hyphen(c))
                .map_or(0, char::len_utf8),
            _ => 0,
        }
    }
}

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        // Skip to the first letter or digit. ASCII bytes are matched here rather than through
        // `word_char`: on the analyzer benchmark that saves 5 % of all instructions.
        let start = loop {
            match bytes.get(i) {
                None => {
                    self.at = i;
                    return None;
                }
                Some(b) if b.is_ascii_alphanumeric() => break i,
                Some(b) if b.is_ascii() => i += 1,
                Some(&b) => match self.word_char(i) {
                    0 => i += utf8_len(b),
                    _ => break i,
                },
            }
        };
        // A run of letters and digits, continued across single hyphens between two of them.
        let mut end = start;
        loop {
            loop {
                match bytes.get(end) {
                    Some(b) if b.is_ascii_alphanumeric() => end += 1,
                    Some(b) if b.is_ascii() => break,
                    Some(_) => match self.word_char(end) {
                        0 => break,
                        n => end += n,
                    },
                    None => break,
                }
            }
            let h = self.hyphen(end);
            if h == 0 || self.word_char(end + h) == 0 {
                break;
            }
            end += h;
        }
        self.at = end;
        Some((start, end))
    }
}

/// The length of the UTF-8 sequence a leading byte starts.
fn utf8_len(b: u8) -> usize {
    match b {
        0..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// The hyphen-joined segments of a word (byte spans within it).
fn segments(word: &str) -> Vec<&str> {
    word.split(is_hyphen).filter(|s| !s.is_empty()).collect()
}

/// Ends each term of an encoded list (terms are letters and digits).
const TERM_END: u8 = b'\0';

/// A word's terms as one string, each followed by [`TERM_END`], the word itself first.
fn encode(terms: &[String]) -> Box<str> {
    let mut out = String::with_capacity(terms.iter().map(|t| t.len() + 1).sum());
    for t in terms {
        out.push_str(t);
        out.push(char::from(TERM_END));
    }
    out.into()
}

/// The terms of an encoded term list.
fn decode(mut terms: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        if terms.is_empty() {
            return None;
        }
        let (term, rest) = terms.split_at(term_len(terms));
        terms = rest.get(1..).unwrap_or_default();
        Some(term)
    })
}

/// The length of the first term of an encoded list. Terms are short: a byte loop beats
/// `str::find`'s searcher set-up, which was 4 % of indexing instructions.
fn term_len(terms: &str) -> usize {
    (terms.bytes().position(|b| b == TERM_END)).unwrap_or(terms.len())
}

/// Words whose terms the shared cache keeps before a shard of it starts over.
const CACHE_WORDS: usize = 1 << 20;
const CACHE_SHARDS: usize = 64;

type Shard = Mutex<FxHashMap<Box<str>, Box<str>>>;

static CACHE: LazyLock<Vec<Shard>> =
    LazyLock::new(|| (0..CACHE_SHARDS).map(|_| Mutex::default()).collect());

fn shard(hash: u64) -> std::sync::MutexGuard<'static, FxHashMap<Box<str>, Box<str>>> {
    CACHE[(hash >> 32) as usize % CACHE_SHARDS]
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// Buckets of the per-thread table (a power of two), slots per bucket, and the bytes its arena
/// may grow to before the table starts over.
const LOCAL_BUCKETS: usize = 1 << 13;
const WAYS: usize = 4;
const LOCAL_ARENA_BYTES: usize = 8 << 20;

/// A set-associative table of words and their encoded terms, all in one arena: a hit is one
/// hash, one cache line of slots, one compare and one copy. A word enters its bucket in the
/// last slot and moves up one slot with each hit, so the frequent words stay and the many
/// words seen once only ever replace each other.
struct Local {
    buckets: Vec<Bucket>,
    arena: String,
}

#[derive(Clone, Copy, Default)]
#[repr(align(64))]
struct Bucket([Slot; WAYS]);

/// Where a word and its terms are in the arena; `hash` 0 is an empty slot.
#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    at: u32,
    word_len: u16,
    terms_len: u16,
}

impl Local {
    fn new() -> Local {
        Local {
            buckets: vec![Bucket::default(); LOCAL_BUCKETS],
            arena: String::with_capacity(1 << 20),
        }
    }

    fn bucket(hash: u64) -> usize {
        (hash >> 40) as usize & (LOCAL_BUCKETS - 1)
    }

    fn get(&mut self, hash: u64, word: &str) -> Option<&str> {
        let bucket = &mut self.buckets[Self::bucket(hash)].0;
        let way = (0..WAYS).find(|&w| {
            let s = bucket[w];
            let at = s.at as usize;
            s.hash == hash && self.arena.get(at..at + usize::from(s.word_len)) == Some(word)
        })?;
        let s = bucket[way];
        if way > 0 {
            bucket.swap(way, way - 1);
        }
        let terms_at = s.at as usize + usize::from(s.word_len);
        Some(&self.arena[terms_at..terms_at + usize::from(s.terms_len)])
    }

    /// Starts fetching the bucket of a word into the cache.
    fn prefetch_bucket(&self, hash: u64) {
        prefetch(&self.buckets[Self::bucket(hash)]);
    }

    /// Starts fetching the entry of a word (if its bucket has one with its hash) into the cache.
    fn prefetch_entry(&self, hash: u64) {
        if let Some(s) = self.buckets[Self::bucket(hash)]
            .0
            .iter()
            .find(|s| s.hash == hash)
        {
            prefetch(self.arena.as_ptr().wrapping_add(s.at as usize));
        }
    }

    fn put(&mut self, hash: u64, word: &str, terms: &str) {
        let (Ok(word_len), Ok(terms_len)) = (word.len().try_into(), terms.len().try_into()) else {
            return; // too long to be worth a slot
        };
        if self.arena.len() + word.len() + terms.len() > LOCAL_ARENA_BYTES {
            self.arena.clear();
            self.buckets.fill(Bucket::default());
        }
        let at = self.arena.len() as u32;
        self.arena.push_str(word);
        self.arena.push_str(terms);
        self.buckets[Self::bucket(hash)].0[WAYS - 1] = Slot {
            hash,
            at,
            word_len,
            terms_len,
        };
    }
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::new());
}

/// A hint to the processor to fetch the cache line at `p`; without effect elsewhere.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and never changes memory, whatever the address.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The hash the tables key a word by (never 0, which marks an empty slot).
fn word_hash(word: &str) -> u64 {
    FxBuildHasher.hash_one(word) | 1
}

/// Calls `f` with the encoded terms of a word, from the caches or analysed.
fn with_terms<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    with_hashed_terms(word, word_hash(word), f)
}

/// [`with_terms`] with the word's [`word_hash`].
fn with_hashed_terms<R>(word: &str, hash: u64, f: impl FnOnce(&str) -> R) -> R {
    LOCAL.with_borrow_mut(|local| {
        if let Some(terms) = local.get(hash, word) {
            return f(terms);
        }
        if let Some(terms) = shard(hash).get(word) {
            local.put(hash, word, terms);
            return f(terms);
        }
        let terms = encode(&analyse_word(word));
        local.put(hash, word, &terms);
        let out = f(&terms);
        let mut c = shard(hash);
        if c.len() >= CACHE_WORDS / CACHE_SHARDS {
            c.clear();
        }
        c.insert(word.into(), terms);
        out
    })
}

/// The distinct terms of one word as written (with its hyphens and capitalisation): the word
/// itself first, then its parts.
fn analyse_word(word: &str) -> Vec<String> {
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
    let mut terms: Vec<String> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        // The parts of compounds are a small vocabulary that recurs: their stems are cached.
        let stemmed = if i == 0 { stem(r) } else { stem_part(r) };
        if !stemmed.is_empty()
            && stemmed.len() <= MAX_TOKEN_BYTES
            && !terms.iter().any(|t| **t == *stemmed)
        {
            terms.push(stemmed);
        }
    }
    terms
}

/// A folded lowercase word's stem.
fn stem(word: &str) -> String {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::German);
    ier_verb_stem(&stemmer.stem(word)).to_string()
}

thread_local! {
    static PART_STEMS: RefCell<FxHashMap<String, String>> = RefCell::default();
}

/// [`stem`], cached: for the parts of compounds.
fn stem_part(part: &str) -> String {
    super::memo(&PART_STEMS, part, || stem(part))
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

/// The byte spans of the words of `text` at the `matched` positions (word numbers), each with a
/// term indexed there, in text order. Every term of a word is a piece of its folded lowercase
/// form (a stem is a prefix of it, a compound part a stretch of it): a position whose word
/// holds no piece of its term is another text's (the title or heading after the passage in
/// its field, when the passage ends in words that have no terms) and is not highlighted.
pub fn spans_at(text: &str, matched: &[(u32, &str)]) -> Vec<(usize, usize)> {
    let mut matched = matched.to_vec();
    matched.sort_unstable();
    let mut next = matched.into_iter().peekable();
    let mut lower = String::new();
    let mut out = Vec::new();
    for (position, (start, end)) in Words::new(text).enumerate() {
        let Some(&(at, _)) = next.peek() else {
            break;
        };
        if at as usize > position {
            continue;
        }
        let word = &text[start..end];
        let mut holds = false;
        while let Some((_, term)) = next.next_if(|(at, _)| *at as usize <= position) {
            holds = holds || has_hyphen(word) || is_piece(term, &folded(word, &mut lower));
        }
        if holds {
            out.push((start, end));
        }
    }
    out
}

/// The folded lowercase form of a word without hyphens (as [`analyse_word`] makes it), built
/// in `lower`.
fn folded<'a>(word: &str, lower: &'a mut String) -> std::borrow::Cow<'a, str> {
    lower.clear();
    if word.is_ascii() {
        lower.push_str(word);
        lower.make_ascii_lowercase();
    } else {
        *lower = word.to_lowercase();
    }
    fold(lower)
}

/// Whether a term can come from a word whose folded lowercase form is `key`: it is a stretch of
/// it, or a compound part whose dropped final `-e` the lexicon form restores.
fn is_piece(term: &str, key: &str) -> bool {
    key.contains(term) || term.strip_suffix('e').is_some_and(|t| key.contains(t))
}

/// The German tokens of a text.
pub fn analyze(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    for (position, (start, end)) in words(text).into_iter().enumerate() {
        with_terms(&text[start..end], |terms| {
            tokens.extend(decode(terms).map(|term| Token {
                offset_from: start,
                offset_to: end,
                position,
                text: term.to_string(),
                position_length: 1,
            }));
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn stream(tokenizer: &mut GermanTokenizer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut s = tokenizer.token_stream(text);
        while s.advance() {
            out.push(s.token().clone());
        }
        out
    }

    #[test]
    fn short_texts_are_replayed_as_analysed() {
        let title = "Atomwaffenprogramm: Süd-Korea verhandelt";
        let heading = "Die strategische Geduld";
        let long = "Ein langer Absatz über die Verhandlungen. ".repeat(10);
        let fresh = |text: &str| stream(&mut GermanTokenizer::default(), text);
        let mut t = GermanTokenizer::default();
        for _ in 0..3 {
            for text in [long.as_str(), title, heading, "Kurz.", "Noch kürzer."] {
                assert_eq!(stream(&mut t, text), fresh(text), "{text}");
            }
        }
        assert!(t.recent.iter().any(|r| r.complete && r.text == heading));
        // A stream left early records nothing that is replayed.
        t.token_stream("Zwei Wörter").advance();
        assert_eq!(stream(&mut t, "Zwei Wörter"), fresh("Zwei Wörter"));
        assert_eq!(stream(&mut t, "Zwei Wörter"), fresh("Zwei Wörter"));
    }

    /// Every word of `text` whose terms are not all in its folded lowercase form.
    fn words_with_foreign_terms(text: &str) -> Vec<(String, Vec<String>)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut lower = String::new();
        for (s, e) in words(text) {
            let word = &text[s..e];
            if has_hyphen(word) || !seen.insert(word.to_string()) {
                continue;
            }
            let key = folded(word, &mut lower).into_owned();
            let foreign: Vec<String> = analyse_word(word)
                .into_iter()
                .filter(|t| !is_piece(t, &key))
                .collect();
            if !foreign.is_empty() {
                out.push((word.to_string(), foreign));
            }
        }
        out
    }

    #[test]
    fn terms_are_pieces_of_the_folded_word() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut text = std::fs::read_to_string(format!("{fixtures}/seed.txt")).unwrap();
        text += &std::fs::read_to_string(format!("{fixtures}/xquad-de/corpus.jsonl")).unwrap();
        text += &std::fs::read_to_string(format!("{fixtures}/compounds-de.tsv")).unwrap();
        if let Ok(extra) = std::env::var("KORPUS_VOCABULARY") {
            text += &std::fs::read_to_string(extra).unwrap();
        }
        let foreign = words_with_foreign_terms(&text);
        assert!(foreign.is_empty(), "{} words: {foreign:?}", foreign.len());
    }

    #[test]
    fn the_words_at_matched_positions_are_highlighted_whole() {
        let text = "Die Langstreckenraketen flogen, Süd-Korea sah Raketen; Straßen blieben leer.";
        let terms = ["rak", "korea", "strass"];
        let matched: Vec<(u32, &str)> = (analyze(text).iter())
            .filter_map(|t| Some((t.position as u32, *terms.iter().find(|q| **q == t.text)?)))
            .collect();
        let marked: Vec<&str> = (spans_at(text, &matched).iter())
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            marked,
            ["Langstreckenraketen", "Süd-Korea", "Raketen", "Straßen"]
        );
        // Positions of a title after the text, or of a term its word cannot hold, are not
        // the text's words.
        assert_eq!(spans_at(text, &[(40, "rak"), (2, "korea")]), []);
    }

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
    fn words_are_runs_joined_by_single_hyphens() {
        let text = "Süd-Korea, Kim Jong\u{2011}un (2018) a--b -x y- Ärger…ß1 Atomwaffen- oder";
        let spans: Vec<&str> = words(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(
            spans,
            [
                "Süd-Korea",
                "Kim",
                "Jong\u{2011}un",
                "2018",
                "a",
                "b",
                "x",
                "y",
                "Ärger",
                "ß1",
                "Atomwaffen",
                "oder"
            ]
        );
        assert!(words("").is_empty() && words(" -–… ").is_empty());
    }

    #[test]
    fn cached_terms_are_the_analysed_terms() {
        // More distinct words than the per-thread table has slots, short and long, twice:
        // hits, misses and replaced slots all give what a fresh analysis gives.
        let words: Vec<String> = (0..LOCAL_BUCKETS * WAYS + 500)
            .flat_map(|i| {
                [
                    format!("Raketen{i}programm"),
                    format!("Bundesverfassungsgerichtsentscheidungs{i}verfahren"),
                ]
            })
            .chain(["Atomwaffenprogramm".into(), "Süd-Korea".into()])
            .collect();
        for _ in 0..2 {
            for w in &words {
                let cached: Vec<String> =
                    with_terms(w, |t| decode(t).map(str::to_string).collect());
                assert_eq!(cached, analyse_word(w), "{w}");
            }
        }
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

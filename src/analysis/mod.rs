//! Text analysis: the per-language analyzers (German, English, plain fallback) registered on
//! the index by one function, the analyzer fingerprint stored beside the index, and language
//! detection. The same analyzer serves indexing, queries and highlighting.

pub mod compound;
pub mod fold;
pub mod german;
mod lang;
pub mod stopwords;

use std::fmt;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer, TokenizerManager,
};

pub use lang::{detect_language, detect_language_of};

/// Tokens longer than this many bytes are dropped (tantivy's default of 40 would silently
/// drop long German compounds).
pub const MAX_TOKEN_BYTES: usize = 128;

/// The analyzer family a field uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    German,
    English,
    /// Any other language: lowercased words, no stemming.
    Plain,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::German, Lang::English, Lang::Plain];

    /// The analyzer family for an ISO 639-1 code.
    pub fn for_code(code: &str) -> Lang {
        match code {
            "de" => Lang::German,
            "en" => Lang::English,
            _ => Lang::Plain,
        }
    }

    /// Suffix of the index fields analysed this way (`text_de`, …).
    pub fn suffix(self) -> &'static str {
        match self {
            Lang::German => "de",
            Lang::English => "en",
            Lang::Plain => "xx",
        }
    }

    /// The name the analyzer is registered under.
    pub fn analyzer_name(self) -> &'static str {
        match self {
            Lang::German => "korpus_de",
            Lang::English => "korpus_en",
            Lang::Plain => "korpus_plain",
        }
    }

    /// A fresh analyzer of this family.
    pub fn analyzer(self) -> TextAnalyzer {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser);
        match self {
            Lang::German => TextAnalyzer::from(german::GermanTokenizer::default()),
            Lang::English => base.filter(Stemmer::new(Language::English)).build(),
            Lang::Plain => base.build(),
        }
    }
}

/// The byte spans, in text order, of the words of `text` (written in a language of family
/// `lang`) at the `matched` positions, each with a term indexed there: what a snippet
/// highlights. Positions past the text (those of the title or heading its field also holds)
/// are ignored.
pub fn spans_at(lang: Lang, text: &str, matched: &[(u32, &str)]) -> Vec<(usize, usize)> {
    if matched.is_empty() {
        return Vec::new();
    }
    if lang == Lang::German {
        return german::spans_at(text, matched);
    }
    let mut positions: Vec<usize> = matched.iter().map(|(p, _)| *p as usize).collect();
    positions.sort_unstable();
    let mut spans = Vec::new();
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        if positions.binary_search(&t.position).is_ok() {
            spans.push((t.offset_from, t.offset_to));
        }
    }
    spans
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::German => "German",
            Lang::English => "English",
            Lang::Plain => "plain",
        })
    }
}

/// Registers every korpus analyzer on a tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    for lang in Lang::ALL {
        manager.register(lang.analyzer_name(), lang.analyzer());
    }
}

/// Entries a per-thread memo keeps before it starts over.
const MEMO_ENTRIES: usize = 1 << 16;

/// A per-thread memo of a function of a word (stems and splits of compound parts, a small
/// vocabulary that recurs): the value kept for `key`, or `compute`d and kept. The memo is not
/// borrowed while `compute` runs, so it may use the same memo.
fn memo<V: Clone>(
    cache: &'static std::thread::LocalKey<std::cell::RefCell<rustc_hash::FxHashMap<String, V>>>,
    key: &str,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(v) = cache.with_borrow(|c| c.get(key).cloned()) {
        return v;
    }
    let v = compute();
    cache.with_borrow_mut(|c| {
        if c.len() >= MEMO_ENTRIES {
            c.clear();
        }
        c.insert(key.to_string(), v.clone());
    });
    v
}

/// The tokens an analyzer produces for `text` (offsets are byte offsets into `text`).
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |t: &Token| out.push(t.clone()));
    out
}

/// Pinned versions of the crates whose output is stored in the index.
pub const TANTIVY_VERSION: &str = "0.27.0";
pub const STEMMER_VERSION: &str = "frostem 1.20260804.0";
/// Bumped whenever an analyzer's output changes.
pub const ANALYZERS_VERSION: u32 = 3;

/// What an index's tokens depend on; an index built with another fingerprint is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub tantivy: String,
    pub stemmer: String,
    pub analyzers: u32,
    /// Hash of the German compound lexicon.
    pub lexicon: String,
}

impl Fingerprint {
    pub fn current() -> Fingerprint {
        Fingerprint {
            tantivy: TANTIVY_VERSION.into(),
            stemmer: STEMMER_VERSION.into(),
            analyzers: ANALYZERS_VERSION,
            lexicon: compound::LEXICON_HASH.into(),
        }
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tantivy {}, {}, analyzers v{}, lexicon {}",
            self.tantivy, self.stemmer, self.analyzers, self.lexicon
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_tokens(lang: Lang, text: &str, expected: &[&str]) {
        let toks: Vec<String> = tokens(&mut lang.analyzer(), text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(toks, expected);
    }

    #[test]
    fn german_stems_and_keeps_long_compounds() {
        assert_tokens(Lang::German, "Sanktionen Raketen", &["sanktion", "rak"]);
        assert_tokens(Lang::German, "Sanktion Rakete", &["sanktion", "rak"]);
        assert_tokens(Lang::German, "10:30 Uhr", &["10", "30", "uhr"]);
        let long =
            "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft";
        assert_eq!(tokens(&mut Lang::German.analyzer(), long).len(), 1);
    }

    #[test]
    fn english_stems() {
        assert_tokens(
            Lang::English,
            "negotiations negotiate",
            &["negoti", "negoti"],
        );
    }

    #[test]
    fn pinned_versions_match_the_lock_file() {
        let lock = include_str!("../../Cargo.lock");
        let version = |name: &str| {
            let pattern = format!("name = \"{name}\"\nversion = \"");
            let rest = &lock[lock.find(&pattern).unwrap() + pattern.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        assert_eq!(version("tantivy"), TANTIVY_VERSION);
        assert_eq!(format!("frostem {}", version("frostem")), STEMMER_VERSION);
    }
}

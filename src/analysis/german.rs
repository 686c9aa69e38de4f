//! The German analyzer, one pass per text: words are runs of letters and digits, and words
//! joined by hyphens (`Süd-Korea`, `Russland-Ukraine-Krieg`) form one word. Each word is
//! indexed at one position as itself (hyphens dropped), as its hyphen parts and as its compound
//! parts (`Atomwaffenprogramm` → `atomwaffen`, `atom`, `waffen`, `programm`); every token is
//! then folded (ä/ae → a, ö/oe → o, ü/ue → u, ß → ss) and stemmed (Snowball German). All
//! tokens of a word carry the word's offsets, so highlighting marks what the reader wrote.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::MAX_TOKEN_BYTES;
use super::compound;
use super::fold::fold;

#[derive(Clone, Default)]
pub struct GermanTokenizer;

/// Tokens computed up front for one text.
pub struct BufferedTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for BufferedTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for GermanTokenizer {
    type TokenStream<'a> = BufferedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedTokenStream {
        BufferedTokenStream {
            tokens: analyze(text),
            next: 0,
        }
    }
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// A word: its byte span and the spans of its hyphen-joined segments.
pub type Word = (usize, usize, Vec<(usize, usize)>);

/// The words of `text`.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            if run_start.is_none() {
                run_start = Some(i);
            }
            continue;
        }
        if let Some(s) = run_start.take() {
            segments.push((s, i));
            let joins = is_hyphen(c) && chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            if joins {
                continue;
            }
        }
        if !segments.is_empty() {
            let (start, end) = (segments[0].0, segments[segments.len() - 1].1);
            out.push((start, end, std::mem::take(&mut segments)));
        }
    }
    if let Some(s) = run_start {
        segments.push((s, text.len()));
    }
    if !segments.is_empty() {
        let (start, end) = (segments[0].0, segments[segments.len() - 1].1);
        out.push((start, end, segments));
    }
    out
}

/// The German tokens of a text.
pub fn analyze(text: &str) -> Vec<Token> {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::German);
    let mut tokens = Vec::new();
    let mut raw: Vec<String> = Vec::new();
    for (position, (start, end, segments)) in words(text).into_iter().enumerate() {
        raw.clear();
        let lower: Vec<String> = segments
            .iter()
            .map(|&(s, e)| fold(&text[s..e].to_lowercase()).into_owned())
            .collect();
        raw.push(lower.concat());
        if lower.len() > 1 {
            for seg in &lower {
                raw.push(seg.clone());
                raw.extend(compound::expansions(seg));
            }
        } else {
            raw.extend(compound::expansions(&lower[0]));
        }
        let capitalised = text[start..end].starts_with(char::is_uppercase);
        if capitalised {
            raw.extend(compound::without_genitive_s(&raw[0]));
        }
        let first = tokens.len();
        for word in &raw {
            let stemmed = stemmer.stem(word);
            if stemmed.len() > MAX_TOKEN_BYTES || stemmed.is_empty() {
                continue;
            }
            if tokens[first..].iter().any(|t: &Token| t.text == *stemmed) {
                continue;
            }
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position,
                text: stemmed.into_owned(),
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

//! Passage splitting: each block becomes one passage, and a long block becomes windows of
//! whole sentences of bounded size. Windows overlap by one short sentence so that a statement
//! at a window edge keeps its context; apart from that no text is lost or repeated.

use super::{Block, Passage};

/// Splits blocks into numbered passages.
#[derive(Debug, Clone)]
pub struct PassageSplitter {
    /// Longest passage, in characters, before a block is split into windows.
    pub max_chars: usize,
    /// Longest sentence repeated at the start of the next window.
    pub max_overlap_chars: usize,
}

impl Default for PassageSplitter {
    fn default() -> Self {
        PassageSplitter {
            max_chars: 1000,
            max_overlap_chars: 250,
        }
    }
}

impl PassageSplitter {
    /// Passages for the blocks, in order, numbered from `first` (1 for a whole article).
    pub fn split(&self, blocks: &[Block], first: u32) -> Vec<Passage> {
        let mut out = Vec::with_capacity(blocks.len());
        for block in blocks {
            for (start, end, text) in self.windows(&block.text) {
                out.push(Passage {
                    number: first + out.len() as u32,
                    kind: block.kind,
                    section: block.section.clone(),
                    text: text.to_string(),
                    range: (block.start + start, block.start + end),
                });
            }
        }
        out
    }

    /// Windows of `text` as (char start, char end, slice), trimmed of surrounding whitespace.
    pub fn windows<'a>(&self, text: &'a str) -> Vec<(usize, usize, &'a str)> {
        // Most blocks fit in one passage: no need to find their sentences.
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        let n = trimmed.chars().count();
        if n <= self.max_chars {
            let start = text[..text.len() - text.trim_start().len()].chars().count();
            return vec![(start, start + n, trimmed)];
        }
        self.sentence_windows(text)
    }

    /// Windows of whole sentences (see [`PassageSplitter::windows`]).
    fn sentence_windows<'a>(&self, text: &'a str) -> Vec<(usize, usize, &'a str)> {
        let pieces = self.pieces(text);
        if pieces.is_empty() {
            return Vec::new();
        }
        // Char offset of every byte boundary used by a piece, computed in one pass.
        let mut bounds: Vec<usize> = pieces.iter().flat_map(|&(s, e)| [s, e]).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut char_at = Vec::with_capacity(bounds.len());
        let (mut byte, mut chars) = (0, 0);
        for &b in &bounds {
            chars += text[byte..b].chars().count();
            byte = b;
            char_at.push(chars);
        }
        let to_char = |b: usize| char_at[bounds.binary_search(&b).unwrap_or(0)];

        let mut out = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            let mut j = i + 1;
            while j < pieces.len() && to_char(pieces[j].1) - to_char(pieces[i].0) <= self.max_chars
            {
                j += 1;
            }
            let (s, e) = (pieces[i].0, pieces[j - 1].1);
            out.push((to_char(s), to_char(e), &text[s..e]));
            if j >= pieces.len() {
                break;
            }
            // Start the next window with the last sentence of this one when it is short.
            let last = pieces[j - 1];
            let overlap = j - 1 > i && to_char(last.1) - to_char(last.0) <= self.max_overlap_chars;
            i = if overlap { j - 1 } else { j };
        }
        out
    }

    /// Sentences of `text` as trimmed byte ranges; sentences longer than `max_chars` are cut at
    /// whitespace (or, with no whitespace, at a character boundary).
    fn pieces(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (s, e) in sentences(text) {
            let mut start = s;
            while text[start..e].chars().count() > self.max_chars {
                let limit = text[start..e]
                    .char_indices()
                    .nth(self.max_chars)
                    .map_or(e, |(i, _)| start + i);
                let cut = text[start..limit]
                    .rfind(char::is_whitespace)
                    .filter(|&i| i > 0)
                    .map_or(limit, |i| start + i);
                out.push((start, cut));
                start = cut + text[cut..e].len() - text[cut..e].trim_start().len();
            }
            if start < e {
                out.push((start, e));
            }
        }
        out
    }
}

/// Sentence byte ranges, trimmed: a sentence ends after `.`, `!`, `?` or `…` (and any closing
/// quotes) followed by whitespace.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut prev_terminal = false;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if prev_terminal && let Some(s) = start.take() {
                out.push((s, end));
            }
            prev_terminal = false;
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        end = i + c.len_utf8();
        if matches!(c, '.' | '!' | '?' | '…') {
            prev_terminal = true;
        } else if !matches!(c, '"' | '“' | '”' | '»' | '«' | '’' | ')') {
            prev_terminal = false;
        }
    }
    if let Some(s) = start {
        out.push((s, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::PassageKind;
    use proptest::prelude::*;

    fn block(text: &str) -> Block {
        Block {
            kind: PassageKind::Body,
            section: None,
            text: text.to_string(),
            start: 10,
        }
    }

    /// Every non-space character of the block lies in some passage, and every passage is
    /// exactly the text at its range.
    fn assert_lossless(splitter: &PassageSplitter, text: &str) {
        let passages = splitter.split(&[block(text)], 1);
        let chars: Vec<char> = text.chars().collect();
        let mut covered = vec![false; chars.len()];
        for p in &passages {
            let (s, e) = (p.range.0 - 10, p.range.1 - 10);
            let at: String = chars[s..e].iter().collect();
            assert_eq!(at, p.text);
            assert!(p.text.chars().count() <= splitter.max_chars);
            covered[s..e].iter_mut().for_each(|c| *c = true);
        }
        for (i, c) in chars.iter().enumerate() {
            assert!(covered[i] || c.is_whitespace(), "char {i} {c:?} lost");
        }
    }

    proptest! {
        /// The shortcut for a block that fits gives what finding its sentences gives.
        #[test]
        fn a_block_that_fits_is_one_window(text in "[ \n]{0,3}[a-zäöü .!?\n\u{a0}]{0,80}[ ]{0,3}") {
            let s = PassageSplitter { max_chars: 60, max_overlap_chars: 20 };
            prop_assert_eq!(s.windows(&text), s.sentence_windows(&text));
        }
    }

    #[test]
    fn short_block_is_one_passage() {
        let p = PassageSplitter::default().split(&[block("Ein Satz. Noch einer.")], 1);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].range, (10, 31));
    }

    #[test]
    fn long_block_is_split_at_sentences_with_overlap() {
        let s = PassageSplitter {
            max_chars: 40,
            max_overlap_chars: 15,
        };
        let text = "Erster Satz hier. Zweiter Satz. Dritter Satz ist da. Kurz. Ende.";
        let w: Vec<&str> = s.windows(text).into_iter().map(|w| w.2).collect();
        assert_eq!(
            w,
            [
                "Erster Satz hier. Zweiter Satz.",
                "Zweiter Satz. Dritter Satz ist da. Kurz.",
                "Kurz. Ende."
            ]
        );
        assert_lossless(&s, text);
    }

    #[test]
    fn endless_sentence_is_cut_at_whitespace() {
        let s = PassageSplitter {
            max_chars: 10,
            max_overlap_chars: 3,
        };
        assert_lossless(&s, "aaaa bbbb cccc dddd eeee ffff");
        assert_lossless(&s, &"ä".repeat(35));
    }

    proptest! {
        #[test]
        fn splitting_loses_no_characters(text in "[a-zäöü .!?\n“]{0,400}", max in 5usize..80) {
            let s = PassageSplitter { max_chars: max, max_overlap_chars: max / 3 };
            assert_lossless(&s, &text);
        }
    }
}

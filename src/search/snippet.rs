//! Snippets: the part of a passage that best shows why it matched, with the matched words
//! highlighted as the reader wrote them. The passage is re-analysed with its own language's
//! analyzer, so a stemmed match (`Rakete` → `Raketen`) highlights the whole written word.
//! Only the hits shown are analysed.

use std::collections::HashSet;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, Lang};

/// Longest snippet in characters before the passage is cut around its best match.
pub const SNIPPET_CHARS: usize = 240;

/// A piece of a passage with highlighted byte ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges `[start, end)` of highlighted words in `text`, sorted, never overlapping,
    /// always on UTF-8 boundaries.
    pub highlights: Vec<(usize, usize)>,
}

/// Builds the snippet of `text`, written in a language of family `lang` that `analyzer`
/// analyses, for the analysed query `terms`.
pub fn snippet(
    lang: Lang,
    analyzer: &TextAnalyzer,
    text: &str,
    terms: &HashSet<String>,
    max_chars: usize,
) -> Snippet {
    let marks = analysis::matching_spans(lang, analyzer, text, terms);
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(marks.len());
    for (s, e) in marks {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    if text.chars().count() <= max_chars {
        return Snippet {
            text: text.to_string(),
            highlights: merged,
        };
    }
    let (start, end) = best_window(text, &merged, max_chars);
    let prefix = if start > 0 { "… " } else { "" };
    let suffix = if end < text.len() { " …" } else { "" };
    let shift = prefix.len();
    Snippet {
        text: format!("{prefix}{}{suffix}", &text[start..end]),
        highlights: merged
            .into_iter()
            .filter(|&(s, e)| s >= start && e <= end)
            .map(|(s, e)| (s - start + shift, e - start + shift))
            .collect(),
    }
}

/// The byte window of at most `max_chars` characters holding the most highlights, starting a
/// little before its first highlight and cut at word boundaries.
fn best_window(text: &str, marks: &[(usize, usize)], max_chars: usize) -> (usize, usize) {
    let window_end = |start: usize| -> usize {
        let end = text[start..]
            .char_indices()
            .nth(max_chars)
            .map_or(text.len(), |(i, _)| start + i);
        if end == text.len() {
            return end;
        }
        // cut after the last whole word
        text[start..end]
            .rfind(char::is_whitespace)
            .map_or(end, |i| start + i)
    };
    let context = max_chars / 5;
    let mut best = (0usize, window_end(0), 0usize);
    for &(s, _) in marks {
        // back up `context` characters, then to the start of a word
        let mut start = text[..s]
            .char_indices()
            .rev()
            .nth(context.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        if start > 0 {
            start = text[start..s]
                .find(char::is_whitespace)
                .map_or(s, |i| start + i + 1);
        }
        let end = window_end(start);
        let count = marks
            .iter()
            .filter(|&&(a, b)| a >= start && b <= end)
            .count();
        if count > best.2 {
            best = (start, end, count);
        }
    }
    (best.0, best.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    fn marked(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect()
    }

    #[test]
    fn stemmed_matches_highlight_the_written_word() {
        let s = snippet(
            Lang::German,
            &Lang::German.analyzer(),
            "Kim drohte mit Raketen. Die Rakete flog.",
            &terms(&["rak"]),
            SNIPPET_CHARS,
        );
        assert_eq!(marked(&s), ["Raketen", "Rakete"]);
    }

    #[test]
    fn long_passages_are_cut_around_the_match() {
        let text = format!(
            "{} Treffer hier. {}",
            "Wort ".repeat(100),
            "Ende ".repeat(100)
        );
        let s = snippet(
            Lang::German,
            &Lang::German.analyzer(),
            &text,
            &terms(&["treff"]),
            60,
        );
        assert!(
            s.text.starts_with("… ") && s.text.ends_with(" …"),
            "{}",
            s.text
        );
        assert!(s.text.chars().count() <= 64);
        assert_eq!(marked(&s), ["Treffer"]);
    }

    proptest! {
        #[test]
        fn highlights_lie_on_char_boundaries(text in "[a-zäöüß .,-]{0,300}", max in 10usize..100) {
            let s = snippet(Lang::German, &Lang::German.analyzer(), &text, &terms(&["a", "ab", "ä", "uß"]), max);
            for (a, b) in s.highlights {
                prop_assert!(a < b && b <= s.text.len());
                prop_assert!(s.text.is_char_boundary(a) && s.text.is_char_boundary(b));
            }
        }
    }
}

//! Snippets: the part of a passage that best shows why it matched, with the matched words
//! highlighted as the reader wrote them. Which words matched is read from the index (the
//! positions at which the query's terms are indexed in the hit), so a stemmed match
//! (`Rakete` → `Raketen`) highlights the whole written word and no passage is analysed again.

use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, Term};

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

/// What to highlight in one hit: the document, the field its text is indexed in, and the
/// analysed query terms.
pub struct Marking<'a> {
    pub doc: DocAddress,
    pub field: Field,
    pub terms: &'a [String],
}

/// For each hit, the word positions of its indexed text at which one of its terms is
/// indexed, with that term. The hits are visited by segment, field and document, so each
/// term's postings are read forward once per segment.
pub fn matches<'a>(
    searcher: &Searcher,
    hits: &[Marking<'a>],
) -> tantivy::Result<Vec<Vec<(u32, &'a str)>>> {
    let mut out = vec![Vec::new(); hits.len()];
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| (hits[i].doc.segment_ord, hits[i].field, hits[i].doc.doc_id));
    let mut positions = Vec::new();
    for group in order.chunk_by(|&a, &b| {
        (hits[a].doc.segment_ord, hits[a].field) == (hits[b].doc.segment_ord, hits[b].field)
    }) {
        let first = &hits[group[0]];
        let inverted = searcher
            .segment_reader(first.doc.segment_ord)
            .inverted_index(first.field)?;
        let mut postings = Vec::with_capacity(first.terms.len());
        for term in first.terms {
            let t = Term::from_field_text(first.field, term);
            if let Some(p) = inverted.read_postings(&t, IndexRecordOption::WithFreqsAndPositions)? {
                postings.push((p, term.as_str()));
            }
        }
        for &i in group {
            let doc = hits[i].doc.doc_id;
            for (p, term) in &mut postings {
                if p.doc() < doc {
                    p.seek(doc);
                }
                if p.doc() == doc {
                    p.positions(&mut positions);
                    out[i].extend(positions.iter().map(|&at| (at, *term)));
                }
            }
        }
    }
    Ok(out)
}

/// Builds the snippet of `text`, written in a language of family `lang`, whose words at the
/// `matched` positions (see [`matches`]) are highlighted.
pub fn snippet(lang: Lang, text: &str, matched: &[(u32, &str)], max_chars: usize) -> Snippet {
    let marks = analysis::spans_at(lang, text, matched);
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

    /// The snippet of a German `text` for the query `terms`, with the positions the analyzer
    /// indexes them at (as an index holds them).
    fn german(text: &str, terms: &[&str], max: usize) -> Snippet {
        let tokens = analysis::tokens(&mut Lang::German.analyzer(), text);
        let matched: Vec<(u32, &str)> = (tokens.iter())
            .filter_map(|t| {
                let term = terms.iter().find(|q| **q == t.text)?;
                Some((t.position as u32, *term))
            })
            .collect();
        snippet(Lang::German, text, &matched, max)
    }

    fn marked(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect()
    }

    #[test]
    fn stemmed_matches_highlight_the_written_word() {
        let s = german(
            "Kim drohte mit Raketen. Die Rakete flog.",
            &["rak"],
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
        let s = german(&text, &["treff"], 60);
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
            let s = german(&text, &["a", "ab", "ä", "uß"], max);
            for (a, b) in s.highlights {
                prop_assert!(a < b && b <= s.text.len());
                prop_assert!(s.text.is_char_boundary(a) && s.text.is_char_boundary(b));
            }
        }
    }
}

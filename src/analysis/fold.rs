//! Folding of German spellings: umlauts and their transcriptions with `e` (ä/ae → a, ö/oe → o,
//! ü/ue → u) and ß → ss, so that `Pjöngjang` meets `Pjoengjang` and `Straße` meets `Strasse`.
//! Used on lowercase words by the analyzer and, through `build.rs`, on the compound lexicon.

use std::borrow::Cow;

/// Folds a lowercase word.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word.is_ascii() && !word.contains("ae") && !word.contains("oe") && !word.contains("ue") {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    let mut prev: [char; 2] = [' ', ' '];
    for c in word.chars() {
        let folded = match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'ß' => {
                out.push_str("ss");
                prev = ['s', 's'];
                continue;
            }
            'e' if matches!(prev[1], 'a' | 'o') => continue,
            // `ue` after `q`, `a` or `e` is no umlaut (`Quelle`, `bauen`, `neue`).
            'e' if prev[1] == 'u' && !matches!(prev[0], 'q' | 'a' | 'e') => continue,
            c => c,
        };
        out.push(folded);
        prev = [prev[1], folded];
    }
    Cow::Owned(out)
}

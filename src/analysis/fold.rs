//! Folding of German spellings: umlauts and their transcriptions with `e` (ä/ae → a, ö/oe → o,
//! ü/ue → u) and ß → ss, so that `Pjöngjang` meets `Pjoengjang` and `Straße` meets `Strasse`.
//! Used on lowercase words by the analyzer and, through `build.rs`, on the compound lexicon.

use std::borrow::Cow;

/// Folds a lowercase word.
pub fn fold(word: &str) -> Cow<'_, str> {
    // One pass over the bytes (three substring searches cost more than the folding itself).
    let b = word.as_bytes();
    if b.is_ascii() && !(b.windows(2)).any(|w| w[1] == b'e' && matches!(w[0], b'a' | b'o' | b'u')) {
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

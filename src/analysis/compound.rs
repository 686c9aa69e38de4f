//! German compound splitting over an embedded lexicon (`data/lexicon-de.txt`, compiled into an
//! FST by `build.rs`). A word is split only into real words: every part is in the lexicon
//! (allowing the linking elements `-s-`, `-es-`, `-n-`, `-en-`, `-er-`, `-e-`, `-ns-` and a
//! dropped final `-e`), no part is a function word or a derivational suffix, and the parts
//! together are more frequent (geometric mean) than the word itself (Koehn & Knight, 2003).

use std::cell::{OnceCell, RefCell};
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::stopwords::is_stop_word;

static FST_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lexicon-de.fst"));

/// Hash of the lexicon source, part of the analyzer fingerprint.
pub const LEXICON_HASH: &str = env!("KORPUS_LEXICON_HASH");

static LEXICON: LazyLock<Option<fst::Map<&'static [u8]>>> =
    LazyLock::new(|| fst::Map::new(FST_BYTES).ok());

/// Zipf frequency × 10 of a lowercase word, if the lexicon has it.
pub fn zipf(word: &str) -> Option<u64> {
    LEXICON.as_ref()?.get(word)
}

/// Shortest word considered for splitting, in characters.
const MIN_WORD_CHARS: usize = 7;
/// Shortest head (last part); other parts have at least `MIN_MODIFIER_CHARS`.
const MIN_PART_CHARS: usize = 3;
const MIN_MODIFIER_CHARS: usize = 4;
/// Each part beyond two costs this much of the mean frequency (Zipf × 10).
const PART_PENALTY: f64 = 2.5;
const MAX_PARTS: usize = 4;
/// Parts must be at least this frequent (Zipf × 10); three-letter parts more so.
const MIN_PART_ZIPF: u64 = 25;
const MIN_SHORT_PART_ZIPF: u64 = 40;
const LINKS: [&str; 7] = ["ns", "es", "en", "er", "s", "n", "e"];
/// Endings that are derivational suffixes, never heads of a compound.
const SUFFIXES: [&str; 24] = [
    "heit", "heiten", "keit", "keiten", "ung", "ungen", "schaft", "schaften", "ling", "linge",
    "nis", "nisse", "lich", "liche", "lichen", "isch", "ische", "ischen", "chen", "lein", "bar",
    "haft", "tum", "itat",
];

/// One part of a split: its byte range in the word and the lexicon form it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub start: usize,
    pub end: usize,
    pub form: String,
    zipf: u64,
}

/// Which substrings of a word are lexicon words: for char boundaries `a < b`, the Zipf × 10 of
/// `word[a..b]` and of `word[a..b] + "e"` (0 if not a word). Each start's row is filled by one
/// walk of the FST, and only when the search reaches that start (after a first part), so a word
/// costs a walk per possible part, not a lookup per substring.
struct Substrings<'w> {
    fst: &'static fst::raw::Fst<&'static [u8]>,
    word: &'w [u8],
    bounds: Vec<usize>,
    rows: Vec<OnceCell<Vec<(u8, u8)>>>,
}

impl<'w> Substrings<'w> {
    fn new(word: &'w str) -> Option<Substrings<'w>> {
        let fst = LEXICON.as_ref()?.as_fst();
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain([word.len()])
            .collect();
        let rows = (0..bounds.len()).map(|_| OnceCell::new()).collect();
        Some(Substrings {
            fst,
            word: word.as_bytes(),
            bounds,
            rows,
        })
    }

    /// The row of start `a`: one walk of the FST along the word.
    fn walk(&self, a: usize) -> Vec<(u8, u8)> {
        let (fst, m) = (self.fst, self.bounds.len());
        let mut row = vec![(0u8, 0u8); m];
        let mut node = fst.root();
        let mut out = fst::raw::Output::zero();
        let mut b = a + 1;
        for (pos, &byte) in self.word.iter().enumerate().skip(self.bounds[a]) {
            let Some(i) = node.find_input(byte) else {
                break;
            };
            let t = node.transition(i);
            out = out.cat(t.out);
            node = fst.node(t.addr);
            if pos + 1 == self.bounds[b] {
                let cell = &mut row[b];
                if node.is_final() {
                    cell.0 = out.cat(node.final_output()).value().min(255) as u8;
                }
                if let Some(e) = node.find_input(b'e') {
                    let t = node.transition(e);
                    let next = fst.node(t.addr);
                    if next.is_final() {
                        cell.1 = out.cat(t.out).cat(next.final_output()).value().min(255) as u8;
                    }
                }
                b += 1;
            }
        }
        row
    }

    fn get(&self, a: usize, b: usize) -> (u64, u64) {
        let (z, ze) = self.rows[a].get_or_init(|| self.walk(a))[b];
        (u64::from(z), u64::from(ze))
    }

    /// Index of a byte offset among the char boundaries.
    fn index(&self, byte: usize) -> Option<usize> {
        self.bounds.binary_search(&byte).ok()
    }
}

/// The finest split of a lowercase word into lexicon words, or `None` if it is not a compound.
pub fn split(word: &str) -> Option<Vec<Part>> {
    let chars = word.chars().count();
    if chars < MIN_WORD_CHARS || !word.chars().all(char::is_alphabetic) {
        return None;
    }
    let subs = Substrings::new(word)?;
    let mut best: Option<(f64, Vec<Part>)> = None;
    let mut current = Vec::new();
    search(word, &subs, 0, &mut current, &mut best);
    // A word in `-isch` is never split inside that suffix (`hugenottischen` must not give
    // `hug|otti|schen`); `außen|politischen`, `schreib|tisch` are fine.
    if let (Some((_, parts)), Some(ending)) = (&best, isch_ending(word))
        && parts.last().is_some_and(|p| p.start >= word.len() - ending)
    {
        return None;
    }
    let (score, parts) = best?;
    let whole = subs.get(0, chars).0 as f64;
    (parts.len() >= 2 && score > whole).then_some(parts)
}

/// The length of a word's adjective ending `-isch` with its inflection, if it has one.
fn isch_ending(word: &str) -> Option<usize> {
    ["isch", "ische", "ischen", "ischer", "isches", "ischem"]
        .iter()
        .filter(|e| word.ends_with(*e))
        .map(|e| e.len())
        .max()
}

fn search(
    word: &str,
    subs: &Substrings,
    a: usize,
    current: &mut Vec<Part>,
    best: &mut Option<(f64, Vec<Part>)>,
) {
    if current.len() >= MAX_PARTS {
        return;
    }
    let last = subs.bounds.len() - 1;
    for b in a + MIN_PART_CHARS..=last {
        let (start, end) = (subs.bounds[a], subs.bounds[b]);
        let piece = &word[start..end];
        if b == last {
            if current.is_empty() {
                continue;
            }
            let z = subs.get(a, b).0;
            if z > 0 && !SUFFIXES.contains(&piece) && acceptable(piece, z) {
                current.push(Part {
                    start,
                    end,
                    form: piece.to_string(),
                    zipf: z,
                });
                let n = current.len() as f64;
                let score = current.iter().map(|p| p.zipf as f64).sum::<f64>() / n
                    - PART_PENALTY * (n - 2.0);
                let better = match best {
                    None => true,
                    Some((s, parts)) => score > *s || (score == *s && current.len() < parts.len()),
                };
                if better {
                    *best = Some((score, current.clone()));
                }
                current.pop();
            }
        } else if last - b >= MIN_PART_CHARS
            && b - a >= MIN_MODIFIER_CHARS
            && let Some((form, z)) = modifier(piece, subs, a, b)
        {
            current.push(Part {
                start,
                end,
                form,
                zipf: z,
            });
            search(word, subs, b, current, best);
            current.pop();
        }
    }
}

fn acceptable(form: &str, z: u64) -> bool {
    let chars = form.chars().count();
    chars >= MIN_PART_CHARS
        && z >= if chars == 3 {
            MIN_SHORT_PART_ZIPF
        } else {
            MIN_PART_ZIPF
        }
        && form.contains(['a', 'e', 'i', 'o', 'u', 'y'])
        && !is_stop_word(form)
}

/// The last part: a lexicon word that is not a suffix.
/// Particles that begin prefixed words (`Fortschritt`, `Unterordnung`), not compounds.
const PARTICLES: [&str; 12] = [
    "fort",
    "zuruck",
    "voran",
    "heraus",
    "hinaus",
    "herein",
    "hinein",
    "herum",
    "vorbei",
    "entgegen",
    "gegenuber",
    "nieder",
];

/// A non-final part with its linking element (`piece` is `word[a..b]` between char
/// boundaries): the lexicon form and its frequency.
fn modifier(piece: &str, subs: &Substrings, a: usize, b: usize) -> Option<(String, u64)> {
    let mut found: Option<(String, u64)> = None;
    let mut consider = |form: &dyn Fn() -> String, z: u64| {
        if z > 0 && found.as_ref().is_none_or(|(_, best)| z > *best) {
            let form = form();
            if acceptable(&form, z) {
                found = Some((form, z));
            }
        }
    };
    let (z, z_e) = subs.get(a, b);
    consider(&|| piece.to_string(), z);
    for link in LINKS {
        if let Some(stem) = piece.strip_suffix(link)
            && let Some(s) = subs.index(subs.bounds[a] + stem.len())
        {
            consider(&|| stem.to_string(), subs.get(a, s).0);
        }
    }
    consider(&|| format!("{piece}e"), z_e);
    if found.is_some() && (is_stop_word(piece) || PARTICLES.contains(&piece)) {
        return None;
    }
    found
}

/// A capitalised word's form without a genitive `-s` (`Warschaus` → `warschau`, `Chinas` →
/// `china`): when the word without it is in the lexicon and more frequent than with it. The
/// stemmer removes `-s` only after certain consonants, never after a vowel.
pub fn without_genitive_s(word: &str) -> Option<String> {
    let stem = word.strip_suffix('s')?;
    if stem.ends_with('s') || stem.chars().count() < 3 {
        return None;
    }
    match (zipf(stem), zipf(word)) {
        (Some(base), whole) => whole.is_none_or(|z| z < base).then(|| stem.to_string()),
        // An unknown name ending in a vowel + s (`Odingas`): the stemmer keeps that -s.
        (None, None) if stem.ends_with(['a', 'e', 'i', 'o', 'u', 'y']) => Some(stem.to_string()),
        (None, _) => None,
    }
}

/// The split with every part that is itself a compound split again, down to simple words.
pub fn split_fully(word: &str) -> Option<Vec<Part>> {
    let parts = split(word)?;
    let mut out = Vec::new();
    for p in parts {
        match split(&word[p.start..p.end]) {
            Some(sub) => out.extend(sub.into_iter().map(|s| Part {
                start: p.start + s.start,
                end: p.start + s.end,
                ..s
            })),
            None => out.push(p),
        }
    }
    Some(out)
}

/// Everything a compound is indexed as besides itself: its parts at every level, as lexicon
/// forms (`atomwaffen`, `atom`, `waffen`, `programm` for `atomwaffenprogramm`).
pub fn expansions(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(parts) = split(word) else {
        return out;
    };
    for p in parts {
        out.extend(part_expansions(&p.form));
        out.push(p.form);
    }
    out
}

thread_local! {
    static PART_EXPANSIONS: RefCell<FxHashMap<String, Vec<String>>> = RefCell::default();
}

/// [`expansions`] of a compound's part: parts are a small vocabulary that recurs, so long ones
/// (those that can be split) are cached.
fn part_expansions(part: &str) -> Vec<String> {
    if part.len() < MIN_WORD_CHARS {
        return Vec::new(); // fewer bytes than the shortest splittable word has characters
    }
    super::memo(&PART_EXPANSIONS, part, || expansions(part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fold::fold;

    fn surface(word: &str) -> String {
        match split_fully(word) {
            Some(parts) => parts
                .iter()
                .map(|p| &word[p.start..p.end])
                .collect::<Vec<_>>()
                .join("+"),
            None => word.to_string(),
        }
    }

    #[test]
    fn splits_the_seed_compounds() {
        assert_eq!(surface("atomwaffenprogramm"), "atom+waffen+programm");
        assert_eq!(surface("abschreckungsmittel"), "abschreckungs+mittel");
        assert_eq!(
            surface("wiedervereinigungskrieg"),
            "wiedervereinigungs+krieg"
        );
        assert_eq!(surface("bundesregierung"), "bundes+regierung");
        assert!(surface("langstreckenraketen").ends_with("+raketen"));
        let e = expansions("atomwaffenprogramm");
        assert_eq!(e, ["atom", "waffen", "atomwaffen", "programm"]);
        let e = expansions("wiedervereinigungskrieg");
        assert_eq!(e, ["wiedervereinigung", "krieg"]);
    }

    #[test]
    fn leaves_simple_words_alone() {
        for w in [
            "regierung",
            "wirtschaft",
            "verbindung",
            "prasident",
            "abschreckung",
            "hugenottischen",
        ] {
            assert_eq!(surface(w), w, "{w}");
        }
        assert_eq!(surface("aussenpolitischen"), "aussen+politischen");
    }

    /// Splitting quality on the labelled list in `tests/fixtures/compounds-de.tsv`.
    #[test]
    fn precision_and_recall_on_the_labelled_list() {
        let list = include_str!("../../tests/fixtures/compounds-de.tsv");
        let (mut compounds, mut simple) = (0, 0);
        let (mut split_words, mut correct, mut false_splits) = (0, 0, 0);
        let mut wrong = Vec::new();
        for line in list
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let (word, gold) = line.split_once('\t').expect("word<TAB>split");
            let word = fold(&word.to_lowercase()).into_owned();
            let gold = fold(gold).into_owned();
            let gold = gold.as_str();
            let got = surface(&word);
            let is_compound = gold.contains('+');
            if is_compound {
                compounds += 1;
            } else {
                simple += 1;
            }
            if got.contains('+') {
                split_words += 1;
                if !is_compound {
                    false_splits += 1;
                }
            }
            if is_compound && got == gold {
                correct += 1;
            } else if got != gold {
                wrong.push(format!("{word}: {got} (want {gold})"));
            }
        }
        let precision = correct as f64 / split_words.max(1) as f64;
        let recall = correct as f64 / compounds.max(1) as f64;
        eprintln!(
            "compound splitting: {compounds} compounds, {simple} simple words; precision {precision:.3}, recall {recall:.3}, false splits of simple words {false_splits}"
        );
        for w in &wrong {
            eprintln!("  {w}");
        }
        assert!(compounds >= 200 && simple >= 100);
        assert!(precision >= 0.80, "precision {precision:.3}");
        assert!(recall >= 0.70, "recall {recall:.3}");
    }
}

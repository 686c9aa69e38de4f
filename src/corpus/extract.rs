//! Conservative metadata extraction from free text: written dates (German, English, ISO),
//! bylines and author boxes, and publication/translation notes. Every rule prefers leaving a
//! field empty to filling it wrongly; the rules are listed in the README.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::Translation;

const DE_MONTHS: &str =
    "Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember";
const EN_MONTHS: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";

static DATE_DE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(\d{{1,2}})\.\s*({DE_MONTHS})\s+(\d{{4}})\b")).unwrap()
});
static DATE_EN_MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b({EN_MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
    ))
    .unwrap()
});
static DATE_EN_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({EN_MONTHS}),?\s+(\d{{4}})\b"
    ))
    .unwrap()
});
static DATE_ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").unwrap());
static DATE_NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b").unwrap());

fn month_number(name: &str) -> Option<i8> {
    let de = DE_MONTHS.split('|').position(|m| m == name);
    let en = EN_MONTHS.split('|').position(|m| m == name);
    match (de, en) {
        // "Jänner" is the second German spelling of January.
        (Some(i), _) => Some(if i >= 2 { i as i8 } else { 1 }),
        (None, Some(i)) => Some(i as i8 + 1),
        _ => None,
    }
}

fn ymd(y: &str, m: i8, d: &str) -> Option<Date> {
    Date::new(y.parse().ok()?, m, d.parse().ok()?).ok()
}

/// The first valid date written anywhere in `s`, in any of the supported notations.
pub fn find_date(s: &str) -> Option<Date> {
    let mut found: Vec<(usize, Date)> = Vec::new();
    for c in DATE_DE.captures_iter(s) {
        if let Some(d) = month_number(&c[2]).and_then(|m| ymd(&c[3], m, &c[1])) {
            found.push((c.get(0)?.start(), d));
        }
    }
    for c in DATE_EN_MDY.captures_iter(s) {
        if let Some(d) = month_number(&c[1]).and_then(|m| ymd(&c[3], m, &c[2])) {
            found.push((c.get(0)?.start(), d));
        }
    }
    for c in DATE_EN_DMY.captures_iter(s) {
        if let Some(d) = month_number(&c[2]).and_then(|m| ymd(&c[3], m, &c[1])) {
            found.push((c.get(0)?.start(), d));
        }
    }
    for c in DATE_ISO.captures_iter(s) {
        if let Some(d) = c[2].parse().ok().and_then(|m| ymd(&c[1], m, &c[3])) {
            found.push((c.get(0)?.start(), d));
        }
    }
    for c in DATE_NUMERIC.captures_iter(s) {
        if let Some(d) = c[2].parse().ok().and_then(|m| ymd(&c[3], m, &c[1])) {
            found.push((c.get(0)?.start(), d));
        }
    }
    found
        .into_iter()
        .min_by_key(|(pos, _)| *pos)
        .map(|(_, d)| d)
}

/// A metadata date field: ISO (`2025-02-26`, also with a time part) or a written date.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Some(prefix) = s.get(..10)
        && let Ok(d) = prefix.parse::<Date>()
    {
        return Some(d);
    }
    find_date(s)
}

const NAME_PART: &str = r"(?:[A-ZÄÖÜ][\p{L}'’.\-]+|von|van|de|der|den|da|di|zu|bin|al)";

static BIO_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^({NAME_PART}(?:\s+{NAME_PART}){{1,4}}?)(?:,|\s+(?:ist|war|lebt|arbeitet|schreibt|forscht|lehrt|leitet|is|was|writes|works|teaches|leads)\b)"
    ))
    .unwrap()
});

static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:Von|By)\s+({NAME_PART}(?:\s+{NAME_PART}){{1,3}}(?:\s*(?:,|und|and|&)\s*{NAME_PART}(?:\s+{NAME_PART}){{1,3}})*)\s*(?:[,|·–-].*)?$"
    ))
    .unwrap()
});

/// The person an author box describes: the name its first sentence opens with.
pub fn author_from_bio(paragraph: &str) -> Option<String> {
    let c = BIO_NAME.captures(paragraph.trim())?;
    let name = c[1].trim().to_string();
    const NOT_NAMES: &[&str] = &[
        "Der", "Die", "Das", "Ein", "Eine", "Unser", "Unsere", "Dieser", "Diese", "The", "A", "An",
        "Our", "This", "Sie", "Er", "She", "He",
    ];
    if NOT_NAMES.contains(&name.split_whitespace().next().unwrap_or("")) {
        return None;
    }
    // A name starts with a capital; a lone capitalised word is too weak a signal.
    (name.split_whitespace().count() >= 2).then_some(name)
}

/// The authors named by a byline such as `Von Anna Muster und Max Beispiel`.
pub fn byline(line: &str) -> Option<Vec<String>> {
    let c = BYLINE.captures(line.trim())?;
    static SEPARATOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s*(?:,|\bund\b|\band\b|&)\s*").unwrap());
    let names: Vec<String> = SEPARATOR
        .split(&c[1])
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

static FIRST_PUBLISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(zuerst|erstmals|ursprünglich|originally|first)\b.*\b(erschienen|veröffentlicht|publi(?:shed|ziert))\b|\b(erschienen|veröffentlicht|published)\b.*\b(zuerst|erstmals|ursprünglich|originally|first)\b").unwrap()
});
static OUTLET_QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:magazin|zeitung|zeitschrift|portal|website|blog|magazine|newspaper|journal)\s+[„“”»«‚‘'\x22]([^“”»«‘’'\x22]{2,60})[“”»«‘’'\x22]").unwrap()
});
static OUTLET_PLAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:Magazin|Zeitung|Zeitschrift|Portal|magazine|newspaper)\s+((?:[A-ZÄÖÜ][\p{L}\d.&\-]*)(?:\s+[A-ZÄÖÜ][\p{L}\d.&\-]*){0,3})").unwrap()
});
static FROM_LANGUAGE_DE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"aus dem (\p{Lu}\p{Ll}+en)\b").unwrap());
static FROM_LANGUAGE_WRITTEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"in (\p{Ll}+er) Sprache( vor)?").unwrap());
static FROM_LANGUAGE_EN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)translated from (?:the )?(\p{L}+)").unwrap());

fn language_code(name: &str) -> Option<&'static str> {
    let n = name.to_lowercase();
    let stem = n.trim_end_matches("en").trim_end_matches("er");
    Some(match stem {
        s if s.starts_with("englisch") || s == "english" => "en",
        s if s.starts_with("deutsch") || s == "german" => "de",
        s if s.starts_with("französisch") || s == "french" => "fr",
        s if s.starts_with("spanisch") || s == "spanish" => "es",
        s if s.starts_with("italienisch") || s == "italian" => "it",
        s if s.starts_with("russisch") || s == "russian" => "ru",
        s if s.starts_with("ukrainisch") || s == "ukrainian" => "uk",
        s if s.starts_with("polnisch") || s == "polish" => "pl",
        s if s.starts_with("niederländisch") || s == "dutch" => "nl",
        s if s.starts_with("chinesisch") || s == "chinese" => "zh",
        s if s.starts_with("japanisch") || s == "japanese" => "ja",
        s if s.starts_with("koreanisch") || s == "korean" => "ko",
        s if s.starts_with("arabisch") || s == "arabic" => "ar",
        s if s.starts_with("türkisch") || s == "turkish" => "tr",
        _ => return None,
    })
}

/// Outlet names as written in notes: quotes and final stops removed, and a bare domain such as
/// `ForeignPolicy.com` turned into its name (`Foreign Policy`).
pub fn clean_outlet(raw: &str) -> Option<String> {
    let s = raw
        .trim()
        .trim_end_matches(['.', ',', ';', ':'])
        .trim_matches(|c: char| "„“”»«‚‘'\"".contains(c))
        .trim();
    if s.is_empty() {
        return None;
    }
    static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:www\.)?([A-Za-z][A-Za-z0-9]*)\.(?:com|org|net|de|at|ch|co\.uk|eu|info)$")
            .unwrap()
    });
    if let Some(c) = DOMAIN.captures(s) {
        let name = &c[1];
        let mut out = String::new();
        for (i, ch) in name.char_indices() {
            let prev_lower = i > 0 && name[..i].chars().last().is_some_and(char::is_lowercase);
            if ch.is_uppercase() && prev_lower {
                out.push(' ');
            }
            out.push(ch);
        }
        return Some(out);
    }
    Some(s.to_string())
}

/// True for notes about where and how a text was published or translated.
pub fn is_publication_note(s: &str) -> bool {
    let l = s.to_lowercase();
    FIRST_PUBLISHED.is_match(s)
        || l.contains("übersetzt")
        || l.contains("übersetzungen")
        || l.contains("translated")
        || (l.contains("dieser artikel") && l.contains("erschienen"))
}

/// Translation facts gathered from notes (summary bullets and trailing notes, in order).
/// Each fact is taken from the first note that states it.
pub fn translation_facts<'a>(notes: impl IntoIterator<Item = &'a str>) -> Option<Translation> {
    let mut t = Translation::default();
    let notes_vec: Vec<&str> = notes.into_iter().collect();
    for &note in &notes_vec {
        let lower = note.to_lowercase();
        if (lower.contains("übersetzt") || lower.contains("übersetzung"))
            && (lower.contains("automatisiert") || lower.contains("maschinell"))
            || lower.contains("machine-translated")
            || lower.contains("machine translated")
            || lower.contains("automatically translated")
        {
            t.machine = true;
        }
        if t.from.is_none() && (lower.contains("übersetzt") || lower.contains("translated")) {
            t.from = FROM_LANGUAGE_DE
                .captures(note)
                .or_else(|| FROM_LANGUAGE_EN.captures(note))
                .and_then(|c| language_code(&c[1]))
                .map(str::to_string);
        }
        if FIRST_PUBLISHED.is_match(note) {
            if t.original_published.is_none() {
                t.original_published = find_date(note);
            }
            if t.original_source.is_none() {
                t.original_source = OUTLET_QUOTED
                    .captures(note)
                    .or_else(|| OUTLET_PLAIN.captures(note))
                    .and_then(|c| clean_outlet(&c[1]));
            }
        }
    }
    // "zuerst … in englischer Sprache erschienen" names the original language only when no
    // note says what it was translated from ("liegt … in deutscher Sprache vor" is the
    // language of this version, not of the original).
    if t.from.is_none() {
        t.from = notes_vec
            .iter()
            .filter(|n| FIRST_PUBLISHED.is_match(n))
            .flat_map(|n| FROM_LANGUAGE_WRITTEN.captures_iter(n))
            .find(|c| c.get(2).is_none())
            .and_then(|c| language_code(&c[1]))
            .map(str::to_string);
    }
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<Date> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn dates_in_all_notations() {
        assert_eq!(find_date("am 26. Februar 2025 erschienen"), d("2025-02-26"));
        assert_eq!(find_date("on February 26, 2025."), d("2025-02-26"));
        assert_eq!(find_date("on 26 February 2025."), d("2025-02-26"));
        assert_eq!(find_date("Stand: 2025-02-26"), d("2025-02-26"));
        assert_eq!(find_date("Stand: 26.02.2025"), d("2025-02-26"));
        assert_eq!(find_date("am 1. Jänner 2024"), d("2024-01-01"));
        assert_eq!(find_date("am 31. Februar 2025"), None);
        assert_eq!(find_date("Im Januar 2024 gab Kim"), None);
        assert_eq!(parse_date("2025-02-26T10:00:00Z"), d("2025-02-26"));
        assert_eq!(parse_date("gestern"), None);
    }

    #[test]
    fn author_from_a_bio_and_a_byline() {
        assert_eq!(
            author_from_bio("Bilahari Kausikan ist Vorsitzender des Middle East Institute.")
                .as_deref(),
            Some("Bilahari Kausikan")
        );
        assert_eq!(
            author_from_bio("Jane van der Berg is a fellow.").as_deref(),
            Some("Jane van der Berg")
        );
        assert_eq!(author_from_bio("Die Autorin ist Professorin."), None);
        assert_eq!(
            byline("Von Anna Muster und Max Beispiel"),
            Some(vec!["Anna Muster".to_string(), "Max Beispiel".to_string()])
        );
        assert_eq!(byline("Von Berlin aus gesehen ist das anders."), None);
    }

    #[test]
    fn translation_notes_of_the_seed() {
        let t = translation_facts([
            "Dieser Artikel liegt erstmals in deutscher Sprache vor – zuerst veröffentlicht hatte ihn am 26. Februar 2025 das Magazin Foreign Policy.",
            "Wir testen zurzeit maschinelle Übersetzungen. Dieser Artikel wurde aus dem Englischen automatisiert ins Deutsche übersetzt.",
            "Dieser Artikel war zuerst am 26. Februar 2025 in englischer Sprache im Magazin „ForeignPolicy.com“ erschienen.",
        ])
        .unwrap();
        assert!(t.machine);
        assert_eq!(t.from.as_deref(), Some("en"));
        assert_eq!(t.original_source.as_deref(), Some("Foreign Policy"));
        assert_eq!(t.original_published, d("2025-02-26"));
    }

    #[test]
    fn outlet_names_are_cleaned() {
        assert_eq!(
            clean_outlet("„ForeignPolicy.com“").as_deref(),
            Some("Foreign Policy")
        );
        assert_eq!(clean_outlet("Der Spiegel.").as_deref(), Some("Der Spiegel"));
        assert_eq!(translation_facts(["Ein ganz normaler Satz."]), None);
    }
}

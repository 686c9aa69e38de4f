//! A page's metadata, in this order of trust: JSON-LD (`NewsArticle` and its kin, also inside
//! `@graph`), then OpenGraph and `article:` tags, then `<meta name=…>`, `<time datetime>`,
//! `<html lang>` and `<link rel=canonical>`, then the `<title>` without the site name. Bylines
//! and dates in the text are read by the caller, after the main text is known.

use std::sync::LazyLock;

use super::parse::Tree;
use jiff::civil::Date;
use serde_json::Value;

use crate::corpus::extract::parse_date;

/// What the page says about itself; every field may be missing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageMeta {
    pub title: Option<String>,
    /// The `<title>` as written, site name and all.
    pub page_title: Option<String>,
    pub h1: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<Date>,
    pub modified: Option<Date>,
    pub source: Option<String>,
    pub lang: Option<String>,
    pub description: Option<String>,
    pub section: Option<String>,
    pub keywords: Vec<String>,
    pub url: Option<String>,
}

/// The JSON-LD types that describe an article.
const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "AskPublicExpertsNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "Report",
    "TechArticle",
    "ScholarlyArticle",
    "SocialMediaPosting",
];

/// What one pass over a page finds for the metadata.
#[derive(Default)]
struct Found<'a> {
    json_ld: Vec<String>,
    tags: Vec<(String, String)>,
    title: Option<String>,
    h1: Option<String>,
    canonical: Option<&'a str>,
    lang: Option<&'a str>,
    time: Option<&'a str>,
    /// Elements whose class or role names a byline, an author or a date.
    bylines: Vec<usize>,
    /// Elements whose class names the site's brand, logo or copyright line.
    brands: Vec<usize>,
}

/// Reads the metadata of a parsed page, in one pass over its elements.
pub fn read(tree: &Tree) -> PageMeta {
    let f = scan(tree);
    let mut m = PageMeta::default();
    for raw in &f.json_ld {
        if let Some(article) = json_ld_article(raw) {
            apply_json_ld(&mut m, &article.0, &article.1);
            break;
        }
    }
    apply_meta_tags(&mut m, &f.tags);
    if m.url.is_none() {
        m.url = (f.canonical.map(str::trim))
            .filter(|u| u.starts_with("http"))
            .map(str::to_string);
    }
    if m.lang.is_none() {
        m.lang = f.lang.and_then(lang_code);
    }
    if m.published.is_none() {
        m.published = f.time.and_then(parse_date);
    }
    m.page_title = f.title.filter(|t| !t.is_empty());
    m.h1 = f.h1.filter(|t| !t.is_empty());
    bylines(tree, &f.bylines, &mut m);
    if m.source.is_none() {
        m.source = brand(tree, &f.brands, m.page_title.as_deref());
    }
    m.title = title(&m);
    if m.source.is_none() {
        m.source = m.page_title.as_deref().and_then(|t| split_title(t).1);
    }
    m
}

fn scan(tree: &Tree) -> Found<'_> {
    let mut f = Found::default();
    for (id, entering) in tree.walk(0) {
        let el = &tree.nodes[id];
        let (true, Some(tag)) = (entering, el.tag()) else {
            continue;
        };
        match tag {
            "script"
                if el
                    .attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
            {
                f.json_ld.push(tree.text_of(id, usize::MAX));
            }
            "meta" => {
                let key = (el.attr("property"))
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"))
                    .or_else(|| el.attr("http-equiv"));
                if let (Some(k), Some(v)) = (key, el.attr("content")) {
                    let v = clean(v);
                    if !v.is_empty() {
                        f.tags.push((k.to_ascii_lowercase(), v));
                    }
                }
            }
            "title" if f.title.is_none() => f.title = Some(clean(&tree.text_of(id, 1000))),
            "h1" if f.h1.is_none() => f.h1 = Some(clean(&tree.text_of(id, 1000))),
            "link"
                if f.canonical.is_none()
                    && el.attr("rel").is_some_and(|r| {
                        r.split_whitespace()
                            .any(|w| w.eq_ignore_ascii_case("canonical"))
                    }) =>
            {
                f.canonical = el.attr("href");
            }
            "html" if f.lang.is_none() => f.lang = el.attr("lang").or_else(|| el.attr("xml:lang")),
            "time" if f.time.is_none() => f.time = el.attr("datetime"),
            _ => {}
        }
        let (mut class, mut author_attr) = ("", false);
        for (name, value) in el.attrs() {
            match name {
                "class" => class = value,
                "rel" | "itemprop" => author_attr |= value.contains("author"),
                _ => {}
            }
        }
        if class.is_empty() && !author_attr {
            continue;
        }
        let (byline, brand) = class_marks(class);
        if f.bylines.len() < 40 && (author_attr || byline) {
            f.bylines.push(id);
        }
        if f.brands.len() < 20 && brand {
            f.brands.push(id);
        }
    }
    f
}

/// Whether a class attribute names a byline (an author, a date) or the site's brand.
fn class_marks(class: &str) -> (bool, bool) {
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        (aho_corasick::AhoCorasick::builder())
            .ascii_case_insensitive(true)
            .build(BYLINE_WORDS.iter().chain(BRAND_WORDS))
            .expect("fixed words")
    });
    let (mut byline, mut brand) = (false, false);
    for m in WORDS.find_overlapping_iter(class) {
        if m.pattern().as_usize() < BYLINE_WORDS.len() {
            byline = true;
        } else {
            brand = true;
        }
    }
    (byline, brand)
}

const BYLINE_WORDS: &[&str] = &["byline", "author", "autor", "date", "datum", "time", "meta"];
const BRAND_WORDS: &[&str] = &["brand", "logo", "site-name", "sitename", "copyright"];

/// Authors and a written date from the page's byline elements, where the metadata had none.
fn bylines(tree: &Tree, candidates: &[usize], m: &mut PageMeta) {
    for e in candidates {
        if !m.authors.is_empty() && m.published.is_some() {
            return;
        }
        let text = clean(&tree.text_of(*e, 400));
        if text.is_empty() || text.chars().count() > 200 {
            continue;
        }
        if m.authors.is_empty()
            && let Some(names) = crate::corpus::extract::byline(&text)
        {
            m.authors = names.into_iter().filter(|n| !is_job_title(n)).collect();
        }
        if m.published.is_none() {
            m.published = crate::corpus::extract::find_date(&text);
        }
    }
}

/// `Staff Writer`, `Korrespondent`: a role in a byline, not a name.
fn is_job_title(name: &str) -> bool {
    const ROLES: &[&str] = &[
        "staff",
        "writer",
        "reporter",
        "correspondent",
        "editor",
        "redakteur",
        "redakteurin",
        "korrespondent",
        "korrespondentin",
        "redaktion",
        "autor",
        "autorin",
        "contributor",
    ];
    name.split_whitespace()
        .any(|w| ROLES.contains(&w.to_lowercase().as_str()))
}

/// The site's name from its logo, brand or copyright line, when a part of the `<title>` says
/// the same (`Capital Wire: …` with `© 2022 Capital Wire`).
fn brand(tree: &Tree, candidates: &[usize], page_title: Option<&str>) -> Option<String> {
    let title = page_title?.to_lowercase();
    for e in candidates {
        let text = clean(&tree.text_of(*e, 200));
        let name = text
            .trim_start_matches(['©', ' '])
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ')
            .split(['.', '|', '–'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let words = name.split_whitespace().count();
        if (1..=4).contains(&words) && strip_site(&title, &name.to_lowercase()) != title {
            return Some(name);
        }
    }
    None
}

/// The headline: JSON-LD or OpenGraph, else the first `<h1>` when the `<title>` contains it,
/// else the `<title>` without the site name. A site name is cut from any of them.
fn title(m: &PageMeta) -> Option<String> {
    let strip = |t: &str| match &m.source {
        Some(site) => strip_site(t, site),
        None => t.to_string(),
    };
    if let Some(t) = &m.title {
        return Some(strip(t));
    }
    if let (Some(h1), Some(page)) = (&m.h1, &m.page_title)
        && page.contains(h1.as_str())
    {
        return Some(h1.clone());
    }
    let page = m.page_title.as_deref()?;
    let stripped = strip(page);
    if stripped != page {
        return Some(stripped);
    }
    Some(split_title(page).0)
}

/// Separators between a headline and a site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" | ", " – ", " — ", " - ", " :: ", " · ", " » ", " / "];

/// Splits `Headline | Site` (or `Site | Headline`) when one side is short enough to be a
/// site name: returns the headline and the site name.
fn split_title(t: &str) -> (String, Option<String>) {
    for sep in TITLE_SEPARATORS {
        if let Some((a, b)) = t.rsplit_once(sep) {
            let (a, b) = (a.trim(), b.trim());
            let words = |s: &str| s.split_whitespace().count();
            if words(b) <= 4 && words(a) > words(b) {
                return (a.to_string(), Some(b.to_string()));
            }
            if words(a) <= 3 && words(b) > words(a) + 2 && !a.ends_with(':') {
                return (b.to_string(), Some(a.to_string()));
            }
        }
    }
    (t.to_string(), None)
}

/// The site a feed's title names: `Hanse-Rundschau – Politik` → `Hanse-Rundschau`.
pub fn site_of_feed(title: &str) -> String {
    let t = clean(title);
    TITLE_SEPARATORS
        .iter()
        .chain(&[": "])
        .filter_map(|sep| t.split_once(sep).map(|(a, _)| a.trim().to_string()))
        .min_by_key(String::len)
        .unwrap_or(t)
}

/// Cuts a known site name off the start or end of a title (`Headline | Site`, `Site: Headline`).
fn strip_site(t: &str, site: &str) -> String {
    let site_l = site.to_lowercase();
    let t_l = t.to_lowercase();
    let seps: Vec<&str> = TITLE_SEPARATORS.iter().copied().chain([": "]).collect();
    for sep in &seps {
        if let Some(i) = t_l.rfind(sep)
            && same_site(&t_l[i + sep.len()..], &site_l)
        {
            return t[..i].trim().to_string();
        }
        if let Some(i) = t_l.find(sep)
            && same_site(&t_l[..i], &site_l)
        {
            return t[i + sep.len()..].trim().to_string();
        }
    }
    t.to_string()
}

fn same_site(part: &str, site: &str) -> bool {
    let norm = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let (p, s) = (norm(part), norm(site));
    !p.is_empty() && (p == s || p.trim_end_matches("de").trim_end_matches("com") == s)
}

/// Finds the first article object in a JSON-LD block, with the whole block for `@id` look-ups.
fn json_ld_article(raw: &str) -> Option<(Value, Vec<Value>)> {
    // Raw line breaks inside strings are common and invalid JSON: read them as spaces.
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let value: Value = serde_json::from_str(cleaned.trim()).ok()?;
    let mut objects = Vec::new();
    flatten(value, &mut objects, 0);
    let article = objects.iter().find(|o| is_article(o))?.clone();
    Some((article, objects))
}

/// Every object of a JSON-LD block: top-level objects, array items and `@graph` members.
fn flatten(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten(i, out, depth + 1)),
        Value::Object(mut o) => {
            if let Some(graph) = o.remove("@graph") {
                flatten(graph, out, depth + 1);
            }
            out.push(Value::Object(o));
        }
        _ => {}
    }
}

fn is_article(o: &Value) -> bool {
    match o.get("@type") {
        Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
        Some(Value::Array(ts)) => ts
            .iter()
            .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
        _ => false,
    }
}

fn apply_json_ld(m: &mut PageMeta, a: &Value, all: &[Value]) {
    let resolve = |v: &Value| -> Value {
        match v.get("@id").and_then(Value::as_str) {
            Some(id) if v.get("name").is_none() => all
                .iter()
                .find(|o| o.get("@id").and_then(Value::as_str) == Some(id))
                .cloned()
                .unwrap_or_else(|| v.clone()),
            _ => v.clone(),
        }
    };
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(clean)
            .filter(|s| !s.is_empty())
    };
    m.title = text(a.get("headline")).or_else(|| text(a.get("name")));
    m.published = text(a.get("datePublished"))
        .or_else(|| text(a.get("dateCreated")))
        .and_then(|d| parse_date(&d));
    m.modified = text(a.get("dateModified")).and_then(|d| parse_date(&d));
    m.description = text(a.get("description"));
    m.url = text(a.get("url"))
        .or_else(|| text(a.get("mainEntityOfPage")))
        .or_else(|| text(a.get("mainEntityOfPage").and_then(|p| p.get("@id"))))
        .filter(|u| u.starts_with("http"));
    m.lang = match a.get("inLanguage") {
        Some(Value::String(s)) => lang_code(s),
        Some(o @ Value::Object(_)) => text(o.get("alternateName")).and_then(|s| lang_code(&s)),
        _ => None,
    };
    m.section = match a.get("articleSection") {
        Some(Value::Array(items)) => text(items.first()),
        other => text(other),
    };
    m.keywords = match a.get("keywords") {
        Some(Value::String(s)) => split_list(s, ','),
        Some(Value::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        _ => Vec::new(),
    };
    let persons: Vec<Value> = match a.get("author").or_else(|| a.get("creator")) {
        Some(Value::Array(items)) => items.iter().map(resolve).collect(),
        Some(v) => vec![resolve(v)],
        None => Vec::new(),
    };
    for p in persons {
        let name = match &p {
            Value::String(s) => Some(clean(s)),
            o => text(o.get("name")),
        };
        if let Some(name) = name.filter(|n| is_person_name(n)) {
            m.authors.extend(split_names(&name));
        }
    }
    m.source = a
        .get("publisher")
        .map(resolve)
        .and_then(|p| match &p {
            Value::String(s) => Some(clean(s)),
            o => text(o.get("name")),
        })
        .filter(|s| !s.is_empty());
}

/// OpenGraph, `article:` and named meta tags fill what JSON-LD left empty.
fn apply_meta_tags(m: &mut PageMeta, tags: &[(String, String)]) {
    let get = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| tags.iter().find(|(tk, _)| tk == k).map(|(_, v)| v.clone()))
    };
    if m.source.is_none() {
        m.source = get(&[
            "og:site_name",
            "application-name",
            "publisher",
            "dc.publisher",
        ]);
    }
    if m.title.is_none() {
        m.title = get(&["og:title", "twitter:title", "dc.title", "headline"]);
    }
    if m.url.is_none() {
        m.url = get(&["og:url"]).filter(|u| u.starts_with("http"));
    }
    if m.description.is_none() {
        m.description = get(&["og:description", "description", "dc.description"]);
    }
    if m.published.is_none() {
        m.published = get(&[
            "article:published_time",
            "datepublished",
            "date",
            "pubdate",
            "publishdate",
            "publish-date",
            "dc.date.issued",
            "dc.date",
            "dcterms.date",
            "citation_publication_date",
            "sailthru.date",
            "parsely-pub-date",
            "og:published_time",
        ])
        .and_then(|d| parse_date(&d));
    }
    if m.authors.is_empty() {
        let names: Vec<String> = tags
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "author"
                        | "article:author"
                        | "dc.creator"
                        | "byl"
                        | "parsely-author"
                        | "sailthru.author"
                )
            })
            .map(|(_, v)| v.clone())
            .filter(|v| is_person_name(v))
            .collect();
        for n in names {
            for name in split_names(&n) {
                if !m.authors.contains(&name) {
                    m.authors.push(name);
                }
            }
        }
    }
    if m.lang.is_none() {
        m.lang = get(&["content-language", "dc.language", "language", "og:locale"])
            .and_then(|l| lang_code(&l));
    }
    if m.section.is_none() {
        m.section = get(&["article:section"]);
    }
    if m.keywords.is_empty() {
        m.keywords = get(&["news_keywords", "keywords"])
            .map(|k| split_list(&k, ','))
            .unwrap_or_default();
    }
}

/// `Von Anna Müller, Peter Schmidt und Lena Park` → the three names.
fn split_names(s: &str) -> Vec<String> {
    let s = s.trim();
    let s = ["Von ", "von ", "By ", "by "]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(s);
    static SEP: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\s*(?:,|;|\bund\b|\band\b|&)\s*").unwrap());
    SEP.split(s)
        .map(|n| n.trim().to_string())
        .filter(|n| is_person_name(n) && n.split_whitespace().count() >= 2)
        .collect()
}

/// Not a URL, not an e-mail, not empty, not an agency code alone.
fn is_person_name(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && !s.contains("://")
        && !s.starts_with("www.")
        && !s.contains('@')
        && s.len() < 120
}

fn split_list(s: &str, sep: char) -> Vec<String> {
    s.split(sep)
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `de-DE`, `en_GB`, `DE` → `de`, `en`.
pub fn lang_code(s: &str) -> Option<String> {
    let code: String = s
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    (code.len() == 2).then_some(code)
}

/// Entities are decoded by the parser; this collapses whitespace.
fn clean(s: &str) -> String {
    super::body::collapse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_their_site_name() {
        assert_eq!(
            split_title("Kim trifft Trump in Hanoi | FR.de"),
            ("Kim trifft Trump in Hanoi".into(), Some("FR.de".into()))
        );
        assert_eq!(
            split_title("Atomgespräche: Seoul setzt auf Geduld - Tagesecho").0,
            "Atomgespräche: Seoul setzt auf Geduld"
        );
        assert_eq!(
            strip_site("Capital Wire: Sanctions bite", "Capital Wire"),
            "Sanctions bite"
        );
        assert_eq!(
            strip_site("Gipfel – Nachrichtenwerk.de", "Nachrichtenwerk"),
            "Gipfel"
        );
    }

    #[test]
    fn json_ld_inside_a_graph_with_references() {
        let raw = r##"{"@context":"https://schema.org","@graph":[
            {"@type":"Organization","@id":"#org","name":"Tagesecho"},
            {"@type":["NewsArticle"],"headline":"Gipfel in Hanoi","datePublished":"2026-12-07T08:00:00+01:00",
             "author":[{"@type":"Person","name":"Anna Müller"},"https://example.org/autor/x"],
             "publisher":{"@id":"#org"},"inLanguage":"de-DE","url":"https://example.org/a"}]}"##;
        let (a, all) = json_ld_article(raw).unwrap();
        let mut m = PageMeta::default();
        apply_json_ld(&mut m, &a, &all);
        assert_eq!(m.title.as_deref(), Some("Gipfel in Hanoi"));
        assert_eq!(m.authors, ["Anna Müller"]);
        assert_eq!(m.source.as_deref(), Some("Tagesecho"));
        assert_eq!(m.lang.as_deref(), Some("de"));
        assert_eq!(m.published, Some("2026-12-07".parse().unwrap()));
        assert_eq!(m.url.as_deref(), Some("https://example.org/a"));
    }

    #[test]
    fn names_split_and_lang_codes() {
        assert_eq!(
            split_names("Lena Park, David Okafor and Mariana Reyes"),
            ["Lena Park", "David Okafor", "Mariana Reyes"]
        );
        assert_eq!(split_names("Von Katrin Wendt"), ["Katrin Wendt"]);
        assert_eq!(lang_code("de-DE").as_deref(), Some("de"));
        assert_eq!(lang_code("en_GB").as_deref(), Some("en"));
        assert_eq!(lang_code("deu"), None);
    }
}

//! Saved web pages (`.html`, `.htm`, `.xhtml`): one article per page. The bytes are decoded
//! by the page's own declaration (BOM, `<meta charset>`, `http-equiv`), or detected; the page
//! is parsed with html5ever ([`parse`]); its metadata comes from [`meta`] and its main text from
//! [`body`]. Headings inside the article become sections, an author box and publication notes
//! are recognised as in page dumps, captions are passages of their own kind. A page without
//! article text (a home page, a listing, an error page) is an error, not an article.

pub mod body;
pub mod dom;
pub mod meta;
pub mod parse;

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::extract::{byline, find_date, translation_facts};
use super::read::{ReadContext, Reader};
use super::text::{AUTHOR_HEADINGS, classify};
use super::{Block, Draft, FileRead, PassageKind, ReadError, SourceFile, decode, read::At};
use body::{BlockKind, TextBlock};

/// Pages larger than this are cut here before parsing (no article is longer; the rest of
/// such a page is scripts and data).
pub const MAX_PAGE_BYTES: usize = 8 << 20;
/// Words of main text below which a page is taken to have no article.
const MIN_ARTICLE_WORDS: usize = 40;

/// The reader of saved web pages.
pub struct HtmlReader;

impl Reader for HtmlReader {
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead {
        let mut warnings = Vec::new();
        let result = read_page(bytes, &mut warnings).and_then(|page| {
            let mut draft = page.into_draft();
            if let Some(url) = &draft.meta.url {
                draft.meta.id = url_id(url);
            }
            super::fill_file_meta(&mut draft.meta, source);
            draft.finish(cx.splitter, bytes)
        });
        FileRead {
            warnings: warnings.into_iter().map(|w| (At::Whole, w)).collect(),
            ..FileRead::one(At::Whole, result)
        }
    }
}

/// A page read: its metadata and main text.
#[derive(Debug)]
pub struct Page {
    pub meta: meta::PageMeta,
    pub blocks: Vec<TextBlock>,
}

/// Why a page gave no article.
#[derive(Debug)]
pub enum PageError {
    /// The page has no article text (a home page, a listing, an error page).
    NoArticle(ReadError),
    /// The page could not be read.
    Unreadable(ReadError),
}

/// Decodes, parses and extracts a page.
pub fn read_page(bytes: &[u8], warnings: &mut Vec<String>) -> Result<Page, ReadError> {
    read_page_with(bytes, None, warnings).map_err(|e| match e {
        PageError::NoArticle(e) | PageError::Unreadable(e) => e,
    })
}

/// Reads a page whose encoding its transport may have declared (an HTTP header).
pub fn read_page_with(
    bytes: &[u8],
    charset: Option<&'static Encoding>,
    warnings: &mut Vec<String>,
) -> Result<Page, PageError> {
    let text = decode_page(bytes, charset, warnings).map_err(PageError::Unreadable)?;
    let text = if text.len() > MAX_PAGE_BYTES {
        warnings.push(format!(
            "page larger than {} MB; read its first {} MB",
            MAX_PAGE_BYTES >> 20,
            MAX_PAGE_BYTES >> 20
        ));
        let mut cut = MAX_PAGE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        Cow::Owned(text[..cut].to_string())
    } else {
        text
    };
    let tree = parse::Tree::document(&text, warnings);
    let meta = meta::read(&tree);
    let dom = dom::Dom::new(&tree);
    drop(tree);
    let blocks = body::extract(&dom);
    let words: usize = (blocks.iter())
        .filter(|b| !matches!(b.kind, BlockKind::Heading(_)))
        .map(|b| word_count(&b.text))
        .sum();
    if is_error_page(&meta) && words < 300 {
        return Err(PageError::NoArticle(ReadError::Record(
            "no article on this page: it is an error page (\"not found\")".into(),
        )));
    }
    if words < MIN_ARTICLE_WORDS {
        return Err(PageError::NoArticle(ReadError::Record(format!(
            "no article on this page (a home page, a listing or an error page?): {words} \
             words of main text"
        ))));
    }
    Ok(Page { meta, blocks })
}

impl Page {
    /// The page as a draft article: metadata, then the main text as blocks with sections.
    pub fn into_draft(self) -> Draft {
        let Page { meta: pm, blocks } = self;
        let mut draft = Draft::default();
        let m = &mut draft.meta;
        m.title = pm.title.clone().unwrap_or_default();
        m.authors = pm.authors.clone();
        m.published = pm.published;
        m.source = pm.source.clone();
        m.url = pm.url.clone();
        m.teaser = pm.description.clone();
        m.tags = pm.keywords.clone();
        if let Some(lang) = &pm.lang {
            m.lang = lang.clone();
            m.lang_origin = super::LangOrigin::Explicit;
        }
        let mut section: Option<String> = None;
        let mut in_author_box = false;
        let mut notes = Vec::new();
        let mut chars = 0usize;
        let title = normalized(&draft.meta.title);
        let is_headline = |b: &TextBlock| {
            matches!(b.kind, BlockKind::Heading(1))
                || b.text.len() <= 4 * title.len() + 8 && normalized(&b.text) == title
        };
        // Short lines above the headline are a kicker or a section label, not text.
        let mut above_headline = blocks.iter().any(is_headline);
        for (n, b) in blocks.into_iter().enumerate() {
            if above_headline {
                if is_headline(&b) {
                    above_headline = false;
                    continue;
                }
                if b.text.split_whitespace().count() < 8 && !b.text.ends_with(['.', '!', '?']) {
                    continue;
                }
            }
            if let BlockKind::Heading(level) = b.kind {
                // The headline itself is not a section.
                if level == 1 || normalized(&b.text) == title {
                    continue;
                }
                in_author_box = AUTHOR_HEADINGS
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&b.text));
                section = Some(b.text);
                continue;
            }
            // A byline or date line near the top fills the metadata and is not text.
            if n < 4 && b.text.chars().count() < 120 {
                if let Some(names) = byline(&b.text) {
                    if draft.meta.authors.is_empty() {
                        draft.meta.authors = names;
                    }
                    if draft.meta.published.is_none() {
                        draft.meta.published = find_date(&b.text);
                    }
                    continue;
                }
                if b.text.split_whitespace().count() <= 6 && find_date(&b.text).is_some() {
                    if draft.meta.published.is_none() {
                        draft.meta.published = find_date(&b.text);
                    }
                    continue;
                }
            }
            let kind = match b.kind {
                BlockKind::Caption => PassageKind::Caption,
                _ => classify(&mut draft, &b.text, in_author_box, &mut notes),
            };
            // Blocks are separated by a blank line in the article's text.
            if !draft.blocks.is_empty() {
                chars += 2;
            }
            let len = b.text.chars().count();
            draft.blocks.push(Block {
                kind,
                section: section.clone(),
                text: b.text,
                start: chars,
            });
            chars += len;
        }
        draft.meta.translation = translation_facts(notes.iter().map(String::as_str));
        if draft.meta.title.is_empty()
            && let Some(h1) = pm.h1
        {
            draft.meta.title = h1;
        }
        draft
    }
}

/// A "page not found" page, by its title or headline.
fn is_error_page(meta: &meta::PageMeta) -> bool {
    const SIGNS: &[&str] = &[
        "404",
        "not found",
        "nicht gefunden",
        "page introuvable",
        "no encontrada",
        "gibt es leider nicht",
        "does not exist",
        "existiert nicht",
    ];
    [&meta.page_title, &meta.h1].iter().any(|t| {
        t.as_deref()
            .is_some_and(|t| SIGNS.iter().any(|s| t.to_lowercase().contains(s)))
    })
}

/// Words of a text; in scripts written without spaces (Chinese, Japanese) every two
/// characters count as one.
fn word_count(text: &str) -> usize {
    let spaced = text.split_whitespace().count();
    let unspaced = (text.chars())
        .filter(|c| matches!(*c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF))
        .count();
    spaced + unspaced / 2
}

/// The blocks of an HTML fragment that is all article (a feed item's content).
pub fn fragment_blocks(fragment: &str) -> Vec<TextBlock> {
    body::all_blocks(&dom::Dom::new(&parse::Tree::fragment(fragment)))
}

/// The plain text of an HTML fragment.
pub fn fragment_text(fragment: &str) -> String {
    let blocks = fragment_blocks(fragment);
    let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    texts.join(" ")
}

/// The id of an article known by its URL: host and path, without scheme, `www.`, query
/// trackers, fragment or final slash — the same page saved twice is one article.
pub fn url_id(url: &str) -> String {
    let u = url.trim();
    let u = u.split_once("://").map_or(u, |(_, rest)| rest);
    let u = u.split('#').next().unwrap_or(u);
    let (path, query) = u.split_once('?').unwrap_or((u, ""));
    let path = path
        .strip_prefix("www.")
        .unwrap_or(path)
        .trim_end_matches('/');
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !p.is_empty()
                && !key.starts_with("utm_")
                && !matches!(
                    key.as_str(),
                    "fbclid"
                        | "gclid"
                        | "ref"
                        | "source"
                        | "cmp"
                        | "at_medium"
                        | "at_campaign"
                        | "wt_mc"
                        | "ns_campaign"
                        | "ocid"
                )
        })
        .collect();
    let host_end = path.find('/').unwrap_or(path.len());
    let path = format!(
        "{}{}",
        path[..host_end].to_ascii_lowercase(),
        &path[host_end..]
    );
    match kept.is_empty() {
        true => path,
        false => format!("{path}?{}", kept.join("&")),
    }
}

/// Letters and digits, lowercased: two spellings of a headline compare equal.
fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Decodes a page: a BOM first, then the page's declaration (in its first 16 KB), then UTF-8
/// if the bytes are valid UTF-8, else Windows-1252 (old German sites). A page declared as a
/// legacy encoding that is valid UTF-8 with non-ASCII text is UTF-8 (a wrong declaration).
pub fn decode_page<'a>(
    bytes: &'a [u8],
    charset: Option<&'static Encoding>,
    warnings: &mut Vec<String>,
) -> Result<Cow<'a, str>, ReadError> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, malformed) = enc.decode_without_bom_handling(&bytes[bom..]);
        if malformed {
            warnings.push(format!("malformed {} text; bad bytes replaced", enc.name()));
        }
        return Ok(text);
    }
    if decode::looks_binary(bytes) {
        return Err(ReadError::Binary);
    }
    let declared = charset.or_else(|| declared_encoding(&bytes[..bytes.len().min(16 << 10)]));
    let utf8 = std::str::from_utf8(bytes);
    match (declared, utf8) {
        (_, Ok(s)) => Ok(Cow::Borrowed(s)),
        (Some(enc), Err(_)) if enc != encoding_rs::UTF_8 => {
            let (text, _, malformed) = enc.decode(bytes);
            if malformed {
                warnings.push(format!("malformed {} text; bad bytes replaced", enc.name()));
            }
            Ok(text)
        }
        (_, Err(e)) => {
            let at = e.valid_up_to();
            warnings.push(format!(
                "not valid UTF-8 (invalid byte 0x{:02X} at offset {at}); read as Windows-1252",
                bytes[at]
            ));
            Ok(encoding_rs::WINDOWS_1252.decode(bytes).0)
        }
    }
}

/// The encoding a page declares in `<meta charset>` or `http-equiv="Content-Type"`, or in an
/// XML declaration.
fn declared_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let find = |needle: &[u8], from: usize| {
        lower[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut from = 0;
    while let Some(at) = find(b"charset", from) {
        let rest = &lower[at + 7..];
        let rest = rest.trim_ascii_start();
        if let Some(rest) = rest.strip_prefix(b"=") {
            let rest = rest.trim_ascii_start();
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let label: Vec<u8> = (rest.iter())
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .copied()
                .collect();
            if let Some(enc) = Encoding::for_label(&label) {
                // A page cannot really be UTF-16 once read as ASCII-compatible bytes.
                return Some(
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        encoding_rs::UTF_8
                    } else {
                        enc
                    },
                );
            }
        }
        from = at + 7;
    }
    if let Some(at) = find(b"encoding=", 0).filter(|&a| lower[..a].starts_with(b"<?xml")) {
        let rest = &lower[at + 9..];
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let label: Vec<u8> = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .copied()
            .collect();
        return Encoding::for_label(&label);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Result<Page, ReadError> {
        read_page(html.as_bytes(), &mut Vec::new())
    }

    const PARAGRAPH: &str = "Die Gespräche zwischen Washington und Pjöngjang, so heißt es in \
        Seoul, könnten im Frühjahr wieder aufgenommen werden, wenn beide Seiten sich bewegen.";

    #[test]
    fn main_text_without_furniture() {
        let html = format!(
            r#"<html lang="de"><head><title>Gipfel in Hanoi | Tagesecho</title></head><body>
            <nav><ul><li><a href="/">Start</a></li><li><a href="/politik">Politik</a></li></ul></nav>
            <div class="cookie-banner"><p>Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten, bitte zustimmen.</p></div>
            <article><h1>Gipfel in Hanoi</h1><p>Erstens: {PARAGRAPH}</p><h2>Was Kim will</h2><p>Zweitens: {PARAGRAPH}</p>
            <div class="share-buttons"><a href="x">Teilen</a></div>
            <aside class="related"><h3>Mehr zum Thema</h3><ul><li><a href="/a">Ein anderer Artikel über Korea und die USA</a></li></ul></aside>
            <p>Drittens: {PARAGRAPH}</p></article>
            <footer><p>Impressum, Datenschutz und alles andere, was auf jeder Seite unten steht.</p></footer>
            </body></html>"#
        );
        let p = page(&html).unwrap();
        let kinds: Vec<_> = p.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading(1),
                BlockKind::Paragraph,
                BlockKind::Heading(2),
                BlockKind::Paragraph,
                BlockKind::Paragraph
            ]
        );
        let d = p.into_draft();
        assert_eq!(d.meta.title, "Gipfel in Hanoi");
        assert_eq!(d.meta.source.as_deref(), Some("Tagesecho"));
        assert_eq!(d.blocks.len(), 3);
        assert_eq!(d.blocks[1].section.as_deref(), Some("Was Kim will"));
    }

    #[test]
    fn a_page_without_article_text_is_refused() {
        let e = page("<html><body><script>app()</script><div id=app></div></body></html>");
        assert!(e.unwrap_err().to_string().contains("no article"));
    }

    #[test]
    fn declared_and_undeclared_encodings() {
        let mut w = Vec::new();
        let latin = b"<meta charset=\"iso-8859-1\"><p>Stra\xdfe</p>";
        assert!(decode_page(latin, None, &mut w).unwrap().contains("Straße"));
        let undeclared = b"<p>Gr\xfc\xdfe</p>";
        assert!(
            decode_page(undeclared, None, &mut w)
                .unwrap()
                .contains("Grüße")
        );
        assert_eq!(w.len(), 1, "{w:?}");
        let misdeclared = "<meta charset=windows-1252><p>Grüße</p>";
        assert!(
            decode_page(misdeclared.as_bytes(), None, &mut w)
                .unwrap()
                .contains("Grüße")
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}{PARAGRAPH}{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let _ = page(&html);
    }
}

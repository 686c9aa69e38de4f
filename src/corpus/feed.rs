//! News feeds (RSS 2.0 and Atom; `.rss`, `.atom`, or `.xml` whose root element is a feed's):
//! each item is an article with its title, link, date, authors and categories. Its text is the
//! full text the feed carries (`content:encoded`, Atom `content`), read as HTML, else the
//! summary as a short article. The feed's title names the source; its language is the items'.

use std::io::Read;

use roxmltree::{Document, Node};

use super::html::{self, body, meta::lang_code};
use super::read::{At, ReadContext, Reader, Record};
use super::{Block, Draft, FileRead, LangOrigin, PassageKind, ReadError, SourceFile, content_hash};

/// The reader of RSS and Atom feeds.
pub struct FeedReader;

impl Reader for FeedReader {
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead {
        let text = match super::decode::decode(bytes) {
            Ok(d) => d.text,
            Err(e) => return FileRead::failed(e),
        };
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = match Document::parse_with_options(&text, options) {
            Ok(doc) => doc,
            Err(e) => {
                let at = e.pos();
                let why = format!(
                    "not a well-formed feed: {e} (line {}, column {})",
                    at.row, at.col
                );
                return FileRead::failed(ReadError::Record(why));
            }
        };
        let root = doc.root_element();
        let (channel, items): (Node, Vec<Node>) = match root.tag_name().name() {
            "rss" => match root.children().find(|n| n.has_tag_name("channel")) {
                Some(c) => (c, c.children().filter(|n| n.has_tag_name("item")).collect()),
                None => {
                    return FileRead::failed(ReadError::Record(
                        "an RSS feed without a <channel>".into(),
                    ));
                }
            },
            "RDF" => (
                root.children()
                    .find(|n| n.has_tag_name("channel"))
                    .unwrap_or(root),
                root.children().filter(|n| n.has_tag_name("item")).collect(),
            ),
            "feed" => (
                root,
                root.children()
                    .filter(|n| n.has_tag_name("entry"))
                    .collect(),
            ),
            other => {
                return FileRead::failed(ReadError::Record(format!(
                    "not an RSS or Atom feed (its root element is <{other}>)"
                )));
            }
        };
        let feed = FeedFacts {
            source: child_text(channel, "title").map(|t| html::meta::site_of_feed(&t)),
            lang: child_text(channel, "language")
                .or_else(|| {
                    root.attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
                        .map(str::to_string)
                })
                .and_then(|l| lang_code(&l)),
        };
        let mut out = FileRead::default();
        for (n, item) in items.into_iter().enumerate() {
            let at = At::Item(n as u64 + 1);
            let raw = &text.as_bytes()[item.range()];
            let hash = content_hash(raw);
            if cx.known.contains_key(&hash) {
                out.known.push((at, hash));
                continue;
            }
            let result = read_item(item, &feed).and_then(|mut draft| {
                if draft.meta.id.is_empty() {
                    draft.meta.id = format!("{}#{}", source.default_id(), n + 1);
                }
                draft.meta.path = source.display.clone();
                draft.finish(cx.splitter, raw)
            });
            out.records.push(Record { at, result });
        }
        out
    }
}

/// What the feed says of all its items.
struct FeedFacts {
    source: Option<String>,
    lang: Option<String>,
}

fn read_item(item: Node, feed: &FeedFacts) -> Result<Draft, ReadError> {
    let mut d = Draft::default();
    let m = &mut d.meta;
    m.title = child_text(item, "title")
        .map(|t| body::collapse(&t))
        .unwrap_or_default();
    m.url = link(item);
    if let Some(url) = &m.url {
        m.id = html::url_id(url);
    }
    m.published = [
        "pubDate",
        "date",
        "published",
        "issued",
        "updated",
        "modified",
    ]
    .iter()
    .find_map(|k| child_text(item, k))
    .and_then(|d| parse_feed_date(&d));
    m.authors = authors(item);
    m.tags = item
        .children()
        .filter(|n| n.has_tag_name("category") || n.has_tag_name("subject"))
        .filter_map(|c| {
            c.attribute("term")
                .map(str::to_string)
                .or_else(|| c.text().map(str::to_string))
        })
        .map(|t| body::collapse(&t))
        .filter(|t| !t.is_empty())
        .collect();
    m.source.clone_from(&feed.source);
    if let Some(lang) = &feed.lang {
        m.lang = lang.clone();
        m.lang_origin = LangOrigin::Explicit;
    }
    let full = ["encoded", "content"]
        .iter()
        .find_map(|k| child_html(item, k));
    let summary = ["description", "summary"]
        .iter()
        .find_map(|k| child_html(item, k));
    let (html_text, kind) = match (full, summary) {
        (Some(f), s) => {
            m.teaser = s.map(|s| body::collapse(&html::fragment_text(&s)));
            (f, PassageKind::Body)
        }
        (None, Some(s)) => (s, PassageKind::Teaser),
        (None, None) => return Err(ReadError::Record("an item without text".into())),
    };
    let mut start = 0;
    for b in html::fragment_blocks(&html_text) {
        let kind = match b.kind {
            body::BlockKind::Caption => PassageKind::Caption,
            _ => kind,
        };
        let len = b.text.chars().count();
        d.blocks.push(Block {
            kind,
            section: None,
            text: b.text,
            start,
        });
        start += len + 2;
    }
    if d.meta.title.is_empty() && d.blocks.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(d)
}

/// The text of the first child named `name` (any namespace).
fn child_text(n: Node, name: &str) -> Option<String> {
    let c = n.children().find(|c| c.has_tag_name(name))?;
    let t: String = c
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// HTML carried by a child: escaped text or CDATA (RSS, Atom `type="html"`), or inline XHTML.
fn child_html(n: Node, name: &str) -> Option<String> {
    let c = n.children().find(|c| c.has_tag_name(name))?;
    if c.attribute("type") == Some("xhtml") {
        let doc = c.document().input_text();
        let inner = c.first_child()?.range().start..c.last_child()?.range().end;
        return Some(doc[inner].to_string());
    }
    child_text(n, name)
}

fn link(item: Node) -> Option<String> {
    // Atom: <link rel="alternate" href="…"/> (or without rel); RSS: <link>…</link>, or a
    // permalink guid.
    let atom = item
        .children()
        .filter(|c| c.has_tag_name("link"))
        .find(|c| {
            c.attribute("href").is_some() && c.attribute("rel").is_none_or(|r| r == "alternate")
        })
        .and_then(|c| c.attribute("href"))
        .map(str::to_string);
    atom.or_else(|| child_text(item, "link"))
        .or_else(|| {
            item.children()
                .find(|c| c.has_tag_name("guid") && c.attribute("isPermaLink") != Some("false"))
                .and_then(|c| c.text())
                .map(str::to_string)
        })
        .map(|l| l.trim().to_string())
        .filter(|l| l.starts_with("http"))
}

/// `dc:creator` (one or more), RSS `author` (`mail@example.org (Name)`), Atom `author/name`.
fn authors(item: Node) -> Vec<String> {
    let mut names = Vec::new();
    for c in item.children() {
        let name = match c.tag_name().name() {
            "creator" => c.text().map(str::to_string),
            "author" => child_text(c, "name").or_else(|| {
                let t = c.text()?.trim().to_string();
                Some(match (t.find('('), t.rfind(')')) {
                    (Some(a), Some(b)) if a < b => t[a + 1..b].to_string(),
                    _ if t.contains('@') => return None,
                    _ => t,
                })
            }),
            _ => None,
        };
        if let Some(n) = name.map(|n| body::collapse(&n)).filter(|n| !n.is_empty())
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    names
}

/// RFC 822 dates of RSS (`Tue, 22 Oct 2024 07:00:00 +0200`) and RFC 3339 of Atom, as the
/// publisher's calendar date.
fn parse_feed_date(s: &str) -> Option<jiff::civil::Date> {
    let s = s.trim();
    if let Ok(z) = jiff::fmt::rfc2822::parse(s) {
        return Some(z.date());
    }
    super::extract::parse_date(s)
}

/// True when a `.xml` file's root element is a feed's (`<rss>`, `<feed>`, `<rdf:RDF>`).
pub fn is_feed_file(path: &std::path::Path) -> bool {
    let mut head = Vec::new();
    let read = super::compress::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    let mut rest = head.trim_start_matches('\u{feff}');
    // Skip the XML declaration, processing instructions, comments and a DOCTYPE.
    loop {
        rest = rest.trim_start();
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|e| e + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|e| e + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|e| e + 1)
        } else {
            break;
        };
        match skip {
            Some(e) => rest = &rest[e..],
            None => return false,
        }
    }
    ["<rss", "<feed", "<rdf:RDF"]
        .iter()
        .any(|r| rest.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_dates() {
        assert_eq!(
            parse_feed_date("Tue, 22 Oct 2024 07:00:00 +0200"),
            Some("2024-10-22".parse().unwrap())
        );
        assert_eq!(
            parse_feed_date("2024-10-21T23:30:00-05:00"),
            Some("2024-10-21".parse().unwrap())
        );
    }
}

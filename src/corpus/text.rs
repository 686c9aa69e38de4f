//! Plain-text page dumps (`.txt`), as saved from a news site: title line, teaser line, `- `
//! summary bullets, one paragraph per line, short headings without a closing period, an author
//! box (`Zum Autor`) and trailing publication notes. The layout rules are in the README.

use super::extract::{author_from_bio, byline, find_date, is_publication_note, translation_facts};
use std::ops::ControlFlow;

use super::read::{ReadContext, Reader, Sink, read_document, read_whole};
use super::{Block, Draft, FileRead, PassageKind, ReadError, SourceFile, large};

/// The reader of page dumps; a file too large to hold is streamed ([`large`]).
pub struct TextReader;

impl Reader for TextReader {
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead {
        read_document(source, bytes, cx.splitter, |text, _| parse(text))
    }

    fn read(
        &self,
        source: &SourceFile,
        cx: ReadContext<'_>,
        sink: &mut dyn Sink,
    ) -> ControlFlow<()> {
        if large::applies(source) {
            large::read(source, cx, sink)
        } else {
            sink.take(read_whole(self, source, cx))
        }
    }
}

/// Page furniture: lines that are neither headings nor passages (compared case-insensitively).
pub const FURNITURE: &[&str] = &[
    "Meine News",
    "Mehr zum Thema",
    "Auch interessant",
    "Lesen Sie auch",
    "Weitere Artikel",
    "Zur Startseite",
    "Kommentare",
    "Newsletter",
    "Anzeige",
    "Werbung",
    "Teilen",
    "Artikel teilen",
    "Mehr lesen",
    "Weiterlesen",
    "Mehr anzeigen",
    "Fotostrecke",
    "Empfehlungen für Sie",
    "Das könnte Sie auch interessieren",
    "Jetzt kommentieren",
    "Read more",
    "Advertisement",
    "Share",
];

/// Headings that open an author box.
pub const AUTHOR_HEADINGS: &[&str] = &[
    "Zum Autor",
    "Zur Autorin",
    "Zu den Autoren",
    "Über den Autor",
    "Über die Autorin",
    "Über die Autoren",
    "About the author",
    "About the authors",
];

/// How many content lines at the top may hold a byline or a date line.
const HEADER_LINES: usize = 8;
/// Headings are short: at most this many characters and words.
const HEADING_MAX_CHARS: usize = 120;
const HEADING_MAX_WORDS: usize = 16;

/// A non-blank line and the character offset where its trimmed text starts.
struct Line<'a> {
    start: usize,
    text: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split('\n') {
        let trimmed_start = raw.trim_start();
        let lead = raw[..raw.len() - trimmed_start.len()].chars().count();
        let t = trimmed_start.trim_end();
        if !t.is_empty() {
            out.push(Line {
                start: offset + lead,
                text: t,
            });
        }
        offset += raw.chars().count() + 1;
    }
    out
}

fn is_furniture(line: &str) -> bool {
    FURNITURE.iter().any(|f| f.eq_ignore_ascii_case(line)) || line == "|"
}

fn is_author_heading(line: &str) -> bool {
    AUTHOR_HEADINGS.iter().any(|h| h.eq_ignore_ascii_case(line))
}

fn bullet_text(line: &str) -> Option<&str> {
    ["- ", "• ", "* ", "– "]
        .iter()
        .find_map(|m| line.strip_prefix(m))
        .map(str::trim)
}

/// True when `line` ends a sentence: `.`, `!`, `?`, `…`, possibly followed by closing quotes.
fn ends_sentence(line: &str) -> bool {
    let core = line.trim_end_matches(['“', '”', '"', '»', '«', '’', ')', ']']);
    core.ends_with(['.', '!', '?', '…', ':', ';', ','])
}

/// A section heading: a short line that does not read as a sentence. A heading may end in `?`
/// if it holds no other sentence boundary.
pub fn is_heading(line: &str) -> bool {
    if line.chars().count() > HEADING_MAX_CHARS
        || line.split_whitespace().count() > HEADING_MAX_WORDS
        || bullet_text(line).is_some()
    {
        return false;
    }
    let Some(first) = line.chars().next() else {
        return false;
    };
    if !(first.is_uppercase() || first.is_ascii_digit() || "„“\"»".contains(first)) {
        return false;
    }
    let inner_boundary = line.char_indices().any(|(i, c)| {
        matches!(c, '.' | '!' | '?') && line[i + 1..].starts_with(' ') && {
            line[i + 1..]
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
                && !line[..i].ends_with(|p: char| p.is_ascii_digit() || p.is_uppercase())
        }
    });
    if inner_boundary {
        return false;
    }
    if line.ends_with('?') {
        return true;
    }
    !ends_sentence(line)
}

/// A first line longer than this is a paragraph, not a title (the title is then taken from
/// the text, see [`Draft::finish`](super::Draft::finish)).
const TITLE_MAX_CHARS: usize = 300;

/// Parses a page dump into a draft article.
pub fn parse(text: &str) -> Result<Draft, ReadError> {
    let mut page = Page::default();
    page.feed(text, 0);
    page.finish()
}

/// A page dump parsed piece by piece: the title area from the first piece that has lines, then
/// body lines, with the heading and author-box state carried across pieces. A file too large
/// to hold in memory is fed in chunks cut at line ends (see `corpus::large`).
#[derive(Default)]
pub struct Page {
    pub draft: Draft,
    started: bool,
    section: Option<String>,
    in_author_box: bool,
    notes: Vec<String>,
}

impl Page {
    /// Parses the lines of `text`, whose first character is character `base` of the page.
    pub fn feed(&mut self, text: &str, base: usize) {
        let lines: Vec<Line> = lines(text)
            .into_iter()
            .filter(|l| !is_furniture(l.text))
            .map(|l| Line {
                start: l.start + base,
                text: l.text,
            })
            .collect();
        let mut rest = lines.as_slice();
        if !self.started && !rest.is_empty() {
            self.started = true;
            rest = self.header(rest);
        }
        for line in rest {
            self.body_line(line);
        }
    }

    /// The title area: title, byline and date lines, teaser, summary bullets. Returns the lines
    /// after it.
    fn header<'l, 'a>(&mut self, lines: &'l [Line<'a>]) -> &'l [Line<'a>] {
        let draft = &mut self.draft;
        let rest = match lines.split_first() {
            Some((title, rest)) if title.text.chars().count() <= TITLE_MAX_CHARS => {
                draft.meta.title = title.text.to_string();
                draft.blocks.push(Block {
                    kind: PassageKind::Title,
                    section: None,
                    text: title.text.to_string(),
                    start: title.start,
                });
                rest
            }
            _ => return lines,
        };
        let mut i = 0;
        while i < rest.len() && header_line(&rest[i], draft, i) {
            i += 1;
        }
        // Teaser: the line after the title, when it is a sentence and not a bullet.
        if let Some(line) = rest.get(i)
            && bullet_text(line.text).is_none()
            && ends_sentence(line.text)
        {
            draft.meta.teaser = Some(line.text.to_string());
            draft.blocks.push(Block {
                kind: PassageKind::Teaser,
                section: None,
                text: line.text.to_string(),
                start: line.start,
            });
            i += 1;
        }
        while i < rest.len() && header_line(&rest[i], draft, i) {
            i += 1;
        }
        // Summary bullets directly after title and teaser.
        while let Some(line) = rest.get(i) {
            let Some(item) = bullet_text(line.text) else {
                break;
            };
            let offset = line.text.len() - item.len();
            draft.meta.summary.push(item.to_string());
            draft.blocks.push(Block {
                kind: PassageKind::Summary,
                section: None,
                text: item.to_string(),
                start: line.start + line.text[..offset].chars().count(),
            });
            i += 1;
        }
        self.notes = draft.meta.summary.clone();
        &rest[i..]
    }

    fn body_line(&mut self, line: &Line) {
        if is_heading(line.text) {
            self.section = Some(line.text.to_string());
            self.in_author_box = is_author_heading(line.text);
            return;
        }
        let kind = classify(
            &mut self.draft,
            line.text,
            self.in_author_box,
            &mut self.notes,
        );
        self.draft.blocks.push(Block {
            kind,
            section: self.section.clone(),
            text: line.text.to_string(),
            start: line.start,
        });
    }

    /// The draft, with the facts that only the whole page tells (translation notes).
    pub fn finish(self) -> Result<Draft, ReadError> {
        if !self.started {
            return Err(ReadError::Empty);
        }
        let mut draft = self.draft;
        draft.meta.translation = translation_facts(self.notes.iter().map(String::as_str));
        if let Some(t) = &draft.meta.translation {
            // The original publication is the only publication the page states.
            if draft.meta.published.is_none() {
                draft.meta.published = t.original_published;
            }
            if draft.meta.source.is_none() {
                draft.meta.source = t.original_source.clone();
            }
        }
        Ok(draft)
    }
}

/// Consumes a byline or a date line near the top, filling authors or the date.
fn header_line(line: &Line, draft: &mut Draft, index: usize) -> bool {
    if index >= HEADER_LINES {
        return false;
    }
    if let Some(names) = byline(line.text) {
        if draft.meta.authors.is_empty() {
            draft.meta.authors = names;
        }
        if draft.meta.published.is_none() {
            draft.meta.published = find_date(line.text);
        }
        return true;
    }
    let date_line = line.text.split_whitespace().count() <= 6 && find_date(line.text).is_some();
    if date_line && draft.meta.published.is_none() {
        draft.meta.published = find_date(line.text);
        return true;
    }
    false
}

/// The kind of a paragraph after the title area: a publication note, a paragraph of the author
/// box (whose first one names the author when no byline did), or body text. Notes are also
/// collected for the translation facts.
pub fn classify(
    draft: &mut Draft,
    paragraph: &str,
    in_author_box: bool,
    notes: &mut Vec<String>,
) -> PassageKind {
    if is_note(paragraph) {
        notes.push(paragraph.to_string());
        PassageKind::Note
    } else if in_author_box {
        if draft.meta.authors.is_empty()
            && let Some(name) = author_from_bio(paragraph)
        {
            draft.meta.authors.push(name);
        }
        PassageKind::Author
    } else {
        PassageKind::Body
    }
}

/// A publication or translation note: short, about "this article", and saying so.
fn is_note(p: &str) -> bool {
    let l = p.to_lowercase();
    p.chars().count() < 400
        && is_publication_note(p)
        && ["artikel", "beitrag", "text", "article", "story", "piece"]
            .iter()
            .any(|w| l.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../corpus/trump-kim-nordkorea-romanze.txt");

    #[test]
    fn headings_are_short_lines_without_a_closing_period() {
        assert!(is_heading(
            "Trump und Kim: Aufleben einer Romanze zweier Staatschefs?"
        ));
        assert!(is_heading("Zum Autor"));
        assert!(is_heading(
            "Erste Trump-Regierung lag mit Diplomatie gegenüber Nordkorea nicht falsch"
        ));
        assert!(!is_heading(
            "Sanktionen haben eindeutig nicht funktioniert."
        ));
        assert!(!is_heading(
            "Wie sehen die Alternativen aus? Sanktionen haben nicht funktioniert"
        ));
        assert!(!is_heading("- Ein Punkt"));
        assert!(!is_heading("klein geschrieben ist kein Titel"));
    }

    #[test]
    fn seed_metadata() {
        let d = super::parse(&crate::corpus::decode::normalize_text(SEED)).unwrap();
        let m = &d.meta;
        assert_eq!(
            m.title,
            "Trump und Kim: Romanze der Staatschefs feiert ihre Renaissance"
        );
        assert!(
            m.teaser
                .as_deref()
                .unwrap()
                .starts_with("Die USA müssen entscheiden")
        );
        assert_eq!(m.summary.len(), 4);
        assert_eq!(m.authors, ["Bilahari Kausikan"]);
        assert_eq!(m.published, Some("2025-02-26".parse().unwrap()));
        assert_eq!(m.source.as_deref(), Some("Foreign Policy"));
        let t = m.translation.as_ref().unwrap();
        assert_eq!((t.from.as_deref(), t.machine), (Some("en"), true));
        let sections: Vec<&str> = d
            .blocks
            .iter()
            .filter_map(|b| b.section.as_deref())
            .collect();
        let mut distinct = sections.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), 13, "{distinct:#?}");
        assert_eq!(
            distinct[0],
            "Trump und Kim: Aufleben einer Romanze zweier Staatschefs?"
        );
        assert_eq!(distinct[12], "Zum Autor");
        assert!(d.blocks.iter().all(|b| b.text != "Meine News"));
        let kinds = |k| d.blocks.iter().filter(|b| b.kind == k).count();
        assert_eq!(kinds(PassageKind::Author), 1);
        assert_eq!(kinds(PassageKind::Note), 2);
        assert_eq!(kinds(PassageKind::Teaser), 1);
    }

    #[test]
    fn blocks_point_at_their_text() {
        let text = crate::corpus::decode::normalize_text(SEED);
        let d = super::parse(&text).unwrap();
        let chars: Vec<char> = text.chars().collect();
        for b in &d.blocks {
            let n = b.text.chars().count();
            let at: String = chars[b.start..b.start + n].iter().collect();
            assert_eq!(at, b.text);
        }
    }

    #[test]
    fn byline_and_date_lines_in_the_header() {
        let d = super::parse(
            "Ein Titel\nVon Anna Muster\n3. März 2024\nDer Teaser sagt etwas.\nEin Absatz.\n",
        )
        .unwrap();
        assert_eq!(d.meta.authors, ["Anna Muster"]);
        assert_eq!(d.meta.published, Some("2024-03-03".parse().unwrap()));
        assert_eq!(d.meta.teaser.as_deref(), Some("Der Teaser sagt etwas."));
    }
}

//! Reading articles: files and records on disk become [`Article`]s (metadata + passages).
//!
//! One reader per input format (`text`, `markdown`, `jsonl`) behind the [`Reader`] interface
//! (`read`), shared metadata extraction (`extract`), decoding (`decode`) and passage splitting
//! (`passages`). This stage knows
//! nothing about tantivy or language analysis; it must never panic on user data.

pub mod compress;
pub mod decode;
pub mod extract;
pub mod feed;
pub mod fields;
pub mod html;
pub mod jsonl;
pub mod large;
pub mod markdown;
pub mod passages;
pub mod read;
pub mod text;
pub mod walk;
pub mod warc;

use std::fmt;
use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use passages::PassageSplitter;
pub use read::{
    At, Collect, FileRead, KnownHashes, ReadContext, Reader, Record, Sink, Streamed, content_hash,
    read_bytes, read_source,
};
pub use walk::{SourceFile, Walk, walk};

/// An input format, chosen by file extension or `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain-text page dump (`.txt`).
    Text,
    /// Markdown with optional YAML/TOML front matter (`.md`, `.markdown`).
    Markdown,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl,
    /// A saved web page (`.html`, `.htm`, `.xhtml`).
    Html,
    /// A web archive (`.warc`): its HTML responses.
    Warc,
    /// An RSS or Atom feed (`.rss`, `.atom`, or `.xml` with a feed's root element).
    Feed,
}

impl Format {
    /// The format for a file extension, if korpus reads it.
    /// A compression extension (`.gz`, `.zst`) is looked through; an `.xml` file is a feed
    /// when its root element says so.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let (_, ext) = compress::strip_extension(&name).rsplit_once('.')?;
        match ext {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "html" | "htm" | "xhtml" | "shtml" => Some(Format::Html),
            "warc" => Some(Format::Warc),
            "rss" | "atom" => Some(Format::Feed),
            "xml" => feed::is_feed_file(path).then_some(Format::Feed),
            _ => None,
        }
    }

    /// The reader of this format.
    pub fn reader(self) -> &'static dyn Reader {
        match self {
            Format::Text => &text::TextReader,
            Format::Markdown => &markdown::MarkdownReader,
            Format::Jsonl => &jsonl::JsonlReader,
            Format::Html => &html::HtmlReader,
            Format::Warc => &warc::WarcReader,
            Format::Feed => &feed::FeedReader,
        }
    }
}

/// What a passage is within its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    Title,
    Teaser,
    Summary,
    Body,
    Author,
    Note,
    /// A figure caption.
    Caption,
}

impl PassageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Title => "title",
            PassageKind::Teaser => "teaser",
            PassageKind::Summary => "summary",
            PassageKind::Body => "body",
            PassageKind::Author => "author",
            PassageKind::Note => "note",
            PassageKind::Caption => "caption",
        }
    }

    pub fn parse(s: &str) -> Option<PassageKind> {
        Some(match s {
            "title" => PassageKind::Title,
            "teaser" => PassageKind::Teaser,
            "summary" => PassageKind::Summary,
            "body" => PassageKind::Body,
            "author" => PassageKind::Author,
            "note" => PassageKind::Note,
            "caption" => PassageKind::Caption,
            _ => return None,
        })
    }
}

impl fmt::Display for PassageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A paragraph-sized piece of an article as a parser found it, before windowing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: PassageKind,
    pub section: Option<String>,
    pub text: String,
    /// Character offset of `text` in the article's (normalized) text.
    pub start: usize,
}

/// The unit of retrieval: a paragraph, or a window of a long one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// 1-based position in the article.
    pub number: u32,
    pub kind: PassageKind,
    pub section: Option<String>,
    pub text: String,
    /// Character range `[start, end)` in the article's normalized text.
    pub range: (usize, usize),
}

/// How the article's language was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LangOrigin {
    /// Given in the article's metadata.
    Explicit,
    /// Detected reliably from the text.
    Detected,
    /// Detection was unreliable; German was assumed.
    #[default]
    Fallback,
}

/// Facts about a translated article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// ISO 639-1 code of the original language, when stated.
    pub from: Option<String>,
    /// The text says it was translated automatically.
    pub machine: bool,
    /// Where the original appeared.
    pub original_source: Option<String>,
    /// When the original appeared.
    pub original_published: Option<Date>,
}

impl Translation {
    pub fn is_empty(&self) -> bool {
        *self == Translation::default()
    }
}

/// Everything korpus knows about an article besides its passages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleMeta {
    pub id: String,
    pub title: String,
    pub teaser: Option<String>,
    pub summary: Vec<String>,
    pub authors: Vec<String>,
    pub published: Option<Date>,
    pub source: Option<String>,
    /// ISO 639-1 code (`de`, `en`, …); empty until the analysis stage decides it.
    pub lang: String,
    pub lang_origin: LangOrigin,
    pub translation: Option<Translation>,
    pub tags: Vec<String>,
    pub url: Option<String>,
    /// The file it came from, as found under the ingest root.
    pub path: String,
    /// Line number in a JSON Lines file.
    pub line: Option<u64>,
    pub sections: Vec<String>,
    /// BLAKE3 of the article's raw bytes.
    pub content_hash: String,
    /// How many passages it has.
    #[serde(default)]
    pub passages: u32,
    /// RFC 3339 time of the ingest run that wrote it.
    pub ingested_at: String,
}

/// A parsed article.
#[derive(Debug, Clone)]
pub struct Article {
    pub meta: ArticleMeta,
    pub passages: Vec<Passage>,
}

/// Why one file or record could not be read. The message names no path: the caller adds it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("could not read file: {0}")]
    Io(String),
    #[error("not text (looks like a binary file)")]
    Binary,
    #[error("{0}")]
    Encoding(String),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Record(String),
    #[error("no text to index")]
    Empty,
}

/// The explicit metadata a parser found, and its blocks, before passages are made.
#[derive(Debug, Default)]
pub struct Draft {
    pub meta: ArticleMeta,
    pub blocks: Vec<Block>,
}

impl Draft {
    /// Turns the draft into an article: passages numbered, sections listed, hash set.
    pub fn finish(mut self, splitter: &PassageSplitter, raw: &[u8]) -> Result<Article, ReadError> {
        let passages = splitter.split(&self.blocks, 1);
        let Some(first) = passages.first() else {
            return Err(ReadError::Empty);
        };
        let mut sections = Vec::new();
        list_sections(&mut sections, &self.blocks);
        let count = passages.len() as u32;
        complete_meta(
            &mut self.meta,
            count,
            &first.text,
            sections,
            blake3::hash(raw),
        );
        Ok(Article {
            meta: self.meta,
            passages,
        })
    }
}

/// Appends the sections of `blocks` to `sections`, each run of one heading once.
fn list_sections(sections: &mut Vec<String>, blocks: &[Block]) {
    for block in blocks {
        if let Some(s) = &block.section
            && sections.last() != Some(s)
        {
            sections.push(s.clone());
        }
    }
}

/// Fills what is known only once all passages are: a title from the text when the source had
/// none, the sections (unless the source listed them) and the content hash.
fn complete_meta(
    meta: &mut ArticleMeta,
    passages: u32,
    first_passage: &str,
    sections: Vec<String>,
    hash: blake3::Hash,
) {
    if meta.title.is_empty() {
        meta.title = first_passage.chars().take(80).collect();
    }
    if meta.sections.is_empty() {
        meta.sections = sections;
    }
    meta.content_hash = hash.to_hex().to_string();
    meta.passages = passages;
}

pub(crate) fn fill_file_meta(meta: &mut ArticleMeta, source: &SourceFile) {
    if meta.id.is_empty() {
        meta.id = source.default_id();
    }
    meta.path = source.display.clone();
}

/// A short, user-facing reason for an I/O error (no Debug output).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "file not found (a dangling link?)".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        StorageFull => "no space left on the device".into(),
        ReadOnlyFilesystem => "the file system is read-only".into(),
        _ => e.to_string(),
    }
}

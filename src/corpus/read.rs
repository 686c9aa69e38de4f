//! How a source becomes articles: the [`Reader`] every input format implements, the [`Sink`]
//! that receives what a reader read, and the positions ([`At`]) that name a record in
//! messages. A reader never stops on a broken record: it hands the failure to the sink and goes
//! on; only the sink stops a read (Ctrl-C, a failed index write).

use std::fmt;
use std::io::Read;
use std::ops::ControlFlow;

use super::{
    Article, ArticleMeta, Passage, PassageSplitter, ReadError, SourceFile, decode, io_reason,
};

/// Where a record sits in its source, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum At {
    /// The source as a whole (a page, a file that could not be read).
    #[default]
    Whole,
    /// A line of a line-oriented file (JSON Lines), 1-based.
    Line(u64),
    /// A record starting at this byte offset of the (decompressed) file.
    Offset(u64),
    /// An item of a list, 1-based.
    Item(u64),
}

impl At {
    /// The 1-based line, if this is one.
    pub fn line(self) -> Option<u64> {
        match self {
            At::Line(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for At {
    /// What follows a path in a message: `:` (whole), `:12:`, `: record at byte 4096:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Whole => write!(f, ":"),
            At::Line(n) => write!(f, ":{n}:"),
            At::Offset(n) => write!(f, ": record at byte {n}:"),
            At::Item(n) => write!(f, ": item {n}:"),
        }
    }
}

/// One article read from a source, or why it failed.
#[derive(Debug)]
pub struct Record {
    pub at: At,
    pub result: Result<Article, ReadError>,
}

/// What a reader read in one go: articles and failures, warnings, and the records left unparsed
/// because they are already indexed.
#[derive(Debug, Default)]
pub struct FileRead {
    pub records: Vec<Record>,
    pub warnings: Vec<(At, String)>,
    /// Facts worth telling that are not problems (records of other kinds skipped).
    pub notes: Vec<(At, String)>,
    /// Records not parsed because their content hash is known (already indexed), with the hash.
    pub known: Vec<(At, String)>,
}

impl FileRead {
    /// A file that could not be opened or read.
    pub fn unreadable(e: &std::io::Error) -> FileRead {
        FileRead::failed(ReadError::Io(io_reason(e)))
    }

    /// A source that failed as a whole.
    pub fn failed(e: ReadError) -> FileRead {
        FileRead::one(At::Whole, Err(e))
    }

    /// One record.
    pub fn one(at: At, result: Result<Article, ReadError>) -> FileRead {
        FileRead {
            records: vec![Record { at, result }],
            ..FileRead::default()
        }
    }

    /// A source whose content hash is known: nothing to parse.
    pub fn known(at: At, hash: String) -> FileRead {
        FileRead {
            known: vec![(at, hash)],
            ..FileRead::default()
        }
    }

    /// Appends another read's records, warnings and known hashes.
    pub fn extend(&mut self, other: FileRead) {
        self.records.extend(other.records);
        self.warnings.extend(other.warnings);
        self.notes.extend(other.notes);
        self.known.extend(other.known);
    }
}

/// The articles already indexed from one source: their ids and passage counts by content hash.
pub type KnownHashes = rustc_hash::FxHashMap<String, Vec<(String, u64)>>;

/// The content hash of an article's raw bytes (BLAKE3, hex).
pub fn content_hash(raw: &[u8]) -> String {
    blake3::hash(raw).to_hex().to_string()
}

/// What a reader needs besides its source.
#[derive(Clone, Copy)]
pub struct ReadContext<'a> {
    pub splitter: &'a PassageSplitter,
    /// Already indexed from this source: records with these content hashes are not parsed.
    pub known: &'a KnownHashes,
}

/// An article too large to hold: its metadata (content hash included), its passage count, the
/// first passages' text (for language detection) and warnings. Its passages follow from a
/// [`Pump`].
#[derive(Debug)]
pub struct Streamed {
    pub meta: ArticleMeta,
    pub passages: u32,
    pub sample: Vec<String>,
    pub warnings: Vec<String>,
}

/// Hands a streamed article's passages in order, a chunk at a time, to the given function
/// until it breaks; fails when the source cannot be read to its end.
pub type Pump<'a> = dyn FnMut(&mut dyn FnMut(Vec<Passage>) -> ControlFlow<()>) -> Result<ControlFlow<()>, ReadError>
    + 'a;

/// Receives what readers read. `Break` asks the reader to stop at once.
pub trait Sink {
    /// Takes articles, failures, warnings and unchanged records.
    fn take(&mut self, read: FileRead) -> ControlFlow<()>;

    /// Takes an article whose passages are streamed: the sink pulls them from `pump` if it
    /// wants them (not when the article is unchanged).
    fn take_streamed(&mut self, article: Streamed, pump: &mut Pump<'_>) -> ControlFlow<()>;
}

/// An input format: turns a source into articles.
pub trait Reader: Sync {
    /// Reads a whole source held in memory (also the embedded corpus, tests and fuzzing).
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead;

    /// Reads a source from disk into `sink`. By default the file is read whole and left unparsed
    /// when its content hash is known; a format that streams overrides this.
    fn read(
        &self,
        source: &SourceFile,
        cx: ReadContext<'_>,
        sink: &mut dyn Sink,
    ) -> ControlFlow<()> {
        sink.take(read_whole(self, source, cx))
    }
}

/// Reads a file whole, unless its content hash is known.
pub(crate) fn read_whole<R: Reader + ?Sized>(
    reader: &R,
    source: &SourceFile,
    cx: ReadContext<'_>,
) -> FileRead {
    let mut bytes = Vec::new();
    if let Err(e) = super::compress::open(&source.path).and_then(|mut f| f.read_to_end(&mut bytes))
    {
        return FileRead::unreadable(&e);
    }
    if !cx.known.is_empty() {
        let hash = content_hash(&bytes);
        if cx.known.contains_key(&hash) {
            return FileRead::known(At::Whole, hash);
        }
    }
    reader.read_bytes(source, &bytes, cx)
}

/// Reads one source from disk with the reader of its format.
pub fn read_source(
    source: &SourceFile,
    cx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> ControlFlow<()> {
    source.format.reader().read(source, cx, sink)
}

/// Reads one source held in memory with the reader of its format.
pub fn read_bytes(source: &SourceFile, bytes: &[u8], splitter: &PassageSplitter) -> FileRead {
    let known = KnownHashes::default();
    let cx = ReadContext {
        splitter,
        known: &known,
    };
    source.format.reader().read_bytes(source, bytes, cx)
}

/// A one-article document format: the text is decoded, parsed into a draft by `parse`, and
/// finished into passages.
pub(crate) fn read_document(
    source: &SourceFile,
    bytes: &[u8],
    splitter: &PassageSplitter,
    parse: impl FnOnce(&str, &mut Vec<String>) -> Result<super::Draft, ReadError>,
) -> FileRead {
    let mut warnings = Vec::new();
    let result = decode::decode(bytes).and_then(|decoded| {
        warnings.extend(decoded.warning);
        let mut draft = parse(&decoded.text, &mut warnings)?;
        super::fill_file_meta(&mut draft.meta, source);
        draft.finish(splitter, bytes)
    });
    FileRead {
        warnings: warnings.into_iter().map(|w| (At::Whole, w)).collect(),
        ..FileRead::one(At::Whole, result)
    }
}

/// A streaming reader's `read_bytes`: all that `read` hands a sink, collected.
pub(crate) fn collected(read: impl FnOnce(&mut dyn Sink) -> ControlFlow<()>) -> FileRead {
    let mut all = Collect::default();
    let _ = read(&mut all);
    all.read
}

/// A streaming reader's `read`: the file opened, decompressed as its name says, and streamed.
pub(crate) fn open_stream(
    source: &SourceFile,
    sink: &mut dyn Sink,
    read: impl FnOnce(Box<dyn Read + Send>, &mut dyn Sink) -> ControlFlow<()>,
) -> ControlFlow<()> {
    match super::compress::open(&source.path) {
        Ok(file) => read(file, sink),
        Err(e) => sink.take(FileRead::unreadable(&e)),
    }
}

/// A sink that keeps everything it is given (streamed articles are read whole): for tests and
/// for commands that only look at what a source holds.
#[derive(Debug, Default)]
pub struct Collect {
    pub read: FileRead,
}

impl Sink for Collect {
    fn take(&mut self, read: FileRead) -> ControlFlow<()> {
        self.read.extend(read);
        ControlFlow::Continue(())
    }

    fn take_streamed(&mut self, article: Streamed, pump: &mut Pump<'_>) -> ControlFlow<()> {
        let mut passages = Vec::new();
        let pumped = pump(&mut |ps| {
            passages.extend(ps);
            ControlFlow::Continue(())
        });
        let result = pumped.map(|_| Article {
            meta: article.meta,
            passages,
        });
        let warnings = article.warnings.into_iter().map(|w| (At::Whole, w));
        self.read.warnings.extend(warnings);
        self.read.records.push(Record {
            at: At::Whole,
            result,
        });
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_and_print() {
        assert!(At::Whole < At::Line(1) && At::Line(9) < At::Line(10));
        assert_eq!(At::Whole.to_string(), ":");
        assert_eq!(At::Line(12).to_string(), ":12:");
        assert_eq!(At::Offset(4096).to_string(), ": record at byte 4096:");
        assert_eq!(At::Item(3).to_string(), ": item 3:");
        assert_eq!(At::Line(4).line(), Some(4));
        assert_eq!(At::Item(4).line(), None);
    }
}

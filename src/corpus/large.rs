//! Text page dumps too large to hold in memory (over [`LARGE_FILE_BYTES`]): read in chunks cut
//! at line ends (or, inside an endless line, at a space), parsed by the same [`Page`] rules as
//! a whole file. A first pass finds the metadata, which needs the whole page (translation notes
//! stand at its end), and counts the passages; a second pass hands the passages out in order,
//! chunk by chunk. Memory is bounded by the chunk size, whatever the size of the file.

use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use super::read::{At, FileRead, ReadContext, Sink, Streamed};
use super::text::Page;
use super::{
    Format, Passage, PassageSplitter, ReadError, SourceFile, complete_meta, decode, fill_file_meta,
    io_reason, list_sections,
};

/// Text files larger than this are read in chunks.
pub const LARGE_FILE_BYTES: u64 = 32 << 20;
/// Bytes read per chunk.
const CHUNK_BYTES: usize = 4 << 20;
/// Characters of passage text kept for language detection.
const SAMPLE_CHARS: usize = 4000;

/// Reads a large page dump into `sink`: unchanged (content hash known) without parsing,
/// else its metadata from a first pass and its passages, when the sink pulls them, from a
/// second.
pub fn read(source: &SourceFile, cx: ReadContext<'_>, sink: &mut dyn Sink) -> ControlFlow<()> {
    if !cx.known.is_empty()
        && let Ok(hash) = content_hash(source)
        && cx.known.contains_key(&hash)
    {
        return sink.take(FileRead::known(At::Whole, hash));
    }
    let article = match scan(source, cx.splitter) {
        Ok(article) => article,
        Err(e) => return sink.take(FileRead::failed(e)),
    };
    let hash = article.meta.content_hash.clone();
    let mut pump = |each: &mut dyn FnMut(Vec<Passage>) -> ControlFlow<()>| match passages::<Pumped>(
        source,
        cx.splitter,
        &hash,
        |ps| match each(ps) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(Pumped::Stopped),
        },
    ) {
        Ok(()) => Ok(ControlFlow::Continue(())),
        Err(Pumped::Stopped) => Ok(ControlFlow::Break(())),
        Err(Pumped::Unread(e)) => Err(e),
    };
    sink.take_streamed(article, &mut pump)
}

/// Why the second pass ended early.
enum Pumped {
    Unread(ReadError),
    Stopped,
}

impl From<ReadError> for Pumped {
    fn from(e: ReadError) -> Pumped {
        Pumped::Unread(e)
    }
}

/// True when `source` is read by this module: a large page dump that is not UTF-16 (UTF-16
/// files are read whole).
pub fn applies(source: &SourceFile) -> bool {
    if source.format != Format::Text
        || super::compress::Compression::of(&source.path) != super::compress::Compression::None
        || !std::fs::metadata(&source.path).is_ok_and(|m| m.len() > LARGE_FILE_BYTES)
    {
        return false;
    }
    let mut head = [0u8; 2];
    File::open(&source.path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| !decode::is_utf16(&head))
}

/// The content hash of the file, read in chunks.
fn content_hash(source: &SourceFile) -> Result<String, ReadError> {
    let mut hasher = blake3::Hasher::new();
    let file = File::open(&source.path).map_err(|e| ReadError::Io(io_reason(&e)))?;
    hasher
        .update_reader(file)
        .map_err(|e| ReadError::Io(io_reason(&e)))?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// First pass: the article's metadata and passage count.
fn scan(source: &SourceFile, splitter: &PassageSplitter) -> Result<Streamed, ReadError> {
    let mut page = Page::default();
    let mut passages = 0u32;
    let mut sections = Vec::new();
    let mut sample: Vec<String> = Vec::new();
    let mut sampled = 0;
    let (hash, warning) = chunks::<ReadError>(&source.path, |text, base| {
        page.feed(text, base);
        let blocks = std::mem::take(&mut page.draft.blocks);
        list_sections(&mut sections, &blocks);
        for p in splitter.split(&blocks, passages + 1) {
            passages += 1;
            if sampled < SAMPLE_CHARS {
                sampled += p.text.len();
                sample.push(p.text);
            }
        }
        Ok(())
    })?;
    let mut meta = page.finish()?.meta;
    let Some(first) = sample.first() else {
        return Err(ReadError::Empty);
    };
    complete_meta(&mut meta, passages, first, sections, hash);
    fill_file_meta(&mut meta, source);
    Ok(Streamed {
        meta,
        passages,
        sample,
        warnings: warning.into_iter().collect(),
    })
}

/// Second pass: the passages in order, a chunk's worth at a time, until `sink` fails. Fails
/// when the file no longer has the content hash the first pass found.
fn passages<E: From<ReadError>>(
    source: &SourceFile,
    splitter: &PassageSplitter,
    content_hash: &str,
    mut sink: impl FnMut(Vec<Passage>) -> Result<(), E>,
) -> Result<(), E> {
    let mut page = Page::default();
    let mut next = 1;
    let (hash, _) = chunks::<E>(&source.path, |text, base| {
        page.feed(text, base);
        let passages = splitter.split(&std::mem::take(&mut page.draft.blocks), next);
        next += passages.len() as u32;
        sink(passages)
    })?;
    if hash.to_hex().as_str() != content_hash {
        return Err(ReadError::Io("the file changed while it was being read".into()).into());
    }
    Ok(())
}

/// Reads `path` in decoded, normalized chunks and calls `each(text, first_char)` with each;
/// returns the hash of all bytes and the first decoding warning.
fn chunks<E: From<ReadError>>(
    path: &Path,
    mut each: impl FnMut(&str, usize) -> Result<(), E>,
) -> Result<(blake3::Hash, Option<String>), E> {
    let io = |e: std::io::Error| ReadError::Io(io_reason(&e));
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + (CHUNK_BYTES >> 4));
    let mut chars = 0;
    let mut warning = None;
    let mut start = true;
    loop {
        let have = buf.len();
        let n = (&mut file)
            .take(CHUNK_BYTES as u64)
            .read_to_end(&mut buf)
            .map_err(io)?;
        hasher.update(&buf[have..]);
        let end = n == 0;
        let cut = if end { buf.len() } else { cut_point(&buf) };
        if cut > 0 || start {
            let decoded = decode::decode_part(&buf[..cut], start)?;
            warning = warning.or(decoded.warning);
            each(&decoded.text, chars)?;
            chars += decoded.text.chars().count();
            start = false;
        }
        buf.drain(..cut);
        if end {
            return Ok((hasher.finalize(), warning));
        }
    }
}

/// Where to end a chunk: after its last line end; in a chunk that is all one line, after its
/// last space or tab; in one without any, at a character boundary.
fn cut_point(buf: &[u8]) -> usize {
    if let Some(i) = buf.iter().rposition(|&b| b == b'\n') {
        return i + 1;
    }
    if let Some(i) = buf.iter().rposition(|&b| b == b' ' || b == b'\t') {
        return i + 1;
    }
    let mut cut = buf.len();
    // Back off over at most three UTF-8 continuation bytes.
    while cut > buf.len().saturating_sub(3) && cut > 1 && (buf[cut - 1] & 0xC0) == 0x80 {
        cut -= 1;
    }
    if cut > 1 && buf[cut - 1] >= 0xC0 {
        cut -= 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{ArticleMeta, read_bytes};

    #[test]
    fn chunks_end_after_lines_spaces_or_whole_characters() {
        assert_eq!(cut_point(b"eins\nzwei drei"), 5);
        assert_eq!(cut_point(b"eins zwei"), 5);
        assert_eq!(cut_point("abcä".as_bytes()), 3);
        assert_eq!(cut_point("abcäd".as_bytes()), 6);
    }

    /// A file read in chunks gives the metadata and passages of the same file read whole.
    #[test]
    fn chunked_reading_matches_reading_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("Der große Hafen\nVon Anna Muster\n");
        let mut n = 0;
        while text.len() < (CHUNK_BYTES * 5) / 2 {
            n += 1;
            if n % 50 == 0 {
                text.push_str(&format!("Abschnitt {n}\n"));
            }
            text.push_str(&format!(
                "Absatz {n}: Die Kräne im Hafen von Rostock drehen sich. Schiffe kommen an.\n"
            ));
        }
        text.push_str(&"Eine sehr lange Zeile ohne Ende. ".repeat(CHUNK_BYTES / 20));
        text.push_str("\nDieser Artikel wurde maschinell aus dem Englischen übersetzt.\n");
        let path = dir.path().join("gross.txt");
        std::fs::write(&path, &text).unwrap();
        let source = SourceFile {
            path,
            rel: "gross.txt".into(),
            display: "gross.txt".into(),
            format: Format::Text,
        };
        let splitter = PassageSplitter::default();
        let whole = read_bytes(&source, text.as_bytes(), &splitter)
            .records
            .remove(0);
        let whole = whole.result.unwrap();

        let scan = scan(&source, &splitter).unwrap();
        // The passage count may differ where a chunk cuts the endless line (checked below).
        let same = |m: &ArticleMeta| ArticleMeta {
            passages: 0,
            ..m.clone()
        };
        assert!(same(&scan.meta) == same(&whole.meta), "metadata differs");
        assert_eq!(scan.meta.passages, scan.passages);
        let mut streamed = Vec::new();
        let mut batches = 0;
        passages::<ReadError>(&source, &splitter, &scan.meta.content_hash, |ps| {
            batches += 1;
            streamed.extend(ps);
            Ok(())
        })
        .unwrap();
        assert!(batches >= 3, "{batches} chunks");
        assert_eq!(streamed.len(), scan.passages as usize);
        // Passages are the same but where a chunk cuts the endless line.
        let lines = whole
            .passages
            .iter()
            .take_while(|p| !p.text.starts_with("Eine sehr lange"))
            .count();
        assert_eq!(streamed[..lines], whole.passages[..lines]);
        assert!(streamed.len().abs_diff(whole.passages.len()) <= batches);
        let (a, b) = (streamed.last().unwrap(), whole.passages.last().unwrap());
        assert_eq!((&a.text, a.kind, a.range), (&b.text, b.kind, b.range));
        let chars: Vec<char> = text.chars().collect();
        for p in &streamed {
            let at: String = chars[p.range.0..p.range.1].iter().collect();
            assert_eq!(at, p.text);
        }
    }
}

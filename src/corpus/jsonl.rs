//! JSON Lines (`.jsonl`, `.ndjson`): one article per line with `id`/`_id`, `title`,
//! `text`/`body` (paragraphs separated by blank lines) and optional metadata fields. BEIR
//! `corpus.jsonl` files read unchanged. Files are streamed in batches of lines parsed in
//! parallel, so a multi-gigabyte dump is read in bounded memory; a broken line costs only itself.

use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;

use rayon::prelude::*;
use serde_json::Value;

use super::decode::normalize_text;
use super::read::{At, ReadContext, Reader, Sink, collected, open_stream};
use super::{
    Block, Draft, FileRead, PassageKind, PassageSplitter, ReadError, Record, SourceFile,
    content_hash,
};
use super::{fields, io_reason};

/// Bytes of lines gathered before a batch is parsed.
const BATCH_BYTES: usize = 8 << 20;

/// The reader of JSON Lines files: streamed in batches.
pub struct JsonlReader;

impl Reader for JsonlReader {
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead {
        collected(|sink| read_batches(source, bytes, cx, sink))
    }

    fn read(
        &self,
        source: &SourceFile,
        cx: ReadContext<'_>,
        sink: &mut dyn Sink,
    ) -> ControlFlow<()> {
        open_stream(source, sink, |file, sink| {
            read_batches(source, file, cx, sink)
        })
    }
}

/// Reads a JSON Lines stream in batches of lines parsed in parallel, handing each batch to
/// `sink` until it breaks. Lines whose content hash is known are not parsed.
pub fn read_batches(
    source: &SourceFile,
    reader: impl Read,
    cx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> ControlFlow<()> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let mut batch: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0;
    let mut line_no = 0u64;
    loop {
        let mut buf = Vec::new();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                line_no += 1;
                batch_bytes += n;
                batch.push((line_no, buf));
            }
            Err(e) => {
                let failed = Err(ReadError::Io(io_reason(&e)));
                sink.take(parse_batch(source, &batch, cx))?;
                return sink.take(FileRead::one(At::Line(line_no + 1), failed));
            }
        }
        if batch_bytes >= BATCH_BYTES {
            sink.take(parse_batch(source, &std::mem::take(&mut batch), cx))?;
            batch_bytes = 0;
        }
    }
    if batch.is_empty() {
        return ControlFlow::Continue(());
    }
    sink.take(parse_batch(source, &batch, cx))
}

fn parse_batch(source: &SourceFile, lines: &[(u64, Vec<u8>)], cx: ReadContext<'_>) -> FileRead {
    let parsed: Vec<Line> = lines
        .par_iter()
        .map(|(no, raw)| parse_line(source, *no, raw, cx))
        .collect();
    let mut out = FileRead::default();
    for line in parsed {
        match line {
            Line::Blank => {}
            Line::Known(no, hash) => out.known.push((At::Line(no), hash)),
            Line::Read(record, warnings) => {
                out.records.push(*record);
                out.warnings.extend(warnings);
            }
        }
    }
    out
}

/// What one line gave.
enum Line {
    Blank,
    /// Already indexed with this content hash: not parsed.
    Known(u64, String),
    /// The article or why it failed, and warnings.
    Read(Box<Record>, Vec<(At, String)>),
}

fn parse_line(source: &SourceFile, line: u64, raw: &[u8], cx: ReadContext<'_>) -> Line {
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    let record = trimmed.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(trimmed);
    if !cx.known.is_empty() {
        let hash = content_hash(record);
        if cx.known.contains_key(&hash) {
            return Line::Known(line, hash);
        }
    }
    let mut warnings = Vec::new();
    let result = parse_object(source, line, record, cx.splitter, &mut warnings);
    let at = At::Line(line);
    let warnings = warnings.into_iter().map(|w| (at, w)).collect();
    Line::Read(Box::new(Record { at, result }), warnings)
}

fn parse_object(
    source: &SourceFile,
    line: u64,
    raw: &[u8],
    splitter: &PassageSplitter,
    warnings: &mut Vec<String>,
) -> Result<super::Article, ReadError> {
    let value: Value = serde_json::from_slice(raw).map_err(|e| {
        let msg = e.to_string();
        // serde_json says "at line 1 column N"; within a record only the column means anything.
        ReadError::Json(match msg.rsplit_once(" at line 1 column ") {
            Some((what, col)) => format!("{what} at column {col}"),
            None => msg,
        })
    })?;
    let Value::Object(obj) = value else {
        return Err(ReadError::Record(format!(
            "expected a JSON object per line, found {}",
            match value {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        )));
    };
    let mut draft = Draft::default();
    warnings.extend(fields::apply(&mut draft.meta, &obj));
    let body = match obj.get("text").or_else(|| obj.get("body")) {
        Some(Value::String(s)) => normalize_text(s).into_owned(),
        Some(_) => return Err(ReadError::Record("field `text` is not a string".into())),
        None => return Err(ReadError::Record("no `text` or `body` field".into())),
    };
    if let Some(Value::String(t)) = obj.get("title") {
        draft.meta.title = normalize_text(t.trim()).into_owned();
    }
    draft.blocks = with_headings(paragraphs(&body));
    if draft.meta.id.is_empty() {
        draft.meta.id = format!("{}:{line}", source.default_id());
    }
    draft.meta.path = source.display.clone();
    draft.meta.line = Some(line);
    draft.finish(splitter, raw)
}

/// Paragraphs of a body: separated by blank lines; single newlines inside read as spaces.
fn paragraphs(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut offset = 0;
    let mut current: Option<(usize, String)> = None;
    for line in body.split('\n') {
        let n = line.chars().count();
        if line.trim().is_empty() {
            if let Some((start, text)) = current.take() {
                blocks.push(body_block(start, text));
            }
        } else {
            match &mut current {
                Some((_, text)) => {
                    text.push(' ');
                    text.push_str(line);
                }
                None => {
                    let lead = line.len() - line.trim_start().len();
                    current = Some((
                        offset + line[..lead].chars().count(),
                        line.trim_start().into(),
                    ));
                }
            }
        }
        offset += n + 1;
    }
    if let Some((start, text)) = current {
        blocks.push(body_block(start, text));
    }
    blocks
}

/// A one-line block that reads as a heading (see `text::is_heading`) and is followed by a
/// paragraph becomes the section of the blocks after it.
fn with_headings(blocks: Vec<Block>) -> Vec<Block> {
    let n = blocks.len();
    let mut out = Vec::with_capacity(n);
    let mut section: Option<String> = None;
    for (i, mut b) in blocks.into_iter().enumerate() {
        if i + 1 < n && super::text::is_heading(&b.text) {
            section = Some(b.text);
            continue;
        }
        b.section = section.clone();
        out.push(b);
    }
    out
}

fn body_block(start: usize, mut text: String) -> Block {
    text.truncate(text.trim_end().len());
    Block {
        kind: PassageKind::Body,
        section: None,
        text,
        start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Format;

    fn read_str(s: &str) -> FileRead {
        crate::corpus::read_bytes(
            &SourceFile::virtual_file("dump.jsonl", Format::Jsonl),
            s.as_bytes(),
            &PassageSplitter::default(),
        )
    }

    #[test]
    fn beir_lines_and_broken_lines() {
        let r = read_str(concat!(
            r#"{"_id": "d1", "title": "Titel", "text": "Absatz eins.\n\nAbsatz zwei."}"#,
            "\n\n",
            r#"{"_id": "d2", "text": "#,
            "\n",
            r#"[1, 2]"#,
            "\n",
            r#"{"body": "Ohne Id.", "published": "gestern"}"#,
            "\n",
            r#"{"id": "h", "body": "Ein Vorspann.\n\nEine Überschrift\n\nEin Absatz darunter."}"#,
            "\n",
        ));
        assert_eq!(r.records.len(), 5);
        let a = r.records[0].result.as_ref().unwrap();
        assert_eq!(a.meta.id, "d1");
        assert_eq!(a.passages.len(), 2);
        assert_eq!(a.passages[1].range, (14, 26));
        assert_eq!(r.records[1].at, At::Line(3));
        assert!(matches!(r.records[1].result, Err(ReadError::Json(_))));
        assert!(
            r.records[2]
                .result
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("a list")
        );
        let d = r.records[3].result.as_ref().unwrap();
        assert_eq!(d.meta.id, "dump:5");
        assert_eq!(d.meta.published, None);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].0, At::Line(5), "{:?}", r.warnings);
        let h = r.records[4].result.as_ref().unwrap();
        let sections: Vec<Option<&str>> = h.passages.iter().map(|p| p.section.as_deref()).collect();
        assert_eq!(sections, [None, Some("Eine Überschrift")]);
    }
}

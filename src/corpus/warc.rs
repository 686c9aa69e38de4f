//! Web archives (`.warc`, `.warc.gz` with one gzip member per record): every `response` record
//! with HTTP status 200 and HTML content is an article candidate, read by the HTML reader with
//! `WARC-Target-URI` as its URL (the page's canonical URL wins) and the charset of the HTTP
//! header as a hint. `WARC-Date` is when the page was fetched, not published, and is not taken
//! as a date. Other records, and pages without an article, are skipped and counted. The archive
//! is streamed record by record and pages are parsed in parallel batches; a broken record is
//! named with its byte offset (in the decompressed archive) and reading resumes at the next
//! record.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;

use rayon::prelude::*;

use super::html;
use super::read::{At, ReadContext, Reader, Record, Sink, collected, open_stream};
use super::{FileRead, ReadError, SourceFile, content_hash, io_reason};

/// Bytes of records gathered before a batch is parsed.
const BATCH_BYTES: usize = 16 << 20;
/// Records larger than this are skipped without being held.
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// The reader of web archives.
pub struct WarcReader;

impl Reader for WarcReader {
    fn read_bytes(&self, source: &SourceFile, bytes: &[u8], cx: ReadContext<'_>) -> FileRead {
        collected(|sink| read_records(source, bytes, cx, sink))
    }

    fn read(
        &self,
        source: &SourceFile,
        cx: ReadContext<'_>,
        sink: &mut dyn Sink,
    ) -> ControlFlow<()> {
        open_stream(source, sink, |file, sink| {
            read_records(source, file, cx, sink)
        })
    }
}

/// One HTML response taken from the archive.
struct Response {
    offset: u64,
    uri: Option<String>,
    /// The HTTP response: status line, headers, body.
    http: Vec<u8>,
}

/// Reads an archive's records into `sink`, a batch at a time.
fn read_records(
    source: &SourceFile,
    reader: impl Read,
    cx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> ControlFlow<()> {
    let mut reader = Counting {
        inner: BufReader::with_capacity(1 << 20, reader),
        offset: 0,
    };
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut batch: Vec<Response> = Vec::new();
    let mut batch_bytes = 0;
    let mut failures = Vec::new();
    loop {
        match next_record(&mut reader) {
            Ok(None) => break,
            Ok(Some(Next::Response(r))) => {
                batch_bytes += r.http.len();
                batch.push(r);
            }
            Ok(Some(Next::Skipped(kind))) => *skipped.entry(kind).or_default() += 1,
            Err((offset, e, resumable)) => {
                failures.push(Record {
                    at: At::Offset(offset),
                    result: Err(e),
                });
                if !resumable {
                    break;
                }
            }
        }
        if batch_bytes >= BATCH_BYTES {
            let read = parse_batch(source, std::mem::take(&mut batch), cx, &mut skipped);
            sink.take(read)?;
            batch_bytes = 0;
        }
    }
    let mut read = parse_batch(source, batch, cx, &mut skipped);
    read.records.extend(failures);
    if !skipped.is_empty() {
        let total: usize = skipped.values().sum();
        let kinds: Vec<String> = skipped.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        read.notes.push((
            At::Whole,
            format!("skipped {total} records ({})", kinds.join(", ")),
        ));
    }
    sink.take(read)
}

/// Parses the pages of a batch in parallel.
fn parse_batch(
    source: &SourceFile,
    batch: Vec<Response>,
    cx: ReadContext<'_>,
    skipped: &mut BTreeMap<String, usize>,
) -> FileRead {
    let parsed: Vec<(u64, Parsed)> = batch
        .into_par_iter()
        .map(|r| (r.offset, parse_response(source, r, cx)))
        .collect();
    let mut out = FileRead::default();
    for (offset, p) in parsed {
        let at = At::Offset(offset);
        match p {
            Parsed::Known(hash) => out.known.push((at, hash)),
            Parsed::Skipped(kind) => *skipped.entry(kind).or_default() += 1,
            Parsed::Read(result, warnings) => {
                out.warnings.extend(warnings.into_iter().map(|w| (at, w)));
                out.records.push(Record {
                    at,
                    result: *result,
                });
            }
        }
    }
    out
}

enum Parsed {
    Known(String),
    Skipped(String),
    Read(Box<Result<super::Article, ReadError>>, Vec<String>),
}

fn parse_response(source: &SourceFile, r: Response, cx: ReadContext<'_>) -> Parsed {
    let hash = content_hash(&r.http);
    if cx.known.contains_key(&hash) {
        return Parsed::Known(hash);
    }
    let http = match HttpResponse::parse(&r.http) {
        Ok(h) => h,
        Err(e) => return Parsed::Read(Box::new(Err(e)), Vec::new()),
    };
    if http.status != 200 {
        return Parsed::Skipped(format!("HTTP {}", http.status));
    }
    let content_type = http
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let sniffed_html = || {
        let head = String::from_utf8_lossy(&http.body[..http.body.len().min(1024)]).to_lowercase();
        head.contains("<html") || head.contains("<!doctype html")
    };
    let is_html = content_type.contains("html") || (content_type.is_empty() && sniffed_html());
    if !is_html {
        let kind = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        return Parsed::Skipped(if kind.is_empty() {
            "not HTML".into()
        } else {
            kind
        });
    }
    let body = match http.decoded_body() {
        Ok(b) => b,
        Err(e) => return Parsed::Read(Box::new(Err(e)), Vec::new()),
    };
    let charset = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("charset="))
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim_matches('"').as_bytes()));
    let mut warnings = Vec::new();
    let page = match html::read_page_with(&body, charset, &mut warnings) {
        Ok(p) => p,
        Err(html::PageError::NoArticle(_)) => {
            return Parsed::Skipped("no article".into());
        }
        Err(html::PageError::Unreadable(e)) => return Parsed::Read(Box::new(Err(e)), warnings),
    };
    let mut draft = page.into_draft();
    if draft.meta.url.is_none() {
        draft.meta.url = r.uri.clone();
    }
    draft.meta.id = match &draft.meta.url {
        Some(url) => html::url_id(url),
        None => format!("{}@{}", source.default_id(), r.offset),
    };
    draft.meta.path = source.display.clone();
    Parsed::Read(Box::new(draft.finish(cx.splitter, &r.http)), warnings)
}

/// What the next record is.
enum Next {
    Response(Response),
    Skipped(String),
}

/// A read failure: offset, reason, and whether reading can go on after it.
type Broken = (u64, ReadError, bool);

/// Reads the next record; `None` at the end of the archive.
fn next_record<R: BufRead>(r: &mut Counting<R>) -> Result<Option<Next>, Broken> {
    // Blank lines between records.
    let mut line = Vec::new();
    let offset = loop {
        let at = r.offset;
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) => return Ok(None),
            Ok(_) if line.trim_ascii().is_empty() => continue,
            Ok(_) => break at,
            Err(e) => return Err((at, ReadError::Io(io_reason(&e)), false)),
        }
    };
    if !line.starts_with(b"WARC/") {
        let e = ReadError::Record("not a WARC record (no `WARC/1.x` version line)".into());
        // Resume at the next version line.
        loop {
            line.clear();
            match r.inner.fill_buf() {
                Ok([]) => return Err((offset, e, false)),
                Ok(buf) if buf.starts_with(b"WARC/") => return Err((offset, e, true)),
                _ => {}
            }
            if r.read_line(&mut line).is_err() {
                return Err((offset, e, false));
            }
        }
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) => {
                let e = ReadError::Record("the archive ends inside a record's headers".into());
                return Err((offset, e, false));
            }
            Ok(_) if line.trim_ascii().is_empty() => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                if let Some((k, v)) = text.split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            Err(e) => return Err((offset, ReadError::Io(io_reason(&e)), false)),
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(length) = header("content-length").and_then(|l| l.parse::<u64>().ok()) else {
        let e = ReadError::Record("record without a valid Content-Length".into());
        return Err((offset, e, false));
    };
    let kind = header("warc-type")
        .unwrap_or("unknown")
        .to_ascii_lowercase();
    let is_http = header("content-type").is_some_and(|t| t.contains("application/http"));
    if kind != "response" || !is_http || length > MAX_RECORD_BYTES {
        let skipped = std::io::copy(&mut (&mut *r).take(length), &mut std::io::sink());
        return match skipped {
            Ok(n) if n == length => Ok(Some(Next::Skipped(if length > MAX_RECORD_BYTES {
                "over 64 MB".into()
            } else {
                kind.clone()
            }))),
            Ok(n) => Err((offset, cut_short(n, length), false)),
            Err(e) => Err((offset, ReadError::Io(io_reason(&e)), false)),
        };
    }
    let mut http = Vec::with_capacity(length as usize);
    match (&mut *r).take(length).read_to_end(&mut http) {
        Ok(n) if n as u64 == length => {}
        Ok(n) => return Err((offset, cut_short(n as u64, length), false)),
        Err(e) => return Err((offset, ReadError::Io(io_reason(&e)), false)),
    }
    Ok(Some(Next::Response(Response {
        offset,
        uri: header("warc-target-uri").map(|u| u.trim_matches(['<', '>']).to_string()),
        http,
    })))
}

fn cut_short(got: u64, want: u64) -> ReadError {
    ReadError::Record(format!(
        "record cut short: the archive ends after {got} of its {want} bytes"
    ))
}

/// A reader that knows how many bytes it has given out.
struct Counting<R> {
    inner: R,
    offset: u64,
}

impl<R: BufRead> Counting<R> {
    /// Reads one line (up to 64 KB: a longer "line" is no WARC header).
    fn read_line(&mut self, line: &mut Vec<u8>) -> std::io::Result<usize> {
        let n = (&mut self.inner).take(64 << 10).read_until(b'\n', line)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

/// An HTTP response as archived.
struct HttpResponse<'a> {
    status: u16,
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

impl<'a> HttpResponse<'a> {
    fn parse(raw: &'a [u8]) -> Result<HttpResponse<'a>, ReadError> {
        let bad =
            |what: &str| ReadError::Record(format!("bad HTTP response in the record: {what}"));
        let end = find(raw, b"\r\n\r\n")
            .map(|p| (p, p + 4))
            .or_else(|| find(raw, b"\n\n").map(|p| (p, p + 2)))
            .ok_or_else(|| bad("no end of headers"))?;
        let head = String::from_utf8_lossy(&raw[..end.0]);
        let mut lines = head.lines();
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .filter(|_| status_line.starts_with("HTTP/"))
            .ok_or_else(|| bad("no status line"))?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Ok(HttpResponse {
            status,
            headers,
            body: &raw[end.1..],
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body with its transfer and content encodings undone.
    fn decoded_body(&self) -> Result<Vec<u8>, ReadError> {
        let mut body = self.body.to_vec();
        if self
            .header("transfer-encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        {
            body = dechunk(&body).ok_or_else(|| {
                ReadError::Record("bad chunked transfer encoding in the HTTP body".into())
            })?;
        }
        match self
            .header("content-encoding")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("identity") | Some("") => Ok(body),
            Some("gzip") | Some("x-gzip") => {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .map(|_| out)
                    .map_err(|e| ReadError::Record(format!("bad gzip body: {e}")))
            }
            Some("deflate") => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .map(|_| out)
                    .map_err(|e| ReadError::Record(format!("bad deflate body: {e}")))
            }
            Some(other) => Err(ReadError::Record(format!(
                "HTTP body in an unsupported content encoding `{other}`"
            ))),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Undoes `Transfer-Encoding: chunked`.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = find(body, b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size..)?;
        body = body.strip_prefix(b"\r\n").unwrap_or(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap(),
            b"Wikipedia"
        );
        assert_eq!(dechunk(b"zz\r\n"), None);
    }

    #[test]
    fn http_status_and_headers() {
        let r = HttpResponse::parse(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\nx")
            .unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.header("content-type"), Some("text/html"));
        assert_eq!(r.body, b"x");
    }
}

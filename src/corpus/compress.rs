//! Compressed sources: a `.gz` (gzip, any number of members) or `.zst` (Zstandard) file is read
//! through a streaming decoder, so every format can arrive compressed (`wire.jsonl.gz`,
//! `page.html.gz`, `dump.jsonl.zst`). The compression is known by the last extension.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

/// How a file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression of a file name, by its last extension.
    pub fn of(path: &Path) -> Compression {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name.ends_with(".gz") || name.ends_with(".gzip") {
            Compression::Gzip
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::None => "file",
            Compression::Gzip => "gzip stream",
            Compression::Zstd => "zstd stream",
        }
    }
}

/// A file name without its compression extension (`page.html.gz` → `page.html`).
pub fn strip_extension(name: &str) -> &str {
    for ext in [".gz", ".gzip", ".zst", ".zstd"] {
        if name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext) {
            return &name[..name.len() - ext.len()];
        }
    }
    name
}

/// Opens a file for reading, decompressing it as its name says.
pub fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let file = File::open(path)?;
    let compression = Compression::of(path);
    let inner: Box<dyn Read + Send> = match compression {
        Compression::None => return Ok(Box::new(file)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file))),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(BufReader::new(file))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        ),
    };
    Ok(Box::new(Named {
        inner,
        what: compression.name(),
        read: 0,
    }))
}

/// A decoder whose errors say what was being decompressed and where it broke.
struct Named {
    inner: Box<dyn Read + Send>,
    what: &'static str,
    read: u64,
}

impl Read for Named {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.read += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let why = match e.kind() {
                    io::ErrorKind::UnexpectedEof => "the file ends in the middle of it".to_string(),
                    _ => e.to_string(),
                };
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "broken {} after {} decompressed bytes: {why}",
                        self.what, self.read
                    ),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_members_and_broken_streams() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt.gz");
        let mut bytes = Vec::new();
        for part in ["eins ", "zwei"] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            bytes.extend(gz.finish().unwrap());
        }
        std::fs::write(&path, &bytes).unwrap();
        let mut s = String::new();
        open(&path).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "eins zwei");

        std::fs::write(&path, &bytes[..bytes.len() - 8]).unwrap();
        let err = open(&path)
            .unwrap()
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(
            err.to_string().starts_with("broken gzip stream after"),
            "{err}"
        );
        assert_eq!(strip_extension("page.html.gz"), "page.html");
        assert_eq!(Compression::of(Path::new("d.jsonl.zst")), Compression::Zstd);
    }
}

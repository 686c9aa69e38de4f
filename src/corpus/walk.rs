//! Finding the files to ingest: walks folders in a stable order, skips hidden files and
//! unknown extensions (counting them), and names each file relative to its ingest root.

use std::path::{Path, PathBuf};

use super::{Format, io_reason};

/// One file to read, with the names korpus gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Path relative to the ingest root, with `/` separators.
    pub rel: String,
    /// The path as shown to users and stored in the index.
    pub display: String,
    pub format: Format,
}

impl SourceFile {
    /// A source that is not on disk (the embedded corpus, tests).
    pub fn virtual_file(rel: &str, format: Format) -> SourceFile {
        SourceFile {
            path: PathBuf::from(rel),
            rel: rel.to_string(),
            display: rel.to_string(),
            format,
        }
    }

    /// The article id used when the article names none: its relative path without extension.
    pub fn default_id(&self) -> String {
        match super::compress::strip_extension(&self.rel).rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => stem.to_string(),
            _ => self.rel.clone(),
        }
    }
}

/// The result of walking the ingest paths.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<SourceFile>,
    pub hidden: usize,
    pub unknown: usize,
    /// Paths that could not be walked, with the reason.
    pub errors: Vec<(String, String)>,
}

/// Walks `paths` (files or folders). `format` overrides extension-based detection.
pub fn walk(paths: &[PathBuf], format: Option<Format>) -> Walk {
    let mut out = Walk::default();
    let hidden = std::cell::Cell::new(0);
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push((root.display().to_string(), io_reason(&e)));
                continue;
            }
        };
        if meta.is_file() {
            let rel = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match format.or_else(|| Format::from_extension(root)) {
                Some(format) => out.files.push(SourceFile {
                    path: root.clone(),
                    rel,
                    display: display(root),
                    format,
                }),
                None => out.errors.push((
                    display(root),
                    "unknown file type (use --format text|markdown|jsonl|html|warc|feed)".into(),
                )),
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let hide = e.depth() > 0 && is_hidden(e.file_name());
                hidden.set(hidden.get() + usize::from(hide));
                !hide
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map(display).unwrap_or_else(|| display(root));
                    let reason = match e.io_error() {
                        Some(io) => io_reason(io),
                        None => e.to_string(),
                    };
                    out.errors.push((path, reason));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let Some(format) = format.or_else(|| Format::from_extension(path)) else {
                out.unknown += 1;
                continue;
            };
            let rel = path
                .strip_prefix(root)
                .unwrap_or(path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.files.push(SourceFile {
                path: path.to_path_buf(),
                rel,
                display: display(path),
                format,
            });
        }
    }
    out.hidden = hidden.get();
    out
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|s| s.starts_with('.'))
}

/// A path as shown to users and stored in the index (without a leading `./`).
pub fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_skipping_hidden_and_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("b.txt"), "x").unwrap();
        std::fs::write(root.join("a.md"), "x").unwrap();
        std::fs::write(root.join("sub/c.jsonl"), "x").unwrap();
        std::fs::write(root.join(".hidden.txt"), "x").unwrap();
        std::fs::write(root.join("image.png"), "x").unwrap();
        let w = walk(&[root.to_path_buf()], None);
        let rels: Vec<_> = w.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.md", "b.txt", "sub/c.jsonl"]);
        assert_eq!(w.hidden, 1);
        assert_eq!(w.unknown, 1);
        assert_eq!(w.files[2].default_id(), "sub/c");
    }
}

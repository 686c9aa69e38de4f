//! Shared by the format targets: any bytes give articles or a reason, never a panic, and every
//! passage is a non-empty piece of text with an ordered range.

use korpus::corpus::{Format, PassageSplitter, SourceFile, read_bytes};

pub fn check(format: Format, name: &str, data: &[u8]) {
    let source = SourceFile::virtual_file(name, format);
    let read = read_bytes(&source, data, &PassageSplitter::default());
    for record in read.records {
        if let Ok(article) = record.result {
            for p in &article.passages {
                assert!(p.range.0 <= p.range.1);
                assert!(!p.text.is_empty());
            }
        }
    }
}

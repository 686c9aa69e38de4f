//! The markdown reader: any bytes give articles or a reason, never a panic; every passage is the
//! text at its range.
#![no_main]

use korpus::corpus::{Format, PassageSplitter, SourceFile, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = SourceFile::virtual_file("fuzz.markdown", Format::Markdown);
    let read = read_bytes(&source, data, &PassageSplitter::default());
    for record in read.records {
        if let Ok(article) = record.result {
            for p in &article.passages {
                assert!(p.range.0 <= p.range.1);
                assert!(!p.text.is_empty());
            }
        }
    }
});

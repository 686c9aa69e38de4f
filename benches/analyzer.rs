//! Analyzer micro-benchmark: runs the German analyzer over every title and body of a JSON
//! Lines corpus on one thread, twice (the first pass fills the word caches, the second is the
//! steady state of a long ingest), and prints words, nanoseconds per word and a checksum of
//! the tokens for each pass (equal checksums: an optimisation left the analysis unchanged).
//!
//!     analyzer ARTICLES.jsonl

use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::time::Instant;

use korpus::analysis::Lang;
use tantivy::tokenizer::TokenStream;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: analyzer ARTICLES.jsonl")?;
    let mut texts = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(path)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        for key in ["title", "body", "text"] {
            if let Some(s) = v.get(key).and_then(|s| s.as_str()) {
                texts.push(s.to_string());
            }
        }
    }
    let mut analyzer = Lang::German.analyzer();
    for pass in ["first pass (cold caches)", "second pass (warm caches)"] {
        let started = Instant::now();
        let (mut tokens, mut words, mut last) = (0u64, 0u64, usize::MAX);
        // A checksum of every token (text, position, offsets): equal sums, equal analysis.
        let mut sum = std::hash::DefaultHasher::new();
        for t in &texts {
            let mut stream = analyzer.token_stream(t);
            while stream.advance() {
                tokens += 1;
                let t = stream.token();
                (&t.text, t.position, t.offset_from, t.offset_to).hash(&mut sum);
                let p = t.position;
                if p != last {
                    words += 1;
                    last = p;
                }
            }
            last = usize::MAX;
        }
        let ns = started.elapsed().as_nanos() as f64;
        println!(
            "{pass}: {words} words, {tokens} tokens, {:.1} ns/word, checksum {:016x}",
            ns / words as f64,
            sum.finish()
        );
    }
    Ok(())
}

//! The bare-Tantivy baseline of the benchmark: indexes passages the way tantivy-cli's `index`
//! command does — one JSON object per line parsed straight into a document, both fields with
//! tantivy's built-in `en_stem` analyzer and stored, 2 indexing threads, a 1 GB memory budget
//! (tantivy-cli's default), one commit. No parsing of articles, no metadata, no German.
//!
//!     baseline INDEX_DIR PASSAGES.jsonl      (lines: {"title": …, "body": …})

use std::io::BufRead;

use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexWriter, TantivyDocument};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, input] = args.as_slice() else {
        return Err("usage: baseline INDEX_DIR PASSAGES.jsonl".into());
    };
    let options = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let mut builder = Schema::builder();
    builder.add_text_field("title", options.clone());
    builder.add_text_field("body", options);
    let schema = builder.build();
    std::fs::create_dir_all(dir)?;
    let index = Index::create_in_dir(dir, schema.clone())?;
    let mut writer: IndexWriter = index.writer_with_num_threads(2, 1_000_000_000)?;
    let reader = std::io::BufReader::new(std::fs::File::open(input)?);
    let mut docs = 0u64;
    for line in reader.lines() {
        let line = line?;
        match TantivyDocument::parse_json(&schema, &line) {
            Ok(doc) => {
                writer.add_document(doc)?;
                docs += 1;
            }
            Err(e) => eprintln!("skipped a line: {e}"),
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    eprintln!("{docs} passages indexed");
    Ok(())
}

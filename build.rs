//! Compiles `data/lexicon-de.txt` into an FST map (word → Zipf frequency × 10) embedded in the
//! binary, and exports the lexicon's hash for the analyzer fingerprint.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "src/analysis/fold.rs"]
mod fold;

fn main() {
    let src = "data/lexicon-de.txt";
    println!("cargo:rerun-if-changed={src}");
    let text = std::fs::read_to_string(src).expect("data/lexicon-de.txt is missing");
    // Words are stored folded (ä → a, ue → u, …), as the analyzer looks them up.
    let mut entries: BTreeMap<String, u64> = BTreeMap::new();
    let mut zipf = 0u64;
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(z) = line.strip_prefix('@') {
            zipf = z.parse().expect("bucket line @N");
            continue;
        }
        let z = entries.entry(fold::fold(line).into_owned()).or_insert(0);
        *z = (*z).max(zipf);
    }
    let mut builder = fst::MapBuilder::memory();
    for (word, z) in entries {
        builder.insert(word, z).expect("sorted keys");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("lexicon-de.fst");
    std::fs::write(&out, builder.into_inner().expect("fst")).expect("write fst");
    // FNV-1a over the file: part of the analyzer fingerprint.
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    println!("cargo:rustc-env=KORPUS_LEXICON_HASH={hash:016x}");
}

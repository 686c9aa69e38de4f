//! The query path: parsing (with and without operators), building and highlighting analysis.
#![no_main]

use korpus::search::query::{NoLexicon, QueryBuilder, parse, parse_literal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let builder = QueryBuilder::new(korpus::index::schema().1);
    for clauses in [parse(q), parse_literal(q)].into_iter().flatten() {
        let _ = builder.build(&clauses, &NoLexicon);
    }
    let _ = korpus::analysis::german::analyze(q);
});

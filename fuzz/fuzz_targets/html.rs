//! The html reader (see reader.rs).
#![no_main]

#[path = "reader.rs"]
mod reader;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    reader::check(korpus::corpus::Format::Html, "fuzz.html", data);
});

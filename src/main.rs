use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

/// Indexing moves millions of small buffers between threads (built by the parsing workers,
/// freed by tantivy's); mimalloc's per-thread free lists make that cheap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = korpus::cli::Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = korpus::commands::run(cli, &mut out, &mut io::stderr());
    let flushed = out.flush();
    match result.and_then(|o| flushed.map(|_| o).map_err(Into::into)) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("korpus: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

/// `korpus search … | head -1` closes the pipe early: that is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

//! Typed, validated settings built from the command line: index location, filters, output
//! format and style, thread counts. Environment variables (`NO_COLOR`) are read here only.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli;
use crate::corpus::Format;
use crate::render::{OutputFormat, Style};
use crate::search::{self, Filters, GroupBy, SearchError};

/// Where the index lives and whether the user chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLocation {
    pub path: PathBuf,
    /// False for the default `./index`, which search may create from the default corpus.
    pub explicit: bool,
}

impl IndexLocation {
    pub fn new(flag: Option<PathBuf>) -> IndexLocation {
        match flag {
            Some(path) => IndexLocation {
                path,
                explicit: true,
            },
            None => IndexLocation {
                path: PathBuf::from("index"),
                explicit: false,
            },
        }
    }
}

/// Search filters and grouping from their flags.
pub fn filters(args: &cli::FilterArgs) -> Result<(Filters, GroupBy), SearchError> {
    let filters = Filters {
        since: args
            .since
            .as_deref()
            .map(|s| search::parse_date_bound(s, "--since", false))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| search::parse_date_bound(s, "--until", true))
            .transpose()?,
        source: args.source.clone(),
        lang: args.lang.clone(),
        article: args.article.clone(),
    };
    let group_by = match args.group_by {
        cli::GroupBy::Passage => GroupBy::Passage,
        cli::GroupBy::Article => GroupBy::Article,
    };
    Ok((filters, group_by))
}

pub fn output_format(f: cli::OutputFormat) -> OutputFormat {
    match f {
        cli::OutputFormat::Text => OutputFormat::Text,
        cli::OutputFormat::Json => OutputFormat::Json,
        cli::OutputFormat::Jsonl => OutputFormat::Jsonl,
    }
}

pub fn input_format(f: cli::InputFormat) -> Format {
    match f {
        cli::InputFormat::Text => Format::Text,
        cli::InputFormat::Markdown => Format::Markdown,
        cli::InputFormat::Jsonl => Format::Jsonl,
        cli::InputFormat::Html => Format::Html,
        cli::InputFormat::Warc => Format::Warc,
        cli::InputFormat::Feed => Format::Feed,
    }
}

/// Colours on stdout: `always`, `never`, or (auto) when stdout is a terminal and `NO_COLOR`
/// is unset or empty.
pub fn style(choice: cli::ColorChoice) -> Style {
    let color = match choice {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    Style { color }
}

/// Worker threads: the flag, else every core.
pub fn threads(flag: Option<usize>) -> usize {
    flag.filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Progress bars only when stderr is a terminal.
pub fn progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

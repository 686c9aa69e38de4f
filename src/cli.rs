//! Command-line declarations (clap derive). Nothing else in korpus imports clap; `config`
//! turns these into typed settings.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (search, timeline: at least one match)
  1  search, timeline: no match
  2  error; ingest/batch/extract: some input or query failed (the rest was done)";

/// Full-text search for German and English news articles.
#[derive(Debug, Parser)]
#[command(name = "korpus", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Index folder [default: ./index]
    #[arg(long, global = true, env = "KORPUS_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read articles into the index (upsert: unchanged articles are skipped)
    #[command(after_help = EXIT_CODES)]
    Ingest(IngestArgs),
    /// Search passages
    #[command(after_help = EXIT_CODES)]
    Search(SearchArgs),
    /// Run many queries from a file with the index opened once
    #[command(after_help = EXIT_CODES)]
    Batch(BatchArgs),
    /// How many matching articles were published per year, month, week or day
    #[command(after_help = EXIT_CODES)]
    Timeline(TimelineArgs),
    /// Measure retrieval quality on a BEIR-style test set
    Eval(EvalArgs),
    /// Show what is in the index
    Stats(FormatArgs),
    /// Show one article with its metadata and numbered passages
    Show(ShowArgs),
    /// Print the tokens the analyzer makes of a text
    Analyze(AnalyzeArgs),
    /// Print what korpus reads from files (main text or metadata), without an index
    #[command(after_help = EXIT_CODES)]
    Extract(ExtractArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `korpus man > ~/.local/share/man/man1/korpus.1`
    Man,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Parses the command line; `--version` also names the index schema and analyzers this build
/// reads and writes.
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let fp = crate::analysis::Fingerprint::current();
    let version = format!(
        "{} (index schema {}, analyzers {}: tantivy {}, stemmer {}, lexicon {})",
        env!("CARGO_PKG_VERSION"),
        crate::index::SCHEMA_VERSION,
        fp.analyzers,
        fp.tantivy,
        fp.stemmer,
        fp.lexicon.get(..12).unwrap_or(&fp.lexicon),
    );
    // clap keeps the version for the process's lifetime.
    let version: &'static str = Box::leak(version.into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Writes the completion script for `shell`, generated from these declarations.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "korpus", out);
}

/// Writes the manual page: the command, then a section per subcommand with its synopsis and
/// options, all generated from these declarations.
pub fn write_man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd.clone()).render(out)?;
    for sub in cmd.get_subcommands() {
        let name = format!("korpus {}", sub.get_name());
        let sub = sub.clone().bin_name(name.clone());
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        if let Some(about) = sub.get_about() {
            writeln!(out, "{about}")?;
        }
        let man = clap_mangen::Man::new(sub);
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        man.render_options_section(&mut section)?;
        // Within a subcommand's section, its synopsis and options are subsections.
        let section = String::from_utf8_lossy(&section)
            .replace(".SH SYNOPSIS", ".SS Synopsis")
            .replace(".SH OPTIONS", ".SS Options");
        out.write_all(section.as_bytes())?;
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Files or folders to read
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// text: each article's main text; json/jsonl: metadata and passages, as `show`
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Read every file in this format instead of choosing by extension
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Text,
    Markdown,
    Jsonl,
    Html,
    Warc,
    Feed,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Files or folders to read [default: ./corpus]
    pub paths: Vec<PathBuf>,
    /// Read every file in this format instead of choosing by extension
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,
    /// Start from an empty index
    #[arg(long)]
    pub rebuild: bool,
    /// Remove articles whose files (under the given paths) are gone
    #[arg(long)]
    pub prune: bool,
    /// Worker threads [default: all cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Memory for indexing buffers, in MB; half of it holds new documents before they are
    /// written out (less memory: more, smaller segments to merge)
    #[arg(long, value_name = "MB", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(64..=65536))]
    pub memory: u64,
    /// Print errors only: no progress bar, warnings or summary
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    Passage,
    Article,
}

/// Filters shared by search and batch.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only articles published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles published on or before this date (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only articles from this source (exact name, any case)
    #[arg(long)]
    pub source: Option<String>,
    /// Only articles in this language (de, en, …)
    #[arg(long)]
    pub lang: Option<String>,
    /// Only passages of this article
    #[arg(long, value_name = "ID")]
    pub article: Option<String>,
    /// One hit per passage, or the best passage per article
    #[arg(long, value_enum, default_value = "passage")]
    pub group_by: GroupBy,
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query: words, +required, -excluded, "phrases", word~ (typos), Atom* (prefix),
    /// title:/section:/author:/source:/lang:
    pub query: String,
    /// Number of hits
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Skip this many hits first (the next page: --offset 10 with -n 10)
    #[arg(long, value_name = "N", default_value_t = 0, allow_hyphen_values = true, value_parser = parse_offset)]
    pub offset: usize,
    /// Order of hits: best first, or by published date (undated last)
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    /// Do not correct words the index does not hold
    #[arg(long)]
    pub exact: bool,
    /// Count matching articles per value: source, author, lang, year, month, tag (comma-separated)
    #[arg(long, value_name = "LIST", value_parser = parse_facets)]
    pub facets: Option<FacetList>,
    /// Values shown per facet
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub facet_limit: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Bold highlights and dim metadata (NO_COLOR is honoured with auto)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Show each hit's matched terms and their score contributions
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Year,
    Month,
    Week,
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// The query, as for search
    pub query: String,
    /// Length of the periods
    #[arg(long, value_enum, default_value = "month")]
    pub by: PeriodArg,
    /// Do not correct words the index does not hold
    #[arg(long)]
    pub exact: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TimelineFormat,
}

fn parse_offset(s: &str) -> Result<usize, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a number of hits to skip (0 or more)"))
}

/// The facets of `--facets`, in the order named.
#[derive(Debug, Clone)]
pub struct FacetList(pub Vec<crate::search::Facet>);

fn parse_facets(s: &str) -> Result<FacetList, String> {
    crate::search::Facet::parse_list(s).map(FacetList)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BatchInput {
    Lines,
    Tsv,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BatchOutput {
    Jsonl,
    Trec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocIdKind {
    Passage,
    Article,
}

#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Query file, or - for standard input
    #[arg(default_value = "-")]
    pub file: String,
    /// Query file layout [default: detected]
    #[arg(long, value_enum)]
    pub input_format: Option<BatchInput>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: BatchOutput,
    /// TREC document ids: passages, or articles (each once, at its best passage's rank)
    #[arg(long, value_enum, default_value = "passage")]
    pub doc_id: DocIdKind,
    /// Hits per query
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Worker threads [default: all cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not correct words the index does not hold
    #[arg(long)]
    pub exact: bool,
    /// No snippets in JSONL output (faster)
    #[arg(long)]
    pub no_snippets: bool,
    /// Queries are plain text: no operators, phrases or fields (natural-language questions)
    #[arg(long)]
    pub literal: bool,
    /// No progress bar or summary
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// BEIR queries.jsonl
    #[arg(long)]
    pub queries: PathBuf,
    /// BEIR qrels TSV (query-id, corpus-id, score)
    #[arg(long)]
    pub qrels: PathBuf,
    /// Also write the TREC run here
    #[arg(long, value_name = "FILE")]
    pub run: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Worker threads [default: all cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, clap::Args)]
pub struct FormatArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Article id (as shown by search)
    pub id: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeLang {
    De,
    En,
    Plain,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The text to analyse
    pub text: String,
    #[arg(long, value_enum, default_value = "de")]
    pub lang: AnalyzeLang,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

//! korpus: full-text search for German and English news articles, built on tantivy.
//!
//! The pipeline runs one way: files → [`corpus`] (articles and passages) → [`analysis`]
//! (tokenizers, language detection) → [`ingest`] (reading sources into the index, upserts,
//! diagnostics) → [`index`] (the on-disk index, the only writer) →
//! [`search`] (queries, ranking, snippets) → [`render`] (text, JSON, JSON Lines, TREC).
//! [`commands`] wires the stages into subcommands; [`cli`] and [`config`] read the command line.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod corpus;
pub mod index;
pub mod ingest;
pub mod render;
pub mod search;

//! What an ingest run tells its user: the counts ([`IngestReport`], kept as [`Tally`] while
//! workers run) and the diagnostics ([`Diagnostics`]: per file, line or record, sorted so that a
//! run's messages read the same whatever the thread timing).

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::corpus::At;

/// Counts of one run.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IngestReport {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub pruned: usize,
    pub passages: usize,
    pub skipped_hidden: usize,
    pub skipped_unknown: usize,
    pub seconds: f64,
}

impl IngestReport {
    /// The one-line summary printed at the end of a run: the counts that are not zero.
    pub fn summary(&self) -> String {
        let total = self.new + self.updated + self.unchanged + self.failed;
        let parts: Vec<String> = [
            (self.new, "new"),
            (self.updated, "updated"),
            (self.unchanged, "unchanged"),
            (self.failed, "failed"),
            (self.pruned, "pruned"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let mut s = count(total, "article");
        if !parts.is_empty() {
            s += &format!(" ({})", parts.join(", "));
        }
        format!(
            "{s}, {}, {:.2} s",
            count(self.passages, "passage"),
            self.seconds
        )
    }
}

/// `1 article`, `2 articles`.
pub fn count(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

/// What happened to one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    New,
    Updated,
    Unchanged,
    Failed,
}

/// The counts while workers run.
#[derive(Debug, Default)]
pub struct Tally {
    new: AtomicUsize,
    updated: AtomicUsize,
    unchanged: AtomicUsize,
    failed: AtomicUsize,
    passages: AtomicUsize,
}

impl Tally {
    /// Counts one article with its passages (none for a failure).
    pub fn count(&self, what: Counted, passages: usize) {
        let counter = match what {
            Counted::New => &self.new,
            Counted::Updated => &self.updated,
            Counted::Unchanged => &self.unchanged,
            Counted::Failed => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.passages.fetch_add(passages, Ordering::Relaxed);
    }

    /// Moves the counts into `report`.
    pub fn into_report(self, report: &mut IngestReport) {
        report.new = self.new.into_inner();
        report.updated = self.updated.into_inner();
        report.unchanged = self.unchanged.into_inner();
        report.failed = self.failed.into_inner();
        report.passages = self.passages.into_inner();
    }
}

/// One diagnostic: the source's path, the position in it, and the text (`error: …`,
/// `warning: …`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Message {
    pub path: String,
    pub at: At,
    pub text: String,
}

impl Message {
    pub fn error(path: &str, at: At, reason: impl std::fmt::Display) -> Message {
        Message {
            path: path.to_string(),
            at,
            text: format!("error: {reason}"),
        }
    }

    pub fn warning(path: &str, at: At, text: impl std::fmt::Display) -> Message {
        Message {
            path: path.to_string(),
            at,
            text: format!("warning: {text}"),
        }
    }

    pub fn note(path: &str, at: At, text: impl std::fmt::Display) -> Message {
        Message {
            path: path.to_string(),
            at,
            text: format!("note: {text}"),
        }
    }
}

impl std::fmt::Display for Message {
    /// `path:12: error: …` for a line, `path: error: …` for a whole file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{} {}", self.path, self.at, self.text)
    }
}

/// The messages of a run, gathered from every worker, and the files that failed as a whole
/// (which `--prune` must not take for deleted).
#[derive(Debug, Default)]
pub struct Diagnostics {
    messages: Mutex<Vec<Message>>,
    failed_files: Mutex<HashSet<String>>,
}

impl Diagnostics {
    pub fn extend(&self, messages: Vec<Message>) {
        if !messages.is_empty() {
            lock(&self.messages).extend(messages);
        }
    }

    /// Notes that a file could not be read at all.
    pub fn file_failed(&self, path: &str) {
        lock(&self.failed_files).insert(path.to_string());
    }

    pub fn has_failed(&self, path: &str) -> bool {
        lock(&self.failed_files).contains(path)
    }

    /// Writes every message (only the errors with `errors_only`), sorted, as `korpus: …`.
    pub fn write_to(self, out: &mut dyn Write, errors_only: bool) -> io::Result<()> {
        let mut messages = self
            .messages
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        messages.sort();
        for m in messages {
            if errors_only && !m.text.starts_with("error:") {
                continue;
            }
            writeln!(out, "korpus: {m}")?;
        }
        Ok(())
    }
}

/// A poisoned lock only means a worker panicked while holding it; the data is still whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_print_sorted_by_file_and_position() {
        let d = Diagnostics::default();
        d.extend(vec![
            Message::error("b.jsonl", At::Line(10), "invalid JSON"),
            Message::warning("b.jsonl", At::Line(9), "no date"),
            Message::error("a.txt", At::Whole, "not text"),
        ]);
        let mut out = Vec::new();
        d.write_to(&mut out, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "korpus: a.txt: error: not text\n\
             korpus: b.jsonl:9: warning: no date\n\
             korpus: b.jsonl:10: error: invalid JSON\n"
        );
    }

    #[test]
    fn tally_counts_articles_and_passages() {
        let t = Tally::default();
        t.count(Counted::New, 3);
        t.count(Counted::Unchanged, 2);
        t.count(Counted::Failed, 0);
        let mut r = IngestReport::default();
        t.into_report(&mut r);
        assert_eq!((r.new, r.unchanged, r.failed, r.passages), (1, 1, 1, 5));
        assert!(
            r.summary()
                .starts_with("3 articles (1 new, 1 unchanged, 1 failed), 5 passages")
        );
        let one = IngestReport {
            new: 1,
            passages: 1,
            ..IngestReport::default()
        };
        assert!(one.summary().starts_with("1 article (1 new), 1 passage, "));
    }
}

//! Bad input, bad queries, crashes, Ctrl-C and concurrent use: no panic, nothing lost, a clear
//! message for every failure.

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{SEED, TestEnv};

#[test]
fn bad_files_are_named_and_good_ones_ingested() {
    let env = TestEnv::with_seed();
    env.write(
        "corpus/latin1.txt",
        b"Alte Meldung\nDie Stra\xdfe nach Gr\xfcnau ist gesperrt.\n".as_slice(),
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Export\nDer Gipfel in Genf begann pünktlich.\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    env.write("corpus/utf16.txt", utf16);
    env.write(
        "corpus/bom.txt",
        "\u{feff}Mit BOM\nDer Zollstreit eskaliert weiter.\n",
    );
    env.write("corpus/empty.txt", "");
    env.write(
        "corpus/binary.txt",
        (0u8..=255).cycle().take(4096).collect::<Vec<u8>>(),
    );
    env.write(
        "corpus/nul.txt",
        format!(
            "Nullbytes\nDer Hafen\0 von Rostock wächst.\n{}",
            "Ein Satz ohne Befund.\n".repeat(20)
        ),
    );
    env.write(
        "corpus/headings.txt",
        "Nur Titel\nErste Überschrift\nZweite Überschrift\n",
    );
    env.write(
        "corpus/crlf.txt",
        "Windows\r\nDie Fähre nach Helgoland fährt wieder.\r\n",
    );
    env.write(
        "corpus/cr.txt",
        "Altes Mac\rDer Leuchtturm von Kampen leuchtet.\r",
    );
    env.write(
        "corpus/nfd.txt",
        "Zerlegt\nIn Su\u{308}dkorea wird u\u{308}ber Atom\u{AD}waffen debattiert.\n",
    );
    let long_field = "Lang ".repeat(2_000_000);
    env.write(
        "corpus/records.jsonl",
        format!(
            "{}\n{{\"id\": \"broken\", \"text\": \n[1, 2, 3]\n{}\n{}\n",
            r#"{"id": "ok-1", "title": "Gut", "text": "Ein gültiger Datensatz über Windparks."}"#,
            r#"{"id": "when", "text": "Datum kaputt, Text gut: Solarpark.", "published": "gestern"}"#,
            serde_json::json!({"id": "huge", "text": long_field}),
        ),
    );
    std::os::unix::fs::symlink(
        env.path("corpus/missing.txt"),
        env.path("corpus/dangling.txt"),
    )
    .unwrap();

    let r = env.ok(&["ingest"], 2);
    let err = r.stderr();
    assert!(!err.contains("panicked"), "{err}");
    for (file, reason) in [
        ("corpus/latin1.txt", "warning: not valid UTF-8"),
        ("corpus/empty.txt", "error: no text to index"),
        ("corpus/binary.txt", "error: not text"),
        ("corpus/nul.txt", "warning: removed NUL bytes"),
        ("corpus/records.jsonl:2", "error: invalid JSON"),
        (
            "corpus/records.jsonl:3",
            "error: expected a JSON object per line, found a list",
        ),
        (
            "corpus/records.jsonl:4",
            "warning: field `published` is not a date",
        ),
        ("corpus/dangling.txt", "error:"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(file) && l.contains(reason)),
            "expected `{file}: {reason}` in:\n{err}"
        );
    }
    let found = |q: &str| {
        env.search_json(&[q, "-n", "50"])["hits"]
            .as_array()
            .unwrap()
            .len()
    };
    for q in [
        "Straße",
        "Grünau",
        "Genf",
        "Zollstreit",
        "Rostock",
        "Helgoland",
        "Kampen",
        "Südkorea",
        "Atomwaffen",
        "Windparks",
        "Solarpark",
        "Sanktionen",
    ] {
        assert!(found(q) > 0, "{q} not found");
    }
    // The 10 MB string field was split into bounded passages.
    let huge = env.search_json(&["Lang", "--article", "huge", "-n", "3"]);
    let text = huge["hits"][0]["passage"]["text"].as_str().unwrap();
    assert!(text.chars().count() <= 1000);
    assert!(huge["hits"][0]["passage"]["count"].as_u64().unwrap() >= 10_000);
    // A file of only headings still has its title.
    assert_eq!(env.search_json(&["title:\"Nur Titel\""])["total"], 1);
}

/// Permission errors, as a user whom permissions bind (as root, `nobody`).
#[test]
fn unreadable_files_and_folders_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |env: &TestEnv, rel: &str, m: u32| {
        std::fs::set_permissions(env.path(rel), std::fs::Permissions::from_mode(m)).unwrap()
    };
    let env = TestEnv::with_seed();
    env.write("corpus/secret.txt", "Titel\nText.\n");
    env.write("corpus/closed/inner.txt", "Titel\nText.\n");
    mode(&env, "corpus/secret.txt", 0o000);
    mode(&env, "corpus/closed", 0o000);
    let Some(r) = env.unprivileged(&["ingest"]) else {
        eprintln!("cannot run korpus as an unprivileged user here; skipped");
        return;
    };
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let err = r.stderr();
    assert!(
        err.contains("corpus/secret.txt: error: could not read file: permission denied"),
        "{err}"
    );
    assert!(err.contains("corpus/closed"), "{err}");
    assert!(
        err.contains("1 new"),
        "the readable article is ingested: {err}"
    );

    // An index folder the user may not write to: one line naming it.
    std::fs::create_dir(env.path("ro")).unwrap();
    mode(&env, "ro", 0o555);
    let r = env.unprivileged(&["--index", "ro", "ingest"]).unwrap();
    assert_eq!(r.code(), 2);
    assert_eq!(r.stderr().lines().count(), 1, "{}", r.stderr());
    assert!(
        r.stderr().starts_with("korpus: ") && r.stderr().contains("ro"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("permission denied"), "{}", r.stderr());

    // The user's index in a folder made read-only: searching works, ingesting is refused.
    mode(&env, "corpus/secret.txt", 0o644);
    mode(&env, "corpus/closed", 0o755);
    assert_eq!(env.unprivileged(&["ingest"]).unwrap().code(), 0);
    mode(&env, "index", 0o555);
    let r = env.unprivileged(&["search", "Nordkorea"]).unwrap();
    assert_eq!(r.code(), 0, "{}", r.stderr());
    env.write("corpus/neu.txt", "Neu\nEin neuer Text.\n");
    let r = env.unprivileged(&["ingest"]).unwrap();
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert_eq!(r.stderr().lines().count(), 1, "{}", r.stderr());
    assert!(r.stderr().contains("index"), "{}", r.stderr());
}

#[test]
fn bad_queries_get_a_message_or_a_lenient_reading() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    for (q, code, msg) in [
        ("", 2, "the query is empty"),
        ("der die das", 0, ""),
        ("- + AND", 2, ""),
        ("\"Kim Trump", 2, "unclosed quote"),
        ("(Kim Trump", 0, ""),
        ("Kim)) ((", 0, ""),
        ("colour:red", 2, "unknown field `colour:`"),
        ("Kim \u{7}\u{1b}[31m", 0, ""),
    ] {
        let r = env.ok(&["search", "--", q], code);
        assert!(r.stderr().contains(msg), "{q:?}: {}", r.stderr());
        assert!(!r.stderr().contains("panicked"));
    }
    let r = env.ok(&["search", "Kim", "--since", "2025-13"], 2);
    assert!(r.stderr().contains("invalid --since date `2025-13`"));
    let long = "Nordkorea ".repeat(10_000);
    env.ok(&["search", &long], 0);
    // A 1 MB query (too long for a command-line argument, so through batch).
    env.write("huge.txt", format!("Kim\n{}\nTrump\n", "x".repeat(1 << 20)));
    let out = env.ok(&["batch", "huge.txt", "-q"], 2).jsonl();
    assert!(
        out[1]["error"].as_str().unwrap().contains("too long"),
        "{}",
        out[1]
    );
    assert!(out[0]["hits"].is_array() && out[2]["hits"].is_array());
}

/// A JSON Lines corpus large enough that ingesting it takes a while.
fn write_big_corpus(env: &TestEnv, rel: &str, articles: usize) {
    let paragraphs: Vec<&str> = SEED.lines().filter(|l| l.len() > 80).collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(env.path(rel)).unwrap());
    for i in 0..articles {
        let body: Vec<&str> = (0..6)
            .map(|j| paragraphs[(i * 7 + j * 3) % paragraphs.len()])
            .collect();
        let line = serde_json::json!({"id": format!("big-{i}"), "title": format!("Artikel {i}"), "text": body.join("\n\n")});
        writeln!(out, "{line}").unwrap();
    }
}

fn spawn(env: &TestEnv, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("korpus"))
        .current_dir(env.dir.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: &str) {
    Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
}

/// Waits until the ingest has opened the writer (its lock file exists) and is busy.
fn wait_until_writing(env: &TestEnv, child: &mut Child) {
    let start = Instant::now();
    while !env.exists("index/.tantivy-writer.lock") && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the ingest finished before it could be interrupted"
    );
}

/// An index holding the seed, and an ingest of 20,000 more articles started and busy writing;
/// returns the index's stats before that ingest and the running child.
fn busy_ingest(args: &[&str]) -> (TestEnv, (u64, u64), Child) {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let before = stats(&env);
    write_big_corpus(&env, "corpus/big.jsonl", 20_000);
    let mut child = spawn(&env, args);
    wait_until_writing(&env, &mut child);
    (env, before, child)
}

fn stats(env: &TestEnv) -> (u64, u64) {
    let s = env.ok(&["stats", "--format", "json"], 0).json();
    (
        s["articles"].as_u64().unwrap(),
        s["passages"].as_u64().unwrap(),
    )
}

#[test]
fn a_killed_ingest_leaves_the_last_commit_and_can_be_redone() {
    let (env, before, mut child) = busy_ingest(&["ingest", "--threads", "2"]);
    signal(&child, "-KILL");
    child.wait().unwrap();
    assert_eq!(
        stats(&env),
        before,
        "a killed ingest must not change the index"
    );
    env.ok(&["search", "Sanktionen"], 0);
    // No stale lock: the next ingest runs and gives what an uninterrupted run gives.
    env.ok(&["ingest"], 0);
    let after = stats(&env);
    let fresh = TestEnv::with_seed();
    std::fs::copy(env.path("corpus/big.jsonl"), fresh.path("corpus/big.jsonl")).unwrap();
    fresh.ok(&["ingest"], 0);
    assert_eq!(after, stats(&fresh));
    assert_eq!(after.0, 20_001);
    // Same matches and scores (ties among identical passages may come in another order).
    let scores = |e: &TestEnv| {
        let v = e.search_json(&["Atomwaffen Nordkorea", "-n", "20"]);
        let s: Vec<String> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["score"].to_string())
            .collect();
        (v["total"].clone(), s)
    };
    assert_eq!(scores(&env), scores(&fresh));
}

#[test]
fn ctrl_c_rolls_the_ingest_back() {
    let (env, before, child) = busy_ingest(&["ingest"]);
    signal(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: nothing was written"), "{err}");
    assert_eq!(stats(&env), before);
}

#[test]
fn searches_during_an_ingest_and_a_second_writer() {
    let (env, _, first) = busy_ingest(&["ingest"]);
    // Readers see the last commit and never fail.
    for _ in 0..3 {
        let v = env.search_json(&["Sanktionen"]);
        assert_eq!(v["hits"][0]["article"]["id"], "trump-kim");
    }
    let second = env.ok(&["ingest"], 2);
    assert!(
        second
            .stderr()
            .contains("index is being written by another korpus process"),
        "{}",
        second.stderr()
    );
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stats(&env).0, 20_001);
}

#[test]
fn environment_errors_name_the_path() {
    let env = TestEnv::with_seed();
    env.write("notadir", "x");
    let r = env.ok(&["--index", "notadir", "ingest"], 2);
    assert_eq!(
        r.stderr().trim(),
        "korpus: notadir is a file, not an index folder"
    );
    let r = env.ok(&["--index", "notadir", "search", "Kim"], 2);
    assert!(r.stderr().contains("notadir is a file"), "{}", r.stderr());
    env.write("full/other.txt", "x");
    let r = env.ok(&["--index", "full", "ingest"], 2);
    assert!(
        r.stderr().contains("full holds files but no korpus index"),
        "{}",
        r.stderr()
    );
}

/// A 100 MB text file that is one line: read in chunks, split into bounded passages,
/// searchable. (Its peak memory is measured by `benches/run.py --huge`.)
#[test]
fn a_100_mb_single_line_file() {
    let env = TestEnv::empty();
    let sentence = "Der Hafen von Rostock wächst weiter und die Kräne drehen sich. ";
    let mut text = String::from("Ein Titel\n");
    while text.len() < 100 << 20 {
        text.push_str(sentence);
    }
    env.write("corpus/huge.txt", text);
    env.ok(&["ingest"], 0);
    let v = env.search_json(&["Rostock", "-n", "1"]);
    assert!(
        v["hits"][0]["passage"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 1000
    );
    assert!(v["total"].as_u64().unwrap() > 100_000);
}

/// A full disk: the ingest fails with one line naming the index and the cause, and the index
/// keeps its last commit. Needs a small tmpfs (root); skipped where it cannot be mounted.
#[test]
fn a_full_disk_is_named_and_the_last_commit_kept() {
    let env = TestEnv::with_seed();
    let mnt = env.path("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a small tmpfs here: skipped");
        return;
    }
    let result = std::panic::catch_unwind(|| {
        env.ok(&["--index", "small/index", "ingest"], 0);
        write_big_corpus(&env, "corpus/big.jsonl", 3_000);
        let r = env.ok(&["--index", "small/index", "ingest"], 2);
        let err = r.stderr();
        assert!(err.contains("small/index"), "{err}");
        assert!(err.contains("no space left on the device"), "{err}");
        let s = env
            .ok(&["--index", "small/index", "stats", "--format", "json"], 0)
            .json();
        assert_eq!(s["articles"], 1);
    });
    let _ = Command::new("umount").arg(&mnt).status();
    result.unwrap();
}

//! Same articles, same answers: rankings and scores do not depend on how the index was built
//! (indexing threads, order of files, incremental ingests).

mod common;

use common::TestEnv;

/// Twelve articles in two files; one paragraph recurs word for word in eight of them, so its
/// passages tie, and they straddle every cut-off below.
fn write_corpus(env: &TestEnv) {
    let tied = "Der Gipfel in Hanoi endete ohne Einigung über die Sanktionen.";
    for file in 0..2 {
        let mut lines = Vec::new();
        for i in 0..6 {
            let n = file * 6 + i;
            let mut paras = vec![
                format!("Bericht {n}: Die Delegation reiste am Morgen ab."),
                format!("Am Rande des Treffens sprach Minister {n} über Handel und Zölle."),
            ];
            if n % 3 != 2 {
                paras.insert(n % 2, tied.to_string());
            }
            let text = paras.join("\\n\\n");
            lines.push(format!(
                r#"{{"id": "bericht-{n:02}", "title": "Bericht {n}", "text": "{text}", "published": "2025-0{}-1{}", "source": "Agentur", "lang": "de"}}"#,
                1 + n % 3,
                n % 7
            ));
        }
        // Two words whose rarer one differs between the files: in a passage where they stand
        // near each other, the proximity count must not depend on which is rarer in a segment.
        let (word, articles) = if file == 0 { ("Kim", 8) } else { ("Trump", 3) };
        for i in 0..articles {
            lines.push(format!(
                r#"{{"id": "notiz-{file}-{i}", "title": "Notiz", "text": "{word} sprach {i} Minuten.", "lang": "de"}}"#
            ));
        }
        if file == 1 {
            lines.push(
                r#"{"id": "notiz-treffen", "title": "Treffen", "text": "Trump, Trump, Kim, Kim trafen sich.", "lang": "de"}"#
                    .to_string(),
            );
        }
        env.write(&format!("in/part-{file}.jsonl"), lines.join("\n") + "\n");
    }
    env.write(
        "queries.tsv",
        "q1\tHanoi Einigung\nq2\tGipfel\nq3\t\"ohne Einigung\"\nq4\tSanktionen Handel\nq5\tHanoi -Zölle\nq6\tKim Trump\n",
    );
}

/// What a user and a script see of one index.
fn answers(env: &TestEnv, index: &str) -> String {
    let mut out = String::new();
    for (doc_id, n) in [("passage", "3"), ("article", "4"), ("passage", "20")] {
        let run = env.ok(
            &[
                "--index",
                index,
                "batch",
                "queries.tsv",
                "--format",
                "trec",
                "--doc-id",
                doc_id,
                "-n",
                n,
                "-q",
            ],
            0,
        );
        out += &run.stdout();
    }
    for args in [
        &["Hanoi", "-n", "5"][..],
        &["Gipfel", "--group-by", "article", "-n", "3"],
        &["Einigung", "--sort", "newest", "-n", "4"],
        &["Sanktionen", "-n", "2", "--offset", "2"],
    ] {
        let mut all = vec!["--index", index, "search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        out += &env.ok(&all, 0).stdout();
    }
    out
}

#[test]
fn the_same_articles_give_the_same_rankings_however_they_were_ingested() {
    let env = TestEnv::empty();
    write_corpus(&env);
    env.ok(&["--index", "one", "ingest", "in", "--threads", "1"], 0);
    env.ok(&["--index", "two", "ingest", "in", "--threads", "2"], 0);
    env.ok(
        &[
            "--index",
            "halves",
            "ingest",
            "in/part-1.jsonl",
            "--threads",
            "2",
        ],
        0,
    );
    env.ok(
        &[
            "--index",
            "halves",
            "ingest",
            "in/part-0.jsonl",
            "--threads",
            "1",
        ],
        0,
    );
    let one = answers(&env, "one");
    assert!(one.contains("bericht-"), "{one}");
    assert_eq!(one, answers(&env, "two"), "threads 1 against threads 2");
    assert_eq!(
        one,
        answers(&env, "halves"),
        "one ingest against two halves"
    );
}

/// XQuAD-de (240 paragraphs, 1,190 questions) ingested three ways gives byte-identical runs
/// of the best 100 passages per question: rounding and proximity included.
#[test]
fn xquad_runs_are_identical_across_index_layouts() {
    let env = TestEnv::empty();
    let set = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xquad-de");
    let corpus = std::fs::read_to_string(set.join("corpus.jsonl")).unwrap();
    let lines: Vec<&str> = corpus.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    env.write("first.jsonl", first.join("\n") + "\n");
    env.write("second.jsonl", second.join("\n") + "\n");
    let all = set.join("corpus.jsonl").to_string_lossy().into_owned();
    let queries = set.join("queries.jsonl").to_string_lossy().into_owned();
    env.ok(&["--index", "one", "ingest", &all, "--threads", "1"], 0);
    env.ok(&["--index", "two", "ingest", &all, "--threads", "2"], 0);
    env.ok(&["--index", "halves", "ingest", "second.jsonl"], 0);
    env.ok(&["--index", "halves", "ingest", "first.jsonl"], 0);
    let run = |index: &str| {
        let args = [
            "--index",
            index,
            "batch",
            &queries,
            "--format",
            "trec",
            "-n",
            "100",
            "--literal",
            "-q",
        ];
        env.ok(&args, 0).stdout()
    };
    let one = run("one");
    assert!(one.lines().count() > 50_000, "{}", one.lines().count());
    assert!(one == run("two"), "threads 1 against threads 2");
    assert!(one == run("halves"), "one ingest against two halves");
}

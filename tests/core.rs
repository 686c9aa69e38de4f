//! The core: ingest the seed and other fixtures, search, stats, show, upsert, errors.

mod common;

use common::{ENGLISH, SEED, TestEnv, WIRE, hit_texts};

const HEADINGS: [&str; 13] = [
    "Trump und Kim: Aufleben einer Romanze zweier Staatschefs?",
    "US-Diplomatie: Kaum Chancen auf nukleare Abrüstung Nordkoreas",
    "Erste Trump-Regierung lag mit Diplomatie gegenüber Nordkorea nicht falsch",
    "Trotz scharfer Rhetorik Kim Jong-uns: Neuauflage des Korea-Krieges unwahrscheinlich",
    "Kim wünscht auch wirtschaftliche Entwicklung seines Landes",
    "Internationale Gemeinschaft sollte Nordkorea anerkennen und Friedensvertrag schließen",
    "Nordkorea: Überleben des Regimes als Ziel",
    "Für Peking ist Tolerierung des nordkoreanischen Atomprogramms ein kleineres Übel",
    "Nordkorea weiß, dass es mit den USA verhandeln muss",
    "USA und Nordkorea: Viele Ungewissheiten, die sich nur in Gesprächen klären lassen",
    "Japan und Südkorea ebenfalls auf dem Weg zur nuklearen Abschreckung?",
    "Seoul und Tokio sollten eigene Kanäle nach Pjöngjang entwickeln",
    "Zum Autor",
];

#[test]
fn seed_stats_and_show() {
    let env = TestEnv::with_seed();
    let r = env.ok(&["ingest"], 0);
    assert!(
        r.stderr().contains("1 article (1 new), 40 passages"),
        "{}",
        r.stderr()
    );
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 1);
    assert_eq!(stats["languages"]["de"], 1);
    assert_eq!(stats["lang_fallback"], 0);
    assert_eq!(stats["first_published"], "2025-02-26");

    let show = env.ok(&["show", "trump-kim", "--format", "json"], 0).json();
    let a = &show["article"];
    assert_eq!(
        a["title"],
        "Trump und Kim: Romanze der Staatschefs feiert ihre Renaissance"
    );
    assert!(
        a["teaser"]
            .as_str()
            .unwrap()
            .starts_with("Die USA müssen entscheiden")
    );
    assert_eq!(a["summary"].as_array().unwrap().len(), 4);
    assert_eq!(a["authors"], serde_json::json!(["Bilahari Kausikan"]));
    assert_eq!(a["published"], "2025-02-26");
    assert_eq!(a["lang"], "de");
    assert_eq!(a["translation"]["from"], "en");
    assert_eq!(a["translation"]["machine"], true);
    assert_eq!(a["translation"]["original_source"], "Foreign Policy");
    assert_eq!(a["translation"]["original_published"], "2025-02-26");
    assert_eq!(a["sections"], serde_json::json!(HEADINGS));
    let passages = show["passages"].as_array().unwrap();
    assert!(passages.iter().all(|p| p["text"] != "Meine News"));
    assert!(passages.iter().all(|p| p["section"] != "Meine News"));
    let kinds: Vec<&str> = passages
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[..6],
        [
            "title", "teaser", "summary", "summary", "summary", "summary"
        ]
    );
    assert_eq!(kinds.iter().filter(|k| **k == "author").count(), 1);
    assert_eq!(&kinds[kinds.len() - 2..], ["note", "note"]);
    // Ranges point into the article's text.
    let chars: Vec<char> = SEED.chars().collect();
    for p in passages {
        let r = p["range"].as_array().unwrap();
        let (s, e) = (
            r[0].as_u64().unwrap() as usize,
            r[1].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            p["text"].as_str().unwrap()
        );
    }

    let text = env.ok(&["show", "trump-kim"], 0).stdout();
    assert!(text.contains("Bilahari Kausikan"));
    assert!(text.contains("§ Zum Autor"));
    env.ok(&["show", "nope"], 2);
}

#[test]
fn phrase_finds_the_obama_paragraph_under_its_heading() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let v = env.search_json(&["\"strategischen Geduld\""]);
    let hit = &v["hits"][0];
    assert!(
        hit["passage"]["text"]
            .as_str()
            .unwrap()
            .contains("Barack Obama")
    );
    assert_eq!(hit["passage"]["section"], HEADINGS[0]);
    assert_eq!(v["total"], 1);
    // The phrase is highlighted word by word as written.
    let snippet = hit["snippet"]["text"].as_str().unwrap();
    let marked: Vec<String> = hit["snippet"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            snippet.chars().skip(s).take(e - s).collect()
        })
        .collect();
    assert_eq!(marked, ["strategischen", "Geduld"]);
}

#[test]
fn stemming_finds_inflected_forms() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let v = env.search_json(&["Sanktion"]);
    assert!(hit_texts(&v)[0].contains("Sanktionen haben eindeutig nicht funktioniert"));
    let v = env.search_json(&["Rakete", "-n", "50"]);
    let texts = hit_texts(&v);
    assert!(texts.len() >= 3, "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("Raketen")));
    assert!(
        texts
            .iter()
            .all(|t| t.contains("Rakete") || t.contains("rakete"))
    );
}

#[test]
fn exclusion_and_language_filter() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let v = env.search_json(&["Trump -Obama", "-n", "100"]);
    let texts = hit_texts(&v);
    assert!(!texts.is_empty());
    assert!(texts.iter().all(|t| !t.contains("Obama")));
    assert!(texts.iter().any(|t| t.contains("Trump")));
    let r = env.ok(&["search", "Trump", "--lang", "en"], 1);
    assert!(r.stdout().is_empty());
}

#[test]
fn json_hits_carry_the_documented_fields() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let v = env.search_json(&["Kim Nordkorea", "-n", "5"]);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5);
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h["rank"], i + 1);
        assert!(h["score"].as_f64().unwrap() > 0.0);
        for k in [
            "id",
            "title",
            "published",
            "source",
            "author",
            "lang",
            "path",
        ] {
            assert!(h["article"].get(k).is_some(), "article.{k} missing");
        }
        for k in ["number", "count", "kind", "section", "text"] {
            assert!(h["passage"].get(k).is_some(), "passage.{k} missing");
        }
        assert!(h["snippet"]["text"].is_string());
        assert_eq!(h["article"]["path"], "corpus/trump-kim.txt");
        assert_eq!(h["article"]["author"], "Bilahari Kausikan");
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // JSON Lines: one hit per line.
    let lines = env
        .ok(&["search", "Kim", "-n", "3", "--format", "jsonl"], 0)
        .jsonl();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["rank"], 3);
}

/// Unchanged JSON Lines records are recognised by their content before they are parsed, and
/// the passage count of the summary still covers them.
#[test]
fn reingest_of_json_lines_skips_unchanged_records() {
    let env = TestEnv::empty();
    let line =
        |id: &str, text: &str| format!(r#"{{"id": "{id}", "title": "T {id}", "text": "{text}"}}"#);
    let a = line("a", "Erster Absatz.\\n\\nZweiter Absatz.");
    let b = line("b", "Ein Absatz über Hanoi.");
    env.write("corpus/wire.jsonl", format!("{a}\n{b}\n{b}\n"));
    let r = env.ok(&["ingest"], 2);
    r.assert_stderr_has("wire.jsonl:3: error: duplicate article id `b`");
    let r = env.ok(&["ingest"], 2);
    r.assert_stderr_has("3 articles (2 unchanged, 1 failed), 3 passages");
    r.assert_stderr_has("wire.jsonl:3: error: duplicate article");
    let b2 = line("b", "Ein Absatz über Pjöngjang.");
    env.write("corpus/wire.jsonl", format!("{a}\n{b2}\n"));
    let r = env.ok(&["ingest"], 0);
    r.assert_stderr_has("2 articles (1 updated, 1 unchanged), 3 passages");
    assert_eq!(env.search_json(&["Pjöngjang"])["total"], 1);
    assert_eq!(env.search_json(&["Hanoi"])["total"], 0);
}

/// An ingest looks up the articles it reads in the index: an article replaced in an earlier
/// run (its old documents deleted, not yet merged away) is known by its current text only.
#[test]
fn replaced_articles_are_known_by_their_current_text() {
    let env = TestEnv::empty();
    let line = |text: &str| format!(r#"{{"id": "a", "title": "T", "text": "{text}"}}"#);
    let (v1, v2) = (
        line("Ein Absatz über Hanoi."),
        line("Ein Absatz über Singapur."),
    );
    env.write("in/wire.jsonl", format!("{v1}\n"));
    env.ok(&["ingest", "in"], 0);
    env.write("in/wire.jsonl", format!("{v2}\n"));
    env.ok(&["ingest", "in"], 0)
        .assert_stderr_has("(1 updated)");
    // Back to the first text: not "unchanged" because an old record had it.
    env.write("in/wire.jsonl", format!("{v1}\n"));
    env.ok(&["ingest", "in"], 0)
        .assert_stderr_has("(1 updated)");
    env.ok(&["ingest", "in"], 0)
        .assert_stderr_has("(1 unchanged)");
    assert_eq!(env.search_json(&["Hanoi"])["total"], 1);
    assert_eq!(env.search_json(&["Singapur"])["total"], 0);
    // The same id from another file is the same article, moved.
    std::fs::remove_file(env.path("in/wire.jsonl")).unwrap();
    env.write("in/moved.jsonl", format!("{v1}\n"));
    env.ok(&["ingest", "in", "--prune"], 0)
        .assert_stderr_has("1 article (1 updated), 1 passage");
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 1);
    std::fs::remove_file(env.path("in/moved.jsonl")).unwrap();
    env.ok(&["ingest", "in", "--prune"], 0)
        .assert_stderr_has("1 pruned");
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 0);
}

#[test]
fn reingest_edit_and_prune() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let r = env.ok(&["ingest"], 0);
    assert!(
        r.stderr().contains("1 article (1 unchanged)"),
        "{}",
        r.stderr()
    );
    env.ok(
        &[
            "search",
            "\"Sanktionen haben eindeutig nicht funktioniert\"",
        ],
        0,
    );
    env.write(
        "corpus/trump-kim.txt",
        SEED.replace("Sanktionen haben eindeutig nicht funktioniert. ", ""),
    );
    let r = env.ok(&["ingest"], 0);
    assert!(r.stderr().contains("(1 updated)"), "{}", r.stderr());
    env.ok(
        &[
            "search",
            "\"Sanktionen haben eindeutig nicht funktioniert\"",
        ],
        1,
    );
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 1);

    std::fs::remove_file(env.path("corpus/trump-kim.txt")).unwrap();
    env.write("corpus/other.md", ENGLISH);
    let r = env.ok(&["ingest", "corpus", "--prune"], 0);
    assert!(r.stderr().contains("1 pruned"), "{}", r.stderr());
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 1);
    std::fs::remove_file(env.path("corpus/other.md")).unwrap();
    env.ok(&["ingest", "corpus", "--prune"], 0);
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 0);
    assert_eq!(stats["passages"], 0);
}

#[test]
fn broken_files_are_named_and_the_rest_is_ingested() {
    let env = TestEnv::with_seed();
    env.write("corpus/wire.jsonl", WIRE);
    // Bytes 0x81 and 0x8D are undefined in Windows-1252 too: this is not text in any encoding
    // korpus reads.
    env.write(
        "corpus/broken.txt",
        b"Titel\n\x81\x8d\xff kaputt\n".as_slice(),
    );
    let r = env.ok(&["ingest"], 2);
    let err = r.stderr();
    assert!(
        err.contains("corpus/broken.txt: error: not valid UTF-8"),
        "{err}"
    );
    assert!(
        err.contains("corpus/wire.jsonl:2: error: invalid JSON"),
        "{err}"
    );
    assert!(err.contains("(3 new, 2 failed)"), "{err}");
    let v = env.search_json(&["Hanoi", "--source", "agentur"]);
    assert_eq!(v["hits"][0]["article"]["id"], "wire-1");
    let v = env.search_json(&["Kurzstreckenrakete"]);
    assert_eq!(v["hits"][0]["article"]["id"], "wire-3");
    env.ok(&["search", "Sanktion"], 0);
}

#[test]
fn english_articles_use_the_english_analyzer() {
    let env = TestEnv::with_seed();
    env.write("corpus/talks.md", ENGLISH);
    env.ok(&["ingest"], 0);
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["languages"]["en"], 1);
    assert_eq!(stats["languages"]["de"], 1);
    let v = env.search_json(&["negotiations"]);
    assert_eq!(v["hits"][0]["article"]["id"], "talks");
    assert!(hit_texts(&v)[0].contains("negotiate"));
    // The stemmed match is highlighted as written.
    let snippet = &v["hits"][0]["snippet"];
    let text: Vec<char> = snippet["text"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = (snippet["highlights"].as_array().unwrap().iter())
        .map(|r| {
            text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize]
                .iter()
                .collect()
        })
        .collect();
    assert_eq!(marked, ["negotiate"]);
    assert_eq!(v["hits"][0]["article"]["lang"], "en");
    assert_eq!(v["hits"][0]["passage"]["section"], serde_json::Value::Null);
    let v = env.search_json(&["verification", "--lang", "en"]);
    assert_eq!(v["hits"][0]["passage"]["section"], "What comes next");
}

#[test]
fn filters_and_grouping() {
    let env = TestEnv::with_seed();
    env.write("corpus/wire.jsonl", WIRE);
    env.write("corpus/talks.md", ENGLISH);
    env.ok(&["ingest"], 2);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["article"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    let v = env.search_json(&["Nordkorea", "--group-by", "article"]);
    assert_eq!(ids(&v), ["trump-kim", "wire-3"]);
    assert!(v["hits"][0]["other_matches"].as_u64().unwrap() > 10);
    let v = env.search_json(&["Nordkorea", "--since", "2025"]);
    assert!(ids(&v).iter().all(|i| i == "trump-kim"));
    let v = env.search_json(&["Nordkorea", "--until", "2019-12", "--group-by", "article"]);
    assert_eq!(ids(&v), ["wire-3"]);
    let v = env.search_json(&["Nordkorea", "--article", "wire-3"]);
    assert_eq!(ids(&v), ["wire-3"]);
    let v = env.search_json(&["author:Kausikan Peking"]);
    assert!(ids(&v).iter().all(|i| i == "trump-kim"));
    let v = env.search_json(&["title:Hanoi"]);
    assert_eq!(ids(&v), ["wire-1", "wire-1"]);
    let r = env.ok(&["search", "Kim", "--since", "gestern"], 2);
    assert!(
        r.stderr().contains("invalid --since date `gestern`"),
        "{}",
        r.stderr()
    );
}

#[test]
fn bad_queries_explain_themselves() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    for (q, msg) in [
        ("\"strategischen Geduld", "unclosed quote"),
        ("", "the query is empty"),
        ("-Obama", "only excludes"),
        ("foo:bar", "unknown field `foo:`"),
    ] {
        let r = env.ok(&["search", "--", q], 2);
        assert!(
            r.stderr().starts_with("korpus: invalid query: "),
            "{}",
            r.stderr()
        );
        assert!(r.stderr().contains(msg), "{q}: {}", r.stderr());
        assert!(!r.stderr().contains("panicked"));
    }
}

#[test]
fn a_fresh_checkout_searches_its_corpus() {
    let env = TestEnv::with_seed();
    let r = env.ok(&["search", "Atomwaffen Nordkorea"], 0);
    assert!(r.stderr().contains("ingesting corpus/"), "{}", r.stderr());
    assert!(r.stdout().contains("Trump und Kim"));
    assert!(env.exists("index/meta.json"));
    // Without a corpus folder the embedded article is the default corpus.
    let bare = TestEnv::empty();
    let r = bare.ok(&["search", "Sanktion"], 0);
    assert!(r.stderr().contains("embedded corpus"), "{}", r.stderr());
    // An explicit index that does not exist is explained, not created.
    let r = env.ok(&["--index", "elsewhere", "search", "Kim"], 2);
    assert!(
        r.stderr().contains("no index at elsewhere"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("korpus ingest --index elsewhere"));
    assert!(!env.exists("elsewhere"));
}

#[test]
fn closed_pipe_exits_quietly() {
    let env = TestEnv::with_seed();
    env.ok(&["ingest"], 0);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("korpus"))
        .current_dir(env.dir.path())
        .args(["search", "Nordkorea", "-n", "1000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn incompatible_index_is_refused_until_rebuilt() {
    let env = TestEnv::with_seed();
    env.write("index/.gitignore", "*\n");
    env.ok(&["ingest"], 0);
    let meta = env.path("index/korpus.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let older = with_schema_version_zero(&text);
    assert_ne!(older, text, "korpus.json names a schema version");
    std::fs::write(&meta, older).unwrap();
    let r = env.ok(&["search", "Kim"], 2);
    assert!(
        r.stderr().contains("another version of korpus"),
        "{}",
        r.stderr()
    );
    env.ok(&["ingest"], 2);
    env.ok(&["ingest", "--rebuild"], 0);
    env.ok(&["search", "Kim"], 0);
    assert!(
        env.exists("index/.gitignore"),
        "a rebuild keeps the folder's dotfiles"
    );
}

/// `korpus.json` with its schema version replaced by 0 (a version no korpus wrote).
fn with_schema_version_zero(text: &str) -> String {
    let key = "\"schema_version\": ";
    let Some(at) = text.find(key).map(|i| i + key.len()) else {
        return text.to_string();
    };
    let digits = text[at..].bytes().take_while(u8::is_ascii_digit).count();
    format!("{}0{}", &text[..at], &text[at + digits..])
}

#[test]
fn title_author_and_source_clauses_match_the_articles() {
    let env = TestEnv::empty();
    let line = |id: &str, title: &str, author: &str, source: &str, text: &str| {
        serde_json::json!({"id": id, "title": title, "author": author, "source": source,
                           "text": text, "lang": "de"})
        .to_string()
    };
    let write = |author: &str| {
        let a1 = line(
            "a1",
            "Gipfel in Hanoi",
            author,
            "Agentur Nord",
            "Das Treffen endete ohne Einigung.\n\nBeide Seiten wollen weiter über Sanktionen verhandeln.",
        );
        let a2 = line(
            "a2",
            "Raketen über Japan",
            "Bernd Beispiel",
            "Zeitung Süd",
            "Nach dem Treffen in Hanoi folgte ein Test.",
        );
        env.write("corpus/wire.jsonl", format!("{a1}\n{a2}\n"));
    };
    write("Anna Muster");
    env.write(
        "corpus/lage.md",
        "---\ntitle: Lage im Norden\n---\n\n## Sanktionen\n\nErster Absatz über die Wirtschaft.\n\n\
         Zweiter Absatz über den Handel.\n\n## Abschreckung\n\nDritter Absatz über Raketen.\n",
    );
    env.ok(&["ingest"], 0);
    let found = |q: &str| -> (u64, Vec<String>) {
        let v = env.search_json(&[q]);
        let ids = v["hits"].as_array().unwrap().iter();
        let ids = ids.map(|h| h["article"]["id"].as_str().unwrap().to_string());
        (v["total"].as_u64().unwrap(), ids.collect())
    };
    // Every passage of the article matches, and only its passages.
    assert_eq!(found("author:Muster"), (2, vec!["a1".into(), "a1".into()]));
    assert_eq!(found("source:\"Zeitung Süd\""), (1, vec!["a2".into()]));
    assert_eq!(found("title:Hanoi").1, ["a1", "a1"]);
    assert_eq!(found("Hanoi -author:Muster").1, ["a2"]);
    assert_eq!(found("Sanktionen +title:\"Gipfel in Hanoi\"").1[0], "a1");
    assert_eq!(found("title:\"Hanoi Gipfel\"").0, 0);
    // A free word finds a passage through its article's title or its section heading.
    assert_eq!(found("Japan").1, ["a2"]);
    assert_eq!(found("Abschreckung").1, ["lage"]);
    // A section clause matches every passage under the heading, and only those.
    let texts = |q: &str| hit_texts(&env.search_json(&[q]));
    let under = texts("section:Sanktionen");
    assert_eq!(under.len(), 2, "{under:?}");
    assert!(under.iter().any(|t| t.contains("Handel")));
    assert_eq!(
        texts("section:Abschreckung"),
        ["Dritter Absatz über Raketen."]
    );
    assert_eq!(
        texts("Absatz -section:Sanktionen"),
        ["Dritter Absatz über Raketen."]
    );
    assert_eq!(found("section:Norden").0, 0);
    // A changed article is matched by what it says now.
    write("Clara Neu");
    env.ok(&["ingest"], 0);
    assert_eq!(found("author:Muster").0, 0);
    assert_eq!(found("author:Neu"), (2, vec!["a1".into(), "a1".into()]));
}

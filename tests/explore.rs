//! Search that forgives and explores: typos, prefixes, sorting, paging, facets, timelines.

mod common;

use common::TestEnv;
use serde_json::Value;

const EXPLORE: &str = include_str!("fixtures/explore.jsonl");

/// The seed and the six dated fixture articles, ingested.
fn archive() -> TestEnv {
    let env = TestEnv::with_seed();
    env.write("corpus/explore.jsonl", EXPLORE);
    env.ok(&["ingest"], 0);
    env
}

fn ids(v: &Value) -> Vec<String> {
    (v["hits"].as_array().unwrap().iter())
        .map(|h| h["article"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn dates(v: &Value) -> Vec<Option<String>> {
    (v["hits"].as_array().unwrap().iter())
        .map(|h| h["article"]["published"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_word_missing_from_the_index_is_corrected_and_said_so() {
    let env = archive();
    let r = env.ok(&["search", "Kausikn"], 0);
    r.assert_stderr_has("korpus: no \"Kausikn\" in the index; searched \"Kausikan\"");
    assert!(r.stdout().contains("Kausikan"));
    let v = env.search_json(&["Kausikn"]);
    assert_eq!(v["corrected"]["Kausikn"], serde_json::json!(["Kausikan"]));
    assert!(!ids(&v).is_empty());
    // --exact: no correction, no hits.
    let exact = env.ok(&["search", "Kausikn", "--exact"], 1);
    assert!(!exact.stderr().contains("searched"));
    // Words in the index, short words and numbers are never corrected.
    for q in ["Verhandlungen", "Hanoi", "Kimm", "20199"] {
        let v = env.search_json(&[q]);
        assert_eq!(v["corrected"], serde_json::json!({}), "{q}");
    }
    // Shown as a hit writes the word itself, not a compound holding it.
    let v = env.search_json(&["Verhandlngen"]);
    assert_eq!(
        v["corrected"],
        serde_json::json!({"Verhandlngen": ["Verhandlungen"]})
    );
    // A misspelt word next to a right one: only the misspelt one is corrected.
    let v = env.search_json(&["Verhandlungen Stokholm"]);
    assert_eq!(
        v["corrected"],
        serde_json::json!({"Stokholm": ["Stockholm"]})
    );
    assert_eq!(ids(&v)[0], "atom-5");
}

#[test]
fn fuzzy_words_match_within_their_edit_distance() {
    let env = archive();
    // On the folded word: `Pjongjang~1` finds `Pjöngjang` (and so does the misspelt one).
    assert!(ids(&env.search_json(&["Pjongjang~1"])).contains(&"atom-2".to_string()));
    assert!(ids(&env.search_json(&["Pjongjnag~1"])).contains(&"atom-2".to_string()));
    // Two edits need ~2.
    let one = env.search_json(&["Stokhlm~1", "--exact"]);
    assert!(ids(&one).is_empty());
    let two = env.search_json(&["Stokhlm~2", "--exact"]);
    assert_eq!(ids(&two), ["atom-5"]);
    let explained = env.search_json(&["Hanio~", "--explain"]);
    assert_eq!(explained["expanded"]["Hanio"], serde_json::json!(["hanoi"]));
}

#[test]
fn prefixes_match_the_words_and_compounds_that_begin_with_them() {
    let env = archive();
    let v = env.search_json(&["Atom*", "-n", "20", "--explain", "--group-by", "article"]);
    let mut found = ids(&v);
    found.sort();
    // The seed speaks of Atomwaffen too.
    assert_eq!(found, ["atom-1", "atom-2", "atom-3", "trump-kim"]);
    let terms = v["expanded"]["Atom"].as_array().unwrap();
    for t in ["atomprogramm", "atomwaff", "atomkraft"] {
        assert!(terms.iter().any(|x| x == t), "{t} in {terms:?}");
    }
    let text = env.ok(&["search", "Atom*", "--explain"], 0).stdout();
    assert!(text.starts_with("Atom → "), "{text}");
}

#[test]
fn a_prefix_expands_to_at_most_a_thousand_terms_most_frequent_first() {
    let env = TestEnv::empty();
    let mut words: Vec<String> = (0..1200).map(|i| format!("Zahlwort{i:04}")).collect();
    // One word in three articles, so it is the most frequent.
    words.push("Zahlwortoft".into());
    env.write("a.md", format!("# Liste\n\n{}\n", words.join(" ")));
    env.write("b.md", "# Zwei\n\nZahlwortoft und anderes.\n");
    env.write("c.md", "# Drei\n\nZahlwortoft noch einmal.\n");
    env.ok(&["ingest", "a.md", "b.md", "c.md"], 0);
    let v = env.search_json(&["Zahlwort*", "--explain"]);
    let terms = v["expanded"]["Zahlwort"].as_array().unwrap();
    assert!(terms.len() <= 1001, "{}", terms.len());
    assert!(terms.len() >= 1000, "{}", terms.len());
    assert!(
        terms[..2].iter().any(|t| t == "zahlwortoft"),
        "{:?}",
        &terms[..3]
    );
}

#[test]
fn bad_queries_and_options_explain_themselves() {
    let env = archive();
    let cases: &[(&[&str], &str)] = &[
        (
            &["search", "Kim~3"],
            "a fuzzy word ends in `~`, `~1` or `~2`",
        ),
        (&["search", "*"], "a prefix needs at least 3 letters"),
        (&["search", "a*"], "a prefix needs at least 3 letters"),
        (&["search", "At*om"], "`*` may only end a word"),
        (
            &["search", "Kim", "--offset", "-1"],
            "not a number of hits to skip",
        ),
        (
            &["search", "Kim", "--facets", "nosuch"],
            "unknown facet `nosuch`",
        ),
        (
            &["timeline", "Kim", "--by", "decade"],
            "invalid value 'decade'",
        ),
    ];
    for (args, message) in cases {
        let r = env.ok(args, 2);
        assert!(r.stderr().contains(message), "{args:?}: {}", r.stderr());
        assert!(r.stdout().is_empty());
    }
}

#[test]
fn sorting_by_date_puts_undated_articles_last() {
    let env = archive();
    let newest = env.search_json(&["Verhandlungen", "--sort", "newest", "-n", "10"]);
    let d = dates(&newest);
    assert_eq!(d.len(), 6, "{d:?}");
    assert_eq!(d[0].as_deref(), Some("2025-04-01"));
    assert_eq!(d[5], None);
    let dated: Vec<&String> = d.iter().flatten().collect();
    assert!(dated.windows(2).all(|w| w[0] >= w[1]), "{d:?}");
    let oldest = env.search_json(&["Verhandlungen", "--sort", "oldest"]);
    let d = dates(&oldest);
    assert_eq!(d[0].as_deref(), Some("2024-11-05"));
    assert_eq!(d[5], None);
    let grouped = env.search_json(&["Verhandlungen", "--sort", "newest", "--group-by", "article"]);
    assert_eq!(ids(&grouped)[0], "atom-5");
}

#[test]
fn pages_follow_one_another_to_the_end() {
    let env = archive();
    for extra in [
        &[][..],
        &["--sort", "oldest"][..],
        &["--group-by", "article"][..],
    ] {
        let args = |n: &'static str, offset: &'static str| {
            let mut a = vec!["Verhandlungen", "-n", n, "--offset", offset];
            a.extend_from_slice(extra);
            a
        };
        let all = env.search_json(&args("6", "0"));
        let first = env.search_json(&args("4", "0"));
        let second = env.search_json(&args("4", "4"));
        assert_eq!(first["next_offset"], 4, "{extra:?}");
        assert_eq!(second["next_offset"], Value::Null);
        assert_eq!(second["offset"], 4);
        let mut paged = ids(&first);
        paged.extend(ids(&second));
        assert_eq!(paged, ids(&all), "{extra:?}");
        assert_eq!(second["hits"][0]["rank"], 5);
    }
    let past = env.ok(
        &[
            "search",
            "Verhandlungen",
            "--offset",
            "50",
            "--format",
            "json",
        ],
        1,
    );
    assert_eq!(past.json()["hits"], serde_json::json!([]));
    assert_eq!(past.json()["next_offset"], Value::Null);
}

#[test]
fn facets_count_every_matching_article_not_just_the_shown_hits() {
    let env = archive();
    let v = env.search_json(&[
        "Verhandlungen",
        "-n",
        "1",
        "--facets",
        "source,year,month,author,tag,lang",
    ]);
    let count = |facet: &str, value: &str| {
        (v["facets"][facet].as_array().unwrap().iter())
            .find(|x| x["value"] == value)
            .map(|x| x["count"].as_u64().unwrap())
    };
    assert_eq!(count("source", "Tagesblatt"), Some(3));
    assert_eq!(count("source", "Morgenpost"), Some(2));
    assert_eq!(count("year", "2025"), Some(3));
    assert_eq!(count("month", "2024-11"), Some(2));
    assert_eq!(count("author", "Anna Berger"), Some(2));
    assert_eq!(count("tag", "Politik"), Some(4));
    assert_eq!(count("lang", "de"), Some(6));
    assert_eq!(
        v["facets"]["source"][0]["value"], "Tagesblatt",
        "most first"
    );
    // With a filter, over the filtered matches; --facet-limit cuts each list.
    let filtered = env.search_json(&[
        "Verhandlungen",
        "--source",
        "tagesblatt",
        "--facets",
        "author,month",
        "--facet-limit",
        "1",
    ]);
    assert_eq!(
        filtered["facets"]["author"],
        serde_json::json!([{"value": "Anna Berger", "count": 2}])
    );
    assert_eq!(filtered["facets"]["month"].as_array().unwrap().len(), 1);
    let text = env
        .ok(&["search", "Verhandlungen", "--facets", "source"], 0)
        .stdout();
    assert!(
        text.contains(" source: Tagesblatt 3 · Morgenpost 2 · Agentur Nord 1"),
        "{text}"
    );
}

#[test]
fn timelines_show_every_period_and_count_undated_apart() {
    let env = archive();
    let v = env
        .ok(&["timeline", "Verhandlungen", "--format", "json"], 0)
        .json();
    assert_eq!(v["by"], "month");
    let buckets: Vec<(String, u64)> = (v["buckets"].as_array().unwrap().iter())
        .map(|b| {
            (
                b["start"].as_str().unwrap().into(),
                b["articles"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("2024-11", 2),
        ("2024-12", 0),
        ("2025-01", 0),
        ("2025-02", 2),
        ("2025-03", 0),
        ("2025-04", 1),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    assert_eq!(buckets, expected);
    assert_eq!(v["undated"], 1);
    let csv = env
        .ok(
            &[
                "timeline",
                "Verhandlungen",
                "--by",
                "year",
                "--format",
                "csv",
            ],
            0,
        )
        .stdout();
    assert_eq!(csv, "start,articles,passages\n2024,2,2\n2025,3,3\n");
    let text = env
        .ok(&["timeline", "Verhandlungen", "--by", "month"], 0)
        .stdout();
    assert!(text.contains("2024-12  0  \n"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("2024-11  2  █")),
        "{text}"
    );
    assert!(text.ends_with("undated: 1 articles\n"), "{text}");
    let weeks = env
        .ok(&["timeline", "Hanoi", "--by", "week", "--format", "csv"], 0)
        .stdout();
    // The fixture's Hanoi (17 February) and the seed's (26 February), in ISO weeks.
    assert_eq!(
        weeks,
        "start,articles,passages\n2025-W08,1,1\n2025-W09,1,1\n"
    );
    let filtered = env
        .ok(
            &[
                "timeline",
                "Verhandlungen",
                "--source",
                "Morgenpost",
                "--format",
                "json",
            ],
            0,
        )
        .json();
    assert_eq!(filtered["buckets"].as_array().unwrap().len(), 1);
    env.ok(&["timeline", "Quantenchromodynamik", "--exact"], 1);
}

#[test]
fn batch_lines_say_what_was_corrected() {
    let env = archive();
    env.write("q.txt", "Verhandlngen\nHanoi\n");
    let lines = env.ok(&["batch", "q.txt", "-q"], 0).jsonl();
    assert_eq!(
        lines[0]["corrected"],
        serde_json::json!({"Verhandlngen": ["Verhandlungen"]})
    );
    assert!(lines[1].get("corrected").is_none());
    let exact = env.ok(&["batch", "q.txt", "-q", "--exact"], 0).jsonl();
    assert!(exact[0].get("corrected").is_none());
    assert_eq!(exact[0]["hits"], serde_json::json!([]));
}

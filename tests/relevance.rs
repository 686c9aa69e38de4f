//! German relevance: compounds, spelling variants, hyphens, phrases with stop words,
//! highlighting, `--explain` and `korpus analyze`.

mod common;

use common::{TestEnv, hit_texts};

fn seeded() -> TestEnv {
    let env = TestEnv::with_seed();
    env.write(
        "corpus/extra.jsonl",
        concat!(
            "{\"id\": \"bund\", \"title\": \"Berlin\", \"text\": \"Die Bundesregierung beriet am Montag.\", \"lang\": \"de\"}\n",
            "{\"id\": \"strasse\", \"title\": \"Verkehr\", \"text\": \"Die Hauptstraße in Süd-Korea war gesperrt.\", \"lang\": \"de\"}\n",
        ),
    );
    env.ok(&["ingest"], 0);
    env
}

fn first_text(env: &TestEnv, query: &str) -> String {
    let v = env.search_json(&[query]);
    hit_texts(&v)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no hit for {query}"))
}

#[test]
fn compound_parts_are_found() {
    let env = seeded();
    for (query, word) in [
        ("Atomwaffen", "Atomwaffen"),
        ("Abschreckung", "Abschreckung"),
        ("Raketen", "Raketen"),
        ("Wiedervereinigung", "Wiedervereinigung"),
    ] {
        let top = first_text(&env, query);
        assert!(
            top.to_lowercase().contains(&word.to_lowercase()),
            "{query}: {top}"
        );
    }
    let all = |q: &str| hit_texts(&env.search_json(&[q, "-n", "100"])).join("\n");
    assert!(all("Atomwaffen").contains("Atomwaffenprogramm"));
    assert!(all("Abschreckung").contains("Abschreckungsmittel"));
    assert!(all("Raketen").contains("Langstreckenraketen"));
    assert!(all("Wiedervereinigung").contains("Wiedervereinigungskrieg"));
    assert!(first_text(&env, "Regierung Montag").contains("Bundesregierung"));
    assert!(all("Puristen").contains("Nichtverbreitungs-Puristen"));
}

#[test]
fn spellings_and_hyphens_meet() {
    let env = seeded();
    let a = hit_texts(&env.search_json(&["Pjöngjang", "-n", "100"]));
    let b = hit_texts(&env.search_json(&["Pjoengjang", "-n", "100"]));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert!(first_text(&env, "Strasse").contains("Hauptstraße"));
    assert!(first_text(&env, "Südkorea gesperrt").contains("Süd-Korea"));
    assert!(all_contain(&env, "Ukraine", "Russland-Ukraine-Krieg"));
    assert!(all_contain(
        &env,
        "Russland-Ukraine-Krieg",
        "Russland-Ukraine-Krieg"
    ));
}

fn all_contain(env: &TestEnv, query: &str, word: &str) -> bool {
    hit_texts(&env.search_json(&[query, "-n", "100"]))
        .iter()
        .any(|t| t.contains(word))
}

#[test]
fn phrases_keep_their_stop_words() {
    let env = seeded();
    env.ok(&["search", "\"Politik der strategischen Geduld\""], 0);
    // The same words with another word in the stop word's place must not match.
    env.ok(&["search", "\"Politik die strategischen Geduld\""], 1);
    env.ok(&["search", "\"Politik strategischen Geduld\""], 1);
}

#[test]
fn question_words_do_not_dominate() {
    let env = seeded();
    let top = first_text(&env, "Wer hat was gegen die Sanktionen gesagt?");
    assert!(top.contains("Sanktionen"), "{top}");
    // A query of nothing but stop words still runs.
    env.ok(&["search", "die der das"], 0);
}

#[test]
fn compounds_highlight_as_whole_words() {
    let env = seeded();
    let v = env.search_json(&["Raketen", "-n", "100"]);
    let mut marked = Vec::new();
    for h in v["hits"].as_array().unwrap() {
        let text: Vec<char> = h["snippet"]["text"].as_str().unwrap().chars().collect();
        for r in h["snippet"]["highlights"].as_array().unwrap() {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            marked.push(text[s..e].iter().collect::<String>());
        }
    }
    assert!(
        marked.contains(&"Langstreckenraketen".to_string()),
        "{marked:?}"
    );
    assert!(marked.contains(&"Raketen".to_string()));
    assert!(
        marked.iter().all(|m| m.to_lowercase().contains("rakete")),
        "{marked:?}"
    );
}

#[test]
fn explain_shows_term_contributions() {
    let env = seeded();
    let out = env
        .ok(&["search", "Sanktionen Krieg", "--explain", "-n", "1"], 0)
        .stdout();
    assert!(out.contains("text_de:sanktion"), "{out}");
    for q in ["Sanktionen Krieg", "Sanktionen title:Romanze"] {
        let v = env.search_json(&[q, "--explain", "-n", "1"]);
        let e = v["hits"][0]["explanation"].as_array().unwrap();
        let total: f64 = e.iter().map(|c| c["score"].as_f64().unwrap()).sum();
        let score = v["hits"][0]["score"].as_f64().unwrap();
        assert!(
            (total - score).abs() < 0.01,
            "{q}: contributions {total} vs score {score}"
        );
    }
    let v = env.search_json(&["Sanktionen title:Romanze", "--explain", "-n", "1"]);
    let whats: Vec<&str> = (v["hits"][0]["explanation"].as_array().unwrap().iter())
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    assert!(
        whats.contains(&"title_de:romanz on the article record"),
        "{whats:?}"
    );
}

#[test]
fn analyze_prints_tokens_with_positions() {
    let env = TestEnv::empty();
    let out = env
        .ok(
            &["analyze", "Das Atomwaffenprogramm", "--format", "json"],
            0,
        )
        .json();
    let tokens: Vec<(u64, &str)> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["position"].as_u64().unwrap(),
                t["token"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(tokens[0], (0, "das"));
    assert_eq!(tokens[1], (1, "atomwaffenprogramm"));
    assert!(tokens.contains(&(1, "atomwaff")) && tokens.contains(&(1, "programm")));
    assert!(
        out.as_array()
            .unwrap()
            .iter()
            .all(|t| t["position"] == 0 || t["source"] == "Atomwaffenprogramm")
    );
    let text = env
        .ok(&["analyze", "negotiations", "--lang", "en"], 0)
        .stdout();
    assert!(text.contains("negoti"), "{text}");
}

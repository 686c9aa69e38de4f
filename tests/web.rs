//! The web's formats: saved pages (metadata and main text on the fixture set written for
//! korpus), pages without an article, feeds, web archives, compressed inputs, identity by URL,
//! and broken input of each kind.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::TestEnv;
use serde_json::Value;

fn fixtures(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/web")
        .join(rel)
}

fn expected(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixtures(rel)).unwrap()).unwrap()
}

fn copy(env: &TestEnv, from: &str, to: &str) {
    env.write(to, std::fs::read(fixtures(from)).unwrap());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// First and last 40 characters of whitespace-collapsed text.
fn ends(text: &str) -> (String, String) {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = t.chars().collect();
    let first = chars[..chars.len().min(40)].iter().collect();
    let last = chars[chars.len().saturating_sub(40)..].iter().collect();
    (first, last)
}

#[test]
fn page_metadata_matches_the_fixture_set() {
    let env = TestEnv::empty();
    let pages = expected("meta/expected.json");
    let fields = ["title", "authors", "published", "source", "lang", "url"];
    let (mut right, mut total, mut wrong) = (0, 0, Vec::new());
    for (name, want) in pages.as_object().unwrap() {
        let path = fixtures(&format!("meta/{name}"));
        let r = env.ok(&["extract", path.to_str().unwrap(), "--format", "jsonl"], 0);
        let got = &r.jsonl()[0]["article"];
        for f in fields {
            total += 1;
            if got[f] == want[f] {
                right += 1;
            } else {
                wrong.push(format!("{name} {f}: got {} want {}", got[f], want[f]));
            }
        }
        // The main text starts and ends where a reader's does.
        let text = env.ok(&["extract", path.to_str().unwrap()], 0).stdout();
        let (first_para, last_para) = (
            text.split("\n\n").next().unwrap(),
            text.trim_end().rsplit("\n\n").next().unwrap(),
        );
        assert_eq!(ends(first_para).0, want["body_starts"], "{name}");
        assert_eq!(ends(last_para).1, want["body_ends"], "{name}");
    }
    assert!(total >= 30 * fields.len(), "{total} fields");
    // One known disagreement: a site name read from the brand line ("Nachrichtenwerk")
    // where the fixture keeps the title's spelling ("Nachrichtenwerk.de").
    assert!(
        right * 100 >= total * 99,
        "{right}/{total} right:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn pages_without_an_article_are_named_and_skipped() {
    let env = TestEnv::empty();
    for name in ["home", "listing", "404", "app-shell", "cookie-wall"] {
        copy(
            &env,
            &format!("nonarticle/{name}.html"),
            &format!("web/{name}.html"),
        );
    }
    copy(
        &env,
        "meta/01-jsonld-author-object.html",
        "web/article.html",
    );
    let r = env.ok(&["ingest", "web"], 2);
    for name in ["home", "listing", "404", "app-shell", "cookie-wall"] {
        r.assert_stderr_has(&format!("web/{name}.html: error: no article on this page"));
    }
    r.assert_stderr_has("6 articles (1 new, 5 failed)");
}

#[test]
fn feed_items_are_articles() {
    let env = TestEnv::empty();
    let want = expected("feeds/expected.json");
    for feed in ["nachrichten.rss", "world.atom", "feed.xml"] {
        let path = fixtures(&format!("feeds/{feed}"));
        let items = env
            .ok(&["extract", path.to_str().unwrap(), "--format", "jsonl"], 0)
            .jsonl();
        let expected_items = want[feed]["items"].as_array().unwrap();
        assert_eq!(items.len(), expected_items.len(), "{feed}");
        for (got, want) in items.iter().zip(expected_items) {
            let a = &got["article"];
            assert_eq!(a["title"], want["title"], "{feed}");
            assert_eq!(a["url"], want["link"], "{feed}");
            assert_eq!(a["published"], want["date"], "{feed}");
            assert_eq!(a["authors"], want["authors"], "{feed}");
            assert_eq!(a["tags"], want["categories"], "{feed}");
            let kind = got["passages"][0]["kind"].as_str().unwrap();
            let full = want["full_text"].as_bool().unwrap();
            assert_eq!(kind, if full { "body" } else { "teaser" }, "{feed}");
            if let Some(start) = want["body_starts"].as_str() {
                let text = got["passages"][0]["text"].as_str().unwrap();
                assert!(text.starts_with(start), "{feed}: {text}");
            }
        }
    }
    // A feed cut in the middle is named with the place it breaks; the others are ingested.
    copy(&env, "feeds/broken.rss", "feeds/broken.rss");
    copy(&env, "feeds/world.atom", "feeds/world.atom");
    let r = env.ok(&["ingest", "feeds"], 2);
    r.assert_stderr_has("feeds/broken.rss: error: not a well-formed feed:");
    r.assert_stderr_has("(line ");
    r.assert_stderr_has("4 articles (3 new, 1 failed)");
}

#[test]
fn web_archive_responses_are_articles() {
    let env = TestEnv::empty();
    let want = expected("warc/expected.json");
    copy(&env, "warc/small.warc.gz", "crawl/small.warc.gz");
    copy(&env, "warc/truncated.warc.gz", "crawl/truncated.warc.gz");
    let r = env.ok(&["ingest", "crawl"], 2);
    r.assert_stderr_has("crawl/small.warc.gz: note: skipped 8 records");
    r.assert_stderr_has("crawl/truncated.warc.gz: record at byte ");
    r.assert_stderr_has("broken gzip stream");
    r.assert_stderr_has("5 articles (4 new, 1 failed)");
    for article in want["small.warc"]["articles"].as_array().unwrap() {
        let uri = article["target_uri"].as_str().unwrap();
        let id = uri.split_once("://www.").unwrap().1;
        let shown = env.ok(&["show", id, "--format", "json"], 0).json();
        assert_eq!(shown["article"]["url"].as_str(), Some(uri));
        assert_eq!(shown["article"]["title"], article["title"]);
        assert_eq!(shown["article"]["published"], article["published"]);
        assert_eq!(shown["article"]["lang"], article["lang"]);
    }
    // The URL is shown with every hit.
    let hits = env.search_json(&["Punggye-ri"]);
    assert_eq!(
        hits["hits"][0]["article"]["url"].as_str().unwrap(),
        want["small.warc"]["articles"][0]["target_uri"]
            .as_str()
            .unwrap()
    );
    let text = env.ok(&["search", "Punggye-ri", "-n", "1"], 0).stdout();
    assert!(
        text.contains("https://www.hanse-rundschau.de/politik/"),
        "{text}"
    );
    // Unchanged records are not parsed again.
    let again = env.ok(&["ingest", "crawl/small.warc.gz"], 0);
    again.assert_stderr_has("4 articles (4 unchanged)");
}

#[test]
fn a_page_saved_twice_is_one_article() {
    let env = TestEnv::empty();
    copy(&env, "meta/01-jsonld-author-object.html", "saved/page.html");
    copy(
        &env,
        "meta/01-jsonld-author-object.html",
        "saved/copy of page.htm",
    );
    let r = env.ok(&["ingest", "saved"], 0);
    r.assert_stderr_has("(same URL); this copy skipped");
    r.assert_stderr_has("1 article (1 new)");
    // Saved again elsewhere, later: the new copy replaces the old one.
    copy(&env, "meta/01-jsonld-author-object.html", "later/page.html");
    let r = env.ok(&["ingest", "later"], 0);
    r.assert_stderr_has("1 article (1 updated)");
    let stats = env.ok(&["stats", "--format", "json"], 0).json();
    assert_eq!(stats["articles"], 1);
}

#[test]
fn compressed_inputs_of_every_kind() {
    let env = TestEnv::empty();
    let line = |id: &str, text: &str| format!("{{\"id\": \"{id}\", \"text\": \"{text}\"}}\n");
    let jsonl = line("a", "Die Sanktionen gegen Pjöngjang wirken kaum.")
        + &line("b", "Der Gipfel in Hanoi endete ohne Einigung.");
    env.write("in/wire.jsonl.gz", gzip(jsonl.as_bytes()));
    env.write(
        "in/dump.jsonl.zst",
        ruzstd::encoding::compress_to_vec(
            line("c", "Seoul setzt auf Gespräche mit dem Norden.").as_bytes(),
            ruzstd::encoding::CompressionLevel::Fastest,
        ),
    );
    env.write(
        "in/page.html.gz",
        gzip(&std::fs::read(fixtures("meta/10-opengraph-only.html")).unwrap()),
    );
    // A gzip stream cut short: named; what came before the cut is kept.
    let broken = gzip((line("d", "Vor dem Bruch gelesen.") + &"x".repeat(200_000)).as_bytes());
    env.write("in/broken.jsonl.gz", &broken[..broken.len() / 2]);
    let r = env.ok(&["ingest", "in"], 2);
    r.assert_stderr_has("in/broken.jsonl.gz:2: error: could not read file: broken gzip stream");
    r.assert_stderr_has("6 articles (5 new, 1 failed)");
    for id in ["a", "b", "c", "d"] {
        let got = env.run(&["show", id]);
        assert_eq!(got.code(), 0, "{id}: {}", got.stderr());
    }
    let hits = env.search_json(&["intercontinental"]);
    assert_eq!(hits["hits"][0]["article"]["path"], "in/page.html.gz");
}

#[test]
fn hostile_pages_are_named_and_the_rest_ingested() {
    let env = TestEnv::empty();
    let para = (1..=4)
        .map(|n| {
            format!(
                "<p>Runde {n}: Die Verhandlungen über das Atomprogramm, so heißt es in Seoul, \
                 gehen weiter, auch wenn beide Seiten derzeit wenig Bewegung zeigen.</p>"
            )
        })
        .collect::<String>();
    // 20 MB: the article, then a huge table of links.
    let mut big = format!("<html><body><article>{para}</article><table>");
    while big.len() < 20 << 20 {
        big.push_str("<tr><td>Zelle</td><td><a href=\"/x\">Link</a></td></tr>");
    }
    env.write("web/big.html", big);
    env.write(
        "web/deep.html",
        format!(
            "{}{para}{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        ),
    );
    env.write(
        "web/script.html",
        "<html><script>var a = 1;</script></html>",
    );
    env.write(
        "web/binary.html",
        (0u8..=255).cycle().take(8192).collect::<Vec<u8>>(),
    );
    env.write("web/cut.html.gz", &gzip(para.as_bytes())[..40]);
    copy(&env, "meta/24-cp1252-no-charset.html", "web/legacy.html");
    let r = env.ok(&["ingest", "web"], 2);
    r.assert_stderr_has("web/script.html: error: no article on this page");
    r.assert_stderr_has("web/binary.html: error: not text");
    r.assert_stderr_has("web/cut.html.gz: error: could not read file: broken gzip stream");
    r.assert_stderr_has("web/legacy.html: warning: not valid UTF-8");
    r.assert_stderr_has("web/deep.html: warning: elements nested more than 1000 deep");
    r.assert_stderr_has("6 articles (3 new, 3 failed)");
    let read = env
        .ok(&["extract", "web/legacy.html", "--format", "json"], 0)
        .json();
    let id = read["article"]["id"].as_str().unwrap();
    let legacy = env.ok(&["show", id, "--format", "json"], 0).json();
    assert!(
        legacy["article"]["title"]
            .as_str()
            .unwrap()
            .contains("über")
    );
}

#[test]
fn extract_reads_every_format() {
    let env = TestEnv::with_seed();
    let seed = env.ok(&["extract", "corpus/trump-kim.txt"], 0).stdout();
    assert!(seed.starts_with("Washington, D.C. – Sollten die Vereinigten Staaten"));
    assert!(!seed.contains("Meine News"));
    env.write("a.md", "# Titel\n\nEin Absatz über Hanoi.\n");
    env.write(
        "b.jsonl",
        "{\"id\": \"x\", \"text\": \"Erster.\\n\\nZweiter.\"}\n",
    );
    let r = env.ok(&["extract", "a.md", "b.jsonl"], 0);
    assert_eq!(r.stdout(), "Ein Absatz über Hanoi.\nErster.\n\nZweiter.\n");
    let missing = env.ok(&["extract", "nope.html"], 2);
    missing.assert_stderr_has("nope.html: error: file not found");
}

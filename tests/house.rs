//! What an installed CLI brings besides its commands: shell completions and a man page, both
//! generated from the same declarations as `--help`.

mod common;

use common::TestEnv;

/// The subcommands `korpus --help` lists.
fn subcommands(env: &TestEnv) -> Vec<String> {
    let help = env.ok(&["--help"], 0).stdout();
    let listed = help.split("Commands:").nth(1).unwrap();
    let listed = listed.split("Options:").next().unwrap();
    (listed.lines())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn completion_scripts_for_every_shell() {
    let env = TestEnv::empty();
    let subs = subcommands(&env);
    assert!(subs.len() >= 10, "{subs:?}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = env.ok(&["completions", shell], 0).stdout();
        for sub in &subs {
            assert!(script.contains(sub.as_str()), "{shell} script lacks {sub}");
        }
        assert!(
            script.contains("input-format"),
            "{shell}: no subcommand options"
        );
    }
    env.ok(&["completions", "tcsh"], 2)
        .assert_stderr_has("invalid value 'tcsh'");
}

#[test]
fn man_page_covers_every_subcommand() {
    let env = TestEnv::empty();
    let page = env.ok(&["man"], 0).stdout();
    assert!(
        page.starts_with(".ie"),
        "not roff: {}",
        &page[..40.min(page.len())]
    );
    assert!(page.contains(".TH korpus 1"));
    for sub in subcommands(&env) {
        let heading = format!(".SH \"KORPUS {}\"", sub.to_uppercase());
        assert!(page.contains(&heading), "no section {heading}");
    }
    assert!(page.contains("\\-\\-group\\-by") || page.contains("--group-by"));
}

#[test]
fn every_flag_is_documented() {
    let env = TestEnv::empty();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = std::fs::read_to_string(root.join("README.md")).unwrap();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        docs += &std::fs::read_to_string(entry.unwrap().path()).unwrap();
    }
    let mut missing = Vec::new();
    for sub in subcommands(&env) {
        assert!(
            docs.contains(&format!("korpus {sub}")),
            "`korpus {sub}` not in the docs"
        );
        let help = env.ok(&[&sub, "--help"], 0).stdout();
        for word in help.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']') {
            let flag = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            if flag.starts_with("--")
                && flag.len() > 3
                && !["--help", "--version"].contains(&flag)
                && !docs.contains(flag)
            {
                missing.push(format!("{sub} {flag}"));
            }
        }
    }
    assert!(missing.is_empty(), "flags not documented: {missing:?}");
}

#[test]
fn the_readme_stays_a_short_manual() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let size = std::fs::metadata(readme).unwrap().len();
    assert!(
        size < 15_000,
        "README.md is {size} bytes; move detail to docs/"
    );
}

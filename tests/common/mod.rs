//! A small harness: a temp folder with fixture articles, and the real `korpus` binary run in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub const SEED: &str = include_str!("../fixtures/seed.txt");
pub const ENGLISH: &str = include_str!("../fixtures/english.md");
pub const WIRE: &str = include_str!("../fixtures/wire.jsonl");

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    /// An empty folder.
    pub fn empty() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A folder with `corpus/` holding the seed article.
    pub fn with_seed() -> TestEnv {
        let env = TestEnv::empty();
        env.write("corpus/trump-kim.txt", SEED);
        env
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// `korpus ARGS…` run in the folder, with a clean environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin!("korpus"));
        c.current_dir(self.dir.path())
            .env_remove("KORPUS_INDEX")
            .env("NO_COLOR", "1")
            .args(args);
        c
    }

    /// `korpus ARGS…` run by a user without special rights: file permissions mean nothing to
    /// root, so as root the command drops to `nobody` (setpriv) and the folder is opened to
    /// it. `None` where that cannot be done (no setpriv, or the binary out of nobody's reach).
    pub fn unprivileged(&self, args: &[&str]) -> Option<Run> {
        if !is_root() {
            return Some(self.run(args));
        }
        use std::os::unix::fs::PermissionsExt;
        let setpriv = |args: &[&str]| {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(assert_cmd::cargo::cargo_bin!("korpus"))
                .args(args)
                .current_dir(self.dir.path())
                .env_remove("KORPUS_INDEX")
                .env("NO_COLOR", "1");
            c.output().ok()
        };
        std::fs::set_permissions(self.dir.path(), std::fs::Permissions::from_mode(0o777)).ok()?;
        if !setpriv(&["--version"])?.status.success() {
            return None;
        }
        setpriv(args).map(Run)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.cmd(args).output().expect("run korpus"))
    }

    /// Runs and asserts the exit code.
    pub fn ok(&self, args: &[&str], code: i32) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code(),
            code,
            "korpus {args:?} exited {}\nstdout:\n{}\nstderr:\n{}",
            r.code(),
            r.stdout(),
            r.stderr()
        );
        r
    }

    /// `search … --format json` parsed.
    pub fn search_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        self.run(&all).json()
    }

    pub fn exists(&self, rel: &str) -> bool {
        Path::new(&self.path(rel)).exists()
    }
}

pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts that stderr contains `needle`, showing stderr if not.
    pub fn assert_stderr_has(&self, needle: &str) {
        let err = self.stderr();
        assert!(err.contains(needle), "{needle:?} not in stderr:\n{err}");
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout(), self.stderr()))
    }
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line ({e}): {l}")))
            .collect()
    }
}

/// Texts of the hits of a search JSON document.
pub fn hit_texts(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["passage"]["text"].as_str().unwrap().to_string())
        .collect()
}

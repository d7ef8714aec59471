//! Test helpers for the people side: a custodian key, narrators with
//! canary strings, testimonies, and consent rows written directly.
//!
//! Consent goes through `custos consent`, so these tests also prove the
//! commands agree on what withdrawn means.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crate::harness::Env;

/// `custos key init` with the default location; returns the key file.
pub fn key_init(env: &Env) -> PathBuf {
    env.cmd().args(["key", "init"]).assert().success();
    let dir = env.path().join(".config/custos");
    let entry = std::fs::read_dir(&dir)
        .expect("config dir")
        .next()
        .expect("a key file")
        .expect("entry");
    entry.path()
}

/// `custos narrator add ... --legal-name-file` with the legal name written to
/// a file first; returns the narrator id.
pub fn narrator(env: &Env, legal: &str, args: &[&str]) -> i64 {
    let file = env.write(&format!("private/{}.txt", legal.len()), legal);
    let head: &[&str] = &["narrator", "add", "--format", "json", "--legal-name-file"];
    let v = env.json(&[head, &[file.to_str().unwrap()], args].concat());
    std::fs::remove_file(file).unwrap();
    v["id"].as_i64().expect("id")
}

/// Imports one text file as a testimony of `narrator`; returns the item id.
pub fn testimony(env: &Env, name: &str, text: &str, narrator: i64, extra: &[&str]) -> i64 {
    let p = env.write(&format!("intake/{name}"), text);
    let n = narrator.to_string();
    let out = env.import(
        &[p.as_path()],
        &[&["--kind", "testimony", "--narrator", &n], extra].concat(),
    );
    out[0]["id"].as_i64().expect("imported")
}

/// Records a consent state with `custos consent` (granted or withdrawn).
pub fn set_consent(env: &Env, item: i64, status: &str, scope: Option<&str>, reason: Option<&str>) {
    let id = item.to_string();
    let mut args: Vec<&str> = vec!["consent", &id];
    match status {
        "granted" => args.extend(["grant", "--date", "2026-01-02", "--scope", scope.unwrap()]),
        "withdrawn" => args.extend(["withdraw", "--date", "2026-01-03"]),
        other => panic!("set_consent: {other} not supported"),
    }
    if let Some(r) = reason {
        args.extend(["--reason", r]);
    }
    let out = env.cmd().args(&args).output().expect("run");
    assert!(
        out.status.success(),
        "custos {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn db(env: &Env) -> PathBuf {
    env.archive().join("custos.db")
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            contains(&bytes, needle.as_bytes())
        })
        .map(|e| e.path().to_path_buf())
        .collect()
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// Runs custos and returns (exit code, stdout, stderr).
pub fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    let out = env.cmd().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

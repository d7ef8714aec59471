//! `custos list` and `custos show`: formats, sorting, errors, pipes; and the
//! generated completions and man page.

use std::io::Read;
use std::process::Stdio;

use predicates::prelude::*;

use crate::harness::{fixtures, Env};

const LIST_KEYS: &[&str] = &[
    "id",
    "title",
    "kind",
    "sha256",
    "size",
    "media_type",
    "original_name",
    "origin",
    "ingested_at",
    "ingested_by",
    "date",
    "language",
    "collection",
    "creator",
];

#[test]
fn list_json_carries_the_documented_keys_and_empty_is_an_array() {
    let env = Env::with_archive();
    assert_eq!(
        env.json(&["list", "--format", "json"]),
        serde_json::json!([])
    );
    env.import(&[&fixtures().join("docs")], &[]);
    let rows = env.json(&["list", "--format", "json"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for r in rows {
        for k in LIST_KEYS {
            assert!(r.get(*k).is_some(), "missing key {k} in {r}");
        }
    }
    let jsonl = env
        .cmd()
        .args(["list", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(jsonl.stdout).unwrap().lines().count(), 6);
}

#[test]
fn list_sorts_limits_and_rejects_unknown_keys() {
    let env = Env::with_archive();
    env.import(&[&fixtures().join("docs")], &[]);
    let rows = env.json(&["list", "--sort", "-size", "--format", "json"]);
    let sizes: Vec<u64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .collect();
    let mut sorted = sizes.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sizes, sorted);
    let two = env.json(&["list", "--limit", "2", "--offset", "1", "--format", "json"]);
    let ids: Vec<i64> = two
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [2, 3]);
    env.cmd()
        .args(["list", "--sort", "sizee"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot sort by \"sizee\""));
}

#[test]
fn csv_and_tsv_have_a_header_and_one_row_per_item() {
    let env = Env::with_archive();
    env.import(&[&fixtures().join("docs")], &[]);
    for (fmt, sep) in [("csv", ','), ("tsv", '\t')] {
        let out = env.cmd().args(["list", "--format", fmt]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(sep).collect();
        assert_eq!(header[0], "id");
        assert!(
            header.contains(&"sha256") && header.contains(&"origin"),
            "{header:?}"
        );
        assert_eq!(lines.count(), 6, "{fmt}");
    }
    let table = env.cmd().args(["list"]).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("Harrow Courier: Night of 11 March"),
        "{table}"
    );
}

#[test]
fn show_has_every_field_provenance_and_events() {
    let env = Env::with_archive();
    let out = env.import(
        &[&fixtures().join("docs/page.html")],
        &["--origin", "Courier morgue"],
    );
    let id = out[0]["id"].to_string();
    let shown = env.json(&["show", &id, "--format", "json"]);
    for k in LIST_KEYS {
        assert!(shown.get(*k).is_some(), "missing {k}");
    }
    assert_eq!(shown["provenance"][0]["origin"], "Courier morgue");
    assert_eq!(shown["provenance"][0]["method"], "file");
    assert_eq!(shown["events"].as_array().unwrap().len(), 2);
    let table = env.cmd().args(["show", &id]).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    for needle in [
        "Provenance",
        "Events",
        "Courier morgue",
        "message_digest_calculation",
    ] {
        assert!(table.contains(needle), "{needle} not in {table}");
    }
    env.cmd()
        .args(["show", "42"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no item 42"));
    env.cmd().args(["show", "abc"]).assert().code(2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = Env::with_archive();
    for n in 0..300 {
        env.write(&format!("many/f{n:03}.txt"), format!("fictional file {n}"));
    }
    env.cmd()
        .arg("import")
        .arg(env.path().join("many"))
        .assert()
        .success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("custos"))
        .env("CUSTOS_ARCHIVE", env.archive())
        .args(["list", "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
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
fn completions_and_man_pages_come_from_the_command_tree() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish"] {
        env.cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("import").and(predicate::str::contains("dry-run")));
    }
    env.cmd()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH custos"));
    let dir = env.path().join("man");
    env.cmd()
        .arg("man")
        .arg("--out-dir")
        .arg(&dir)
        .assert()
        .success();
    assert!(dir.join("custos-import.1").is_file());
}

#[test]
fn every_command_has_help_with_an_example() {
    let env = Env::new();
    for cmd in [
        "init",
        "import",
        "list",
        "show",
        "edit",
        "completions",
        "man",
    ] {
        env.cmd()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("custos ")));
    }
}

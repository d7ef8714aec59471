//! `custos edit`: metadata changes, validation, and their events.

use predicates::prelude::*;

use crate::harness::{fixtures, Env};

fn one_item(env: &Env) -> i64 {
    let out = env.import(&[&fixtures().join("docs/plain.txt")], &[]);
    out[0]["id"].as_i64().unwrap()
}

#[test]
fn edit_changes_fields_and_logs_old_and_new_values() {
    let env = Env::with_archive();
    let id = one_item(&env).to_string();
    env.cmd()
        .args([
            "edit",
            &id,
            "--title",
            "The ferry log",
            "--date",
            "1991-03-12",
            "--kind",
            "report",
            "--language",
            "en",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "changed title, kind, date, language",
        ));
    let shown = env.json(&["show", &id, "--format", "json", "--access", "custodian"]);
    assert_eq!(shown["title"], "The ferry log");
    assert_eq!(shown["date"], "1991-03-12");
    assert_eq!(shown["kind"], "report");
    assert_eq!(shown["language"], "en");
    let events = shown["events"].as_array().unwrap();
    let edit = events
        .iter()
        .find(|e| e["type"] == "metadata_modification")
        .expect("a metadata_modification event");
    let changes = edit["detail"]["changes"].as_array().unwrap();
    let title = changes.iter().find(|c| c["field"] == "title").unwrap();
    assert_eq!(title["old"], "plain");
    assert_eq!(title["new"], "The ferry log");
    assert_eq!(edit["agent"], "tester");
    // Old and new values are custodial: a researcher sees that an edit
    // happened, not what it said.
    let research = env.json(&["show", &id, "--format", "json", "--access", "research"]);
    let edit = research["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "metadata_modification")
        .unwrap();
    assert_eq!(edit["detail"], serde_json::Value::Null);
}

#[test]
fn invalid_values_are_rejected_naming_the_field_and_nothing_changes() {
    let env = Env::with_archive();
    let id = one_item(&env).to_string();
    let before = env.json(&["show", &id, "--format", "json"]);
    for (args, needle) in [
        (vec!["--date", "1990-02-31"], "--date"),
        (vec!["--date", "13/01/1990"], "--date"),
        (vec!["--title", "  "], "--title"),
        (vec!["--clear", "title"], "--clear"),
    ] {
        env.cmd()
            .arg("edit")
            .arg(&id)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
    }
    env.cmd()
        .args(["edit", &id, "--kind", "poem"])
        .assert()
        .code(2);
    assert_eq!(env.json(&["show", &id, "--format", "json"]), before);
}

#[test]
fn clearing_a_field_and_editing_a_missing_item() {
    let env = Env::with_archive();
    let id = one_item(&env).to_string();
    env.cmd()
        .args(["edit", &id, "--creator", "T. Elvenhart"])
        .assert()
        .success();
    env.cmd()
        .args(["edit", &id, "--clear", "creator"])
        .assert()
        .success();
    assert_eq!(
        env.json(&["show", &id, "--format", "json"])["creator"],
        serde_json::Value::Null
    );
    env.cmd()
        .args(["edit", "999", "--title", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no item 999"));
    env.cmd()
        .args(["edit", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"));
}

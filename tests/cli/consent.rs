//! `custos consent`: the dated history, its validation, and its effect on
//! what `show` lets each access level see.

use predicates::prelude::*;
use serde_json::Value;

use crate::harness::Env;

/// A fictional testimony and a release form; returns their ids.
fn testimony(env: &Env) -> (String, String) {
    let t = env.write(
        "t/interview.txt",
        "Interviewer: Where were you? Narrator: In the CANARYCELLAR on Tannery Lane. (Fictional.)",
    );
    let r = env.write(
        "t/release.txt",
        "Release form signed by CANARYLEGALNAME. (Fictional.)",
    );
    let tid = env.import(
        &[&t],
        &["--kind", "testimony", "--title", "Interview CANARYTITLE"],
    )[0]["id"]
        .to_string();
    let rid = env.import(&[&r], &[])[0]["id"].to_string();
    (tid, rid)
}

fn show(env: &Env, id: &str, access: &str, now: Option<&str>) -> std::process::Output {
    let mut c = env.cmd();
    c.args(["show", id, "--format", "json", "--access", access]);
    if let Some(n) = now {
        c.env("CUSTOS_NOW", n);
    }
    c.output().unwrap()
}

fn shown(env: &Env, id: &str, access: &str, now: Option<&str>) -> Value {
    let out = show(env, id, access, now);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn pending_testimony_is_closed_below_custodian() {
    let env = Env::with_archive();
    let (t, _) = testimony(&env);
    for access in ["public", "research"] {
        let v = shown(&env, &t, access, None);
        assert_eq!(v["access"], "closed");
        assert_eq!(v["title"], Value::Null);
        assert_eq!(v["text"], Value::Null);
        assert!(!v.to_string().contains("CANARY"), "{access}: {v}");
    }
    let v = shown(&env, &t, "custodian", None);
    assert_eq!(v["title"], "Interview CANARYTITLE");
    assert_eq!(v["consent"]["status"], "pending");
}

#[test]
fn scope_decides_who_sees_a_granted_testimony() {
    let env = Env::with_archive();
    let (t, r) = testimony(&env);
    env.cmd()
        .args([
            "consent",
            &t,
            "grant",
            "--scope",
            "research",
            "--date",
            "2018-04-09",
            "--evidence",
            &r,
            "--note",
            "signed in CANARYNOTE",
        ])
        .assert()
        .success();
    let research = shown(&env, &t, "research", None);
    assert_eq!(research["title"], "Interview CANARYTITLE");
    assert!(research["text"].as_str().unwrap().contains("CANARYCELLAR"));
    assert_eq!(research["consent"]["scope"], "research");
    assert_eq!(
        research["consent"]["reason"],
        Value::Null,
        "notes are the custodian's"
    );
    assert_eq!(
        research["origin"],
        Value::Null,
        "origins of testimonies are the custodian's"
    );
    show_refused(&env, &t, "public");
    // The signed release names the narrator: custodian only.
    show_refused(&env, &r, "research");
    show_refused(&env, &r, "public");
    assert_eq!(shown(&env, &r, "custodian", None)["access"], "restricted");
    let custodian = shown(&env, &t, "custodian", None);
    assert_eq!(custodian["consent"]["reason"], "signed in CANARYNOTE");
}

fn show_refused(env: &Env, id: &str, access: &str) {
    let out = show(env, id, access, None);
    assert_eq!(out.status.code(), Some(2), "{access}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("no item {id} in this archive")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn embargo_is_closed_the_day_before_and_open_on_the_day() {
    let env = Env::with_archive();
    let (t, _) = testimony(&env);
    env.cmd()
        .args([
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2020-01-10",
            "--embargo-until",
            "2031-01-01",
        ])
        .assert()
        .success();
    let before = shown(&env, &t, "public", Some("2030-12-31T23:59:59Z"));
    assert_eq!(before["access"], "closed");
    assert_eq!(before["closed_until"], "2031-01-01");
    assert_eq!(before["title"], Value::Null);
    assert!(!before.to_string().contains("CANARY"));
    let on_the_day = shown(&env, &t, "public", Some("2031-01-01T00:00:00Z"));
    assert_eq!(on_the_day["access"], "open");
    assert_eq!(on_the_day["title"], "Interview CANARYTITLE");
    // The custodian sees through the embargo.
    assert_eq!(
        shown(&env, &t, "custodian", Some("2030-12-31T00:00:00Z"))["title"],
        "Interview CANARYTITLE"
    );
}

#[test]
fn withdrawal_closes_everywhere_and_leaves_a_tombstone() {
    let env = Env::with_archive();
    let (t, _) = testimony(&env);
    env.cmd()
        .args([
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2019-05-02",
        ])
        .assert()
        .success();
    assert_eq!(shown(&env, &t, "public", None)["access"], "open");
    env.cmd()
        .args([
            "consent",
            &t,
            "withdraw",
            "--date",
            "2026-11-20",
            "--reason",
            "narrator's request",
        ])
        .assert()
        .success();
    show_refused(&env, &t, "public");
    show_refused(&env, &t, "research");
    let tomb = shown(&env, &t, "custodian", None);
    assert_eq!(tomb["access"], "withdrawn");
    assert_eq!(tomb["withdrawn_on"], "2026-11-20");
    assert_eq!(tomb["withdrawal_reason"], "narrator's request");
    assert_eq!(tomb["title"], Value::Null);
    assert_eq!(tomb["text"], Value::Null);
    assert!(!tomb.to_string().contains("CANARY"), "{tomb}");
    let history = env.json(&[
        "consent",
        &t,
        "history",
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    let states: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["granted", "withdrawn"]);
    env.cmd()
        .args(["consent", &t, "history", "--access", "research"])
        .assert()
        .code(2);
}

#[test]
fn invalid_consent_is_rejected_naming_the_field() {
    let env = Env::with_archive();
    let (t, r) = testimony(&env);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["grant", "--scope", "research", "--date", "2019-02-31"],
            "--date",
        ),
        (
            vec![
                "grant",
                "--scope",
                "research",
                "--date",
                "2019-05-02",
                "--embargo-until",
                "2019-05-01",
            ],
            "--embargo-until",
        ),
        (vec!["grant", "--scope", "everyone"], "--scope"),
        (
            vec!["grant", "--scope", "public", "--evidence", "999"],
            "--evidence",
        ),
        (vec!["withdraw", "--reason", "x"], "no consent recorded"),
    ];
    for (args, needle) in cases {
        env.cmd()
            .arg("consent")
            .arg(&t)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
    }
    env.cmd()
        .args(["consent", &r, "grant", "--scope", "public"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "consent is recorded for testimonies",
        ));
    env.cmd()
        .args([
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2020-01-01",
        ])
        .assert()
        .success();
    env.cmd()
        .args([
            "consent",
            &t,
            "restrict",
            "--scope",
            "archive",
            "--reason",
            "late",
            "--date",
            "2019-01-01",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("before the current consent"));
    let history = env.json(&[
        "consent",
        &t,
        "history",
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "rejected events are not recorded"
    );
}

#[test]
fn consent_changes_are_events() {
    let env = Env::with_archive();
    let (t, _) = testimony(&env);
    env.cmd()
        .args([
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2019-05-02",
        ])
        .assert()
        .success();
    env.cmd()
        .args([
            "consent",
            &t,
            "restrict",
            "--scope",
            "research",
            "--reason",
            "family asked",
            "--date",
            "2020-01-01",
        ])
        .assert()
        .success();
    env.cmd()
        .args([
            "consent",
            &t,
            "withdraw",
            "--reason",
            "request",
            "--date",
            "2021-01-01",
        ])
        .assert()
        .success();
    let v = shown(&env, &t, "custodian", None);
    let types: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ingestion",
            "message_digest_calculation",
            "consent_change",
            "consent_change",
            "withdrawal"
        ]
    );
}

#[test]
fn show_names_the_narrator_by_display_form_and_hides_quasi_identifiers_of_the_anonymous() {
    let env = Env::with_archive();
    let (t, _) = testimony(&env);
    let n = env.json(&[
        "narrator",
        "add",
        "--display",
        "A. from the mill",
        "--anonymity",
        "anonymous",
        "--birth-year",
        "1931",
        "--format",
        "json",
    ]);
    let n = n["id"].to_string();
    env.cmd()
        .args([
            "testimony",
            "set",
            &t,
            "--narrator",
            &n,
            "--interview-place",
            "CANARYPLACE kitchen",
            "--interviewer",
            "CANARYINTERVIEWER",
        ])
        .assert()
        .success();
    env.cmd()
        .args([
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2020-01-01",
        ])
        .assert()
        .success();
    let public = shown(&env, &t, "public", None);
    assert_eq!(public["testimony"]["narrator"], "A. from the mill");
    assert_eq!(public["testimony"]["anonymity"], "anonymous");
    assert_eq!(public["testimony"]["interview_place"], Value::Null);
    assert_eq!(public["testimony"]["interviewer"], Value::Null);
    assert!(
        !public.to_string().contains("CANARYPLACE")
            && !public.to_string().contains("CANARYINTERVIEWER")
    );
    let custodian = shown(&env, &t, "custodian", None);
    assert_eq!(
        custodian["testimony"]["interview_place"],
        "CANARYPLACE kitchen"
    );
}

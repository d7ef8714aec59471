//! Accessions (issue 18): recorded with a unique number, a donor, a day
//! and an agreement; items join one at import (option or manifest column);
//! `report accessions` has one row per accession with what the reader may
//! see; the donor agreement is the custodian's alone. All fictional.

use crate::harness::{run, Env};
use serde_json::Value;

fn ok(env: &Env, args: &[&str]) -> String {
    let mut c = env.cmd();
    c.args(args);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{args:?}: {err}");
    err
}

/// An agreement item and an accession 2026.014 from the (fictional)
/// Brenkel family; returns the agreement's id.
fn accession(env: &Env) -> String {
    let f = env.write(
        "intake/agreement.txt",
        "Deed of gift signed by CANARYDONORNAME (fictional).",
    );
    let agreement = env.import(&[&f], &[])[0]["id"].to_string();
    let err = ok(
        env,
        &[
            "accession",
            "add",
            "--number",
            "2026.014",
            "--donor",
            "CANARYDONOR family",
            "--received",
            "2026-11-03",
            "--agreement",
            &agreement,
            "--extent",
            "1 box",
        ],
    );
    assert!(err.contains("accession 2026.014 recorded"), "{err}");
    agreement
}

fn groups(env: &Env, access: &str) -> Vec<Value> {
    let r = env.json(&[
        "report",
        "accessions",
        "--access",
        access,
        "--format",
        "json",
    ]);
    r.as_array().cloned().expect("one section: an array")
}

#[test]
fn items_join_an_accession_and_the_report_counts_them() {
    let env = Env::with_archive();
    let agreement = accession(&env);
    let a = env.write("in/a.txt", "A fictional letter.");
    let b = env.write("in/b.txt", "Another fictional letter.");
    let out = env.import(&[&a, &b], &["--accession", "2026.014"]);
    assert_eq!(out.len(), 2);
    let rows = groups(&env, "custodian");
    let acc = rows
        .iter()
        .find(|r| r["number"] == "2026.014")
        .expect("row");
    assert_eq!(acc["items"], 2);
    assert_eq!(acc["received"], "2026-11-03");
    assert_eq!(acc["donor"], "CANARYDONOR family");
    assert_eq!(acc["agreement_item"].to_string(), agreement);
    let none = rows
        .iter()
        .find(|r| r["number"] == "(no accession)")
        .expect("row");
    assert_eq!(none["items"], 1, "the agreement came in no accession");
    // The ingestion event names it.
    let id = out[0]["id"].to_string();
    let shown = env.json(&["show", &id, "--access", "custodian", "--format", "json"]);
    let ingest = &shown["events"][0]["detail"];
    assert_eq!(ingest["accession"], "2026.014", "{shown}");
}

#[test]
fn below_custodian_the_donor_and_agreement_are_not_shown() {
    let env = Env::with_archive();
    let agreement = accession(&env);
    let a = env.write("in/a.txt", "A fictional letter.");
    env.import(&[&a], &["--accession", "2026.014"]);
    for level in ["research", "public"] {
        let rows = groups(&env, level);
        let text = serde_json::to_string(&rows).unwrap();
        assert!(!text.contains("CANARYDONOR"), "{level}: {text}");
        assert!(text.contains("2026.014"), "{level}: {text}");
        // The agreement is hidden like consent evidence.
        let mut c = env.cmd();
        c.args(["show", &agreement, "--access", level]);
        assert_eq!(run(c).0, 2, "{level}: the agreement is not found");
        let mut c = env.cmd();
        c.args([
            "query",
            "CANARYDONORNAME",
            "--access",
            level,
            "--format",
            "json",
        ]);
        assert_eq!(run(c).1.trim(), "[]", "{level}");
    }
    // An accession with nothing the reader may see is not listed.
    ok(
        &env,
        &["access", "2", "--close", "--reason", "fictional reason"],
    );
    let rows = groups(&env, "public");
    assert!(rows.iter().all(|r| r["number"] != "2026.014"), "{rows:?}");
}

#[test]
fn numbers_are_unique_and_an_unknown_accession_imports_nothing() {
    let env = Env::with_archive();
    accession(&env);
    let mut c = env.cmd();
    c.args([
        "accession",
        "add",
        "--number",
        "2026.014",
        "--donor",
        "x",
        "--received",
        "2026-11-04",
    ])
    .args(["--agreement-note", "paper copy"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(err.contains("exists already"), "{err}");
    // An agreement is required, a received day must be a day.
    let mut c = env.cmd();
    c.args([
        "accession",
        "add",
        "--number",
        "2026.015",
        "--donor",
        "x",
        "--received",
        "2026-11-04",
    ]);
    assert_eq!(run(c).0, 2);
    let mut c = env.cmd();
    c.args([
        "accession",
        "add",
        "--number",
        "2026.015",
        "--donor",
        "x",
        "--received",
        "3 Nov",
    ])
    .args(["--agreement-note", "paper copy"]);
    assert_eq!(run(c).0, 2);
    let before = env.json(&["list", "--access", "custodian", "--format", "json"]);
    let f = env.write("in/c.txt", "A fictional note.");
    let mut c = env.cmd();
    c.arg("import").arg(&f).args(["--accession", "2099.001"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(err.contains("no accession \"2099.001\""), "{err}");
    let after = env.json(&["list", "--access", "custodian", "--format", "json"]);
    assert_eq!(before, after);
}

#[test]
fn a_manifest_column_names_the_accession_and_is_checked_first() {
    let env = Env::with_archive();
    accession(&env);
    env.write("m/a.txt", "A fictional letter.");
    env.write("m/b.txt", "A fictional list.");
    let good = env.write(
        "m/manifest.csv",
        "path,title,accession\na.txt,A letter,2026.014\nb.txt,A list,\n",
    );
    let mut c = env.cmd();
    c.arg("import").arg("--manifest").arg(&good);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let acc = groups(&env, "custodian");
    let row = acc.iter().find(|r| r["number"] == "2026.014").unwrap();
    assert_eq!(row["items"], 1);
    env.write("m2/c.txt", "A fictional map.");
    let bad = env.write("m2/manifest.csv", "path,accession\nc.txt,2099.001\n");
    let mut c = env.cmd();
    c.arg("import").arg("--manifest").arg(&bad);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(err.contains("row 2") && err.contains("accession"), "{err}");
}

#[test]
fn the_register_of_ingests_is_behind_items() {
    let env = Env::with_archive();
    accession(&env);
    let r = env.json(&[
        "report",
        "accessions",
        "--items",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let rows = r.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|x| x.get("ingested_at").is_some()), "{r}");
}

#[test]
fn a_custodian_bag_carries_the_accession_and_keeps_the_agreement_closed() {
    let env = Env::with_archive();
    accession(&env);
    let a = env.write("in/a.txt", "A fictional letter.");
    env.import(&[&a], &["--accession", "2026.014"]);
    let bag = env.path().join("bag");
    ok(
        &env,
        &[
            "export",
            "--access",
            "custodian",
            "--bag",
            bag.to_str().unwrap(),
        ],
    );
    let other = env.path().join("other");
    let mut c = env.cmd();
    c.args(["init", "--intake", "open"]).arg(&other);
    assert_eq!(run(c).0, 0);
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &other)
        .args(["import", "--bag"])
        .arg(&bag);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let r = {
        let mut c = env.cmd();
        c.env("CUSTOS_ARCHIVE", &other).args([
            "report",
            "accessions",
            "--access",
            "custodian",
            "--format",
            "json",
        ]);
        let (_, out, _) = run(c);
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let row = r
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["number"] == "2026.014")
        .cloned()
        .expect("restored");
    assert_eq!(row["items"], 1, "{r}");
    assert_eq!(row["donor"], "CANARYDONOR family");
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &other).args([
        "query",
        "CANARYDONORNAME",
        "--access",
        "research",
        "--format",
        "json",
    ]);
    assert_eq!(run(c).1.trim(), "[]", "the agreement stays the custodian's");
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &other).args([
        "query",
        "CANARYDONORNAME",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_ne!(run(c).1.trim(), "[]");
}

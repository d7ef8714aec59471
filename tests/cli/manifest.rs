//! `custos import --manifest`: all-or-nothing validation with row and
//! column named, path escapes refused, testimonies described, legal names
//! sealed, and re-runs that change nothing.

use predicates::prelude::*;
use serde_json::Value;

use crate::harness::{sample_collection, Env};

fn sample_manifest() -> std::path::PathBuf {
    sample_collection().join("manifest.csv")
}

#[test]
fn the_sample_manifest_imports_with_its_metadata_and_consent() {
    let env = Env::with_archive();
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(sample_manifest())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "imported 18, duplicates 0, skipped 0, failed 0",
        ));
    let all = env.json(&["list", "--format", "json", "--access", "custodian"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 18);
    let by_title = |t: &str| {
        all.iter()
            .find(|r| r["title"] == t)
            .unwrap_or_else(|| panic!("no item titled {t}"))
    };
    let courier = by_title("Harrow Courier: Three Nights of Fear in Velmora's Lisani Quarter");
    assert_eq!(courier["kind"], "article");
    assert_eq!(courier["date"], "1991-03-12");
    let mirashi = by_title("Interview with Nela Mirashi");
    let shown = env.json(&[
        "show",
        &mirashi["id"].to_string(),
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    assert_eq!(shown["consent"]["status"], "granted");
    assert_eq!(shown["consent"]["scope"], "public");
    assert_eq!(shown["provenance"][0]["method"], "manifest");
    assert!(shown["provenance"][0]["detail"]["row"].as_u64().is_some());
    // Its evidence (the release form) is the custodian's alone.
    let history = env.json(&[
        "consent",
        &mirashi["id"].to_string(),
        "history",
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    let evidence = history[0]["evidence"].to_string();
    env.cmd()
        .args(["show", &evidence, "--access", "research"])
        .assert()
        .code(2);
    // The embargoed testimony is closed until 2031.
    let public = env.json(&["list", "--format", "json", "--access", "public"]);
    assert!(public
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["access"] != "withdrawn"));
    let narrators = env.json(&[
        "narrator",
        "list",
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    assert_eq!(narrators.as_array().unwrap().len(), 5);
}

#[test]
fn running_the_same_manifest_twice_changes_nothing_but_provenance() {
    let env = Env::with_archive();
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(sample_manifest())
        .assert()
        .success();
    let before = env.json(&["list", "--format", "json", "--access", "custodian"]);
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(sample_manifest())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("imported 0, duplicates 18")
                .and(predicate::str::contains("consent records 0")),
        );
    assert_eq!(
        env.json(&["list", "--format", "json", "--access", "custodian"]),
        before
    );
}

#[test]
fn every_problem_is_reported_with_row_and_column_and_nothing_is_imported() {
    let env = Env::with_archive();
    env.write("intake/a.txt", "fictional a");
    env.write("intake/b.txt", "fictional b");
    env.write("outside.txt", "fictional outside");
    std::os::unix::fs::symlink(
        env.path().join("outside.txt"),
        env.path().join("intake/link.txt"),
    )
    .unwrap();
    let m = env.write(
        "intake/manifest.csv",
        "path,title,kind,date\n\
         a.txt,Good,article,1991\n\
         b.txt,Bad date,article,1991-02-30\n\
         missing.txt,Missing,article,1991\n\
         ../outside.txt,Escape,article,1991\n\
         link.txt,Through a link,article,1991\n\
         a.txt,Twice,article,1991\n\
         b.txt,Bad kind,poem,1991\n",
    );
    let before = Env::snapshot(&env.archive());
    let out = env
        .cmd()
        .arg("import")
        .arg("--manifest")
        .arg(&m)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "row 3",
        "1991-02-30",
        "row 4",
        "missing.txt",
        "row 5",
        "row 6",
        "row 7",
        "row 8",
        "poem",
        "nothing was imported",
    ] {
        assert!(err.contains(needle), "{needle} not in:\n{err}");
    }
    assert_eq!(
        Env::snapshot(&env.archive()),
        before,
        "a bad row imports nothing"
    );
}

#[test]
fn check_only_validates_and_unknown_columns_need_a_flag() {
    let env = Env::with_archive();
    env.write("intake/a.txt", "fictional a");
    let m = env.write("intake/manifest.csv", "Path,TITLE,shelf\na.txt,Good,B4\n");
    let before = Env::snapshot(&env.archive());
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(&m)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shelf"));
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(&m)
        .args(["--ignore-unknown", "--check"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 row(s), no problems"));
    assert_eq!(Env::snapshot(&env.archive()), before);
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(&m)
        .arg("--ignore-unknown")
        .assert()
        .success();
    assert_eq!(env.json(&["list", "--format", "json"])[0]["title"], "Good");
}

#[test]
fn legal_names_are_sealed_and_need_a_key() {
    let env = Env::with_archive();
    env.write("intake/t.txt", "Interviewer: ... (fictional)");
    let m = env.write(
        "intake/manifest.csv",
        "path,title,kind,narrator,anonymity,legal_name,consent_status,consent_scope,consent_date\n\
         t.txt,Interview,testimony,A. from the mill,anonymous,Zorvan Quillbeck,granted,research,2020-01-02\n",
    );
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(&m)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("custos key init")
                .and(predicate::str::contains("Quillbeck").not()),
        );
    let key = env.path().join("custodian.key");
    env.cmd()
        .args(["key", "init", "--out"])
        .arg(&key)
        .assert()
        .success();
    env.cmd()
        .arg("import")
        .arg("--manifest")
        .arg(&m)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("legal name(s) in clear text")
                .and(predicate::str::contains("Quillbeck").not()),
        );
    for f in ["custos.db", "custos.db-wal"] {
        let p = env.archive().join(f);
        if p.exists() {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(9).any(|w| w == b"Quillbeck"),
                "legal name in clear in {f}"
            );
        }
    }
    let n: Value = env.json(&[
        "narrator",
        "list",
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    let id = n[0]["id"].to_string();
    let out = env
        .cmd()
        .args(["narrator", "show", &id, "--reveal", "--key"])
        .arg(&key)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Zorvan Quillbeck"),
        "positive control"
    );
}

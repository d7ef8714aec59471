//! Imports that must not open what is closed: the archive's own folder as
//! a source, and duplicates arriving with testimony information.

use serde_json::Value;

use crate::harness::{run, Env};

fn count(env: &Env, sql: &str) -> i64 {
    env.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every digest stored in the catalogue.
fn stored_shas(env: &Env) -> Vec<String> {
    let db = env.db();
    let mut stmt = db.prepare("SELECT sha256 FROM objects").unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_source_inside_the_archive_is_refused_and_nothing_is_written() {
    let env = Env::with_archive();
    env.write("doc.txt", "a fictional document");
    env.import(&[&env.path().join("doc.txt")], &[]);
    std::os::unix::fs::symlink(env.archive(), env.path().join("alias")).unwrap();
    let before = Env::snapshot(&env.archive());
    let inside = [
        env.archive(),
        env.archive().join("custos.db"),
        env.archive().join("objects"),
        env.archive().join("staging"),
        env.path().join("alias"),
        env.path().join("alias/custos.db"),
        env.archive().join("objects/../custos.db"),
    ];
    for p in &inside {
        for extra in [&[][..], &["--dry-run"][..]] {
            let mut c = env.cmd();
            c.arg("import").arg(p).args(extra);
            let (code, _, err) = run(c);
            assert_eq!(code, 2, "{}: {err}", p.display());
            assert!(
                err.contains("inside the archive") && err.contains("nothing was imported"),
                "{}: {err}",
                p.display()
            );
        }
        // Also when it is one of several inputs: refused whole.
        let mut c = env.cmd();
        c.arg("import").arg(env.path().join("doc.txt")).arg(p);
        assert_eq!(run(c).0, 2, "{}", p.display());
    }
    assert_eq!(Env::snapshot(&env.archive()), before);
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 1);
}

#[test]
fn a_folder_holding_the_archive_is_imported_without_it() {
    let env = Env::with_archive();
    env.write("letters/one.txt", "a fictional letter");
    env.write("two.txt", "another fictional letter");
    let db_sha =
        crate::harness::sha256_hex(&std::fs::read(env.archive().join("custos.db")).unwrap());
    let mut c = env.cmd();
    c.args(["import", ".", "--format", "json"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let outcomes: Vec<Value> = serde_json::from_str(&out).unwrap();
    let skipped: Vec<&Value> = outcomes
        .iter()
        .filter(|o| o["status"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{outcomes:#?}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("archive"));
    assert!(skipped[0]["reason"]
        .as_str()
        .unwrap()
        .contains("archive's own folder"));
    let imported: Vec<&str> = outcomes
        .iter()
        .filter(|o| o["status"] == "imported")
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert_eq!(imported.len(), 2, "{imported:?}");
    assert!(imported.iter().all(|p| !p.contains("archive/")));
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 2);
    assert!(!stored_shas(&env).contains(&db_sha));
    // The table output names it as skipped on stderr.
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["import", "."]);
        c
    });
    assert_eq!(code, 0);
    assert!(err.contains("skipped: ./archive"), "{err}");
}

#[test]
fn a_manifest_row_naming_a_file_inside_the_archive_is_refused() {
    let env = Env::with_archive();
    env.write("ok.txt", "a fictional document");
    let m = env.write(
        "manifest.csv",
        "path,title,kind,date\n\
         ok.txt,Fine,article,1991\n\
         archive/custos.db,The catalogue,article,1991\n",
    );
    let before = Env::snapshot(&env.archive());
    let mut c = env.cmd();
    c.arg("import").arg("--manifest").arg(&m);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("row 3") && err.contains("inside the archive"),
        "{err}"
    );
    assert_eq!(Env::snapshot(&env.archive()), before);
}

/// An archive with one open document (item 1) and two narrators (1, 2).
fn open_document_and_two_narrators() -> (Env, std::path::PathBuf) {
    let env = Env::with_archive();
    let doc = env.write("doc.txt", "We hid in the cellar: CANARY-zebrafish.");
    let out = env.import(&[&doc], &[]);
    assert_eq!(out[0]["status"], "imported");
    for display in ["D. from the valley", "L. A."] {
        env.cmd()
            .args([
                "narrator",
                "add",
                "--display",
                display,
                "--anonymity",
                "anonymous",
            ])
            .assert()
            .success();
    }
    (env, doc)
}

/// What a public reader gets of item 1: its access and its text.
fn public_view(env: &Env) -> (String, Value) {
    let shown = env.json(&["show", "1", "--access", "public", "--format", "json"]);
    (
        shown["access"].as_str().unwrap().to_string(),
        shown["text"].clone(),
    )
}

fn custodian_view(env: &Env) -> Value {
    env.json(&["show", "1", "--access", "custodian", "--format", "json"])
}

#[test]
fn a_duplicate_with_a_narrator_makes_the_item_that_narrators_testimony() {
    let (env, doc) = open_document_and_two_narrators();
    assert_eq!(public_view(&env).0, "open");
    let out = env.import(&[&doc], &["--narrator", "1", "--interviewer", "A. H."]);
    assert_eq!(out[0]["status"], "duplicate", "{out:?}");
    assert_eq!(out[0]["id"], 1);
    assert!(out[0]["reason"]
        .as_str()
        .unwrap()
        .contains("testimony of narrator 1"));
    let (access, text) = public_view(&env);
    assert_eq!(access, "closed");
    assert_eq!(text, Value::Null);
    let q = env.json(&[
        "query",
        "zebrafish",
        "--access",
        "public",
        "--format",
        "json",
    ]);
    assert_eq!(q, serde_json::json!([]));
    let shown = custodian_view(&env);
    assert_eq!(shown["kind"], "testimony");
    assert_eq!(shown["testimony"]["narrator_id"], 1);
    assert_eq!(shown["testimony"]["interviewer"], "A. H.");
    assert_eq!(shown["consent"]["status"], "pending");
    assert_eq!(shown["provenance"].as_array().unwrap().len(), 2);
    // Logged as `testimony set` logs it.
    let detail: String = env
        .db()
        .query_row(
            "SELECT detail FROM events WHERE item_id = 1 AND type = 'metadata_modification'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["testimony"]["narrator_id"], 1);
    assert_eq!(detail["kind"]["old"], "other");
    // The same again changes nothing and logs nothing more.
    let out = env.import(&[&doc], &["--narrator", "1"]);
    assert_eq!(out[0]["status"], "duplicate");
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM events WHERE type = 'metadata_modification'"
        ),
        1
    );
    env.cmd().arg("verify").assert().success();
}

#[test]
fn a_duplicate_naming_another_narrator_than_its_items_is_a_conflict() {
    let (env, doc) = open_document_and_two_narrators();
    env.import(&[&doc], &["--narrator", "1"]);
    let provenance = count(&env, "SELECT count(*) FROM provenance");
    let events = count(&env, "SELECT count(*) FROM events");
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut c = env.cmd();
        c.arg("import")
            .arg(&doc)
            .args(["--narrator", "2", "--format", "json"])
            .args(extra);
        let (code, out, err) = run(c);
        assert_eq!(code, 1, "{extra:?}: {err}");
        let out: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(out[0]["status"], "failed", "{extra:?}");
        assert_eq!(out[0]["id"], 1);
        let why = out[0]["reason"].as_str().unwrap();
        for needle in ["item 1", "narrator 1", "narrator 2", "nothing was changed"] {
            assert!(why.contains(needle), "{needle} not in {why}");
        }
    }
    assert_eq!(custodian_view(&env)["testimony"]["narrator_id"], 1);
    assert_eq!(count(&env, "SELECT count(*) FROM provenance"), provenance);
    assert_eq!(count(&env, "SELECT count(*) FROM events"), events);
}

#[test]
fn a_duplicate_imported_as_kind_testimony_becomes_a_closed_testimony() {
    let (env, doc) = open_document_and_two_narrators();
    let out = env.import(&[&doc], &["--kind", "testimony"]);
    assert_eq!(out[0]["status"], "duplicate", "{out:?}");
    assert!(out[0]["reason"]
        .as_str()
        .unwrap()
        .contains("is now a testimony"));
    assert_eq!(public_view(&env).0, "closed");
    assert_eq!(custodian_view(&env)["kind"], "testimony");
    let detail: String = env
        .db()
        .query_row(
            "SELECT detail FROM events WHERE item_id = 1 AND type = 'metadata_modification'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["changes"][0]["field"], "kind");
    assert_eq!(detail["changes"][0]["old"], "other");
    assert_eq!(detail["changes"][0]["new"], "testimony");
    // A dry run says what it would do without doing it.
    let env2 = open_document_and_two_narrators().0;
    let mut c = env2.cmd();
    c.arg("import")
        .arg(&doc)
        .args(["--narrator", "1", "--dry-run"]);
    assert_eq!(run(c).0, 0);
    assert_eq!(public_view(&env2).0, "open");
}

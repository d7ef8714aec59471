//! `custos deaccession` (issue 18): items of any kind leave the collection
//! for good — gone below custodian from every read path, a tombstone with
//! day and reason for the custodian, never reopened or edited, the same
//! bytes not taken back silently, and `--purge-bytes` erasing the stored
//! file. All documents are fictional.

use crate::harness::{run, Env};

/// Three fictional letters; returns the env (ids 1, 2, 3).
fn setup() -> Env {
    let env = Env::with_archive();
    env.write("in/a.txt", "A fictional letter from Ardan about the ferry.");
    env.write(
        "in/b.txt",
        "A fictional letter naming Tavish Morrow, BRENKELCANARY.",
    );
    env.write(
        "in/c.txt",
        "A fictional note about the mill at Corran Ford.",
    );
    let out = env.import(&[&env.path().join("in")], &["--collection", "Box 7"]);
    assert_eq!(out.len(), 3);
    env
}

fn custos(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn a_deaccessioned_item_is_gone_below_custodian_and_a_tombstone_for_the_custodian() {
    let env = setup();
    let (code, _, err) = custos(
        &env,
        &["deaccession", "2", "--reason", "imported twice by mistake"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("item 2: deaccessioned"), "{err}");
    for level in ["public", "research"] {
        let list = env.json(&["list", "--access", level, "--format", "json"]);
        assert_eq!(ids(&list), vec![1, 3], "{level}");
        let found = env.json(&[
            "query",
            "BRENKELCANARY",
            "--access",
            level,
            "--format",
            "json",
        ]);
        assert_eq!(ids(&found), Vec::<i64>::new(), "{level}");
        let (code, out, err) = custos(&env, &["show", "2", "--access", level]);
        assert_eq!(code, 2, "{level}: {out}");
        assert!(err.contains("no item 2"), "{err}");
        let kinds = env.json(&[
            "report",
            "holdings",
            "--by",
            "collection",
            "--access",
            level,
            "--format",
            "json",
        ]);
        assert!(
            kinds.to_string().contains("\"count\":2"),
            "{level}: {kinds}"
        );
        // The list's note counts items not shown; a deaccessioned one is
        // not "not shown", it is gone.
        let (_, _, err) = custos(&env, &["list", "--access", level]);
        assert!(!err.contains("not listed"), "{level}: {err}");
    }
    // The custodian: a tombstone with day and reason, and its history.
    let shown = env.json(&["show", "2", "--access", "custodian", "--format", "json"]);
    let item = if shown.get("item").is_some() {
        &shown["item"]
    } else {
        &shown
    };
    assert_eq!(item["access"], "deaccessioned");
    assert_eq!(item["deaccession_reason"], "imported twice by mistake");
    assert_eq!(item["deaccessioned_on"].as_str().map(str::len), Some(10));
    assert!(item["title"].is_null(), "{item}");
    let gone = env.json(&[
        "query",
        "access:deaccessioned",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(ids(&gone), vec![2]);
    // Not held any more: the custodian's holdings leave it out too.
    let held = env.json(&[
        "report",
        "holdings",
        "--by",
        "collection",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert!(held.to_string().contains("\"count\":2"), "{held}");
    let db = env.db();
    let (kind, detail): (String, String) = db
        .query_row(
            "SELECT type, detail FROM events WHERE item_id = 2 ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kind, "deaccession");
    assert!(detail.contains("imported twice by mistake"), "{detail}");
    // A bag at any level leaves it out.
    let bag = env.path().join("bag");
    let (code, _, err) = custos(
        &env,
        &[
            "export",
            "--access",
            "custodian",
            "--bag",
            bag.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let records = std::fs::read_to_string(bag.join("metadata/records.csv")).unwrap();
    assert!(
        !records.contains("BRENKELCANARY") && records.lines().count() == 3,
        "{records}"
    );
    // verify agrees with the history.
    let (code, _, err) = custos(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_deaccession_is_never_undone() {
    let env = setup();
    let (code, _, err) = custos(&env, &["deaccession", "2", "--reason", "out of scope"]);
    assert_eq!(code, 0, "{err}");
    let refused: &[&[&str]] = &[
        &["access", "2", "--open"],
        &["edit", "2", "--title", "back again"],
        &["tag", "2", "--place", "Ardan"],
        &[
            "consent",
            "2",
            "grant",
            "--scope",
            "public",
            "--date",
            "2026-01-01",
        ],
    ];
    for args in refused {
        let (code, _, err) = custos(&env, args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains("deaccessioned"), "{args:?}: {err}");
    }
    // By hand in SQL too: the catalogue's triggers refuse it.
    let db = env.db();
    for sql in [
        "DELETE FROM deaccessions WHERE item_id = 2",
        "UPDATE items SET access_level = NULL WHERE id = 2",
        "UPDATE deaccessions SET reason = 'x' WHERE item_id = 2",
    ] {
        let e = db.execute_batch(sql).unwrap_err().to_string();
        assert!(e.contains("never"), "{sql}: {e}");
    }
    // A second deaccession says so and writes nothing.
    let before: i64 = db
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    let (code, _, err) = custos(&env, &["deaccession", "2", "--reason", "again"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("item 2: was already deaccessioned"), "{err}");
    let after: i64 = db
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);
    // Hiding an item by writing the table by hand is found by verify.
    drop(db);
    let db = env.db();
    db.execute_batch(
        "DROP TRIGGER deaccessioned_stays; UPDATE items SET access_level = NULL WHERE id = 2;",
    )
    .unwrap();
    drop(db);
    let (code, out, err) = custos(&env, &["verify", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("item 2 has access") && out.contains("deaccessioned"),
        "{out}"
    );
}

#[test]
fn the_same_bytes_imported_again_are_skipped_and_named() {
    let env = setup();
    let (code, _, err) = custos(&env, &["deaccession", "1", "--reason", "returned to donor"]);
    assert_eq!(code, 0, "{err}");
    let out = env.import(&[&env.path().join("in/a.txt")], &[]);
    assert_eq!(out[0]["status"], "skipped", "{out:?}");
    let reason = out[0]["reason"].as_str().unwrap();
    assert!(reason.contains("deaccessioned as item 1"), "{reason}");
    // Nothing was added to the tombstone.
    let n: i64 = env
        .db()
        .query_row(
            "SELECT count(*) FROM provenance WHERE item_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    // The dry run says the same.
    let out = env.import(&[&env.path().join("in/a.txt")], &["--dry-run"]);
    assert_eq!(out[0]["status"], "skipped", "{out:?}");
}

#[test]
fn purge_bytes_erases_the_file_its_text_and_index_entries() {
    let env = setup();
    let object = |id: i64| -> std::path::PathBuf {
        let sha: String = env
            .db()
            .query_row(
                "SELECT o.sha256 FROM items i JOIN objects o ON o.id = i.object_id WHERE i.id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        env.archive()
            .join("objects")
            .join(&sha[..2])
            .join(&sha[2..4])
            .join(&sha)
    };
    let file = object(2);
    assert!(file.exists(), "{}", file.display());
    // Positive control for the scan below: the indexed word is in the
    // catalogue's pages (the full-text index keeps it lower-cased).
    let traces = || {
        let mut found = crate::seed::files_containing(&env.archive(), "brenkelcanary");
        found.extend(crate::seed::files_containing(
            &env.archive(),
            "BRENKELCANARY",
        ));
        found
    };
    assert!(!traces().is_empty());
    // Without --yes and without a terminal, refused; nothing changes.
    let (code, _, err) = custos(
        &env,
        &[
            "deaccession",
            "2",
            "--reason",
            "asked by donor",
            "--purge-bytes",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--yes"), "{err}");
    // A dry run lists and writes nothing.
    let before = Env::snapshot(&env.archive());
    let dry = env.json(&[
        "deaccession",
        "2",
        "--reason",
        "asked by donor",
        "--purge-bytes",
        "--dry-run",
        "--format",
        "json",
    ]);
    assert_eq!(dry[0]["bytes"], "erased", "{dry}");
    assert_eq!(Env::snapshot(&env.archive()), before);
    let (code, _, err) = custos(
        &env,
        &[
            "deaccession",
            "2",
            "--reason",
            "asked by donor",
            "--purge-bytes",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("its bytes were erased"), "{err}");
    assert!(!file.exists());
    let text: i64 = env
        .db()
        .query_row(
            "SELECT count(*) FROM item_text WHERE item_id = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(text, 0);
    let found = env.json(&[
        "query",
        "BRENKELCANARY",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(ids(&found), Vec::<i64>::new());
    // No trace of the text in the archive folder: not in a tombstoned
    // row of the full-text index, not in a freed page, not in the WAL.
    let left = traces();
    assert!(left.is_empty(), "the erased text remains in {left:?}");
    let (code, _, err) = custos(&env, &["verify"]);
    assert_eq!(code, 0, "verify after erasure: {err}");
    // Run again: nothing more to erase, nothing written.
    let (code, _, err) = custos(
        &env,
        &[
            "deaccession",
            "2",
            "--reason",
            "asked by donor",
            "--purge-bytes",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("its bytes were erased before"), "{err}");
}

/// The erased text leaves no trace even where its item shared the
/// full-text index's segment with many others (a delete there is only a
/// tombstone until the segment is merged).
#[test]
fn purge_bytes_leaves_no_indexed_word_in_a_shared_segment() {
    let env = Env::with_archive();
    for n in 0..150 {
        env.write(
            &format!("in/note-{n:03}.txt"),
            format!("Fictional note {n} about the ferry at Corran Ford and the mill."),
        );
    }
    env.write(
        "in/secret.txt",
        "A fictional letter naming QUILLBRAKECANARY.",
    );
    let out = env.import(&[&env.path().join("in")], &[]);
    let id = out
        .iter()
        .find(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("secret.txt"))
        })
        .and_then(|r| r["id"].as_i64())
        .expect("the letter's id");
    let traces = || crate::seed::files_containing(&env.archive(), "quillbrakecanary");
    assert!(!traces().is_empty(), "the index holds the word before");
    let (code, _, err) = custos(
        &env,
        &[
            "deaccession",
            &id.to_string(),
            "--reason",
            "asked by donor",
            "--purge-bytes",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let left = traces();
    assert!(left.is_empty(), "the erased word remains in {left:?}");
    // The other notes are still found.
    let found = env.json(&[
        "query",
        "ferry",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(found.as_array().unwrap().len(), 150);
}

#[test]
fn an_accession_leaves_whole_and_cited_items_are_refused() {
    let env = Env::with_archive();
    env.write("agreement/deed.txt", "A fictional deed of gift, signed.");
    env.write(
        "gift/l1.txt",
        "A fictional letter one from the Brenkel family.",
    );
    env.write(
        "gift/l2.txt",
        "A fictional letter two from the Brenkel family.",
    );
    env.import(&[&env.path().join("agreement")], &[]);
    let (code, _, err) = custos(
        &env,
        &[
            "accession",
            "add",
            "--number",
            "2026.014",
            "--donor",
            "Brenkel family (fictional)",
            "--received",
            "2026-11-03",
            "--agreement",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    env.import(&[&env.path().join("gift")], &["--accession", "2026.014"]);
    // The agreement of an accession stays.
    let (code, _, err) = custos(&env, &["deaccession", "1", "--reason", "x"]);
    assert_eq!(code, 13, "{err}");
    assert!(err.contains("donor agreement of accession"), "{err}");
    let (code, _, err) = custos(
        &env,
        &[
            "deaccession",
            "--accession",
            "2026.014",
            "--reason",
            "donor withdrew the gift",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 item(s) deaccessioned"), "{err}");
    let list = env.json(&["list", "--access", "custodian", "--format", "json"]);
    let gone: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["access"] == "deaccessioned")
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(gone, vec![2, 3]);
    let (code, _, err) = custos(
        &env,
        &["deaccession", "--accession", "1999.1", "--reason", "x"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no accession \"1999.1\""), "{err}");
    let (code, _, err) = custos(&env, &["deaccession", "9", "--reason", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("no item 9"), "{err}");
    let (code, _, err) = custos(&env, &["deaccession", "2", "--reason", "  "]);
    assert_eq!(code, 2);
    assert!(err.contains("--reason cannot be empty"), "{err}");
}

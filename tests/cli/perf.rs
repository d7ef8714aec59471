//! Issue 17's changes to import and verify that must not change what is
//! recorded: all-duplicate chunks of a re-import merged into one
//! transaction, and verify's per-run summary. Every file and person here is
//! fictional. No timings are asserted.

use serde_json::Value;

use crate::harness::{run, Env};

/// Writes `n` small distinct files under `dir` named so they sort in order.
fn files(env: &Env, dir: &str, n: usize) -> Vec<std::path::PathBuf> {
    (0..n)
        .map(|i| {
            env.write(
                &format!("{dir}/f{i:04}.txt"),
                format!("Fictional note {i} of {dir} from the Veashar valley survey."),
            )
        })
        .collect()
}

#[test]
fn a_re_import_across_chunks_records_every_duplicate_in_order() {
    let env = Env::with_archive();
    // 600 files: more than one 512-file chunk, all duplicates on the second
    // import, followed by a chunk with new files (which is committed on its
    // own, after the merged duplicates).
    let first = files(&env, "in/a", 600);
    let dir_a = env.path().join("in/a");
    let imported = env.import(&[&dir_a], &[]);
    assert_eq!(imported.len(), 600);
    let ids: Vec<i64> = imported.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let events_before: i64 = env
        .db()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    let new = files(&env, "in/b", 30);
    let dir_b = env.path().join("in/b");
    let again = env.import(&[&dir_a, &dir_b], &[]);
    assert_eq!(again.len(), first.len() + new.len());
    for (i, o) in again.iter().enumerate() {
        if i < first.len() {
            assert_eq!(o["status"], "duplicate", "{o}");
            assert_eq!(o["id"], ids[i], "outcomes keep the input order: {o}");
        } else {
            assert_eq!(o["status"], "imported", "{o}");
        }
    }
    let db = env.db();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    // Each duplicate got its provenance record and its event.
    assert_eq!(count("SELECT count(*) FROM provenance"), 600 * 2 + 30);
    assert_eq!(
        count("SELECT count(*) FROM events WHERE type = 'ingestion' AND outcome = 'duplicate'"),
        600
    );
    assert!(count("SELECT count(*) FROM events") > events_before + 600);
    // And the chain those events extend still verifies.
    let mut c = env.cmd();
    c.args(["verify", "--format", "json"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out} {err}");
}

#[test]
fn a_verify_run_with_damage_logs_only_the_damaged_items() {
    let env = Env::with_archive();
    files(&env, "in/a", 6);
    let imported = env.import(&[&env.path().join("in/a")], &[]);
    let ids: Vec<i64> = imported.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let show = env.json(&["show", &ids[2].to_string(), "--format", "json"]);
    let sha = show["sha256"].as_str().unwrap();
    let object = env
        .archive()
        .join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(sha);
    std::fs::remove_file(&object).unwrap();
    let mut c = env.cmd();
    c.args(["verify", "--format", "json"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 1, "{err}");
    let db = env.db();
    let mut stmt = db
        .prepare(
            "SELECT item_id, outcome, detail FROM events WHERE type = 'fixity_check' ORDER BY id",
        )
        .unwrap();
    let evs: Vec<(Option<i64>, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(evs.len(), 2, "{evs:?}");
    assert_eq!((evs[0].0, evs[0].1.as_str()), (Some(ids[2]), "failure"));
    assert_eq!((evs[1].0, evs[1].1.as_str()), (None, "failure"));
    let summary: Value = serde_json::from_str(&evs[1].2).unwrap();
    assert_eq!(
        (summary["checked"].as_u64(), summary["ok"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(summary["missing"], 1);
    // The other items' last checks are still there, `ok`, for `show`.
    let other = env.json(&["show", &ids[0].to_string(), "--format", "json"]);
    assert_eq!(other["fixity"]["outcome"], "ok");
    let damaged = env.json(&["show", &ids[2].to_string(), "--format", "json"]);
    assert_eq!(damaged["fixity"]["outcome"], "missing");
}

//! `custos purge`: a withdrawn testimony erased so that none of its canary
//! strings remain in custos.db, its WAL or the objects folder, while the
//! event chain still verifies and the other testimony is untouched.

use custos::event_format::{detail_hash, event_hash, row_to_event, Canonical, SELECT_EVENT};

use crate::harness::Env;
use crate::seed::{self, run};

/// Canaries of testimony 1 (narrator 1, who has no other testimony).
const GONE: &[&str] = &[
    "CANARY-P1-TEXT",
    "CANARY-P1-FILE",
    "CANARY-P1-ORIGIN",
    "CANARY-P1-DESC",
    "CANARY-P1-IPLACE",
    "CANARY-P1-INTERVIEWER",
    "CANARY-P1-REASON",
    "Quokkaterm",
    // Lower-case single tokens, as the full-text index stores them; no
    // other token starts with q or x, so prefix compression keeps them whole.
    "quokkaterm",
    "xylocanaryone",
    "CANARY-PA-DISPLAY",
    "CANARY-PA-PLACE",
];

/// Testimony 1 (withdrawn, redacted) and testimony 2 (granted).
fn setup() -> Env {
    let env = Env::with_archive();
    seed::key_init(&env);
    let a = seed::narrator(
        &env,
        "CANARY-PA-LEGAL",
        &[
            "--display",
            "CANARY-PA-DISPLAY",
            "--anonymity",
            "anonymous",
            "--place-of-origin",
            "CANARY-PA-PLACE",
        ],
    );
    let b = seed::narrator(
        &env,
        "CANARY-PB-LEGAL",
        &["--display", "CANARY-PB-DISPLAY", "--anonymity", "named"],
    );
    let t1 = seed::testimony(
        &env,
        "CANARY-P1-FILE.txt",
        "CANARY-P1-TEXT: we were hidden by Quokkaterm in the cellar, xylocanaryone.",
        a,
        &[
            "--origin",
            "CANARY-P1-ORIGIN",
            "--description",
            "CANARY-P1-DESC",
            "--interview-place",
            "CANARY-P1-IPLACE",
            "--interviewer",
            "CANARY-P1-INTERVIEWER",
        ],
    );
    let t2 = seed::testimony(
        &env,
        "second.txt",
        "CANARY-P2-TEXT about the rescue.",
        b,
        &[],
    );
    assert_eq!((t1, t2), (1, 2));
    let out = env
        .cmd()
        .args(["redact", "1"])
        .write_stdin("Quokkaterm\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    seed::set_consent(&env, 1, "granted", Some("research"), None);
    seed::set_consent(&env, 1, "withdrawn", None, Some("CANARY-P1-REASON"));
    seed::set_consent(&env, 2, "granted", Some("research"), None);
    env
}

fn traces(env: &Env, canary: &str) -> Vec<std::path::PathBuf> {
    seed::files_containing(&env.archive(), canary)
}

#[test]
fn purge_refuses_what_is_not_withdrawn_and_wants_confirmation() {
    let env = setup();
    let (code, _, err) = run(&env, &["purge", "2", "--yes"]);
    assert_eq!(code, 13, "{err}");
    assert!(err.contains("not withdrawn"), "{err}");
    let (code, _, err) = run(&env, &["purge", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--yes"));
    // Positive control: before the purge the canaries are there to find.
    assert!(!traces(&env, "CANARY-P1-TEXT").is_empty());
    assert!(!traces(&env, "CANARY-PA-PLACE").is_empty());
}

#[test]
fn purge_leaves_no_trace_of_the_testimony_in_the_archive_folder() {
    let env = setup();
    let (code, out, err) = run(&env, &["purge", "1", "--yes", "--reason", "narrator asked"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    for canary in GONE {
        let found = traces(&env, canary);
        assert!(found.is_empty(), "{canary} remains in {found:?}");
    }
    // The other testimony and narrator are intact (and the scan can see them).
    assert!(!traces(&env, "CANARY-P2-TEXT").is_empty());
    assert!(!traces(&env, "CANARY-PB-DISPLAY").is_empty());
    let objects: Vec<_> = walkdir::WalkDir::new(env.archive().join("objects"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .collect();
    assert_eq!(objects.len(), 1, "only testimony 2's object remains");
    let wal = env.archive().join("custos.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);

    let c = rusqlite::Connection::open(seed::db(&env)).unwrap();
    let narrators: i64 = c
        .query_row("SELECT count(*) FROM narrators", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        narrators, 1,
        "narrator 1 and their sealed identity are gone"
    );
    let (title, purged): (String, Option<String>) = c
        .query_row(
            "SELECT i.title, o.purged_at FROM items i JOIN objects o ON o.id = i.object_id WHERE i.id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(title, "(purged)");
    assert!(purged.is_some());
    // The chain still verifies; item 1 keeps events without details, and
    // the purge event with its reason.
    let mut stmt = c.prepare(&format!("{SELECT_EVENT} ORDER BY id")).unwrap();
    let events: Vec<_> = stmt
        .query_map([], row_to_event)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = custos::event_format::GENESIS.to_string();
    for e in &events {
        assert_eq!(e.prev_hash, prev);
        let h = event_hash(&Canonical {
            id: e.id,
            at: &e.at,
            kind: &e.kind,
            item_id: e.item_id.map(|i| i.0),
            agent: &e.agent,
            outcome: &e.outcome,
            detail_hash: &e.detail_hash,
            prev_hash: &e.prev_hash,
        });
        assert_eq!(h, e.hash, "event {}", e.id);
        if let Some(d) = &e.detail {
            assert_eq!(
                detail_hash(e.detail_salt.as_deref(), Some(&d.to_string())),
                e.detail_hash
            );
        }
        prev = e.hash.clone();
    }
    let mine: Vec<_> = events
        .iter()
        .filter(|e| e.item_id.map(|i| i.0) == Some(1))
        .collect();
    let last = mine.last().unwrap();
    assert_eq!(last.kind, "purge");
    assert_eq!(last.detail.as_ref().unwrap()["reason"], "narrator asked");
    assert!(mine[..mine.len() - 1].iter().all(|e| e.detail.is_none()));
    drop(stmt);
    drop(c);
    // A fresh backup carries no trace either, and still verifies.
    let backup = env.path().join("backup-after-purge");
    let (code, _, err) = run(&env, &["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for canary in GONE {
        let found = seed::files_containing(&backup, canary);
        assert!(
            found.is_empty(),
            "{canary} remains in the backup: {found:?}"
        );
    }
    assert!(
        !seed::files_containing(&backup, "CANARY-P2-TEXT").is_empty(),
        "positive control"
    );
    let (code, _, err) = run(&env, &["verify"]);
    assert_eq!(code, 0, "verify after purge: {err}");
    // Running it again only cleans again.
    let (code, _, err) = run(&env, &["purge", "1", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("already purged"), "{err}");
}

#[test]
fn a_reader_holding_the_wal_is_reported_and_a_second_purge_finishes() {
    let env = setup();
    let reader = rusqlite::Connection::open(seed::db(&env)).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    reader
        .query_row("SELECT count(*) FROM items", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let out = env
        .cmd()
        .args(["purge", "1", "--yes"])
        .env("CUSTOS_BUSY_TIMEOUT_MS", "200")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("run `custos purge 1 --yes` again"), "{err}");
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    let (code, _, err) = run(&env, &["purge", "1", "--yes"]);
    assert_eq!(code, 0, "{err}");
    for canary in GONE {
        assert!(traces(&env, canary).is_empty(), "{canary}");
    }
}

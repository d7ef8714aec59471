//! `custos redact`: sealed terms, the redacted copy, and an index below
//! custodian in which a redacted term cannot be found.

use crate::harness::Env;
use crate::seed::{self, contains, run};

const TEXT: &str = "Interview. The neighbour CANARYNEIGHBOUR hid us in Canaryvillage; \
                    canaryneighbour's wife brought bread. Canaryvillagers stayed.";

fn fts(env: &Env, table: &str, word: &str) -> Vec<i64> {
    let c = rusqlite::Connection::open(seed::db(env)).unwrap();
    let mut stmt = c
        .prepare(&format!(
            "SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY rowid"
        ))
        .unwrap();
    let rows = stmt
        .query_map([format!("\"{word}\"")], |r| r.get(0))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn redact(env: &Env, item: &str, terms: &str, extra: &[&str]) -> (i32, String, String) {
    let out = env
        .cmd()
        .args([&["redact", item][..], extra].concat())
        .write_stdin(terms)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_redacted_term_is_found_below_custodian_as_a_word_that_does_not_exist() {
    let env = Env::with_archive();
    let (code, _, err) = redact(&env, "1", "x\n", &[]);
    assert_eq!(code, 2, "{err}");
    let key = seed::key_init(&env);
    let n = seed::narrator(&env, "CANARY-LEGAL", &["--anonymity", "anonymous"]);
    seed::testimony(&env, "CANARYNEIGHBOUR story.txt", TEXT, n, &[]);
    // Before: the term is in the public index.
    assert_eq!(fts(&env, "item_fts", "canaryneighbour"), vec![1]);
    let (code, out, err) = redact(&env, "1", "canaryNeighbour\n\n", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(!err.to_lowercase().contains("canaryneighbour"), "{err}");
    let none = fts(&env, "item_fts", "zzqxnonexistent");
    assert!(none.is_empty());
    assert_eq!(fts(&env, "item_fts", "canaryneighbour"), none);
    assert_eq!(fts(&env, "item_fts", "CANARYNEIGHBOUR"), none);
    // The title was redacted too; the custodian's index keeps the original.
    assert_eq!(fts(&env, "item_fts_full", "canaryneighbour"), vec![1]);
    assert_eq!(fts(&env, "item_fts", "canaryvillage"), vec![1]);

    // A second redaction needs the key, to apply the first terms again.
    let (code, _, err) = redact(&env, "1", "Canaryvillage\n", &["--key", "/nonexistent"]);
    assert_ne!(code, 0, "{err}");
    std::fs::rename(&key, env.path().join("moved.key")).unwrap();
    let (code, _, err) = redact(&env, "1", "Canaryvillage\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
    let moved = env.path().join("moved.key");
    let (code, _, err) = redact(
        &env,
        "1",
        "Canaryvillage\n",
        &["--key", moved.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(fts(&env, "item_fts", "canaryvillage"), none);
    assert_eq!(fts(&env, "item_fts", "canaryneighbour"), none);
    assert_eq!(
        fts(&env, "item_fts", "canaryvillagers"),
        vec![1],
        "whole words only"
    );

    let c = rusqlite::Connection::open(seed::db(&env)).unwrap();
    let (title, text): (String, String) = c
        .query_row(
            "SELECT title, text FROM redacted_text WHERE item_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(title, "[redacted] story");
    assert!(
        text.contains("The neighbour [redacted] hid us in [redacted]; [redacted]'s wife"),
        "{text}"
    );
    // Terms are stored sealed and logged nowhere.
    let sealed: Vec<Vec<u8>> = c
        .prepare("SELECT sealed_terms FROM redactions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sealed.len(), 2);
    for s in &sealed {
        assert!(!contains(&s.to_ascii_lowercase(), b"canary"));
    }
    let details: String = c
        .query_row(
            "SELECT group_concat(detail, '|') FROM events WHERE type = 'redaction'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!details.to_lowercase().contains("canary"), "{details}");
    // Editing the title would bypass the redaction: refused.
    let (code, _, _) = run(&env, &["edit", "1", "--title", "CANARYNEIGHBOUR again"]);
    assert_eq!(code, 13);
}

#[test]
fn a_wrong_key_redacts_nothing() {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(&env, "CANARY-LEGAL", &["--anonymity", "anonymous"]);
    seed::testimony(&env, "t.txt", TEXT, n, &[]);
    let other = Env::with_archive();
    let wrong = seed::key_init(&other);
    let (code, out, _) = redact(
        &env,
        "1",
        "Canaryvillage\n",
        &["--key", wrong.to_str().unwrap()],
    );
    assert_eq!(code, 12);
    assert!(out.is_empty());
    assert_eq!(fts(&env, "item_fts", "canaryvillage"), vec![1]);
}

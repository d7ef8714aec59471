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
    // A new title must be redacted again, which needs the key: without it
    // (it was moved away from where `key init` wrote it) the edit is
    // refused, exit 2, and the title stays as it was.
    let (code, _, err) = run(&env, &["edit", "1", "--title", "CANARYNEIGHBOUR again"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
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

#[test]
fn a_redacted_item_takes_a_new_title_redacted_again() {
    let env = Env::with_archive();
    let key = seed::key_init(&env);
    let f = env.write(
        "intake/letter.txt",
        "A fictional letter naming CANARYNEIGHBOUR.",
    );
    let id = env.import(&[&f], &["--title", "A letter"])[0]["id"].to_string();
    let (code, _, err) = redact(&env, &id, "canaryneighbour\n", &[]);
    assert_eq!(code, 0, "{err}");
    // Without the key the new title cannot be redacted: refused, exit 2,
    // saying what to give; nothing changes.
    std::fs::rename(&key, env.path().join("moved.key")).unwrap();
    let (code, _, err) = run(
        &env,
        &[
            "edit",
            &id,
            "--title",
            "Letter about Canaryneighbour's boat",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
    let moved = env.path().join("moved.key");
    let (code, _, err) = run(
        &env,
        &[
            "edit",
            &id,
            "--title",
            "Letter about Canaryneighbour's boat",
            "--description",
            "Mentions CANARYNEIGHBOUR twice",
            "--key",
            moved.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let research = env.json(&["show", &id, "--format", "json", "--access", "research"]);
    let shown = research.to_string().to_lowercase();
    assert!(!shown.contains("canaryneighbour"), "{shown}");
    assert!(
        research["title"].as_str().unwrap().contains("boat"),
        "{research}"
    );
    let custodian = env.json(&["show", &id, "--format", "json", "--access", "custodian"]);
    assert_eq!(custodian["title"], "Letter about Canaryneighbour's boat");
    assert_eq!(fts(&env, "item_fts", "canaryneighbour"), Vec::<i64>::new());
    assert_eq!(
        fts(&env, "item_fts", "boat"),
        vec![id.parse::<i64>().unwrap()]
    );
    assert_eq!(
        fts(&env, "item_fts_full", "canaryneighbour"),
        vec![id.parse::<i64>().unwrap()]
    );
    let (_, out, _) = run(
        &env,
        &[
            "query",
            "canaryneighbour",
            "--access",
            "research",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.trim(), "[]");
}

//! Notes on items (issue 18): repeatable, each public or custodial; who
//! sees which, through `note list`, `show` and a bag, and back through
//! `import --bag`. All documents are fictional.

use crate::harness::{run, Env};

fn custos(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

fn texts(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn public_notes_go_where_the_item_goes_and_custodial_ones_stay_home() {
    let env = Env::with_archive();
    env.write("in/a.txt", "A fictional letter from Ardan about the ferry.");
    env.write("in/b.txt", "A fictional list naming Tavish Morrow.");
    env.import(&[&env.path().join("in")], &[]);
    for args in [
        &[
            "note",
            "add",
            "1",
            "--public",
            "Received folded; flattened.",
        ][..],
        &[
            "note",
            "add",
            "1",
            "--custodial",
            "Page 3 names a neighbour.",
        ],
        &["note", "add", "1", "2", "--public", "Box 12, shelf B."],
    ] {
        let (code, _, err) = custos(&env, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let list = |id: &str, level: &str| {
        texts(&env.json(&["note", "list", id, "--access", level, "--format", "json"]))
    };
    assert_eq!(
        list("1", "custodian"),
        vec![
            "Received folded; flattened.",
            "Page 3 names a neighbour.",
            "Box 12, shelf B."
        ]
    );
    for level in ["public", "research"] {
        assert_eq!(
            list("1", level),
            vec!["Received folded; flattened.", "Box 12, shelf B."],
            "{level}"
        );
        let shown = env.json(&["show", "1", "--access", level, "--format", "json"]);
        assert!(!shown.to_string().contains("Page 3"), "{level}: {shown}");
    }
    // The query field: public notes for all, custodial ones for the
    // custodian; a hidden note matches nothing, positive or negated.
    let count = |q: &str, level: &str| {
        let (code, out, err) = custos(&env, &["query", q, "--access", level, "--count"]);
        assert_eq!(code, 0, "{err}");
        out.trim().to_string()
    };
    assert_eq!(count("note:flattened", "public"), "1");
    assert_eq!(count("note:neighbour", "public"), "0");
    assert_eq!(count("note:neighbour", "custodian"), "1");
    assert_eq!(count("note:\"shelf b\"", "research"), "2");
    // Closed: nothing of the item, its notes included.
    let (code, _, err) = custos(&env, &["access", "2", "--close"]);
    assert_eq!(code, 0, "{err}");
    assert!(list("2", "public").is_empty());
    assert_eq!(list("2", "custodian"), vec!["Box 12, shelf B."]);
    // Each note is an event; removing one too.
    let (code, _, err) = custos(&env, &["note", "remove", "1", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(list("1", "custodian").len(), 2);
    let n: i64 = env
        .db()
        .query_row(
            "SELECT count(*) FROM events WHERE item_id = 1 AND type = 'metadata_modification'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 4);
    // Errors name what is wrong.
    let (code, _, err) = custos(&env, &["note", "remove", "1", "9"]);
    assert_eq!(code, 2);
    assert!(err.contains("item 1 has no note 9"), "{err}");
    let (code, _, err) = custos(&env, &["note", "add", "1", "--public", "  "]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be empty"), "{err}");
    let (code, _, _) = custos(
        &env,
        &["note", "add", "1", "--public", "a", "--custodial", "b"],
    );
    assert_eq!(code, 2);
}

#[test]
fn a_redacted_items_public_notes_stay_with_the_custodian() {
    let env = Env::with_archive();
    let key = env.path().join("custodian.key");
    let (code, _, err) = custos(&env, &["key", "init", "--out", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    env.write("in/a.txt", "A fictional letter naming Tavish Morrow.");
    env.import(&[&env.path().join("in")], &[]);
    let (code, _, err) = custos(
        &env,
        &[
            "note",
            "add",
            "1",
            "--public",
            "Tavish Morrow's letter, second page.",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let terms = env.write("terms.txt", "Tavish Morrow\n");
    let (code, _, err) = custos(
        &env,
        &[
            "redact",
            "1",
            "--terms-file",
            terms.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let public = env.json(&["show", "1", "--access", "public", "--format", "json"]);
    assert!(!public.to_string().contains("Morrow"), "{public}");
    let all = env.json(&[
        "note",
        "list",
        "1",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(texts(&all).len(), 1);
}

#[test]
fn notes_travel_in_a_bag_as_its_level_sees_them() {
    let env = Env::with_archive();
    env.write("in/a.txt", "A fictional letter from Ardan about the ferry.");
    env.import(&[&env.path().join("in")], &[]);
    custos(&env, &["note", "add", "1", "--public", "Received folded."]);
    custos(&env, &["note", "add", "1", "--custodial", "Check page 3."]);
    for (level, want) in [
        ("public", vec!["Received folded."]),
        ("custodian", vec!["Received folded.", "Check page 3."]),
    ] {
        let bag = env.path().join(format!("bag-{level}"));
        let (code, _, err) = custos(
            &env,
            &["export", "--access", level, "--bag", bag.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{err}");
        let records: serde_json::Value =
            serde_json::from_slice(&std::fs::read(bag.join("metadata/records.json")).unwrap())
                .unwrap();
        let record = if records.is_array() {
            records[0].clone()
        } else {
            records["records"][0].clone()
        };
        assert_eq!(texts(&record["notes"]), want, "{level}");
        // Into a new archive and back out: the same notes, once.
        let other = Env::with_archive();
        for _ in 0..2 {
            let mut c = other.cmd();
            c.args(["import", "--bag", bag.to_str().unwrap()]);
            let (code, _, err) = run(c);
            assert_eq!(code, 0, "{err}");
        }
        let got = other.json(&[
            "note",
            "list",
            "1",
            "--access",
            "custodian",
            "--format",
            "json",
        ]);
        assert_eq!(texts(&got), want, "{level} round trip");
    }
}

#[test]
fn a_manifest_gives_new_items_their_notes() {
    let env = Env::with_archive();
    env.write("m/poster.txt", "A fictional poster for the harvest fair.");
    let m = env.write(
        "m/manifest.csv",
        "path,title,public_note,custodial_note\nposter.txt,Poster,Found in the attic.,The donor asked not to be named.\n",
    );
    let mut c = env.cmd();
    c.args(["import", "--manifest", m.to_str().unwrap()]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let all = env.json(&[
        "note",
        "list",
        "1",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(
        texts(&all),
        vec!["Found in the attic.", "The donor asked not to be named."]
    );
    assert_eq!(all[1]["audience"], "custodial");
    let public = env.json(&[
        "note", "list", "1", "--access", "public", "--format", "json",
    ]);
    assert_eq!(texts(&public), vec!["Found in the attic."]);
}

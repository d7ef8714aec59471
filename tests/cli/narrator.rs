//! Narrators: sealed legal identities, visibility by access level, reveal
//! with the right key only, testimonies linked at import or later.

use serde_json::Value;

use crate::harness::Env;
use crate::seed::{self, contains, run};

const LEGAL: &str = "CANARY-LEGAL-Ovsanna-Mkrtchyan +374-CANARY-PHONE";
const PLACE: &str = "CANARY-PLACE-Kirovabad";

/// An archive with a key, an anonymous narrator (1) with a testimony (1)
/// and a named narrator (2) with a testimony (2), consent not yet given.
fn setup() -> (Env, std::path::PathBuf) {
    let env = Env::with_archive();
    let key = seed::key_init(&env);
    let n1 = seed::narrator(
        &env,
        LEGAL,
        &[
            "--display",
            "CANARY-DISPLAY-D",
            "--anonymity",
            "anonymous",
            "--birth-year",
            "1951",
            "--place-of-origin",
            PLACE,
        ],
    );
    let n2 = seed::narrator(
        &env,
        "CANARY-LEGAL-Second",
        &[
            "--display",
            "Levon A.",
            "--anonymity",
            "named",
            "--place-of-origin",
            "Baku",
        ],
    );
    assert_eq!((n1, n2), (1, 2));
    seed::testimony(&env, "t1.txt", "We hid in the cellar.", 1, &[]);
    seed::testimony(
        &env,
        "t2.txt",
        "The neighbours came.",
        2,
        &["--interviewer", "A. H."],
    );
    (env, key)
}

fn list(env: &Env, access: &str) -> Vec<Value> {
    serde_json::from_value(env.json(&["narrator", "list", "--access", access, "--format", "json"]))
        .unwrap()
}

#[test]
fn legal_identities_never_reach_the_database_in_clear() {
    let env = Env::with_archive();
    seed::key_init(&env);
    // Hold a reader open so the WAL stays on disk to be searched.
    let reader = rusqlite::Connection::open(seed::db(&env)).unwrap();
    reader
        .query_row("SELECT count(*) FROM settings", [], |r| r.get::<_, i64>(0))
        .unwrap();
    seed::narrator(
        &env,
        LEGAL,
        &["--display", "D.", "--anonymity", "anonymous"],
    );
    let wal = env.archive().join("custos.db-wal");
    assert!(wal.exists());
    for file in [seed::db(&env), wal] {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!contains(&bytes, b"CANARY-LEGAL"), "{}", file.display());
        assert!(!contains(&bytes, b"Mkrtchyan"), "{}", file.display());
    }
    drop(reader);
}

#[test]
fn below_custodian_a_narrator_shows_only_through_an_open_testimony() {
    let (env, _) = setup();
    // Pending consent: nobody below custodian sees either narrator.
    assert!(list(&env, "research").is_empty());
    assert!(list(&env, "public").is_empty());
    seed::set_consent(&env, 1, "granted", Some("research"), None);
    seed::set_consent(&env, 2, "granted", Some("public"), None);
    let research = list(&env, "research");
    assert_eq!(research.len(), 2);
    let anon = &research[0];
    assert_eq!(anon["display"], "CANARY-DISPLAY-D");
    assert_eq!(anon["anonymity"], "anonymous");
    for k in [
        "birth_year",
        "place_of_origin",
        "legal_identity_sealed",
        "created_at",
    ] {
        assert!(anon[k].is_null(), "{k} shown: {anon}");
    }
    assert_eq!(anon["testimonies"], serde_json::json!([1]));
    assert_eq!(research[1]["place_of_origin"], "Baku");
    let public = list(&env, "public");
    assert_eq!(public.len(), 1);
    assert_eq!(public[0]["id"], 2);
    let custodian = list(&env, "custodian");
    assert_eq!(custodian[0]["place_of_origin"], PLACE);
    assert_eq!(custodian[0]["birth_year"], 1951);
    assert_eq!(custodian[0]["legal_identity_sealed"], true);
    // A hidden narrator reads exactly like a missing one.
    let (c1, o1, e1) = run(&env, &["narrator", "show", "1", "--access", "public"]);
    let (c2, o2, e2) = run(&env, &["narrator", "show", "99", "--access", "public"]);
    assert_eq!((c1, c2), (2, 2));
    assert!(o1.is_empty() && o2.is_empty());
    assert_eq!(e1.replace(" 1 ", " N "), e2.replace(" 99 ", " N "));
}

#[test]
fn no_format_or_level_shows_a_legal_identity_without_the_key() {
    let (env, _) = setup();
    seed::set_consent(&env, 1, "granted", Some("public"), None);
    for access in ["public", "research", "custodian"] {
        for format in ["table", "json", "jsonl", "csv", "tsv"] {
            for args in [
                vec!["narrator", "list"],
                vec!["narrator", "show", "1"],
                vec!["narrator", "show", "2"],
            ] {
                let (_, out, err) = run(
                    &env,
                    &[&args[..], &["--access", access, "--format", format]].concat(),
                );
                for text in [&out, &err] {
                    assert!(!text.contains("CANARY-LEGAL"), "{args:?} {access} {format}");
                    assert!(!text.contains("CANARY-PHONE"), "{args:?} {access} {format}");
                    if access != "custodian" {
                        assert!(!text.contains(PLACE), "{args:?} {access} {format}: {text}");
                    }
                }
            }
        }
    }
}

#[test]
fn reveal_needs_the_right_key_and_is_logged_without_the_value() {
    let (env, key) = setup();
    // A key of another archive: exit 12, nothing printed, nothing logged.
    let other = Env::with_archive();
    let wrong = seed::key_init(&other);
    let (code, out, err) = run(
        &env,
        &[
            "narrator",
            "show",
            "1",
            "--reveal",
            "--key",
            wrong.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 12, "{err}");
    assert!(out.is_empty());
    assert!(!err.contains("CANARY"));
    // Not at research level, key or not.
    let (code, out, _) = run(
        &env,
        &[
            "narrator",
            "show",
            "1",
            "--reveal",
            "--access",
            "research",
            "--key",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    // Positive control: the right key shows the canary.
    let v = env.json(&[
        "narrator",
        "show",
        "1",
        "--reveal",
        "--key",
        key.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(v["legal_identity"], LEGAL);
    let c = rusqlite::Connection::open(seed::db(&env)).unwrap();
    let (n, detail): (i64, String) = c
        .query_row(
            "SELECT count(*), group_concat(coalesce(detail, ''), '|') FROM events WHERE type = 'reveal'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(n, 1, "one reveal logged, none for the refused attempts");
    assert!(!detail.contains("CANARY"), "{detail}");
}

#[test]
fn sealing_needs_a_key_and_the_narrator_must_exist_before_import() {
    let env = Env::with_archive();
    let f = env.write("legal.txt", "CANARY-LEGAL-x");
    let (code, out, err) = run(
        &env,
        &[
            "narrator",
            "add",
            "--anonymity",
            "anonymous",
            "--legal-name-file",
            f.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("custos key init"), "{err}");
    assert!(!err.contains("CANARY"));
    // Without a legal identity a narrator needs no key.
    let v = env.json(&[
        "narrator",
        "add",
        "--anonymity",
        "named",
        "--display",
        "X",
        "--format",
        "json",
    ]);
    assert_eq!(v, serde_json::json!({"id": 1}));
    let t = env.write("t.txt", "text");
    let (code, _, err) = run(
        &env,
        &[
            "import",
            t.to_str().unwrap(),
            "--kind",
            "testimony",
            "--narrator",
            "7",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(env
        .json(&["list", "--format", "json"])
        .as_array()
        .unwrap()
        .is_empty());
    let (code, _, _) = run(
        &env,
        &[
            "import",
            t.to_str().unwrap(),
            "--kind",
            "letter",
            "--narrator",
            "1",
        ],
    );
    assert_eq!(code, 2);
}

#[test]
fn testimony_set_links_an_item_and_edit_logs_field_names_only() {
    let (env, _) = setup();
    let doc = env.write("doc.txt", "A letter.");
    env.import(&[doc.as_path()], &["--kind", "letter"]);
    env.cmd()
        .args([
            "testimony",
            "set",
            "3",
            "--narrator",
            "2",
            "--interview-place",
            "CANARY-IPLACE",
        ])
        .assert()
        .success();
    let shown = env.json(&[
        "narrator",
        "show",
        "2",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(shown["testimonies"], serde_json::json!([2, 3]));
    assert!(shown["legal_identity"].is_null());
    let (code, _, _) = run(&env, &["testimony", "set", "3", "--narrator", "9"]);
    assert_eq!(code, 2);
    env.cmd()
        .args([
            "narrator",
            "edit",
            "1",
            "--place-of-residence",
            "CANARY-RES",
            "--clear",
            "birth_year",
        ])
        .assert()
        .success();
    let v = env.json(&[
        "narrator",
        "show",
        "1",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(v["place_of_residence"], "CANARY-RES");
    assert!(v["birth_year"].is_null());
    let c = rusqlite::Connection::open(seed::db(&env)).unwrap();
    let details: String = c
        .query_row(
            "SELECT group_concat(coalesce(detail, ''), '|') FROM events WHERE item_id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!details.contains("CANARY"), "{details}");
    assert!(details.contains("place_of_residence"), "{details}");
}

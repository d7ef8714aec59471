//! Bare words across scripts and diacritics (issue 13): a word typed in
//! one script finds a text that writes it in another, the snippet shows
//! the text as written, and the folded index never finds what the reader
//! may not find as written (a redacted word, a closed passage, a purged
//! item). Every text here is fictional.

use serde_json::Value;

use crate::harness::Env;
use crate::recordings::{import_one, wav};
use crate::recordings_timed::cmd;
use crate::seed;

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

fn query(env: &Env, word: &str, access: &str) -> Value {
    env.json(&["query", word, "--access", access, "--format", "json"])
}

fn doc(env: &Env, name: &str, text: &str) -> i64 {
    let p = env.write(name, text);
    import_one(env, &p).0
}

#[test]
fn a_word_in_one_script_finds_the_text_in_another_as_written() {
    let env = Env::with_archive();
    let cyr = doc(
        &env,
        "letter.txt",
        "A fictional letter. We walked from Цхинвали to the river at dawn.",
    );
    let geo = doc(
        &env,
        "diary.txt",
        "A fictional diary: ცხინვალი, the old market.",
    );
    let lat = doc(&env, "report.txt", "A fictional report from Tskhinvali.");
    let az = doc(&env, "note.txt", "A fictional note written in Xankəndi.");

    let v = query(&env, "Tskhinvali", "public");
    let mut found = ids(&v);
    found.sort();
    assert_eq!(found, [cyr, geo, lat], "{v}");
    let cyr_row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == cyr)
        .unwrap();
    let s = cyr_row["snippet"].as_str().unwrap();
    assert!(
        s.contains("[Цхинвали]"),
        "the snippet shows the text as written: {s}"
    );
    // The other way round, and Georgian to Cyrillic.
    let mut found = ids(&query(&env, "Цхинвали", "public"));
    found.sort();
    assert_eq!(found, [cyr, geo, lat]);
    let mut found = ids(&query(&env, "ცხინვალი", "public"));
    found.sort();
    assert_eq!(found, [cyr, geo, lat]);
    // Diacritics and letters such as ə, both ways.
    assert_eq!(ids(&query(&env, "Xankendi", "public")), [az]);
    assert_eq!(ids(&query(&env, "XANKƏNDİ", "public")), [az]);
    // A word said nowhere is found nowhere: the folding widens, it does not
    // match everything.
    assert!(ids(&query(&env, "Gori", "public")).is_empty());
    // Typed text that folds to FTS5 syntax is still a phrase.
    let (code, _, err) = cmd(&env, &["query", "“NEAR”", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_folded_index_never_finds_a_redacted_word() {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(&env, "Fictional Narrator", &["--anonymity", "anonymous"]);
    let id = seed::testimony(
        &env,
        "story.txt",
        "A fictional testimony. The neighbour Зоряна Квиткова hid us in the cellar.",
        n,
        &[],
    );
    seed::set_consent(&env, id, "granted", Some("public"), None);
    assert_eq!(ids(&query(&env, "Zoryana", "public")), [id]);
    let out = env
        .cmd()
        .args(["redact", &id.to_string()])
        .write_stdin("Зоряна Квиткова\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for access in ["public", "research"] {
        for word in ["Zoryana", "Kvitkova", "Зоряна", "kvitkova"] {
            assert!(
                ids(&query(&env, word, access)).is_empty(),
                "{word} found at {access}"
            );
        }
    }
    // The custodian still finds it, across scripts, in the unredacted index.
    assert_eq!(ids(&query(&env, "Kvitkova", "custodian")), [id]);
    // After a purge, not even the custodian does, and no twin keeps it.
    seed::set_consent(&env, id, "withdrawn", None, Some("asked"));
    let (code, _, err) = seed::run(&env, &["purge", &id.to_string(), "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(ids(&query(&env, "Kvitkova", "custodian")).is_empty());
    let db = rusqlite::Connection::open(seed::db(&env)).unwrap();
    for t in ["item_fts_fold", "item_fts_full_fold"] {
        let n: i64 = db
            .query_row(
                &format!("SELECT count(*) FROM {t} WHERE {t} MATCH '\"kvitkova\"'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "{t} keeps a purged word");
    }
}

#[test]
fn what_is_said_is_found_across_scripts_with_its_time_and_never_in_a_closed_passage() {
    let env = Env::with_archive();
    let (id, _) = import_one(&env, &wav(&env, "interview.wav", 30, 4000));
    let id = id.to_string();
    env.write(
        "interview.vtt",
        "WEBVTT\n\nNOTE A fictional interview.\n\n00:00:01.000 --> 00:00:05.000\nWe came from Цхинвали at night.\n\n00:00:10.000 --> 00:00:15.000\nОсрик Квеллуотер opened the gate.\n",
    );
    let (code, _, err) = cmd(&env, &["transcript", "set", &id, "interview.vtt"]);
    assert_eq!(code, 0, "{err}");
    let v = query(&env, "Tskhinvali", "public");
    assert_eq!(v[0]["segments"][0]["start"], "00:00:01.000", "{v}");
    let s = v[0]["segments"][0]["snippet"].as_str().unwrap();
    assert!(s.contains("[Цхинвали]"), "{s}");
    assert_eq!(
        query(&env, "transcript:Osrik", "public")[0]["segments"][0]["start"],
        "00:00:10.000"
    );
    let (code, _, err) = cmd(
        &env,
        &[
            "restrict",
            &id,
            "--from",
            "9",
            "--to",
            "16",
            "--reason",
            "names a neighbour",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for word in ["Osrik", "Осрик", "Kvelluoter"] {
        assert!(
            ids(&query(&env, word, "public")).is_empty(),
            "{word} is said only in the closed passage"
        );
    }
    assert_eq!(ids(&query(&env, "Osrik", "custodian")).len(), 1);
}

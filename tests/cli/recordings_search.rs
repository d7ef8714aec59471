//! Search over what is said and indexed in a recording, and the consent
//! history of its passages (issue 12). The interview is fictional.

use serde_json::Value;

use crate::harness::Env;
use crate::recordings_timed::{cmd, interview};

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

#[test]
fn search_places_words_in_time_and_never_reaches_into_a_closed_passage() {
    let env = Env::with_archive();
    let id = interview(&env);
    let n: i64 = id.parse().unwrap();
    assert_eq!(
        cmd(
            &env,
            &[
                "segment",
                "add",
                &id,
                "--start",
                "20",
                "--end",
                "30",
                "--title",
                "Crossing",
                "--keywords",
                "ford, boat"
            ]
        )
        .0,
        0
    );
    // Found once, with the time codes where the word is said.
    let v = env.json(&["query", "cellar", "--format", "json"]);
    assert_eq!(ids(&v), [n]);
    assert_eq!(v[0]["segments"][0]["start"], "00:00:05.000");
    assert_eq!(v[0]["segments"][0]["end"], "00:00:12.000");
    assert!(v[0]["segments"][0]["snippet"]
        .as_str()
        .unwrap()
        .contains("[cellar]"));
    let (_, table, _) = cmd(&env, &["query", "cellar"]);
    assert!(table.contains("00:00:05.000–00:00:12.000"), "{table}");
    let v = env.json(&["query", "ford", "--format", "json"]);
    assert_eq!(
        v[0]["segments"].as_array().unwrap().len(),
        2,
        "a cue and a segment: {v}"
    );
    assert_eq!(
        ids(&env.json(&["query", "segment:boat", "--format", "json"])),
        [n]
    );
    assert!(ids(&env.json(&["query", "transcript:boat", "--format", "json"])).is_empty());
    assert_eq!(
        ids(&env.json(&["query", "transcript:cellar", "--format", "json"])),
        [n]
    );

    // Close the passage where the neighbour is named: below custodian the
    // name finds exactly what a word that does not exist finds.
    assert_eq!(
        cmd(
            &env,
            &[
                "restrict",
                &id,
                "--from",
                "12",
                "--to",
                "20",
                "--reason",
                "names a neighbour"
            ]
        )
        .0,
        0
    );
    for level in ["public", "research"] {
        for q in ["Quellwater", "transcript:Quellwater", "bread"] {
            let v = env.json(&["query", q, "--format", "json", "--access", level]);
            assert_eq!(v, serde_json::json!([]), "{level} {q}");
        }
        let v = env.json(&["query", "cellar", "--format", "json", "--access", level]);
        assert!(!v.to_string().contains("Quellwater"), "{v}");
        assert_eq!(v[0]["segments"].as_array().unwrap().len(), 1);
    }
    let v = env.json(&[
        "query",
        "Quellwater",
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    assert_eq!(v[0]["segments"][0]["start"], "00:00:12.000");
    // Lifted: found again.
    assert_eq!(cmd(&env, &["restrict", &id, "--lift", "1"]).0, 0);
    assert_eq!(
        ids(&env.json(&[
            "query",
            "Quellwater",
            "--format",
            "json",
            "--access",
            "public"
        ])),
        [n]
    );
    // A plain-text transcript cannot be placed: any closed passage hides it.
    env.write("t.txt", "Fictional plain words: Quellwater again.");
    assert_eq!(cmd(&env, &["transcript", "set", &id, "t.txt"]).0, 0);
    assert_eq!(
        cmd(
            &env,
            &["restrict", &id, "--from", "1", "--to", "2", "--reason", "r"]
        )
        .0,
        0
    );
    assert!(ids(&env.json(&[
        "query",
        "Quellwater",
        "--format",
        "json",
        "--access",
        "public"
    ]))
    .is_empty());
    // The replaced transcript is no longer searched.
    assert!(ids(&env.json(&[
        "query",
        "cellar",
        "--format",
        "json",
        "--access",
        "custodian"
    ]))
    .is_empty());
}

#[test]
fn restrictions_and_lifts_are_in_the_consent_history() {
    let env = Env::with_archive();
    let id = interview(&env);
    assert_eq!(
        cmd(
            &env,
            &[
                "restrict",
                &id,
                "--from",
                "12",
                "--to",
                "20",
                "--reason",
                "names a neighbour"
            ]
        )
        .0,
        0
    );
    assert_eq!(cmd(&env, &["restrict", &id, "--lift", "1"]).0, 0);
    let h = env.json(&[
        "consent",
        &id,
        "history",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let statuses: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passage_closed", "passage_lifted"]);
    assert_eq!(h[0]["reason"], "names a neighbour");
    assert_eq!(h[0]["from"], "00:00:12.000");
    let h = env.json(&[
        "consent", &id, "history", "--access", "public", "--format", "json",
    ]);
    assert_eq!(h[0]["reason"], Value::Null, "the reason is custodial");
    let (_, table, _) = cmd(&env, &["consent", &id, "history", "--access", "custodian"]);
    assert!(
        table.contains("Passage restrictions") && table.contains("passage_lifted"),
        "{table}"
    );
}

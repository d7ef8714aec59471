//! `custos tag`, `untag`, `terms` (counts per access level), `terms rename`
//! and `terms merge`, and terms given at import.

use crate::harness::{fixtures, Env};

#[test]
fn tag_untag_rename_merge_with_events() {
    let env = Env::with_archive();
    let doc = fixtures().join("docs/plain.txt");
    let out = env.import(&[&doc], &["--place", "Şuşa", "--subject", "ferries"]);
    let id = out[0]["id"].as_i64().unwrap().to_string();
    // Same term typed with a combining cedilla and in capitals.
    env.cmd()
        .args([
            "tag",
            &id,
            "--place",
            "S\u{327}US\u{327}A",
            "--event",
            "Velmora unrest",
            "--agent",
            "Harrow Courier",
        ])
        .assert()
        .success();
    let terms = env.json(&["terms", "--format", "json"]);
    let places: Vec<_> = terms
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["vocab"] == "place")
        .collect();
    assert_eq!(places.len(), 1, "{terms}");
    assert_eq!(places[0]["label"], "Şuşa");
    assert_eq!(places[0]["items"], 1);
    let only = env.json(&["terms", "--vocab", "agent", "--format", "json"]);
    assert_eq!(only.as_array().unwrap().len(), 1);
    // Query by term, any spelling.
    let found = env.json(&["query", "place:şuşa", "--format", "json"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    env.cmd()
        .args(["tag", &id, "--subject", "ferry"])
        .assert()
        .success();
    env.cmd()
        .args(["terms", "merge", "subject", "ferry", "Ferries"])
        .assert()
        .success();
    env.cmd()
        .args(["terms", "rename", "place", "şuşa", "Shusha"])
        .assert()
        .success();
    env.cmd()
        .args(["terms", "rename", "event", "velmora unrest", "Shusha"])
        .assert()
        .success();
    env.cmd()
        .args(["terms", "rename", "place", "nowhere", "x"])
        .assert()
        .code(2);
    env.cmd()
        .args(["untag", &id, "--agent", "harrow courier"])
        .assert()
        .success();
    let terms = env.json(&["terms", "--format", "json", "--access", "custodian"]);
    let labels: Vec<(String, String, i64)> = terms
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["vocab"].as_str().unwrap().into(),
                t["label"].as_str().unwrap().into(),
                t["items"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        labels.contains(&("place".into(), "Shusha".into(), 1)),
        "{labels:?}"
    );
    assert!(
        labels.contains(&("subject".into(), "ferries".into(), 1)),
        "{labels:?}"
    );
    assert!(
        labels.contains(&("agent".into(), "Harrow Courier".into(), 0)),
        "{labels:?}"
    );
    assert!(!labels.iter().any(|(_, l, _)| l == "ferry"));
    let show = env.json(&["show", &id, "--format", "json"]);
    let mods = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "metadata_modification")
        .count();
    // tag event and agent (the place was already there), tag subject,
    // merge, two renames, untag.
    assert_eq!(mods, 7);
    env.cmd().args(["tag", &id]).assert().code(2);
    env.cmd()
        .args(["tag", "999", "--place", "x"])
        .assert()
        .code(2);
}

#[test]
fn term_counts_follow_the_access_level() {
    let s = crate::sample::sample();
    let count = |access: &str, label: &str| -> i64 {
        let v = s.json(&[
            "terms", "--vocab", "subject", "--access", access, "--format", "json",
        ]);
        v.as_array()
            .unwrap()
            .iter()
            .find(|t| t["label"] == label)
            .map(|t| t["items"].as_i64().unwrap())
            .unwrap_or(0)
    };
    // hiding: Brenkel (publication), Mirashi (public), tram driver (archive).
    assert_eq!(count("public", "hiding"), 1);
    assert_eq!(count("research", "hiding"), 2);
    assert_eq!(count("custodian", "hiding"), 3);
    // "transport" is only on the archive-only testimony: not even listed below.
    assert_eq!(count("research", "transport"), 0);
    let v = s.json(&["terms", "--access", "research", "--format", "json"]);
    assert!(!v
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["label"] == "transport"));
    assert_eq!(count("custodian", "transport"), 1);
}

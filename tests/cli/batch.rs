//! Batch work (issue 18): `edit`, `tag` and `untag` take several ids or
//! `--query`, with `--dry-run`; a batch is one transaction with one event
//! per item that changes; the worker is `--by` everywhere, the agent term
//! `--agent-term`, and the old `--agent` still works with a warning.

use crate::harness::{run, Env};
use serde_json::Value;

/// Three fictional letters, their collection typed three ways (one
/// collection: the first spelling is kept).
fn letters(env: &Env) -> Vec<String> {
    let mut ids = Vec::new();
    for (n, collection) in ["Box 12", "box 12", "Box 12 "].iter().enumerate() {
        let f = env.write(
            &format!("in/{n}.txt"),
            format!("Fictional letter {n} from Corran Ford."),
        );
        let out = env.import(&[&f], &["--collection", collection, "--kind", "letter"]);
        ids.push(out[0]["id"].to_string());
    }
    ids
}

fn events(env: &Env) -> usize {
    env.json(&["log", "--access", "custodian", "--format", "json"])
        .as_array()
        .map_or(0, Vec::len)
}

fn field(env: &Env, id: &str, name: &str) -> Value {
    env.json(&["show", id, "--format", "json"])[name].clone()
}

#[test]
fn edit_several_ids_is_one_event_per_item_that_changes() {
    let env = Env::with_archive();
    let ids = letters(&env);
    let mut c = env.cmd();
    c.args(["edit", &ids[1], "--collection", "Letters"]);
    assert_eq!(run(c).0, 0);
    let before = events(&env);
    let mut c = env.cmd();
    c.args(["edit", &ids[0], &ids[1], &ids[2], "--collection", "Letters"])
        .args(["--by", "M. Archivist"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let nothing = format!("item {}: nothing changed", ids[1]);
    assert!(err.contains(&nothing), "{err}");
    assert!(err.contains("2 of 3 item(s) changed"), "{err}");
    assert_eq!(events(&env), before + 2);
    for id in &ids {
        assert_eq!(field(&env, id, "collection"), "Letters");
    }
    let log = env.json(&["log", "--access", "custodian", "--format", "json"]);
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["agent"], "M. Archivist");
}

#[test]
fn a_dry_run_lists_the_changes_and_keeps_nothing() {
    let env = Env::with_archive();
    let ids = letters(&env);
    let before = events(&env);
    let mut c = env.cmd();
    c.args([
        "edit",
        "--query",
        "kind:letter",
        "--collection",
        "Letters",
        "--dry-run",
    ]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Letters") && out.contains("Box 12"), "{out}");
    assert!(
        err.contains("3 of 3 item(s) would change; nothing was changed"),
        "{err}"
    );
    assert_eq!(events(&env), before);
    assert_eq!(field(&env, &ids[1], "collection"), "Box 12");
    let mut c = env.cmd();
    c.args([
        "tag",
        "--query",
        "kind:letter",
        "--place",
        "Corran Ford",
        "--dry-run",
    ]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 item(s) would be tagged"), "{err}");
    assert_eq!(events(&env), before);
    assert_eq!(field(&env, &ids[0], "terms"), Value::Array(vec![]));
}

#[test]
fn tag_and_untag_by_query_reach_every_match() {
    let env = Env::with_archive();
    let ids = letters(&env);
    let other = env.write("in/other.txt", "A fictional report.");
    let other = env.import(&[&other], &["--kind", "report"])[0]["id"].to_string();
    let mut c = env.cmd();
    c.args([
        "tag",
        "--query",
        "kind:letter",
        "--place",
        "Corran Ford",
        "--agent-term",
        "Harrow Valley Memory Project",
    ]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    for id in &ids {
        let terms = field(&env, id, "terms");
        assert!(terms
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["label"] == "Corran Ford"));
        assert!(terms
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["vocab"] == "agent"));
    }
    assert_eq!(field(&env, &other, "terms"), Value::Array(vec![]));
    let mut c = env.cmd();
    c.args(["untag", &ids[0], &ids[1], "--place", "Corran Ford"]);
    assert_eq!(run(c).0, 0);
    let places = |id: &str| {
        field(&env, id, "terms")
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["vocab"] == "place")
            .count()
    };
    assert_eq!(
        (places(&ids[0]), places(&ids[1]), places(&ids[2])),
        (0, 0, 1)
    );
}

#[test]
fn a_refused_item_refuses_the_whole_batch() {
    let env = Env::with_archive();
    let ids = letters(&env);
    let t = env.write("in/t.txt", "A fictional interview.");
    let t = env.import(&[&t], &["--kind", "testimony"])[0]["id"].to_string();
    let before = events(&env);
    // A testimony stays a testimony: the kind edit of the batch is refused.
    let mut c = env.cmd();
    c.args(["edit", &ids[0], &t, "--kind", "article"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert_eq!(events(&env), before);
    assert_eq!(field(&env, &ids[0], "kind"), "letter");
    // An id that does not exist refuses the batch too, naming it.
    let mut c = env.cmd();
    c.args(["tag", &ids[0], "999", "--subject", "boats"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(err.contains("no item 999"), "{err}");
    assert_eq!(events(&env), before);
}

#[test]
fn ids_or_a_query_but_not_both_nor_neither() {
    let env = Env::with_archive();
    letters(&env);
    for args in [
        vec!["edit", "--title", "x"],
        vec!["edit", "1", "--query", "kind:letter", "--title", "x"],
        vec!["tag", "--subject", "x"],
    ] {
        let mut c = env.cmd();
        c.args(&args);
        assert_eq!(run(c).0, 2, "{args:?}");
    }
}

#[test]
fn the_old_agent_spelling_works_with_a_warning() {
    let env = Env::with_archive();
    let ids = letters(&env);
    let mut c = env.cmd();
    c.args([
        "edit",
        &ids[0],
        "--title",
        "A letter",
        "--agent",
        "Old Habit",
    ]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("--agent is deprecated") && err.contains("--by"),
        "{err}"
    );
    let log = env.json(&["log", "--access", "custodian", "--format", "json"]);
    assert_eq!(
        log.as_array().unwrap().last().unwrap()["agent"],
        "Old Habit"
    );
    // In tag, --agent still names the term it always named.
    let mut c = env.cmd();
    c.args(["tag", &ids[0], "--agent", "Harrow Valley Memory Project"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("--agent-term"), "{err}");
    let terms = field(&env, &ids[0], "terms");
    assert_eq!(terms[0]["vocab"], "agent");
    // The new spellings say nothing.
    let mut c = env.cmd();
    c.args([
        "tag",
        &ids[1],
        "--agent-term",
        "Harrow Valley Memory Project",
        "--by",
        "M. Archivist",
    ]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0);
    assert!(!err.contains("deprecated"), "{err}");
}

#[test]
fn an_imported_collection_takes_the_spelling_in_use() {
    let env = Env::with_archive();
    let ids = letters(&env);
    for id in &ids {
        assert_eq!(field(&env, id, "collection"), "Box 12");
    }
    let rows = env.json(&[
        "report",
        "holdings",
        "--by",
        "collection",
        "--format",
        "json",
    ]);
    let text = rows.to_string();
    assert!(!text.contains("box 12"), "{text}");
    // An archivist's edit is stored as typed (trimmed): a correction.
    let mut c = env.cmd();
    c.args(["edit", &ids[0], "--collection", " box twelve "]);
    assert_eq!(run(c).0, 0);
    assert_eq!(field(&env, &ids[0], "collection"), "box twelve");
}

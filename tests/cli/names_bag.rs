//! Names of terms in bags (issue 13): an export carries each term's names
//! as its level sees them, and importing the bag gives the terms here the
//! names they lack, with a source in the bag mapped to its new id and one
//! outside it kept as a citation. The places are fictional.

use std::path::Path;

use serde_json::Value;

use crate::harness::{run, Env};

fn ok(env: &Env, args: &[&str]) {
    let mut c = env.cmd();
    c.args(args);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{args:?}: {err}");
}

fn names(env: &Env) -> Vec<Value> {
    env.json(&["terms", "name", "list", "place:Velmora", "--format", "json"])
        .as_array()
        .cloned()
        .expect("array")
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list:?}"))
}

/// Two open letters tagged with the place Velmora, which has a Russian
/// name attested by the second letter (page 3) and an official one.
fn source() -> Env {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "A fictional letter from Velmora.");
    let b = env.write("in/b.txt", "A fictional gazetteer of the valley.");
    env.import(&[&a], &["--place", "Velmora"]);
    env.import(&[&b], &["--place", "Velmora"]);
    ok(
        &env,
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "Велмора",
            "--lang",
            "ru",
            "--script",
            "Cyrl",
            "--form",
            "exonym",
            "--source",
            "2",
            "--locator",
            "p. 3",
        ],
    );
    ok(
        &env,
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "Velmorakənd",
            "--lang",
            "az-Latn",
            "--form",
            "official",
            "--period",
            "1991/..",
        ],
    );
    env
}

fn export(env: &Env, out: &Path, items: &[&str]) {
    let mut args = vec![
        "export",
        "--bag",
        out.to_str().unwrap(),
        "--access",
        "public",
    ];
    for i in items {
        args.extend(["--item", i]);
    }
    ok(env, &args);
}

#[test]
fn a_bag_carries_the_names_and_the_import_restores_them() {
    let env = source();
    let bag = env.path().join("bag");
    export(&env, &bag, &[]);
    let records: Value =
        serde_json::from_slice(&std::fs::read(bag.join("metadata/records.json")).unwrap()).unwrap();
    let terms = records[0]["terms"].to_string();
    assert!(
        terms.contains("Велмора") && terms.contains("p. 3"),
        "{terms}"
    );

    let target = Env::with_archive();
    ok(&target, &["import", "--bag", bag.to_str().unwrap()]);
    let list = names(&target);
    let ru = named(&list, "Велмора");
    assert_eq!(ru["lang"], "ru");
    assert_eq!(ru["script"], "Cyrl");
    assert_eq!(ru["form"], "exonym");
    assert_eq!(ru["locator"], "p. 3");
    let gazetteer = target.json(&["query", "gazetteer", "--format", "json"])[0]["id"].clone();
    assert_eq!(
        ru["source"], gazetteer,
        "the source is the same document here"
    );
    assert_eq!(named(&list, "Velmorakənd")["period"], "1991/..");
    // Any restored name finds the items.
    let found = target.json(&["query", "place:Велмора", "--format", "json"]);
    assert_eq!(found.as_array().unwrap().len(), 2);
    // Each restored name is logged.
    let log = target.json(&[
        "log",
        "--type",
        "name_change",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}");

    // The same bag again adds no name twice.
    let again = Env::with_archive();
    ok(&again, &["import", "--bag", bag.to_str().unwrap()]);
    ok(&again, &["import", "--bag", bag.to_str().unwrap()]);
    assert_eq!(names(&again).len(), list.len());
}

#[test]
fn a_source_outside_the_bag_becomes_a_citation() {
    let env = source();
    let bag = env.path().join("bag1");
    export(&env, &bag, &["1"]);
    let target = Env::with_archive();
    ok(&target, &["import", "--bag", bag.to_str().unwrap()]);
    let list = names(&target);
    let ru = named(&list, "Велмора");
    assert!(ru["source"].is_null(), "{ru}");
    assert!(ru["locator"].is_null(), "{ru}");
    assert_eq!(
        ru["citation"],
        "item 2 of the archive the bag came from, p. 3"
    );
}

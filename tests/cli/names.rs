//! Names of terms (`terms name`, `terms label`, `terms show`, any name
//! finding the term) and the shell-quoting rule of `custos query`. The
//! places and events are fictional.

use crate::harness::{fixtures, run, Env};

fn ids(v: &serde_json::Value) -> Vec<i64> {
    let mut ids: Vec<i64> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    ids.sort();
    ids
}

/// What the shell quoted stays one term.
#[test]
fn shell_quoted_term_stays_one_term() {
    let env = Env::with_archive();
    let doc = fixtures().join("docs/plain.txt");
    let out = env.import(
        &[&doc],
        &["--event", "Harbour fire", "--place", "Corran Ford"],
    );
    let id = out[0]["id"].as_i64().unwrap();
    let other = env.write("other.txt", "a fictional note about a harbour and a fire");
    env.import(&[&other], &["--event", "Harbour"]);
    for args in [
        vec!["event:=Harbour fire"],
        // How the shell passes event:="Harbour fire" and the form with the
        // quotes kept inside one argument.
        vec!["event:=\"Harbour fire\""],
        vec!["place:Corran Ford"],
        vec!["  place:corran ford "],
    ] {
        let mut a = vec!["query"];
        a.extend(args.iter().copied());
        a.extend(["--format", "json"]);
        assert_eq!(ids(&env.json(&a)), vec![id], "{args:?}");
    }
    // Two arguments are two terms (AND): "fire" is not an event name.
    let (code, _, _) = run({
        let mut c = env.cmd();
        c.args(["query", "event:=Harbour", "fire", "--count"]);
        c
    });
    assert_eq!(code, 0);
    // An argument holding `"` is split at its unquoted spaces as typed.
    let v = env.json(&[
        "query",
        "event:\"Harbour fire\" place:corran",
        "--format",
        "json",
    ]);
    assert_eq!(ids(&v), vec![id]);
    // A bare quoted phrase is a phrase: the words in this order.
    let v = env.json(&["query", "harbour and", "--format", "json"]);
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    let v = env.json(&["query", "and harbour", "--format", "json"]);
    assert_eq!(v.as_array().unwrap().len(), 0, "{v}");
}

fn import_tagged(env: &Env, file: &str, body: &str, place: &str) -> i64 {
    let p = env.write(file, body);
    let out = env.import(&[&p], &["--place", place]);
    out[0]["id"].as_i64().expect("id")
}

fn names_of(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("names")
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect()
}

/// Names in several scripts: any name finds the term in query, tag,
/// import, `terms show`; the label is chosen explicitly; rename and merge
/// keep every name; each change is an event.
#[test]
fn any_name_finds_the_term_everywhere() {
    let env = Env::with_archive();
    let a = import_tagged(
        &env,
        "a.txt",
        "Fictional: a market day in Velmora.",
        "Velmora",
    );
    let src = import_tagged(&env, "src.txt", "Fictional gazetteer page.", "Oster");
    for args in [
        vec![
            "Велмора",
            "--lang",
            "ru",
            "--script",
            "Cyrl",
            "--form",
            "exonym",
        ],
        vec![
            "Վելմորա",
            "--lang",
            "hy",
            "--script",
            "Armn",
            "--form",
            "endonym",
            "--used-by",
            "Armenian diaspora press",
            "--source",
            &src.to_string(),
            "--locator",
            "p. 3",
        ],
        vec![
            "Velmorakənd",
            "--lang",
            "az-Latn",
            "--form",
            "official",
            "--period",
            "1991/..",
        ],
    ] {
        let mut c = env.cmd();
        c.args(["terms", "name", "add", "place:velmora"])
            .args(&args);
        c.assert().success();
    }
    // Any name finds the term's items, exactly.
    for q in [
        "place:Велмора",
        "place:=Վելմորա",
        "place:velmorakənd",
        "place:VELMORA",
    ] {
        assert_eq!(
            ids(&env.json(&["query", q, "--format", "json"])),
            vec![a],
            "{q}"
        );
    }
    // import --place and tag attach to the existing term by any name.
    let b = import_tagged(&env, "b.txt", "Fictional: the ferry at night.", "велмора");
    env.cmd()
        .args(["tag", &src.to_string(), "--place", "Վելմորա"])
        .assert()
        .success();
    let v = env.json(&["query", "place:=Velmora", "--format", "json"]);
    let mut want = vec![a, b, src];
    want.sort();
    assert_eq!(ids(&v), want);
    let places = env.json(&["terms", "--vocab", "place", "--format", "json"]);
    assert_eq!(places.as_array().unwrap().len(), 2, "{places}");
    // show finds by any name; --lang chooses what is displayed.
    let t = env.json(&[
        "terms",
        "show",
        "place:Վելմորա",
        "--lang",
        "ru",
        "--format",
        "json",
    ]);
    assert_eq!(t["label"], "Velmora");
    assert_eq!(t["display"], "Велмора");
    assert_eq!(t["items"], 3);
    assert_eq!(
        names_of(&t["names"]),
        ["Velmora", "Велмора", "Վելմորա", "Velmorakənd"]
    );
    let hy = &t["names"][2];
    assert_eq!(hy["lang"], "hy");
    assert_eq!(hy["script"], "Armn");
    assert_eq!(hy["form"], "endonym");
    assert_eq!(hy["source"], src);
    assert_eq!(hy["locator"], "p. 3");
    assert_eq!(t["names"][3]["lang"], "az-Latn");
    // The label, chosen explicitly.
    env.cmd()
        .args(["terms", "label", "place:velmora", "Վելմորա"])
        .assert()
        .success();
    let list = env.json(&["terms", "name", "list", "place:Velmora", "--format", "json"]);
    assert_eq!(list[0]["name"], "Վելմորա");
    assert_eq!(list[0]["label"], true);
    let places = env.json(&["terms", "--vocab", "place", "--format", "json"]);
    assert!(places.to_string().contains("Վելմորա"), "{places}");
    // Rename and merge keep every name.
    env.cmd()
        .args(["terms", "rename", "place", "Oster", "Osterkand"])
        .assert()
        .success();
    env.cmd()
        .args(["terms", "merge", "place", "osterkand", "Velmora"])
        .assert()
        .success();
    let list = env.json(&["terms", "name", "list", "place:Oster", "--format", "json"]);
    let all = names_of(&list);
    for n in [
        "Velmora",
        "Велмора",
        "Վելմորա",
        "Velmorakənd",
        "Oster",
        "Osterkand",
    ] {
        assert!(all.contains(&n.to_string()), "{n} in {all:?}");
    }
    // Remove a name; the label is not removed.
    env.cmd()
        .args(["terms", "name", "remove", "place:Velmora", "Велмора"])
        .assert()
        .success();
    let left = env.json(&["terms", "name", "list", "place:Velmora", "--format", "json"]);
    assert!(!names_of(&left).contains(&"Велмора".to_string()), "{left}");
    // Only the exact key finds no term any more; a query still folds it
    // onto "Velmora" across scripts (see term_queries_match_across_scripts).
    let (code, _, _) = run({
        let mut c = env.cmd();
        c.args(["terms", "show", "place:Велмора"]);
        c
    });
    assert_eq!(code, 2);
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["terms", "name", "remove", "place:Velmora", "Վելմորա"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("label"), "{err}");
    // Every change is an event.
    let log = env.json(&["log", "--format", "json", "--access", "custodian"]);
    let n = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "name_change" || e["kind"] == "name_change")
        .count();
    assert_eq!(n, 5, "{log}");
}

#[test]
fn bad_names_and_ambiguous_names_are_refused() {
    let env = Env::with_archive();
    import_tagged(&env, "a.txt", "Fictional: Velmora.", "Velmora");
    import_tagged(&env, "b.txt", "Fictional: Oster.", "Oster");
    let fails = |args: &[&str], want: &str| {
        let (code, _, err) = run({
            let mut c = env.cmd();
            c.args(args);
            c
        });
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    };
    fails(
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "X",
            "--lang",
            "not a tag",
        ],
        "BCP 47",
    );
    fails(
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "X",
            "--script",
            "Cyrillic",
        ],
        "ISO 15924",
    );
    fails(
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "X",
            "--form",
            "nickname",
        ],
        "nickname",
    );
    fails(
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "X",
            "--period",
            "someday",
        ],
        "someday",
    );
    fails(
        &[
            "terms",
            "name",
            "add",
            "place:Velmora",
            "X",
            "--source",
            "99",
        ],
        "no item 99",
    );
    fails(&["terms", "name", "add", "place:Nowhere", "X"], "Nowhere");
    fails(&["terms", "name", "add", "velmora", "X"], "VOCAB:NAME");
    fails(
        &["terms", "name", "add", "place:Velmora", "VELMORA"],
        "already has",
    );
    // Two terms share a name: looking it up is refused, naming both.
    env.cmd()
        .args(["terms", "name", "add", "place:Velmora", "Twinford"])
        .assert()
        .success();
    env.cmd()
        .args(["terms", "name", "add", "place:Oster", "Twinford"])
        .assert()
        .success();
    fails(&["terms", "show", "place:twinford"], "ambiguous");
    fails(&["terms", "show", "place:twinford"], "Oster");
    let p = env.write("c.txt", "Fictional: twin fords.");
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["import"]).arg(&p).args(["--place", "Twinford"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Velmora") && err.contains("Oster"), "{err}");
}

/// Below custodian a term is shown only where an item carrying it is
/// open, and a name's source only where its source item is open.
#[test]
fn names_and_their_sources_obey_the_policy() {
    let env = Env::with_archive();
    let open = import_tagged(&env, "a.txt", "Fictional: Velmora.", "Velmora");
    let closed_src = import_tagged(&env, "s.txt", "Fictional: a closed letter.", "Oster");
    let hidden = import_tagged(&env, "h.txt", "Fictional: a hidden place.", "Hushford");
    for id in [closed_src, hidden] {
        env.cmd()
            .args(["access", &id.to_string(), "--close"])
            .assert()
            .success();
    }
    env.cmd()
        .args([
            "terms",
            "name",
            "add",
            "place:Velmora",
            "Velmorakand",
            "--source",
            &closed_src.to_string(),
            "--locator",
            "the closed page",
        ])
        .assert()
        .success();
    for level in ["public", "research"] {
        let t = env.json(&[
            "terms",
            "show",
            "place:Velmora",
            "--access",
            level,
            "--format",
            "json",
        ]);
        let n = &t["names"][1];
        assert_eq!(n["name"], "Velmorakand");
        assert!(
            n["source"].is_null() && n["locator"].is_null(),
            "{level}: {t}"
        );
        assert!(!t.to_string().contains("closed page"));
        let (code, out, _) = run({
            let mut c = env.cmd();
            c.args(["terms", "show", "place:Hushford", "--access", level]);
            c
        });
        assert_eq!(code, 2);
        assert!(!out.contains("Hushford"));
    }
    let t = env.json(&[
        "terms",
        "show",
        "place:Velmora",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(t["names"][1]["source"], closed_src);
    assert_eq!(t["names"][1]["locator"], "the closed page");
    let _ = open;
    let t = env.json(&[
        "terms",
        "show",
        "place:Hushford",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(t["items"], 1);
}

/// The sample collection's names in four scripts find the place's items,
/// and its claims put the three counts of the dead side by side.
#[test]
fn the_sample_collection_has_names_and_a_dispute() {
    let s = crate::sample::sample();
    let velmora = s.ids_of(&["place:=Velmora", "--access", "custodian"]);
    assert!(velmora.len() > 10, "{velmora:?}");
    for q in [
        "place:=Велмора",
        "place:=Վելմորա",
        "place:=ველმორა",
        "place:=velmorë",
    ] {
        assert_eq!(s.ids_of(&[q, "--access", "custodian"]), velmora, "{q}");
    }
    let t = s.json(&[
        "terms",
        "show",
        "place:ველმორა",
        "--lang",
        "ru",
        "--format",
        "json",
    ]);
    assert_eq!(t["label"], "Velmora");
    assert_eq!(t["display"], "Велмора");
    let bulletin = s.id("press/lisani-bulletin-1991-04.txt");
    let endonym = t["names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Velmorë")
        .expect("endonym");
    assert_eq!(endonym["source"], bulletin);
    let rep = s.json(&["report", "claims", "--format", "json"]);
    let of = |p: &str| -> Vec<serde_json::Value> {
        rep.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["property"] == p)
            .cloned()
            .collect()
    };
    let dead = of("fatalities");
    assert_eq!(dead.len(), 3, "{rep}");
    assert!(dead
        .iter()
        .all(|r| r["disputed"] == true && r["source"] == bulletin));
    let values: Vec<&str> = dead.iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["1", "2", "more than 5"]);
    let displaced = of("displaced");
    assert_eq!(displaced.len(), 3);
    assert!(displaced.iter().all(|r| r["disputed"] == false), "{rep}");
    assert_eq!(of("began").len(), 2);
    // The event by another of its names.
    let list = s.json(&["claim", "list", "event:March Nights", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 8);
}

/// A term query also matches its names across scripts and diacritics
/// (the places are fictional; the spellings show the folding).
#[test]
fn term_queries_match_across_scripts_and_diacritics() {
    let env = Env::with_archive();
    let a = import_tagged(&env, "a.txt", "Fictional: a market day.", "Xankəndi");
    let b = import_tagged(&env, "b.txt", "Fictional: a bridge.", "Цхинвали");
    let _c = import_tagged(&env, "c.txt", "Fictional: elsewhere.", "Oster");
    for (q, want) in [
        ("place:Xankendi", a),
        ("place:=xankendi", a),
        ("place:Tskhinvali", b),
        ("place:=ცხინვალი", b),
        ("place:tskhin", b),
    ] {
        assert_eq!(
            ids(&env.json(&["query", q, "--format", "json"])),
            vec![want],
            "{q}"
        );
    }
    // Folding widens a query only: it never attaches a name to a term.
    let d = import_tagged(&env, "d.txt", "Fictional: another day.", "Xankendi");
    assert_ne!(d, a);
    let places = env.json(&["terms", "--vocab", "place", "--format", "json"]);
    assert_eq!(places.as_array().unwrap().len(), 4, "{places}");
}

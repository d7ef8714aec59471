//! `custos claim add|list|remove` and `report claims`: values with their
//! intervals side by side, disputes marked and never merged, and the
//! policy (a claim is seen only where its source is). The events and
//! places are fictional.

use crate::harness::{run, Env};

fn import(env: &Env, file: &str, body: &str, extra: &[&str]) -> i64 {
    let p = env.write(file, body);
    env.import(&[&p], extra)[0]["id"].as_i64().expect("id")
}

fn ok(env: &Env, args: &[&str]) {
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(args);
        c
    });
    assert_eq!(code, 0, "{args:?}: {err}");
}

fn fails(env: &Env, args: &[&str], want: &str) {
    let (code, out, err) = run({
        let mut c = env.cmd();
        c.args(args);
        c
    });
    assert_eq!(code, 2, "{args:?}: {out} {err}");
    assert!(err.contains(want), "{args:?}: {err}");
}

/// Three sources, three tolls (as the encyclopedia article on a real
/// pogrom gives them): side by side, disputed, nothing merged.
#[test]
fn three_tolls_side_by_side_and_disputed() {
    let env = Env::with_archive();
    let art = import(
        &env,
        "article.txt",
        "Fictional encyclopedia article on the Harbour fire of Velmora.",
        &["--event", "Harbour fire"],
    );
    let a = art.to_string();
    for (v, loc) in [
        ("48", "harbour master, cited"),
        ("90", "town council, cited"),
        ("100+", "a priest, cited"),
    ] {
        ok(
            &env,
            &[
                "claim",
                "add",
                "event:Harbour fire",
                "fatalities",
                v,
                "--source",
                &a,
                "--locator",
                loc,
            ],
        );
    }
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:harbour fire",
            "injured",
            "hundreds",
            "--source",
            &a,
        ],
    );
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "injured",
            "~300",
            "--source",
            &a,
            "--quote",
            "some three hundred",
        ],
    );
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "date",
            "1923-05-02",
            "--source",
            &a,
        ],
    );
    let list = env.json(&["claim", "list", "event:Harbour fire", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 6, "{list}");
    let rep = env.json(&["report", "claims", "--format", "json"]);
    let rows = rep.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let fat: Vec<_> = rows
        .iter()
        .filter(|r| r["property"] == "fatalities")
        .collect();
    assert_eq!(fat.len(), 3);
    assert!(fat.iter().all(|r| r["disputed"] == true), "{rep}");
    let values: Vec<(&str, &str, serde_json::Value, serde_json::Value)> = fat
        .iter()
        .map(|r| {
            (
                r["value"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["low"].clone(),
                r["high"].clone(),
            )
        })
        .collect();
    assert_eq!(
        values,
        vec![
            ("48", "exact", 48.into(), 48.into()),
            ("90", "exact", 90.into(), 90.into()),
            ("100+", "lower_bound", 100.into(), serde_json::Value::Null),
        ]
    );
    assert_eq!(fat[0]["subject"], "event:Harbour fire");
    assert_eq!(fat[0]["source"], art);
    assert_eq!(fat[0]["locator"], "harbour master, cited");
    let inj: Vec<_> = rows.iter().filter(|r| r["property"] == "injured").collect();
    assert!(inj.iter().all(|r| r["disputed"] == false), "{rep}");
    assert_eq!(inj[0]["kind"], "vague");
    assert_eq!(
        (inj[0]["low"].clone(), inj[0]["high"].clone()),
        (200.into(), 999.into())
    );
    let date = rows.iter().find(|r| r["property"] == "date").unwrap();
    assert_eq!(
        (date["kind"].as_str(), date["low"].as_str()),
        (Some("date"), Some("1923-05-02"))
    );
    // --disputed keeps only the disagreeing properties; filters narrow.
    let d = env.json(&["report", "claims", "--disputed", "--format", "json"]);
    assert_eq!(d.as_array().unwrap().len(), 3);
    let p = env.json(&[
        "report",
        "claims",
        "--property",
        "injured",
        "--subject",
        "event:Harbour fire",
        "--format",
        "json",
    ]);
    assert_eq!(p.as_array().unwrap().len(), 2);
    // Removing the 48 leaves 90 and 100+, which still cannot both hold.
    let first = fat[0]["claim"].as_i64().unwrap().to_string();
    ok(&env, &["claim", "remove", &first]);
    let d = env.json(&["report", "claims", "--disputed", "--format", "json"]);
    assert_eq!(d.as_array().unwrap().len(), 2);
    // The claims appear in `show` of their source item.
    let show = env.json(&["show", &a, "--format", "json"]);
    assert_eq!(show["claims"].as_array().map(Vec::len), Some(5), "{show}");
    // Every add and removal is a claim_change event about the source.
    let log = env.json(&["log", &a, "--format", "json", "--access", "custodian"]);
    let n = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.to_string().contains("claim_change"))
        .count();
    assert_eq!(n, 7, "{log}");
    // The archive with its claims still verifies (chain, derived state).
    ok(&env, &["verify"]);
}

#[test]
fn bad_claims_are_refused_naming_the_part_at_fault() {
    let env = Env::with_archive();
    let a = import(&env, "a.txt", "Fictional.", &["--event", "Harbour fire"]).to_string();
    fails(
        &env,
        &[
            "claim",
            "add",
            "event:Nowhere fire",
            "fatalities",
            "3",
            "--source",
            &a,
        ],
        "unknown subject",
    );
    fails(
        &env,
        &["claim", "add", "99", "fatalities", "3", "--source", &a],
        "unknown subject",
    );
    fails(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "100-90",
            "--source",
            &a,
        ],
        "exceeds its high",
    );
    fails(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "12abc",
            "--source",
            &a,
        ],
        "parses as nothing",
    );
    fails(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "date",
            "last spring",
            "--source",
            &a,
        ],
        "EDTF",
    );
    fails(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "3",
            "--source",
            "99",
        ],
        "no item 99",
    );
    fails(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatal;ities",
            "3",
            "--source",
            &a,
        ],
        "property",
    );
    fails(&env, &["claim", "remove", "7"], "no claim 7");
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "note",
            "12abc",
            "--text",
            "--source",
            &a,
        ],
    );
    let v = env.json(&["claim", "list", "event:Harbour fire", "--format", "json"]);
    assert_eq!(v[0]["kind"], "text");
    assert_eq!(v.as_array().unwrap().len(), 1);
}

/// A claim is seen only where its source item is open and not redacted,
/// and a hidden claim does not make a property disputed.
#[test]
fn claims_follow_their_source_at_every_level() {
    let env = Env::with_archive();
    let open = import(
        &env,
        "open.txt",
        "Fictional open report.",
        &["--event", "Harbour fire"],
    )
    .to_string();
    let research = import(&env, "res.txt", "Fictional research report.", &[]).to_string();
    let closed = import(&env, "closed.txt", "Fictional closed letter.", &[]).to_string();
    ok(&env, &["access", &research, "--restrict", "research"]);
    ok(&env, &["access", &closed, "--close"]);
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "48",
            "--source",
            &open,
        ],
    );
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "40-50",
            "--source",
            &research,
        ],
    );
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "700",
            "--source",
            &closed,
            "--quote",
            "SECRETQUOTE",
        ],
    );
    let at = |level: &str| env.json(&["report", "claims", "--access", level, "--format", "json"]);
    let public = at("public");
    assert_eq!(public.as_array().unwrap().len(), 1, "{public}");
    assert_eq!(public[0]["disputed"], false);
    let res = at("research");
    assert_eq!(res.as_array().unwrap().len(), 2, "{res}");
    assert!(res
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["disputed"] == false));
    let cust = at("custodian");
    assert_eq!(cust.as_array().unwrap().len(), 3, "{cust}");
    assert!(cust
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["disputed"] == true));
    for level in ["public", "research"] {
        for args in [
            vec![
                "claim",
                "list",
                "event:Harbour fire",
                "--access",
                level,
                "--format",
                "json",
            ],
            vec!["report", "claims", "--access", level, "--format", "csv"],
            vec!["show", &open, "--access", level, "--format", "json"],
        ] {
            let (_, out, err) = run({
                let mut c = env.cmd();
                c.args(&args);
                c
            });
            assert!(
                !out.contains("SECRETQUOTE") && !out.contains("700"),
                "{args:?}: {out}"
            );
            assert!(!err.contains("SECRETQUOTE"), "{args:?}: {err}");
        }
    }
    // A term only a closed item carries is not confirmed by `claim list`.
    let hidden = import(&env, "h.txt", "Fictional.", &["--event", "Quiet fire"]).to_string();
    ok(&env, &["access", &hidden, "--close"]);
    fails(
        &env,
        &["claim", "list", "event:Quiet fire", "--access", "public"],
        "unknown subject",
    );
    fails(
        &env,
        &["claim", "list", "event:No such fire", "--access", "public"],
        "unknown subject",
    );
    ok(
        &env,
        &["claim", "list", "event:Quiet fire", "--access", "custodian"],
    );
}

/// Claims travel in bags (records.json and metadata/claims.csv), at each
/// level only where their source is open, and come back on import.
#[test]
fn claims_round_trip_through_a_bag() {
    let env = Env::with_archive();
    let open = import(
        &env,
        "open.txt",
        "Fictional open report on the fire.",
        &["--event", "Harbour fire"],
    )
    .to_string();
    let closed = import(&env, "closed.txt", "Fictional closed letter.", &[]).to_string();
    ok(&env, &["access", &closed, "--close"]);
    ok(
        &env,
        &[
            "terms",
            "name",
            "add",
            "event:Harbour fire",
            "Hafenbrand",
            "--lang",
            "de",
        ],
    );
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Hafenbrand",
            "fatalities",
            "48",
            "--source",
            &open,
            "--locator",
            "p. 2",
        ],
    );
    ok(
        &env,
        &[
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "hundreds",
            "--source",
            &closed,
            "--quote",
            "SECRETQUOTE",
        ],
    );
    ok(
        &env,
        &["claim", "add", &open, "date", "1923-05", "--source", &open],
    );
    let public = env.path().join("pub-bag");
    ok(
        &env,
        &[
            "export",
            "--bag",
            public.to_str().unwrap(),
            "--access",
            "public",
        ],
    );
    let csv = std::fs::read_to_string(public.join("metadata/claims.csv")).unwrap();
    assert!(
        csv.starts_with("id,subject,property,value,kind,low,high,source,locator"),
        "{csv}"
    );
    assert!(
        csv.contains("event:Harbour fire,fatalities,48,exact,48,48"),
        "{csv}"
    );
    assert!(
        !csv.contains("hundreds") && !csv.contains("SECRETQUOTE"),
        "{csv}"
    );
    let records = std::fs::read_to_string(public.join("metadata/records.json")).unwrap();
    assert!(!records.contains("SECRETQUOTE"));
    let full = env.path().join("custodian-bag");
    ok(
        &env,
        &[
            "export",
            "--bag",
            full.to_str().unwrap(),
            "--access",
            "custodian",
        ],
    );
    let csv = std::fs::read_to_string(full.join("metadata/claims.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // Into a fresh archive: the claims are back, about the same subjects.
    let other = Env::with_archive();
    let (code, _, err) = run({
        let mut c = other.cmd();
        c.args(["import", "--bag"]).arg(&full);
        c
    });
    assert_eq!(code, 0, "{err}");
    let rep = other.json(&[
        "report",
        "claims",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let rows = rep.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rep}");
    let fat: Vec<_> = rows
        .iter()
        .filter(|r| r["property"] == "fatalities")
        .collect();
    assert_eq!(fat.len(), 2);
    assert!(
        fat.iter()
            .all(|r| r["subject"] == "event:Harbour fire" && r["disputed"] == true),
        "{rep}"
    );
    let date = rows.iter().find(|r| r["property"] == "date").unwrap();
    assert_eq!(date["low"], "1923-05-01");
    // Imported twice: nothing is added twice.
    let (code, _, err) = run({
        let mut c = other.cmd();
        c.args(["import", "--bag"]).arg(&full);
        c
    });
    assert_eq!(code, 0, "{err}");
    let again = other.json(&[
        "report",
        "claims",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(again.as_array().unwrap().len(), 3);
}

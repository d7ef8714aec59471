//! Description beyond the first fields (issue 18): coverage (the period an
//! item is about, EDTF, apart from `date`), a checked rights statement
//! exported as `dc:rights`, the physical location of an original (seen
//! only where its origin is), and a testimony's interviewer and interview
//! place as query fields (never an anonymous narrator's below custodian).
//! Every person and place here is fictional.

use serde_json::Value;

use crate::harness::{run, Env};
use crate::seed;

fn ids(env: &Env, q: &str, access: &str) -> Vec<i64> {
    let v = env.json(&["query", q, "--access", access, "--format", "json"]);
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

fn code(env: &Env, args: &[&str]) -> (i32, String) {
    let mut c = env.cmd();
    c.args(args);
    let (code, _, err) = run(c);
    (code, err)
}

#[test]
fn coverage_rights_and_location_are_set_shown_queried_and_cleared() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "A fictional report on the Ardan valley.");
    let b = env.write("in/b.txt", "A fictional memoir.");
    let one = env.import(
        &[&a],
        &[
            "--date",
            "2004",
            "--coverage",
            "1988/1991",
            "--rights",
            "https://rightsstatements.org/vocab/InC-EDU/1.0/",
            "--location",
            "Box 12, folder 3",
        ],
    )[0]["id"]
        .as_i64()
        .unwrap();
    let two = env.import(&[&b], &["--coverage", "1995"])[0]["id"]
        .as_i64()
        .unwrap();
    let show = env.json(&["show", &one.to_string(), "--format", "json"]);
    assert_eq!(show["coverage"], "1988/1991");
    assert_eq!(show["date"], "2004");
    // The URI is kept in its canonical spelling.
    assert_eq!(
        show["rights"],
        "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    );
    assert_eq!(show["location"], "Box 12, folder 3");

    // Coverage and date are different questions.
    assert_eq!(ids(&env, "coverage:1990", "public"), vec![one]);
    assert_eq!(ids(&env, "coverage:1989..1996", "public"), vec![one, two]);
    assert_eq!(ids(&env, "date:1990", "public"), Vec::<i64>::new());
    assert_eq!(ids(&env, "rights:InC-EDU", "public"), vec![one]);
    assert_eq!(ids(&env, "location:\"box 12\"", "public"), vec![one]);

    let (c, err) = code(&env, &["edit", &one.to_string(), "--rights", "CC-BY-4.0"]);
    assert_eq!(c, 0, "{err}");
    let (c, err) = code(&env, &["edit", &one.to_string(), "--clear", "location"]);
    assert_eq!(c, 0, "{err}");
    let show = env.json(&["show", &one.to_string(), "--format", "json"]);
    assert_eq!(show["rights"], "CC-BY-4.0");
    assert!(show["location"].is_null(), "{show}");
    // The edit is logged with old and new values.
    let log = env.json(&[
        "log",
        &one.to_string(),
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let text = log.to_string();
    assert!(
        text.contains("InC-EDU") && text.contains("CC-BY-4.0"),
        "{text}"
    );
}

#[test]
fn a_rights_value_that_is_neither_statement_nor_licence_is_refused_with_what_to_type() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "A fictional leaflet.");
    let before = env.json(&["list", "--format", "json"]);
    for (typed, hint) in [
        ("Apache 2.0", "Apache-2.0"),
        (
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "CC-BY-SA-4.0",
        ),
        ("InC", "http://rightsstatements.org/vocab/InC/1.0/"),
        ("all rights reserved", "SPDX"),
    ] {
        let (c, err) = code(&env, &["import", a.to_str().unwrap(), "--rights", typed]);
        assert_eq!(c, 2, "{typed}: {err}");
        assert!(
            err.contains("--rights") && err.contains(hint),
            "{typed}: {err}"
        );
    }
    let (c, err) = code(
        &env,
        &["import", a.to_str().unwrap(), "--coverage", "the war years"],
    );
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("--coverage"), "{err}");
    assert_eq!(
        env.json(&["list", "--format", "json"]),
        before,
        "nothing imported"
    );
}

#[test]
fn dublin_core_rights_is_the_rights_statement_not_the_access_state() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "A fictional pamphlet.");
    let id = env.import(
        &[&a],
        &["--rights", "CC-BY-NC-4.0", "--coverage", "1990-01"],
    )[0]["id"]
        .to_string();
    let out = env.path().join("bag");
    let (c, err) = code(
        &env,
        &[
            "export",
            "--item",
            &id,
            "--bag",
            out.to_str().unwrap(),
            "--access",
            "public",
        ],
    );
    assert_eq!(c, 0, "{err}");
    let mut csv = csv::Reader::from_path(out.join("metadata/records.csv")).expect("records.csv");
    let head = csv.headers().expect("header").clone();
    let row = csv.records().next().expect("one row").expect("row");
    let col = |name: &str| {
        let i = head
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}: {head:?}"));
        row[i].to_string()
    };
    assert_eq!(col("dc:rights"), "CC-BY-NC-4.0");
    assert_eq!(col("dc:coverage"), "1990-01");
    assert_eq!(col("custos:access"), "open");
    // And the bag brings them back.
    let env2 = Env::with_archive();
    let (c, err) = code(&env2, &["import", "--bag", out.to_str().unwrap()]);
    assert_eq!(c, 0, "{err}");
    let show = env2.json(&["show", "1", "--format", "json"]);
    assert_eq!(show["rights"], "CC-BY-NC-4.0");
    assert_eq!(show["coverage"], "1990-01");
}

#[test]
fn interviewer_and_place_are_queryable_except_an_anonymous_narrators_below_custodian() {
    let env = Env::with_archive();
    seed::key_init(&env);
    seed::narrator(
        &env,
        "CANARY-LEGAL-One",
        &["--display", "N. One", "--anonymity", "anonymous"],
    );
    seed::narrator(
        &env,
        "CANARY-LEGAL-Two",
        &["--display", "N. Two", "--anonymity", "named"],
    );
    let t1 = seed::testimony(
        &env,
        "t1.txt",
        "We crossed the ford at night (fictional).",
        1,
        &[
            "--interviewer",
            "Sarkis Velt",
            "--interview-place",
            "Corran Ford",
        ],
    );
    let t2 = seed::testimony(
        &env,
        "t2.txt",
        "The bakery stayed open (fictional).",
        2,
        &["--interviewer", "Sarkis Velt", "--interview-place", "Ardan"],
    );
    seed::set_consent(&env, t1, "granted", Some("public"), None);
    seed::set_consent(&env, t2, "granted", Some("public"), None);
    assert_eq!(ids(&env, "interviewer:sarkis", "custodian"), vec![t1, t2]);
    assert_eq!(ids(&env, "interview_place:corran", "custodian"), vec![t1]);
    // Below custodian an anonymous narrator's interviewer and place could
    // say who spoke: they neither show nor match.
    assert_eq!(ids(&env, "interviewer:sarkis", "public"), vec![t2]);
    assert_eq!(
        ids(&env, "interview_place:corran", "public"),
        Vec::<i64>::new()
    );
    // Nor does a negated term: matching "not Corran Ford" would tell as much.
    assert_eq!(ids(&env, "-interview_place:corran", "public"), vec![t2]);
    assert_eq!(ids(&env, "interview_place:ardan", "research"), vec![t2]);
}

#[test]
fn a_testimonys_location_stays_with_the_custodian() {
    let env = Env::with_archive();
    seed::key_init(&env);
    seed::narrator(
        &env,
        "CANARY-LEGAL-Three",
        &["--display", "N. Three", "--anonymity", "named"],
    );
    let t = seed::testimony(
        &env,
        "t3.txt",
        "We waited by the mill (fictional).",
        1,
        &["--location", "Folder CANARYFOLDER"],
    );
    seed::set_consent(&env, t, "granted", Some("public"), None);
    let show = env.json(&[
        "show",
        &t.to_string(),
        "--access",
        "public",
        "--format",
        "json",
    ]);
    assert!(!show.to_string().contains("CANARYFOLDER"), "{show}");
    assert_eq!(
        ids(&env, "location:canaryfolder", "public"),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&env, "location:canaryfolder", "custodian"), vec![t]);
    let list: Value = env.json(&["list", "--access", "public", "--format", "json"]);
    assert!(!list.to_string().contains("CANARYFOLDER"), "{list}");
}

#[test]
fn manifest_columns_set_the_new_fields_and_a_bad_value_names_row_and_column() {
    let env = Env::with_archive();
    env.write("m/a.txt", "A fictional letter.");
    env.write("m/b.txt", "Another fictional letter.");
    let bad = env.write(
        "m/manifest.csv",
        "path,title,coverage,rights,location\na.txt,A,1988/1990,CC0-1.0,Shelf 4\nb.txt,B,1990,copyleft,Shelf 5\n",
    );
    let (c, err) = code(&env, &["import", "--manifest", bad.to_str().unwrap()]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("row 3") && err.contains("rights"), "{err}");
    let good = env.write(
        "m/manifest.csv",
        "path,title,coverage,rights,location\na.txt,A,1988/1990,CC0-1.0,Shelf 4\nb.txt,B,1990,http://rightsstatements.org/vocab/NKC/1.0/,Shelf 5\n",
    );
    let (c, err) = code(&env, &["import", "--manifest", good.to_str().unwrap()]);
    assert_eq!(c, 0, "{err}");
    let rows = env.json(&["list", "--format", "json"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows[0]["coverage"], "1988/1990");
    assert_eq!(rows[0]["rights"], "CC0-1.0");
    assert_eq!(rows[1]["location"], "Shelf 5");
}

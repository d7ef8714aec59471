//! The reports that read the policy tallies (holdings by event or place,
//! narrators) follow every change end to end — tagging, consent, a purge,
//! a term merge — and `custos verify` catches a tally that drifted.

use serde_json::Value;

use crate::harness::Env;
use crate::seed;
use crate::seed::run;

/// (place or null, count, size) rows of `report holdings --by place`.
fn places(env: &Env, access: &str) -> Vec<(Option<String>, i64, i64)> {
    let v = env.json(&[
        "report", "holdings", "--by", "place", "--access", access, "--format", "json",
    ]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["place"].as_str().map(String::from),
                r["count"].as_i64().unwrap(),
                r["size"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The "Total" row of the table: (items, size as shown).
fn table_total(env: &Env, access: &str) -> String {
    let out = env
        .cmd()
        .args(["report", "holdings", "--by", "place", "--access", access])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("│ Total"))
        .unwrap_or_else(|| panic!("no total row in {text}"));
    line.split('┆').nth(1).unwrap().trim().to_string()
}

fn narrators(env: &Env, access: &str) -> Vec<(String, i64)> {
    let v = env.json(&[
        "report",
        "narrators",
        "--access",
        access,
        "--format",
        "json",
    ]);
    v["narrators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["narrator"].as_str().unwrap().to_string(),
                r["testimonies"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn ok(env: &Env, args: &[&str]) {
    let (code, _, err) = run(env, args);
    assert_eq!(code, 0, "custos {args:?}: {err}");
}

fn p(place: &str, count: i64, size: i64) -> (Option<String>, i64, i64) {
    (Some(place.to_string()), count, size)
}

#[test]
fn place_holdings_and_narrators_follow_every_change() {
    let env = Env::with_archive();
    // Three documents of 9, 19 and 41 bytes (fictional), and two
    // testimonies (20 and 23 bytes) of one narrator.
    let a = env.write("in/a.txt", "Velmora 1");
    let b = env.write("in/b.txt", "Oster bridge, 1991 ");
    let c = env.write("in/c.txt", "A letter from nobody in particular, 1990.");
    env.import(&[&a], &["--place", "Velmora", "--place", "Oster"]);
    env.import(&[&b], &["--place", "Velmora"]);
    env.import(&[&c], &[]);
    seed::key_init(&env);
    let narrator = seed::narrator(
        &env,
        "Fictional Legal Name",
        &["--display", "Mira T.", "--anonymity", "pseudonymous"],
    );
    let t1 = seed::testimony(
        &env,
        "t1.txt",
        "We crossed at night.",
        narrator,
        &["--place", "Velmora"],
    );
    let t2 = seed::testimony(&env, "t2.txt", "The ferry did not come.", narrator, &[]);
    assert_eq!((t1, t2), (4, 5));

    // Testimonies without consent are closed: not counted by place, and
    // the narrator has nothing to show below custodian.
    assert_eq!(
        places(&env, "public"),
        [p("Velmora", 2, 28), (None, 1, 41), p("Oster", 1, 9)]
    );
    assert_eq!(table_total(&env, "public"), "3");
    assert!(narrators(&env, "public").is_empty());
    assert_eq!(narrators(&env, "custodian"), [("Mira T.".to_string(), 2)]);

    seed::set_consent(&env, t1, "granted", Some("public"), None);
    seed::set_consent(&env, t2, "granted", Some("research"), None);
    assert_eq!(
        places(&env, "public"),
        [p("Velmora", 3, 48), (None, 1, 41), p("Oster", 1, 9)]
    );
    assert_eq!(narrators(&env, "public"), [("Mira T.".to_string(), 1)]);
    assert_eq!(narrators(&env, "research"), [("Mira T.".to_string(), 2)]);
    assert_eq!(
        places(&env, "research"),
        [p("Velmora", 3, 48), (None, 2, 64), p("Oster", 1, 9)]
    );
    assert_eq!(table_total(&env, "research"), "5");

    // Untagging moves an item to the group without a place; merging
    // moves a term's items to another.
    ok(&env, &["untag", "2", "--place", "Velmora"]);
    ok(&env, &["terms", "merge", "place", "Oster", "Velmora"]);
    assert_eq!(
        places(&env, "research"),
        [(None, 3, 83), p("Velmora", 2, 29)]
    );

    // A withdrawal closes the testimony everywhere; a purge keeps it so.
    seed::set_consent(&env, t1, "withdrawn", None, Some("asked to"));
    assert_eq!(narrators(&env, "public"), []);
    assert_eq!(narrators(&env, "research"), [("Mira T.".to_string(), 1)]);
    ok(&env, &["purge", &t1.to_string(), "--yes"]);
    assert_eq!(narrators(&env, "custodian"), [("Mira T.".to_string(), 1)]);
    assert_eq!(
        places(&env, "custodian"),
        [(None, 3, 83), p("Velmora", 1, 9)]
    );
    // After all of it the tallies still agree with a recount.
    let (code, out, err) = run(&env, &["verify", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn verify_reports_a_tally_that_drifted_from_the_catalogue() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "Velmora 1");
    env.import(&[&a], &["--place", "Velmora"]);
    let db = env.db();
    db.execute("UPDATE tally_terms SET items = items + 1", [])
        .unwrap();
    drop(db);
    let (code, out, _) = run(&env, &["verify", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let drift: Vec<&Value> = rows.iter().filter(|r| r["kind"] == "catalogue").collect();
    assert_eq!(drift.len(), 1, "{out}");
    let detail = drift[0]["detail"].as_str().unwrap();
    assert!(detail.starts_with("tally_terms"), "{detail}");
    assert!(detail.contains("1 stored row(s) not recounted"), "{detail}");
}

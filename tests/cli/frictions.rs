//! First-week frictions of issue 18 that live in the command line's words:
//! a date in a common free-text form is refused with the EDTF form to
//! type, `edit --help` / `untag --help` say what those commands do, and
//! an import says which item each file became.

use crate::harness::{run, Env};

#[test]
fn a_free_text_date_is_refused_with_the_edtf_form_to_type() {
    let env = Env::with_archive();
    let f = env.write("d.txt", "A fictional note.");
    for (typed, wanted) in [
        ("13 January 1990", "1990-01-13"),
        ("1990/01/13", "1990-01-13"),
        ("1990-21", "1990-03/1990-05"),
    ] {
        let mut c = env.cmd();
        c.arg("import").arg(&f).args(["--date", typed]);
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "{typed}: {err}");
        assert!(err.contains(wanted), "{typed}: {err}");
    }
    let items = env.json(&["list", "--format", "json"]);
    assert_eq!(items.as_array().map(Vec::len), Some(0), "nothing imported");
}

#[test]
fn edit_and_untag_help_say_what_they_do() {
    let env = Env::new();
    let help = |args: &[&str]| {
        let mut c = env.cmd();
        c.args(args);
        run(c).1
    };
    let edit = help(&["edit", "--help"]);
    assert!(edit.contains("A new title"), "{edit}");
    assert!(!edit.contains("only when importing"), "{edit}");
    let untag = help(&["untag", "--help"]);
    assert!(untag.starts_with("Unlink an item"), "{untag}");
    let tag = help(&["tag", "--help"]);
    assert!(tag.starts_with("Link an item"), "{tag}");
}

#[test]
fn an_import_names_the_items_it_made() {
    let env = Env::with_archive();
    let a = env.write("few/a.txt", "A fictional letter from Corran Ford.");
    let b = env.write("few/b.txt", "A fictional list of boats.");
    let mut c = env.cmd();
    c.arg("import").arg(&a).arg(&b);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("item 1: ") && err.contains("item 2: "),
        "{err}"
    );
    let mut c = env.cmd();
    c.arg("import").arg(&a);
    let (_, _, err) = run(c);
    assert!(err.contains("item 1 (already in the archive)"), "{err}");
    for i in 0..25 {
        env.write(
            &format!("many/{i:02}.txt"),
            format!("Fictional note number {i}."),
        );
    }
    let mut c = env.cmd();
    c.arg("import").arg(env.path().join("many"));
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("new items: 3–27"), "{err}");
}

/// The consent's current row, as `consent history` gives it at custodian.
fn current_consent(env: &Env, id: i64) -> serde_json::Value {
    let h = env.json(&[
        "consent",
        &id.to_string(),
        "history",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    h.as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_regrant_keeps_evidence_note_and_embargo_and_embargo_moves_them_alone() {
    let env = Env::with_archive();
    crate::seed::key_init(&env);
    let n = crate::seed::narrator(&env, "Fictional Narrator", &["--anonymity", "named"]);
    let t = crate::seed::testimony(&env, "t.txt", "A fictional interview.", n, &[]);
    let release = env.write("release.txt", "A fictional signed release.");
    let ev = env.import(&[&release], &[])[0]["id"].as_i64().unwrap();
    let (id, evs) = (t.to_string(), ev.to_string());
    let ok = |args: &[&str]| {
        let (code, _, err) = crate::seed::run(&env, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        err
    };
    ok(&[
        "consent",
        &id,
        "grant",
        "--scope",
        "research",
        "--date",
        "2020-01-01",
        "--evidence",
        &evs,
        "--embargo-until",
        "2040-01-01",
        "--note",
        "signed form",
    ]);
    let err = ok(&[
        "consent",
        &id,
        "grant",
        "--scope",
        "public",
        "--date",
        "2021-01-01",
    ]);
    assert!(err.contains("kept from the consent it follows"), "{err}");
    let c = current_consent(&env, t);
    assert_eq!(c["scope"], "public");
    assert_eq!(c["evidence"], ev, "{c}");
    assert_eq!(c["embargo_until"], "2040-01-01", "{c}");
    assert_eq!(c["reason"], "signed form", "{c}");
    // Still embargoed, so still closed at public.
    let shown = env.json(&["show", &id, "--access", "public", "--format", "json"]);
    assert_eq!(shown["access"], "closed", "{shown}");

    ok(&[
        "consent",
        &id,
        "embargo",
        "--until",
        "2045-06-01",
        "--date",
        "2022-01-01",
    ]);
    let c = current_consent(&env, t);
    assert_eq!(
        (c["embargo_until"].as_str(), c["evidence"].as_i64()),
        (Some("2045-06-01"), Some(ev))
    );
    ok(&["consent", &id, "embargo", "--lift", "--date", "2023-01-01"]);
    let c = current_consent(&env, t);
    assert!(
        c["embargo_until"].is_null() && c["scope"] == "public",
        "{c}"
    );
    let shown = env.json(&["show", &id, "--access", "public", "--format", "json"]);
    assert_eq!(shown["access"], "open", "{shown}");

    // A restriction only narrows: its embargo can move later, not be lifted.
    ok(&[
        "consent",
        &id,
        "restrict",
        "--scope",
        "research",
        "--reason",
        "asked",
        "--date",
        "2024-01-01",
        "--embargo-until",
        "2050-01-01",
    ]);
    let (code, _, err) = crate::seed::run(&env, &["consent", &id, "embargo", "--lift"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("only narrows"), "{err}");
    ok(&["consent", &id, "embargo", "--until", "2055-01-01"]);
    let (code, _, _) = crate::seed::run(&env, &["consent", &id, "embargo"]);
    assert_eq!(code, 2, "--until or --lift is required");
}

#[test]
fn holdings_by_decade_read_in_time_order() {
    let env = Env::with_archive();
    for (i, year) in ["1990", "1991", "1992", "1850", "2001", "2002", "1975"]
        .iter()
        .enumerate()
    {
        let f = env.write(&format!("d{i}.txt"), format!("A fictional note of {year}."));
        let mut c = env.cmd();
        c.arg("import").arg(&f).args(["--date", year]);
        assert_eq!(run(c).0, 0);
    }
    let f = env.write("undated.txt", "A fictional undated note.");
    let mut c = env.cmd();
    c.arg("import").arg(&f);
    assert_eq!(run(c).0, 0);
    let r = env.json(&["report", "holdings", "--by", "decade", "--format", "json"]);
    let rows = r["holdings"]
        .as_array()
        .or_else(|| r.as_array())
        .cloned()
        .unwrap_or_default();
    let decades: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            row.get("decade")
                .map(|d| d.as_str().unwrap_or("(none)").to_string())
        })
        .collect();
    assert_eq!(
        decades,
        ["1850s", "1970s", "1990s", "2000s", "(none)"],
        "{r}"
    );
}

#[test]
fn a_language_typed_by_name_is_refused_with_its_code() {
    let env = Env::with_archive();
    let f = env.write("d.txt", "A fictional note.");
    let mut c = env.cmd();
    c.arg("import").arg(&f).args(["--language", "english"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"en\"") && err.contains("English"), "{err}");
    let mut c = env.cmd();
    c.arg("import").arg(&f).args(["--language", "hy-latn"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let shown = env.json(&["show", "1", "--format", "json"]);
    assert_eq!(shown["language"], "hy-Latn");
    let mut c = env.cmd();
    c.args(["edit", "1", "--language", "Armenian"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(err.contains("\"hy\""), "{err}");
    env.write("m/a.txt", "Another fictional note.");
    let m = env.write("m/manifest.csv", "path,language\na.txt,Russian\n");
    let mut c = env.cmd();
    c.arg("import").arg("--manifest").arg(&m);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(err.contains("row 2") && err.contains("\"ru\""), "{err}");
}

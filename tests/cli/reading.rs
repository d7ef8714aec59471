//! Issue 18's reading frictions: tables fit the width given by `COLUMNS`,
//! digests are short in listing tables and whole elsewhere, `show` names
//! an item's terms and prints event details as readable lines, and
//! `list` says when a table is empty and how many items its level leaves
//! out. All on fictional items.

use crate::harness::{run, Env};
use unicode_width::UnicodeWidthStr;

fn two_items(env: &Env) {
    let a = env.write(
        "in/a.txt",
        "A fictional account of the ferry at Corran Ford, long enough to wrap.",
    );
    let b = env.write("in/b.txt", "A fictional list of boats.");
    for (file, title) in [
        (
            &a,
            "The ferry at Corran Ford and the boats that crossed it in the flood year",
        ),
        (&b, "Boats"),
    ] {
        let mut c = env.cmd();
        c.arg("import").arg(file).args(["--title", title]);
        let (code, _, err) = run(c);
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn tables_keep_to_the_columns_the_user_set() {
    let env = Env::with_archive();
    two_items(&env);
    for width in [60usize, 100] {
        let mut c = env.cmd();
        c.env("COLUMNS", width.to_string()).args(["list"]);
        let (code, out, _) = run(c);
        assert_eq!(code, 0);
        assert!(out.contains("Corran"), "{out}");
        for line in out.lines() {
            assert!(line.width() <= width, "wider than {width}: {line}");
        }
    }
    // Into a pipe without COLUMNS a row stays on one line.
    let (_, out, _) = run({
        let mut c = env.cmd();
        c.arg("list");
        c
    });
    assert!(
        out.contains("The ferry at Corran Ford and the boats that crossed it in the flood year"),
        "{out}"
    );
}

#[test]
fn listing_tables_show_twelve_hex_digits_and_json_the_whole_digest() {
    let env = Env::with_archive();
    two_items(&env);
    let items = env.json(&["list", "--format", "json"]);
    let full = items[0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(full.len(), 64);
    let mut c = env.cmd();
    c.args(["query", "--fields", "id,sha256", "id:1"]);
    let (_, table, _) = run(c);
    assert!(table.contains(&full[..12]), "{table}");
    assert!(!table.contains(&full[..13]), "{table}");
    let mut c = env.cmd();
    c.args(["query", "--fields", "id,sha256", "id:1", "--format", "csv"]);
    assert!(run(c).1.contains(&full));
    // `show` is where one copies a digest from: whole there.
    let mut c = env.cmd();
    c.args(["show", "1"]);
    assert!(run(c).1.contains(&full));
}

#[test]
fn show_names_the_terms_and_reads_event_details_as_lines() {
    let env = Env::with_archive();
    two_items(&env);
    let mut c = env.cmd();
    c.args(["tag", "1", "--place", "Corran Ford", "--subject", "ferries"]);
    assert_eq!(run(c).0, 0);
    let mut c = env.cmd();
    c.args(["edit", "1", "--title", "The ferry"]);
    assert_eq!(run(c).0, 0);
    let mut c = env.cmd();
    c.args(["show", "1", "--access", "custodian"]);
    let (_, out, _) = run(c);
    assert!(out.contains("Places: Corran Ford"), "{out}");
    assert!(out.contains("Subjects: ferries"), "{out}");
    assert!(
        out.contains("title \u{201c}The ferry at Corran Ford"),
        "{out}"
    );
    assert!(out.contains("\u{2192} \u{201c}The ferry\u{201d}"), "{out}");
    assert!(
        !out.contains("{\"changes\""),
        "details are not raw JSON: {out}"
    );
    let json = env.json(&["show", "1", "--format", "json"]);
    let terms = json["terms"].as_array().unwrap();
    assert!(terms
        .iter()
        .any(|t| t["vocab"] == "place" && t["label"] == "Corran Ford"));
    // JSON keeps the detail as data.
    let events = json["events"].as_array().unwrap();
    assert!(events.iter().all(|e| !e["detail"].is_string()));
}

#[test]
fn the_terms_of_a_closed_item_are_not_shown_below_its_level() {
    let env = Env::with_archive();
    two_items(&env);
    let mut c = env.cmd();
    c.args(["tag", "2", "--place", "Corran Ford"]);
    assert_eq!(run(c).0, 0);
    let mut c = env.cmd();
    c.args(["access", "2", "--close", "--reason", "names a boatman"]);
    assert_eq!(run(c).0, 0, "close");
    let mut c = env.cmd();
    c.args(["show", "2", "--access", "research"]);
    let (_, out, _) = run(c);
    assert!(!out.contains("Corran Ford"), "{out}");
}

#[test]
fn list_says_when_nothing_matches_and_how_many_its_level_leaves_out() {
    let env = Env::with_archive();
    let mut c = env.cmd();
    c.arg("list");
    let (code, out, err) = run(c);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("no items match"), "{err}");
    // A testimony whose release form (consent evidence, the custodian's
    // alone) is left out below custodian.
    let t = env.write("t/interview.txt", "A fictional interview.");
    let r = env.write("t/release.txt", "A fictional release form.");
    let tid = env.import(&[&t], &["--kind", "testimony"])[0]["id"].to_string();
    let rid = env.import(&[&r], &[])[0]["id"].to_string();
    let mut c = env.cmd();
    c.args([
        "consent",
        &tid,
        "grant",
        "--scope",
        "research",
        "--date",
        "2018-04-09",
    ])
    .args(["--evidence", &rid]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let mut c = env.cmd();
    c.args(["list", "--access", "research"]);
    let (_, _, err) = run(c);
    assert!(
        err.contains("1 item(s) not listed at research level"),
        "{err}"
    );
    let mut c = env.cmd();
    c.args(["list", "--access", "custodian"]);
    let (_, _, err) = run(c);
    assert!(!err.contains("not listed"), "{err}");
    // Data formats carry data only.
    let mut c = env.cmd();
    c.args(["list", "--format", "json"]);
    assert!(!run(c).2.contains("not listed"));
}

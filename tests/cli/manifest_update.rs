//! `import --manifest F --update` (issue 18): a re-run manifest changes the
//! items its files already are, reports each change, and refuses
//! conflicting values with their row and column; without `--update` every
//! changed value is reported as ignored, never silently dropped. All the
//! documents are fictional.

use crate::harness::{run, Env};

fn import(env: &Env, manifest: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let mut c = env.cmd();
    c.args(["import", "--manifest", manifest.to_str().unwrap()]);
    c.args(extra);
    let (code, _, err) = run(c);
    (code, err)
}

fn show(env: &Env, id: i64) -> serde_json::Value {
    env.json(&["show", &id.to_string(), "--format", "json"])
}

/// Two letters imported from a first manifest.
fn setup() -> (Env, std::path::PathBuf) {
    let env = Env::with_archive();
    env.write("m/a.txt", "A fictional letter from Ardan.");
    env.write("m/b.txt", "A fictional letter from Corran Ford.");
    let m = env.write(
        "m/manifest.csv",
        "path,title,date,collection\na.txt,Letter A,1990,Box 1\nb.txt,Letter B,1991,Box 1\n",
    );
    let (c, err) = import(&env, &m, &[]);
    assert_eq!(c, 0, "{err}");
    (env, m)
}

#[test]
fn without_update_a_changed_value_is_reported_as_ignored() {
    let (env, _) = setup();
    let m = env.write(
        "m/manifest.csv",
        "path,title,date,collection\na.txt,Letter A (corrected),1990,box 1 \nb.txt,Letter B,1991,Box 1\n",
    );
    let (c, err) = import(&env, &m, &[]);
    assert_eq!(c, 0, "{err}");
    assert!(
        err.contains("row 2, title: item 1 has \"Letter A\", the row gives \"Letter A (corrected)\": ignored (use --update to change it)"),
        "{err}"
    );
    // A collection spelled with other case and spaces is the same one.
    assert!(!err.contains("collection"), "{err}");
    assert_eq!(show(&env, 1)["title"], "Letter A");
}

#[test]
fn update_changes_what_the_rows_say_and_logs_each_item() {
    let (env, _) = setup();
    let m = env.write(
        "m/manifest.csv",
        "path,title,date,coverage,rights\na.txt,Letter A (corrected),1990-05,,CC-BY-4.0\nb.txt,Letter B,1991,1988/1991,\n",
    );
    let (c, err) = import(&env, &m, &["--update", "--dry-run"]);
    assert_eq!(c, 0, "{err}");
    assert!(err.contains("would change"), "{err}");
    assert_eq!(
        show(&env, 1)["title"],
        "Letter A",
        "a dry run changes nothing"
    );
    let (c, err) = import(&env, &m, &["--update"]);
    assert_eq!(c, 0, "{err}");
    assert!(
        err.contains("row 2, date: item 1 has \"1990\", the row gives \"1990-05\": changed"),
        "{err}"
    );
    assert!(err.contains("updated 2 item(s)"), "{err}");
    let a = show(&env, 1);
    assert_eq!(a["title"], "Letter A (corrected)");
    assert_eq!(a["date"], "1990-05");
    assert_eq!(a["rights"], "CC-BY-4.0");
    assert_eq!(show(&env, 2)["coverage"], "1988/1991");
    // An empty cell clears nothing.
    assert_eq!(show(&env, 2)["title"], "Letter B");
    let log = env.json(&["log", "1", "--access", "custodian", "--format", "json"]);
    let mods: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "metadata_modification")
        .collect();
    assert_eq!(mods.len(), 1, "one event for the item: {log}");
    let detail = mods[0]["detail"].to_string();
    assert!(
        detail.contains("Letter A (corrected)") && detail.contains("1990-05"),
        "{detail}"
    );
    // Running it again changes nothing more.
    let (c, err) = import(&env, &m, &["--update"]);
    assert_eq!(c, 0, "{err}");
    assert!(!err.contains("changed"), "{err}");
}

#[test]
fn conflicting_values_are_refused_with_row_and_column() {
    let (env, _) = setup();
    // The same bytes under a second name: rows 2 and 3 are one item.
    env.write("m/a-copy.txt", "A fictional letter from Ardan.");
    let m = env.write(
        "m/manifest.csv",
        "path,title,creator\na.txt,Letter A,R. Ostrov\na-copy.txt,Letter A,M. Ostrov\nb.txt,Letter B (new),\n",
    );
    let (c, err) = import(&env, &m, &["--update"]);
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("row 3, creator"), "{err}");
    assert!(err.contains("row 2 gives item 1"), "{err}");
    // The conflicting value is applied from neither row; the rest is.
    assert!(show(&env, 1)["creator"].is_null());
    assert_eq!(show(&env, 2)["title"], "Letter B (new)");
}

#[test]
fn a_testimonys_kind_is_not_changed_by_a_manifest() {
    let env = Env::with_archive();
    env.write("m/t.txt", "A fictional testimony.");
    let m = env.write("m/manifest.csv", "path,title,kind\nt.txt,T,testimony\n");
    let (c, err) = import(&env, &m, &[]);
    assert_eq!(c, 0, "{err}");
    let m = env.write("m/manifest.csv", "path,title,kind\nt.txt,T,letter\n");
    let (c, err) = import(&env, &m, &["--update"]);
    assert_eq!(c, 1, "{err}");
    assert!(
        err.contains("row 2, kind") && err.contains("stays one"),
        "{err}"
    );
    assert_eq!(show(&env, 1)["kind"], "testimony");
}

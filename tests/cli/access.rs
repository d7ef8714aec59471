//! `custos access` (an item's own access, any kind), intake closed until
//! described (`init --intake`, `import --intake`, `settings intake`), and
//! how consent and item access combine, through the real binary. The
//! fixtures are invented: the names, places and numbers are fictional.

use std::path::Path;

use serde_json::Value;

use crate::harness::Env;
use crate::seed::run;

/// A release form naming a (fictional) person with a phone number.
const FORM: &str = "Release form. Signed by Ardo KESTRELWICK, phone 555-0142, of Tarnvale.";

fn ok(env: &Env, args: &[&str]) -> String {
    let (code, out, err) = run(env, args);
    assert_eq!(code, 0, "custos {args:?}: {err}");
    out
}

fn import_one(env: &Env, name: &str, text: &str, extra: &[&str]) -> String {
    let f = env.write(name, text);
    let out = env.import(&[f.as_path()], extra);
    assert_eq!(out[0]["status"], "imported", "{out:?}");
    out[0]["id"].to_string()
}

fn show(env: &Env, id: &str, level: &str) -> Value {
    env.json(&["show", id, "--access", level, "--format", "json"])
}

fn query_ids(env: &Env, q: &str, level: &str) -> Vec<i64> {
    let v = env.json(&["query", q, "--access", level, "--format", "json"]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

fn events(env: &Env, kind: &str) -> i64 {
    env.db()
        .query_row("SELECT count(*) FROM events WHERE type = ?1", [kind], |r| {
            r.get(0)
        })
        .unwrap()
}

/// Shown as a closed entry: id, kind and collection, nothing else.
fn assert_closed(v: &Value, id: &str) {
    assert_eq!(v["id"].to_string(), id, "{v}");
    assert_eq!(v["access"], "closed", "{v}");
    for k in ["title", "sha256", "size", "origin", "original_name", "text"] {
        assert!(v[k].is_null(), "{k} shown for a closed item: {v}");
    }
    assert!(!v.to_string().contains("KESTRELWICK"), "{v}");
}

fn new_archive_default() -> Env {
    let env = Env::new();
    env.cmd().arg("init").arg(env.archive()).assert().success();
    env
}

#[test]
fn a_new_archive_takes_items_in_closed_until_someone_opens_them() {
    let env = new_archive_default();
    let out = ok(&env, &["settings", "intake", "--format", "json"]);
    assert!(out.contains("\"closed\""), "{out}");
    let id = import_one(&env, "release.txt", FORM, &["--collection", "Box 12"]);
    for level in ["public", "research"] {
        let v = show(&env, &id, level);
        assert_closed(&v, &id);
        assert_eq!(v["collection"], "Box 12", "{v}");
        assert!(query_ids(&env, "KESTRELWICK", level).is_empty(), "{level}");
        let list = ok(&env, &["list", "--access", level, "--format", "csv"]);
        assert!(
            !list.contains("KESTRELWICK") && !list.contains("release"),
            "{list}"
        );
    }
    let v = show(&env, &id, "custodian");
    assert!(v["text"].as_str().unwrap().contains("KESTRELWICK"), "{v}");
    assert_eq!(events(&env, "access_change"), 1);

    ok(&env, &["access", &id, "--open", "--reason", "described"]);
    let v = show(&env, &id, "public");
    assert_eq!(v["access"], "open", "{v}");
    assert_eq!(
        query_ids(&env, "KESTRELWICK", "public"),
        vec![id.parse::<i64>().unwrap()]
    );
    // verify agrees with what was written.
    ok(&env, &["verify"]);
}

#[test]
fn intake_is_chosen_at_init_per_import_and_by_settings() {
    let env = Env::new();
    env.cmd()
        .args(["init", "--intake", "open"])
        .arg(env.archive())
        .assert()
        .success();
    let open = import_one(&env, "a.txt", "first letter", &[]);
    assert_eq!(show(&env, &open, "public")["access"], "open");
    let closed = import_one(&env, "b.txt", FORM, &["--intake", "closed"]);
    assert_closed(&show(&env, &closed, "public"), &closed);

    ok(&env, &["settings", "intake", "closed"]);
    let out = ok(&env, &["settings", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["key"], "intake");
    assert_eq!(v[0]["value"], "closed");
    let later = import_one(&env, "c.txt", "a third letter", &[]);
    assert_eq!(show(&env, &later, "research")["access"], "closed");
    let overridden = import_one(&env, "d.txt", "a fourth letter", &["--intake", "open"]);
    assert_eq!(show(&env, &overridden, "research")["access"], "open");

    let (code, _, err) = run(&env, &["settings", "intake", "ajar"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ajar"), "{err}");
    let (code, _, _) = run(&env, &["import", "x", "--intake", "ajar"]);
    assert_eq!(code, 2);
}

#[test]
fn an_archive_from_before_intake_keeps_importing_open() {
    let env = new_archive_default();
    env.db()
        .execute("DELETE FROM settings WHERE key = 'intake'", [])
        .unwrap();
    let out = ok(&env, &["settings", "intake", "--format", "csv"]);
    assert!(out.contains("intake,open"), "{out}");
    let id = import_one(&env, "a.txt", "an old habit", &[]);
    assert_eq!(show(&env, &id, "public")["access"], "open");
}

#[test]
fn a_manifest_import_obeys_intake() {
    let env = new_archive_default();
    env.write("m/form.txt", FORM);
    let m = env.write(
        "m/manifest.csv",
        "path,title,kind\nform.txt,Release form,other\n",
    );
    ok(&env, &["import", "--manifest", m.to_str().unwrap()]);
    assert_closed(&show(&env, "1", "research"), "1");
    let env = new_archive_default();
    env.write("m/form.txt", FORM);
    let m = env.write(
        "m/manifest.csv",
        "path,title,kind\nform.txt,Release form,other\n",
    );
    ok(
        &env,
        &[
            "import",
            "--manifest",
            m.to_str().unwrap(),
            "--intake",
            "open",
        ],
    );
    assert_eq!(show(&env, "1", "research")["access"], "open");
}

#[test]
fn close_restrict_and_open_any_kind_with_an_end_day() {
    let env = Env::with_archive();
    let photo = import_one(&env, "faces.txt", FORM, &["--kind", "photo"]);
    let letter = import_one(&env, "letter.txt", "a letter from Tarnvale", &[]);
    ok(
        &env,
        &[
            "access",
            &photo,
            "--close",
            "--reason",
            "faces of living people",
        ],
    );
    assert_closed(&show(&env, &photo, "research"), &photo);
    assert_closed(&show(&env, &photo, "public"), &photo);

    ok(
        &env,
        &[
            "access",
            &letter,
            "--restrict",
            "research",
            "--until",
            "2999-01-01",
        ],
    );
    assert_eq!(show(&env, &letter, "research")["access"], "restricted");
    assert_eq!(show(&env, &letter, "research")["title"], "letter");
    let v = show(&env, &letter, "public");
    assert_eq!(v["access"], "closed", "{v}");
    assert_eq!(v["closed_until"], "2999-01-01", "{v}");
    assert!(v["title"].is_null(), "{v}");

    // Reports: sizes only of what the level may open.
    let r = env.json(&[
        "report", "holdings", "--access", "public", "--format", "json",
    ]);
    assert!(!r.to_string().contains("KESTRELWICK"), "{r}");

    // History: reasons are the custodian's; a closed item's history is refused.
    let h = env.json(&[
        "access",
        &photo,
        "--history",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(h[0]["access"], "closed");
    assert_eq!(h[0]["reason"], "faces of living people");
    let (code, _, err) = run(&env, &["access", &photo, "--history", "--access", "public"]);
    assert_eq!(code, 13, "{err}");
    let h = env.json(&[
        "access",
        &letter,
        "--history",
        "--access",
        "research",
        "--format",
        "json",
    ]);
    assert_eq!(h[0]["access"], "research");
    assert!(h[0]["reason"].is_null());

    // An end day in the past, --until with --open, no change named: refused.
    for bad in [
        vec!["access", &photo, "--close", "--until", "2001-01-01"],
        vec!["access", &photo, "--open", "--until", "2999-01-01"],
        vec!["access", &photo, "--close", "--until", "1 January 2030"],
        vec!["access", &photo],
        vec!["access", &photo, "--restrict", "public"],
    ] {
        let (code, _, err) = run(&env, &bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
    ok(&env, &["verify"]);
}

#[test]
fn the_stricter_of_consent_and_item_access_wins() {
    let env = Env::with_archive();
    let t = import_one(
        &env,
        "t.txt",
        "she told of Tarnvale",
        &["--kind", "testimony"],
    );
    ok(
        &env,
        &[
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2020-01-01",
        ],
    );
    assert_eq!(show(&env, &t, "public")["access"], "open");
    ok(&env, &["access", &t, "--close"]);
    assert_closed(&show(&env, &t, "public"), &t);
    assert_closed(&show(&env, &t, "research"), &t);
    // Opening the item never opens past its consent.
    ok(&env, &["access", &t, "--open"]);
    ok(
        &env,
        &[
            "consent", &t, "restrict", "--scope", "research", "--reason", "asked",
        ],
    );
    assert!(query_ids(&env, "Tarnvale", "public").is_empty());
    assert_eq!(show(&env, &t, "research")["access"], "restricted");
    let (code, _, _) = run(&env, &["show", &t, "--access", "public"]);
    assert_ne!(
        code, 0,
        "a testimony consented for research is hidden from public"
    );
}

#[test]
fn a_batch_by_query_is_one_transaction_with_one_event_per_changed_item() {
    let env = Env::with_archive();
    let ids: Vec<String> = (0..3)
        .map(|n| {
            import_one(
                &env,
                &format!("box/{n}.txt"),
                &format!("list of names {n}"),
                &["--collection", "Box 12"],
            )
        })
        .collect();
    let other = import_one(&env, "other.txt", "elsewhere", &["--collection", "Box 13"]);
    ok(&env, &["access", &ids[0], "--close"]);
    let before = events(&env, "access_change");
    let q = "collection:\"Box 12\"";
    let dry = env.json(&[
        "access",
        "--query",
        q,
        "--close",
        "--dry-run",
        "--format",
        "json",
    ]);
    let rows = dry.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{dry}");
    assert_eq!(rows[0]["outcome"], "unchanged");
    assert_eq!(rows[1]["outcome"], "changed");
    assert_eq!(
        events(&env, "access_change"),
        before,
        "a dry run writes nothing"
    );
    assert_eq!(show(&env, &ids[1], "public")["access"], "open");

    ok(&env, &["access", "--query", q, "--close"]);
    assert_eq!(events(&env, "access_change"), before + 2);
    for id in &ids {
        assert_eq!(show(&env, id, "public")["access"], "closed");
    }
    assert_eq!(show(&env, &other, "public")["access"], "open");

    // By ids: an unknown id refuses the whole batch, naming it.
    let (code, _, err) = run(&env, &["access", &ids[0], &other, "999", "--open"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("999"), "{err}");
    assert_eq!(show(&env, &ids[0], "public")["access"], "closed");
    assert_eq!(show(&env, &other, "public")["access"], "open");
    ok(&env, &["access", &ids[0], &ids[1], "--open"]);
    assert_eq!(show(&env, &ids[1], "public")["access"], "open");
}

#[test]
fn a_purged_item_takes_no_access_change() {
    let env = Env::with_archive();
    let t = import_one(&env, "t.txt", "a story", &["--kind", "testimony"]);
    ok(
        &env,
        &[
            "consent",
            &t,
            "grant",
            "--scope",
            "public",
            "--date",
            "2020-01-01",
        ],
    );
    ok(&env, &["consent", &t, "withdraw", "--reason", "asked"]);
    ok(&env, &["purge", &t, "--yes"]);
    let (code, _, err) = run(&env, &["access", &t, "--open"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("item {t}")) && err.contains("purged"),
        "{err}"
    );
}

#[test]
fn verify_finds_access_written_around_the_history() {
    let env = new_archive_default();
    let id = import_one(&env, "form.txt", FORM, &[]);
    env.db()
        .execute("UPDATE items SET access_level = NULL WHERE id = ?1", [&id])
        .unwrap();
    // The tampered state is what the policy reads...
    assert_eq!(show(&env, &id, "public")["access"], "open");
    // ...and verify reports it, naming the item.
    let (code, out, err) = run(&env, &["verify"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(&format!("item {id} has access")), "{out}");
}

#[test]
fn an_access_bag_at_public_level_leaves_a_closed_item_out() {
    let env = new_archive_default();
    import_one(&env, "form.txt", FORM, &[]);
    let open = import_one(&env, "a.txt", "a plain letter", &["--intake", "open"]);
    let bag = env.path().join("bag");
    ok(
        &env,
        &[
            "export",
            "--bag",
            bag.to_str().unwrap(),
            "--access",
            "public",
        ],
    );
    let mut found = String::new();
    for (_, bytes) in files(&bag) {
        found.push_str(&String::from_utf8_lossy(&bytes));
    }
    assert!(!found.contains("KESTRELWICK"), "closed item exported");
    assert!(found.contains("a plain letter"), "open item {open} missing");
}

#[test]
fn a_custodian_round_trip_keeps_each_items_own_access() {
    let env = Env::with_archive();
    let closed = import_one(&env, "form.txt", FORM, &[]);
    let open = import_one(&env, "a.txt", "a plain letter", &[]);
    let rstr = import_one(&env, "b.txt", "a list of names", &[]);
    ok(
        &env,
        &["access", &closed, "--close", "--reason", "names a person"],
    );
    ok(
        &env,
        &[
            "access",
            &rstr,
            "--restrict",
            "research",
            "--until",
            "2999-01-01",
        ],
    );
    let bag = env.path().join("bag");
    ok(
        &env,
        &[
            "export",
            "--bag",
            bag.to_str().unwrap(),
            "--access",
            "custodian",
        ],
    );
    // Into an archive whose intake would open everything, and into one
    // whose intake would close everything: the bag's access wins.
    for intake in ["open", "closed"] {
        let other = Env::new();
        other
            .cmd()
            .args(["init", "--intake", intake])
            .arg(other.archive())
            .assert()
            .success();
        ok(&other, &["import", "--bag", bag.to_str().unwrap()]);
        let find = |word: &str| -> String {
            let v = other.json(&["query", word, "--access", "custodian", "--format", "json"]);
            v[0]["id"].to_string()
        };
        let (c, o, r) = (find("KESTRELWICK"), find("plain"), find("names"));
        assert_closed(&show(&other, &c, "research"), &c);
        assert_eq!(show(&other, &o, "public")["access"], "open", "{intake}");
        assert_eq!(
            show(&other, &r, "research")["access"],
            "restricted",
            "{intake}"
        );
        assert_eq!(show(&other, &r, "public")["closed_until"], "2999-01-01");
        let h = other.json(&[
            "access",
            &c,
            "--history",
            "--access",
            "custodian",
            "--format",
            "json",
        ]);
        assert!(h.to_string().contains("names a person"), "{h}");
        ok(&other, &["verify"]);
    }
    let _ = open;
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir(dir) {
        if let Ok(b) = std::fs::read(&e) {
            out.push((e.display().to_string(), b));
        }
    }
    out
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_large_batch_asks_first_on_a_terminal() {
    // `script` gives the command a terminal; without it this test skips.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to run custos on a terminal");
        return;
    }
    let env = Env::with_archive();
    for n in 0..21 {
        import_one(&env, &format!("f/{n}.txt"), &format!("note {n}"), &[]);
    }
    let bin = assert_cmd::cargo::cargo_bin("custos");
    let line = format!("{} access --query kind:other --close", bin.display());
    let asked = |answer: &str| {
        let mut c = std::process::Command::new("script");
        c.args(["-qc", &line, "/dev/null"])
            .env("CUSTOS_ARCHIVE", env.archive())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).to_string()
    };
    let out = asked("n\n");
    assert!(out.contains("21 items"), "{out}");
    assert_eq!(events(&env, "access_change"), 0, "{out}");
    let out = asked("y\n");
    assert_eq!(events(&env, "access_change"), 21, "{out}");
    // Off a terminal (scripts), or with --yes, it does not ask.
    ok(&env, &["access", "--query", "kind:other", "--open"]);
    assert_eq!(events(&env, "access_change"), 42);
}

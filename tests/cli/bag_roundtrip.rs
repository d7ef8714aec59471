//! Bag round trips: a custodian-level export imported into a fresh archive
//! reads the same at every level as the source; valid exports at every level
//! import and verify; a refused bag import leaves nothing behind; a failed
//! export leaves no partial bag; payload files get the usual extensions.

use std::path::{Path, PathBuf};

use custos::bagit::BagWriter;
use serde_json::Value;

use crate::harness::{run, Env};

const LEVELS: [&str; 3] = ["public", "research", "custodian"];

/// Testimonies in every consent state, with narrators (one with a sealed
/// legal identity, one anonymous), a release as consent evidence, a
/// consent history of several events, a redaction, a duplicate arrival and
/// an extension-less text file. Item ids 1..=9 in import order.
pub(crate) fn source() -> Env {
    let env = Env::with_archive();
    env.cmd().args(["key", "init"]).assert().success();
    let files: [(&str, &str); 9] = [
        ("harbour.txt", "Harbour report: the ferry left at dawn."),
        ("README", "Plain notes kept without an extension."),
        ("release.txt", "Release signed by RELEASEWORD, fictional."),
        ("t4.txt", "Testimony PUBWORD about the ferry."),
        ("t5.txt", "Testimony RESWORD about the mill."),
        ("t6.txt", "Testimony EMBWORD about the bridge."),
        ("t7.txt", "Testimony PENDWORD about the school."),
        ("t8.txt", "Testimony HISTWORD about the square."),
        ("t9.txt", "Testimony of Levon Petrosyan from the harbour."),
    ];
    for (i, (name, text)) in files.iter().enumerate() {
        let p = env.write(&format!("in/{name}"), text);
        // The redacted name also stands in a title.
        let title: &[&str] = if i == 8 {
            &["--title", "Levon Petrosyan remembers"]
        } else {
            &[]
        };
        let mut args = vec!["--collection", "Harbour"];
        args.extend(title);
        let out = env.import(&[&p], &args);
        assert_eq!(out[0]["id"], i as i64 + 1, "{out:?}");
    }
    let dup = env.write("in/harbour-copy.txt", files[0].1);
    assert_eq!(env.import(&[&dup], &[])[0]["status"], "duplicate");
    env.cmd()
        .args(["narrator", "add", "--display", "L. from the harbour"])
        .args(["--anonymity", "pseudonymous", "--birth-year", "1950"])
        .arg("--legal-name-stdin")
        .write_stdin("LEGALWORD Fictional\n")
        .assert()
        .success();
    env.cmd()
        .args(["narrator", "add", "--anonymity", "anonymous"])
        .args(["--birth-year", "1931", "--place-of-origin", "Oldtown"])
        .assert()
        .success();
    let ok = |args: &[&str]| env.cmd().args(args).assert().success();
    for (item, narrator) in [("4", "1"), ("5", "2"), ("6", "1"), ("7", "2"), ("8", "1")] {
        ok(&["testimony", "set", item, "--narrator", narrator]);
    }
    ok(&[
        "testimony",
        "set",
        "9",
        "--narrator",
        "1",
        "--interview-date",
        "1990-01-13",
        "--interviewer",
        "A. Archivist",
        "--interview-place",
        "Harbour",
    ]);
    let consent = |args: &[&str]| env.cmd().arg("consent").args(args).assert().success();
    consent(&[
        "4",
        "grant",
        "--scope",
        "public",
        "--date",
        "2018-05-01",
        "--evidence",
        "3",
    ]);
    consent(&["5", "grant", "--scope", "research", "--date", "2018-05-01"]);
    consent(&[
        "6",
        "grant",
        "--scope",
        "public",
        "--date",
        "2018-05-01",
        "--embargo-until",
        "2099-01-01",
    ]);
    consent(&["8", "grant", "--scope", "public", "--date", "2018-01-01"]);
    consent(&[
        "8",
        "restrict",
        "--scope",
        "research",
        "--date",
        "2019-01-01",
        "--reason",
        "asked",
    ]);
    consent(&[
        "8",
        "restrict",
        "--scope",
        "archive",
        "--date",
        "2020-01-01",
        "--reason",
        "again",
    ]);
    consent(&["9", "grant", "--scope", "public", "--date", "2018-05-01"]);
    env.cmd()
        .args(["redact", "9"])
        .write_stdin("Petrosyan\n")
        .assert()
        .success();
    env
}

/// Keys that differ between two archives by necessity: when and from
/// which file a record was made here, and the event log.
const LOCAL_KEYS: &[&str] = &[
    "ingested_at",
    "original_name",
    "original_path",
    "created_at",
    "updated_at",
    "recorded_at",
    "events",
    "provenance",
    "fixity",
    "id_in_log",
];

fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in LOCAL_KEYS {
                m.remove(*k);
            }
            m.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Every read of the matrix: (command, exit code, stdout without local keys).
pub(crate) fn matrix(env: &Env) -> Vec<(String, i32, Value)> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    for level in LEVELS {
        let l = |args: &[&str]| {
            let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            v.extend(["--access", level, "--format", "json"].map(String::from));
            v
        };
        cmds.push(l(&["list"]));
        cmds.push(l(&["narrator", "list"]));
        cmds.push(l(&["report", "consent"]));
        for n in ["1", "2"] {
            cmds.push(l(&["narrator", "show", n]));
        }
        for id in 1..=9 {
            let id = id.to_string();
            cmds.push(l(&["show", &id]));
            cmds.push(l(&["consent", &id, "history"]));
        }
        for q in [
            "Petrosyan",
            "harbour",
            "kind:testimony",
            "PUBWORD",
            "RESWORD",
            "EMBWORD",
            "PENDWORD",
            "HISTWORD",
            "RELEASEWORD",
            "extension",
        ] {
            cmds.push(l(&["query", q]));
        }
    }
    cmds.into_iter()
        .map(|args| {
            let mut c = env.cmd();
            c.args(&args);
            let (code, out, _) = run(c);
            let mut v = serde_json::from_str(&out).unwrap_or(Value::String(out));
            strip(&mut v);
            (args.join(" "), code, v)
        })
        .collect()
}

fn export(env: &Env, level: &str, bag: &Path) {
    env.cmd()
        .args(["export", "--access", level, "--bag"])
        .arg(bag)
        .assert()
        .success();
}

fn import_bag(bag: &Path) -> Env {
    let other = Env::with_archive();
    other.cmd().args(["key", "init"]).assert().success();
    let (code, _, err) = run({
        let mut c = other.cmd();
        c.arg("import").arg("--bag").arg(bag);
        c
    });
    assert_eq!(code, 0, "import of {}: {err}", bag.display());
    other
}

fn verify_ok(env: &Env) {
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.arg("verify");
        c
    });
    assert_eq!(code, 0, "verify: {err}");
}

#[test]
fn a_custodian_round_trip_reads_the_same_at_every_level() {
    let src = source();
    let bag = src.path().join("custodian-bag");
    export(&src, "custodian", &bag);
    let dst = import_bag(&bag);
    verify_ok(&dst);
    let want = matrix(&src);
    let got = matrix(&dst);
    assert_eq!(want.len(), got.len());
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w, g, "custos {} differs after the round trip", w.0);
    }
    // Not vacuous: the redacted name is hidden at public but found by the
    // custodian, the evidence is hidden, the narrator link is there.
    let find = |cmd: &str| want.iter().find(|r| r.0 == cmd).unwrap().2.clone();
    assert_eq!(
        find("query Petrosyan --access public --format json"),
        Value::Array(vec![])
    );
    assert_eq!(
        find("query Petrosyan --access custodian --format json")[0]["id"],
        9
    );
    assert_ne!(
        want.iter()
            .find(|r| r.0 == "show 3 --access public --format json")
            .unwrap()
            .1,
        0,
        "the release is hidden at public"
    );
    assert_eq!(
        find("show 9 --access custodian --format json")["testimony"]["narrator_id"],
        1
    );
    assert_eq!(
        find("consent 8 history --access custodian --format json")
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    // The restored redaction's terms are sealed to the source's key: a
    // further redaction here is refused, not computed without them.
    let (code, _, err) = run({
        let mut c = dst.cmd();
        c.args(["redact", "9"]).write_stdin("harbour\n");
        c
    });
    assert_eq!(code, 12, "{err}");
    let (code, _, _) = run({
        let mut c = dst.cmd();
        c.args(["narrator", "show", "1", "--reveal"]);
        c
    });
    assert_eq!(
        code, 12,
        "a sealed identity opens only with the source's key"
    );
    assert_eq!(matrix(&dst), got, "the refused commands changed nothing");
    // Sealed identities stay sealed: no clear legal name anywhere in the bag.
    let bytes: Vec<u8> = walkdir::WalkDir::new(&bag)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .flat_map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    assert!(!bytes.windows(9).any(|w| w == b"LEGALWORD"));
}

#[test]
fn valid_exports_at_every_level_import_and_verify() {
    let src = source();
    // A testimony whose kind an edit changed keeps its consent history; an
    // export of it must still import (it arrives as a testimony).
    let _ = run({
        let mut c = src.cmd();
        c.args(["edit", "5", "--kind", "article"]);
        c
    });
    use std::os::unix::ffi::OsStrExt;
    let raw = src
        .path()
        .join(std::ffi::OsStr::from_bytes(b"in/odd\xff name.txt"));
    std::fs::write(&raw, "Another document.").unwrap();
    assert_eq!(src.import(&[&raw], &[])[0]["status"], "imported");
    // A withdrawn testimony whose release is consent evidence: neither goes
    // into any bag, and the bags still import.
    let gone = src.write("in/t11.txt", "Testimony GONEWORD, withdrawn later.");
    let form = src.write("in/form11.txt", "Release of GONEWORD's narrator.");
    let gone = src.import(&[&gone], &["--kind", "testimony"])[0]["id"].to_string();
    let form = src.import(&[&form], &[])[0]["id"].to_string();
    let consent = |args: &[&str]| {
        src.cmd()
            .arg("consent")
            .arg(&gone)
            .args(args)
            .assert()
            .success()
    };
    consent(&[
        "grant",
        "--scope",
        "public",
        "--date",
        "2018-05-01",
        "--evidence",
        &form,
    ]);
    consent(&["withdraw", "--date", "2019-05-01", "--reason", "asked"]);
    for level in LEVELS {
        let bag = src.path().join(format!("bag-{level}"));
        export(&src, level, &bag);
        let dst = import_bag(&bag);
        verify_ok(&dst);
        // Nothing arrives more open than it was: what the public may read
        // in the new archive it could read in the source.
        let public = |env: &Env| -> Vec<String> {
            let list = env.json(&["list", "--access", "public", "--format", "json"]);
            let mut t: Vec<String> = list
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["access"] == "open")
                .map(|r| r["title"].to_string())
                .collect();
            t.sort();
            t
        };
        let before = public(&src);
        for t in public(&dst) {
            assert!(
                before.contains(&t),
                "{level} bag: {t} arrived open: {before:?}"
            );
        }
    }
    let empty = src.path().join("bag-empty");
    src.cmd()
        .args(["export", "no-such-word-anywhere", "--bag"])
        .arg(&empty)
        .assert()
        .success();
    verify_ok(&import_bag(&empty));
}

fn objects(env: &Env) -> Vec<(PathBuf, String)> {
    Env::snapshot(&env.archive().join("objects"))
}

fn assert_refused_cleanly(target: &Env, bag: &Path, names: &str) {
    let objects_before = objects(target);
    let items_before: i64 = target
        .db()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    let (code, _, err) = run({
        let mut c = target.cmd();
        c.arg("import").arg("--bag").arg(bag);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(names), "{err}");
    assert_eq!(objects(target), objects_before, "objects left behind");
    let items: i64 = target
        .db()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items, items_before, "rows left behind");
    let staging: Vec<_> = walkdir::WalkDir::new(target.archive().join("staging"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().contains("lock"))
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(staging.is_empty(), "staging files left: {staging:?}");
    verify_ok(target);
}

#[test]
fn a_refused_bag_import_leaves_nothing_behind() {
    let src = source();
    // A release whose testimony is not in the bag: nothing here could keep
    // it closed, so the bag (written by hand, as `export` leaves such an
    // item out) is refused whole.
    let bag = src.path().join("release-only");
    let mut w = BagWriter::create(&bag).unwrap();
    let doc = w.add_payload("1.txt", &b"An open document."[..]).unwrap();
    let rel = w
        .add_payload("3.txt", &b"Release signed by RELEASEWORD."[..])
        .unwrap();
    let state = |evidence: bool| {
        serde_json::json!({"is_evidence": evidence, "testimony": null,
                           "consent_history": [], "redaction": null})
    };
    let records = serde_json::json!([
        {"id": 1, "title": "Doc", "kind": "article", "payload": doc.path,
         "payload_sha256": doc.sha256.to_string(), "consent": null, "custodian": state(false)},
        {"id": 3, "title": "Release", "kind": "other", "payload": rel.path,
         "payload_sha256": rel.sha256.to_string(), "consent": null, "custodian": state(true)}
    ]);
    w.add_tag_file("metadata/records.json", records.to_string().as_bytes())
        .unwrap();
    w.finish(&[]).unwrap();
    let target = Env::with_archive();
    assert_refused_cleanly(&target, &bag, "data/3.txt");
    // `export` itself leaves such a release out, so its bags import.
    let sel = src.path().join("selected");
    src.cmd()
        .args([
            "export",
            "--item",
            "1",
            "--item",
            "3",
            "--access",
            "custodian",
            "--bag",
        ])
        .arg(&sel)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "1 consent evidence or donor agreement item(s) left out",
        ));
    assert!(!sel.join("data/3.txt").exists());
    verify_ok(&import_bag(&sel));

    // The redacted testimony's bytes are already an open document here:
    // merging states is refused, and the objects written are removed.
    let full = src.path().join("full");
    export(&src, "custodian", &full);
    let target = Env::with_archive();
    let same = target.write("t9.txt", "Testimony of Levon Petrosyan from the harbour.");
    target.import(&[&same], &[]);
    assert_refused_cleanly(&target, &full, "data/9.txt");
}

#[test]
fn a_failed_export_leaves_no_partial_bag() {
    let src = source();
    // Damage one object: the export fails on its digest.
    let db = src.db();
    let sha: String = db
        .query_row("SELECT sha256 FROM objects ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(db);
    let obj = src
        .archive()
        .join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(&sha);
    let mut perms = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&obj, perms).unwrap();
    std::fs::write(&obj, "tampered bytes").unwrap();
    let parent = src.path().join("out");
    std::fs::create_dir(&parent).unwrap();
    let bag = parent.join("bag");
    let (code, _, err) = run({
        let mut c = src.cmd();
        c.args(["export", "--access", "custodian", "--bag"])
            .arg(&bag);
        c
    });
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("does not match"), "{err}");
    assert!(!bag.exists(), "a partial bag was left at {}", bag.display());
    let left: Vec<_> = std::fs::read_dir(&parent).unwrap().collect();
    assert!(left.is_empty(), "temporary folders left: {left:?}");
}

#[test]
fn payload_files_get_the_usual_extension() {
    let src = source();
    let bag = src.path().join("bag");
    export(&src, "public", &bag);
    assert!(bag.join("data/2.txt").is_file(), "README is text/plain");
    assert!(!bag.join("data/2.asm").exists());
}

/// A bag written by hand, as a public export of an older custos might look:
/// records that name a consent (pending) on a non-testimony, and a
/// testimony without consent. Neither may arrive open.
#[test]
fn a_lower_level_bag_never_opens_what_its_records_close() {
    let env = Env::with_archive();
    let bag = env.path().join("bag");
    let mut w = BagWriter::create(&bag).unwrap();
    let a = w
        .add_payload("1.txt", &b"First CLOSEDONE text."[..])
        .unwrap();
    let b = w
        .add_payload("2.txt", &b"Second CLOSEDTWO text."[..])
        .unwrap();
    let records = serde_json::json!([
        {"id": 1, "title": "One", "kind": "article", "payload": a.path, "payload_sha256": a.sha256.to_string(),
         "consent": {"status": "pending", "scope": null, "date": "2020-01-01", "embargo_until": null}},
        {"id": 2, "title": "Two", "kind": "testimony", "payload": b.path, "payload_sha256": b.sha256.to_string(),
         "consent": null}
    ]);
    w.add_tag_file("metadata/records.json", records.to_string().as_bytes())
        .unwrap();
    w.finish(&[("Custos-Access-Level".into(), "public".into())])
        .unwrap();
    env.cmd()
        .arg("import")
        .arg("--bag")
        .arg(&bag)
        .assert()
        .success();
    for word in ["CLOSEDONE", "CLOSEDTWO"] {
        let found = env.json(&["query", word, "--access", "public", "--format", "json"]);
        assert_eq!(found, Value::Array(vec![]), "{word} is open at public");
    }
    verify_ok(&env);
}

/// A custodian-level bag without custodian state (as older versions wrote
/// them) cannot say what was redacted or evidence: refused, not opened.
#[test]
fn an_old_custodian_bag_without_its_state_is_refused() {
    let env = Env::with_archive();
    let bag = env.path().join("bag");
    let mut w = BagWriter::create(&bag).unwrap();
    let a = w.add_payload("1.txt", &b"A release, or not."[..]).unwrap();
    let records = serde_json::json!([
        {"id": 1, "title": "One", "kind": "other", "payload": a.path,
         "payload_sha256": a.sha256.to_string(), "consent": null, "redacted": false}
    ]);
    w.add_tag_file("metadata/records.json", records.to_string().as_bytes())
        .unwrap();
    w.finish(&[("Custos-Access-Level".into(), "custodian".into())])
        .unwrap();
    assert_refused_cleanly(&env, &bag, "older custos");
}

//! `custos import`: provenance, content addressing, duplicates, skips,
//! failures, dry runs and the per-file JSON contract.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;

use predicates::prelude::*;
use serde_json::Value;

use crate::harness::{fixtures, run, sha256_hex, Env};

fn by_name(outcomes: &[Value]) -> BTreeMap<String, Value> {
    outcomes
        .iter()
        .map(|o| {
            let p = o["path"].as_str().unwrap();
            (p.rsplit('/').next().unwrap().to_string(), o.clone())
        })
        .collect()
}

fn db(env: &Env) -> rusqlite::Connection {
    rusqlite::Connection::open(env.archive().join("custos.db")).unwrap()
}

#[test]
fn a_folder_imports_recursively_with_exact_objects_and_hashes() {
    let env = Env::with_archive();
    let docs = fixtures().join("docs");
    let out = env.import(
        &[&docs],
        &["--origin", "Test donation", "--collection", "Ferry"],
    );
    let files = by_name(&out);
    assert_eq!(out.len(), 7, "{out:#?}");
    assert_eq!(
        files["note.txt"]["status"], "imported",
        "nested folders are walked"
    );
    // The two identical files (walked in name order): the first is
    // imported, the second is a duplicate of it.
    assert_eq!(files["duplicate-of-plain.txt"]["status"], "imported");
    assert_eq!(files["plain.txt"]["status"], "duplicate");
    assert_eq!(
        files["plain.txt"]["id"],
        files["duplicate-of-plain.txt"]["id"]
    );

    for name in [
        "duplicate-of-plain.txt",
        "page.html",
        "image.png",
        "doc.pdf",
        "heading.md",
        "note.txt",
    ] {
        let o = &files[name];
        let original = walkdir::WalkDir::new(&docs)
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_str() == Some(name))
            .unwrap();
        let bytes = std::fs::read(original.path()).unwrap();
        let sha = sha256_hex(&bytes);
        assert_eq!(
            o["sha256"],
            sha.as_str(),
            "{name}: stored digest is the original's"
        );
        let object = env
            .archive()
            .join("objects")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(&sha);
        assert_eq!(
            std::fs::read(&object).unwrap(),
            bytes,
            "{name}: object equals the original"
        );
        let shown = env.json(&["show", &o["id"].to_string(), "--format", "json"]);
        assert_eq!(shown["size"], bytes.len() as u64);
        assert_eq!(shown["origin"], "Test donation");
        assert_eq!(shown["collection"], "Ferry");
        assert_eq!(shown["ingested_by"], "tester");
        assert_eq!(shown["original_name"], name);
    }
    let objects = walkdir::WalkDir::new(env.archive().join("objects"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(objects, 6, "one object per distinct content");
}

#[test]
fn media_types_and_titles_come_from_the_documents() {
    let env = Env::with_archive();
    let out = env.import(&[&fixtures().join("docs")], &[]);
    let files = by_name(&out);
    let show = |name: &str| env.json(&["show", &files[name]["id"].to_string(), "--format", "json"]);
    let html = show("page.html");
    assert_eq!(html["media_type"], "text/html");
    assert_eq!(html["title"], "Harrow Courier: Night of 11 March");
    assert_eq!(show("heading.md")["title"], "The Ferry Crossing at Velmora");
    assert_eq!(show("heading.md")["media_type"], "text/markdown");
    let png = show("image.png");
    assert_eq!(png["media_type"], "image/png");
    assert_eq!(png["kind"], "photo");
    assert_eq!(png["title"], "image", "no title inside: the file name");
    assert_eq!(show("doc.pdf")["media_type"], "application/pdf");
    assert_eq!(show("plain.txt")["kind"], "other");

    // Extracted text keeps the body and drops scripts and styles.
    let text: String = db(&env)
        .query_row(
            "SELECT text FROM item_text WHERE item_id = ?1",
            [files["page.html"]["id"].as_i64().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(text.contains("lanternlight"), "{text}");
    assert!(!text.contains("secretScriptCanary"), "{text}");
    assert!(!text.contains("color:red"), "{text}");
}

#[test]
fn the_same_import_twice_adds_only_provenance() {
    let env = Env::with_archive();
    let docs = fixtures().join("docs");
    env.import(&[&docs], &["--origin", "First visit"]);
    let objects_before = Env::snapshot(&env.archive().join("objects"));
    let list_before = env.json(&["list", "--format", "json"]);
    env.cmd()
        .arg("import")
        .arg(&docs)
        .args(["--origin", "Second visit", "--agent", "archivist-b"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "imported 0, duplicates 7, skipped 0, failed 0",
        ));
    assert_eq!(
        Env::snapshot(&env.archive().join("objects")),
        objects_before
    );
    assert_eq!(
        env.json(&["list", "--format", "json"]),
        list_before,
        "no new items"
    );
    let id = list_before[0]["id"].to_string();
    let shown = env.json(&["show", &id, "--format", "json"]);
    let prov = shown["provenance"].as_array().unwrap();
    let origins: Vec<&str> = prov.iter().map(|p| p["origin"].as_str().unwrap()).collect();
    assert!(
        origins.contains(&"First visit") && origins.contains(&"Second visit"),
        "{origins:?}"
    );
    assert!(prov.iter().any(|p| p["ingested_by"] == "archivist-b"));
}

#[test]
fn default_origin_is_a_file_uri_and_events_are_recorded() {
    let env = Env::with_archive();
    let f = env.write("intake/letter.txt", "A fictional letter from Velmora.");
    let out = env.import(&[&f], &[]);
    let shown = env.json(&[
        "show",
        &out[0]["id"].to_string(),
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    let abs = std::fs::canonicalize(&f).unwrap();
    assert_eq!(shown["origin"], format!("file://{}", abs.display()));
    let types: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["ingestion", "message_digest_calculation"]);
    let digest = &shown["events"][1]["detail"]["digest"];
    assert_eq!(digest, &out[0]["sha256"]);
    let at = shown["ingested_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(at).is_ok() && at.ends_with('Z'),
        "{at}"
    );
}

#[test]
fn links_and_special_files_are_skipped_with_reasons() {
    let env = Env::with_archive();
    let real = env.write("intake/real.txt", "real");
    std::os::unix::fs::symlink(&real, env.path().join("intake/link.txt")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", env.path().join("intake/outside")).unwrap();
    let fifo = std::ffi::CString::new(env.path().join("intake/pipe").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let out = env.import(&[&env.path().join("intake")], &[]);
    let files = by_name(&out);
    assert_eq!(files["real.txt"]["status"], "imported");
    for (name, why) in [
        ("link.txt", "symbolic link"),
        ("outside", "symbolic link"),
        ("pipe", "special file"),
    ] {
        assert_eq!(files[name]["status"], "skipped", "{name}");
        assert!(
            files[name]["reason"].as_str().unwrap().contains(why),
            "{name}"
        );
    }
}

#[test]
fn non_utf8_names_are_stored_byte_exact_and_shown_escaped() {
    let env = Env::with_archive();
    let dir = env.path().join("intake");
    std::fs::create_dir_all(&dir).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"lett\xe9r-1991.txt");
    std::fs::write(dir.join(name), "bytes").unwrap();
    let out = env.import(&[&dir], &[]);
    assert_eq!(out[0]["status"], "imported");
    assert!(out[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("lett\\xE9r-1991.txt"));
    let shown = env.json(&["show", &out[0]["id"].to_string(), "--format", "json"]);
    assert_eq!(shown["original_name"], "lett\\xE9r-1991.txt");
    let raw: Vec<u8> = db(&env)
        .query_row("SELECT original_name FROM provenance", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, b"lett\xe9r-1991.txt");
}

#[test]
fn a_missing_input_fails_alone_and_exits_1() {
    let env = Env::with_archive();
    let good = env.write("intake/good.txt", "good");
    let mut c = env.cmd();
    c.arg("import")
        .arg(&good)
        .arg(env.path().join("nowhere.txt"))
        .args(["--format", "json"]);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let files = by_name(&rows);
    assert_eq!(files["good.txt"]["status"], "imported");
    assert_eq!(files["nowhere.txt"]["status"], "failed");
    assert!(files["nowhere.txt"]["reason"]
        .as_str()
        .unwrap()
        .contains("no such file"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("imported 1, duplicates 0, skipped 0, failed 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 file(s) failed; the 1 file(s) counted as imported are in the archive"),
        "{stderr}"
    );
    assert_eq!(
        env.json(&["list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Nothing else to import: the summary must not claim that others were.
    let nowhere = env.path().join("nowhere.txt");
    let mut c = env.cmd();
    c.arg("import").arg(&nowhere);
    let (code, _, stderr) = run(c);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("1 file(s) failed; nothing was imported"),
        "{stderr}"
    );
    assert!(!stderr.contains("others"), "{stderr}");
    let mut c = env.cmd();
    c.arg("import").arg(&good).arg(&nowhere);
    let (code, _, stderr) = run(c);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("nothing new was imported (1 already in the archive)"),
        "{stderr}"
    );
}

#[test]
fn json_outcomes_have_the_documented_keys() {
    let env = Env::with_archive();
    let out = env.import(&[&fixtures().join("docs/plain.txt")], &[]);
    let keys: Vec<&str> = out[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["path", "status", "id", "sha256", "reason"]);
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let env = Env::with_archive();
    env.import(&[&fixtures().join("docs/plain.txt")], &[]);
    let before = Env::snapshot(&env.archive());
    let out = env.import(&[&fixtures().join("docs")], &["--dry-run"]);
    let files = by_name(&out);
    assert_eq!(files["plain.txt"]["status"], "duplicate");
    assert_eq!(files["page.html"]["status"], "imported");
    assert_eq!(files["duplicate-of-plain.txt"]["status"], "duplicate");
    assert_eq!(
        Env::snapshot(&env.archive()),
        before,
        "dry run changed the archive"
    );
}

#[test]
fn bad_metadata_is_rejected_before_anything_is_written() {
    let env = Env::with_archive();
    let before = Env::snapshot(&env.archive());
    let docs = fixtures().join("docs");
    env.cmd()
        .arg("import")
        .arg(&docs)
        .args(["--date", "1991-02-30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--date").and(predicate::str::contains("1991-02-30")));
    env.cmd()
        .arg("import")
        .arg(&docs)
        .args(["--title", "One title"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--title names one item"));
    env.cmd()
        .arg("import")
        .arg(&docs)
        .args(["--kind", "poem"])
        .assert()
        .code(2);
    assert_eq!(Env::snapshot(&env.archive()), before);
}

#[test]
fn a_single_file_takes_the_given_metadata() {
    let env = Env::with_archive();
    let out = env.import(
        &[&fixtures().join("docs/doc.pdf")],
        &[
            "--title",
            "Ferry timetable",
            "--kind",
            "report",
            "--date",
            "1990-01/1990-02",
            "--language",
            "en",
            "--creator",
            "Velmora Ferry Co.",
        ],
    );
    let shown = env.json(&["show", &out[0]["id"].to_string(), "--format", "json"]);
    assert_eq!(shown["title"], "Ferry timetable");
    assert_eq!(shown["kind"], "report");
    assert_eq!(shown["date"], "1990-01/1990-02");
    assert_eq!(shown["creator"], "Velmora Ferry Co.");
}

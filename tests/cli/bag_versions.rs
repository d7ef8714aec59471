//! Bags of every BagIt version at the command line: the three verdicts of
//! `bag validate` (valid, complete but invalid, incomplete), `import --bag`
//! refusing an incomplete bag with how to complete it, bags in older
//! versions and encodings imported with their metadata, and bags written by
//! the reference implementation (Python's `bagit`, which writes 0.97) where
//! it is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use custos::bagit::BagWriter;
use serde_json::Value;

use crate::bag::python_bagit;
use crate::harness::{run, sha256_hex, Env};

/// A 1.0 bag of two files by custos's writer, then `data/2.txt` moved out
/// and listed in `fetch.txt` instead: a holey bag.
fn holey_bag(env: &Env) -> PathBuf {
    let bag = env.path().join("holey");
    let mut w = BagWriter::create(&bag).expect("create");
    w.add_payload("1.txt", &b"First testimony transcript (fictional)."[..])
        .expect("payload");
    w.add_payload("2.txt", &b"Second, still at the partner archive."[..])
        .expect("payload");
    w.finish(&[]).expect("finish");
    std::fs::remove_file(bag.join("data/2.txt")).unwrap();
    std::fs::write(
        bag.join("fetch.txt"),
        "https://partner.example.org/bags/7/data/2.txt 37 data/2.txt\n",
    )
    .unwrap();
    bag
}

fn validate(env: &Env, bag: &Path) -> (i32, Vec<Value>, String) {
    let mut c = env.cmd();
    c.args(["bag", "validate", "--format", "json"]).arg(bag);
    let (code, out, err) = run(c);
    let rows = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} / {err}"));
    (code, rows, err)
}

fn listed(env: &Env) -> usize {
    env.json(&["list", "--format", "json"])
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn an_incomplete_bag_is_told_apart_from_an_invalid_one() {
    let env = Env::new();
    let bag = holey_bag(&env);
    let (code, rows, err) = validate(&env, &bag);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["problem"], "not_fetched");
    assert_eq!(rows[0]["path"], "data/2.txt");
    let detail = rows[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("https://partner.example.org/bags/7/data/2.txt")
            && detail.contains("37 bytes"),
        "{detail}"
    );
    assert!(
        err.contains("incomplete bag (BagIt 1.0)") && err.contains("1 file(s) listed in fetch.txt"),
        "{err}"
    );
    assert!(!err.contains("not a valid bag"), "{err}");

    // Damage to what is there makes it invalid, and still says what is missing.
    std::fs::write(
        bag.join("data/1.txt"),
        "First testimony transcript (FICTIONAL).",
    )
    .unwrap();
    let (code, rows, err) = validate(&env, &bag);
    assert_eq!(code, 1);
    let kinds: Vec<&str> = rows.iter().filter_map(|r| r["problem"].as_str()).collect();
    assert!(
        kinds.contains(&"checksum_mismatch") && kinds.contains(&"not_fetched"),
        "{kinds:?}"
    );
    assert!(
        err.contains("not a valid bag (BagIt 1.0): 1 problem(s)")
            && err.contains("also incomplete"),
        "{err}"
    );
}

#[test]
fn import_refuses_an_incomplete_bag_and_says_how_to_complete_it() {
    let env = Env::with_archive();
    let bag = holey_bag(&env);
    let mut c = env.cmd();
    c.args(["import", "--bag"]).arg(&bag);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    for want in [
        "not_fetched: data/2.txt",
        "is an incomplete bag",
        "custos fetches nothing from the network",
        "download each URL in fetch.txt",
        "custos bag validate",
        "nothing was imported",
    ] {
        assert!(err.contains(want), "{want:?} not in {err}");
    }
    assert_eq!(listed(&env), 0);

    // Completed by hand, the same bag validates and imports.
    std::fs::write(
        bag.join("data/2.txt"),
        "Second, still at the partner archive.",
    )
    .unwrap();
    let (code, rows, err) = validate(&env, &bag);
    assert_eq!((code, rows.len()), (0, 0), "{rows:#?} {err}");
    assert!(
        err.contains("valid bag (BagIt 1.0): 2 payload files"),
        "{err}"
    );
    let imported = env.import(&[], &["--bag", bag.to_str().unwrap()]);
    assert_eq!(imported.len(), 2, "{imported:?}");
    assert!(
        imported.iter().all(|r| r["status"] == "imported"),
        "{imported:?}"
    );
}

fn utf16(s: &str) -> Vec<u8> {
    let mut b = vec![0xFE, 0xFF];
    b.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    b
}

/// A 0.97 bag with UTF-16 tag files (as `bagit.txt` declares) and a 0.95
/// bag with `package-info.txt` and a folder literally named `%7Edir`, as
/// older writers left them: both valid, both import, metadata decoded.
#[test]
fn older_bags_in_other_encodings_import_with_their_metadata() {
    let env = Env::with_archive();
    let body = b"Letter from the parish, 1905 (fictional).";
    let a = env.path().join("utf16");
    env.write(
        "utf16/bagit.txt",
        "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-16\n",
    );
    env.write("utf16/data/letter.txt", body);
    env.write(
        "utf16/bag-info.txt",
        utf16(&format!(
            "Source-Organization: Biblioth\u{e8}que de Velmora (fictional)\nPayload-Oxum: {}.1\n",
            body.len()
        )),
    );
    env.write(
        "utf16/manifest-sha256.txt",
        utf16(&format!("{}  data/letter.txt\n", sha256_hex(body))),
    );

    let b = env.path().join("old");
    env.write(
        "old/bagit.txt",
        "BagIt-Version: 0.95\r\nTag-File-Character-Encoding: UTF-8\r\n",
    );
    env.write("old/data/%7Edir/note.txt", "x");
    env.write(
        "old/package-info.txt",
        "Source-Organization: Old Writer\r\nPayload-Oxum: 1.1\r\n",
    );
    env.write(
        "old/manifest-sha256.txt",
        format!("{}  ./data/%7Edir/note.txt\r\n", sha256_hex(b"x")),
    );

    for (bag, version) in [(&a, "0.97"), (&b, "0.95")] {
        let (code, rows, err) = validate(&env, bag);
        assert_eq!((code, rows.len()), (0, 0), "{version}: {rows:#?} {err}");
        assert!(
            err.contains(&format!("valid bag (BagIt {version})")),
            "{err}"
        );
    }
    let imported = env.import(&[], &["--bag", a.to_str().unwrap()]);
    assert_eq!(imported.len(), 1, "{imported:?}");
    let id = imported[0]["id"].to_string();
    let shown = env.json(&["show", &id, "--access", "custodian", "--format", "json"]);
    assert_eq!(
        shown["origin"], "BagIt bag from Biblioth\u{e8}que de Velmora (fictional)",
        "{shown:#}"
    );
    let imported = env.import(&[], &["--bag", b.to_str().unwrap()]);
    assert_eq!(imported.len(), 1, "{imported:?}");
    assert_eq!(imported[0]["status"], "imported", "{imported:?}");
}

/// Bags written by bagit-python (0.97 by default): names with spaces,
/// non-ASCII letters, a literal `%` and a line break (which it writes as
/// `%0A`), two manifests. custos and the reference agree: valid, and
/// invalid once a file changes.
#[test]
fn bags_written_by_bagit_python_validate_and_import() {
    if !python_bagit() {
        eprintln!("note: python3 `bagit` not importable; skipping (pip install bagit)");
        return;
    }
    let env = Env::with_archive();
    let dir = env.path().join("pybag");
    for (name, body) in [
        ("1.txt", "The baker's cellar (fictional)."),
        ("sub folder/2.md", "# Second\n"),
        ("\u{15e}u\u{15f}a.txt", "Notes from a fictional town."),
        ("50% done.txt", "half"),
        ("two\nlines.txt", "a name with a line break"),
    ] {
        env.write(&format!("pybag/{name}"), body);
    }
    let out = Command::new("python3")
        .args([
            "-m",
            "bagit",
            "--md5",
            "--sha256",
            "--source-organization",
            "Harrow Valley (fictional)",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let declared = std::fs::read_to_string(dir.join("bagit.txt")).unwrap();
    assert!(declared.contains("BagIt-Version: 0.97"), "{declared}");
    let manifest = std::fs::read_to_string(dir.join("manifest-sha256.txt")).unwrap();
    assert!(manifest.contains("data/two%0Alines.txt"), "{manifest}");

    let (code, rows, err) = validate(&env, &dir);
    assert_eq!((code, rows.len()), (0, 0), "{rows:#?} {err}");
    assert!(
        err.contains("valid bag (BagIt 0.97): 5 payload files"),
        "{err}"
    );
    let imported = env.import(&[], &["--bag", dir.to_str().unwrap()]);
    assert_eq!(imported.len(), 5, "{imported:?}");
    assert!(
        imported.iter().all(|r| r["status"] == "imported"),
        "{imported:?}"
    );

    std::fs::write(dir.join("data/50% done.txt"), "HALF").unwrap();
    let (code, rows, _) = validate(&env, &dir);
    assert_eq!(code, 1);
    assert!(
        rows.iter()
            .any(|r| r["problem"] == "checksum_mismatch" && r["path"] == "data/50% done.txt"),
        "{rows:#?}"
    );
    let reference = Command::new("python3")
        .args(["-m", "bagit", "--validate"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        !reference.status.success(),
        "the reference accepted a changed file"
    );
}

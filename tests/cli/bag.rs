//! `custos bag validate`, and bags from custos's writer checked by the
//! reference implementation (Python's `bagit`) where it is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use custos::bagit::BagWriter;
use serde_json::Value;

use crate::harness::Env;

/// A small valid bag with an awkward (but RFC-legal) name and a tag file.
fn make_bag(env: &Env) -> PathBuf {
    let bag = env.path().join("bag");
    let mut w = BagWriter::create(&bag).expect("create");
    w.add_payload("1.txt", &b"The baker's cellar, three nights."[..])
        .expect("payload");
    w.add_payload("sub folder/2.md", &b"# Second\n"[..])
        .expect("payload");
    w.add_tag_file("metadata/items.json", b"[]").expect("tag");
    w.finish(&[
        (
            "Source-Organization".into(),
            "Harrow Valley Memory Project (fictional)".into(),
        ),
        (
            "External-Description".into(),
            "Test bag\nwith two lines".into(),
        ),
    ])
    .expect("finish");
    bag
}

#[test]
fn valid_bag_exits_0_without_an_archive() {
    let env = Env::new();
    let bag = make_bag(&env);
    let out = env
        .cmd()
        .args(["bag", "validate"])
        .arg(&bag)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty(), "table of no problems prints nothing");
    assert!(
        stderr.contains("valid bag") && stderr.contains("2 payload files"),
        "{stderr}"
    );
    let json = env.json(&["bag", "validate", bag.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json, Value::Array(vec![]));
}

#[test]
fn invalid_bag_exits_1_and_lists_every_reason() {
    let env = Env::new();
    let bag = make_bag(&env);
    std::fs::remove_file(bag.join("data/1.txt")).unwrap();
    std::fs::write(bag.join("data/sub folder/2.md"), "# Changed\n").unwrap();
    let out = env
        .cmd()
        .args(["bag", "validate", "--format", "json"])
        .arg(&bag)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let has = |problem: &str, path: &str| {
        rows.iter()
            .any(|r| r["problem"] == problem && r["path"] == path && r["detail"].is_string())
    };
    assert!(has("missing_file", "data/1.txt"), "{rows:#?}");
    assert!(
        has("checksum_mismatch", "data/sub folder/2.md"),
        "{rows:#?}"
    );
    assert!(has("oxum_mismatch", "bag-info.txt"), "{rows:#?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a valid bag"), "{stderr}");

    // The table names the same files.
    let out = env
        .cmd()
        .args(["bag", "validate"])
        .arg(&bag)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("missing_file") && table.contains("data/1.txt"),
        "{table}"
    );
}

#[test]
fn a_plain_folder_is_invalid_and_a_missing_one_is_bad_input() {
    let env = Env::new();
    env.write("notabag/readme.txt", "hello");
    let out = env
        .cmd()
        .args(["bag", "validate", "notabag", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("problem,path,detail\n"), "{csv}");
    assert!(csv.contains("not_a_bag,bagit.txt"), "{csv}");

    env.write("file.txt", "x");
    let out = env
        .cmd()
        .args(["bag", "validate", "file.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

pub(crate) fn python_bagit() -> bool {
    Command::new("python3")
        .args(["-c", "import bagit"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The reference implementation must accept what our writer makes. CI
/// installs it with `pip install bagit`; elsewhere this test says so and
/// passes.
#[test]
fn reference_validator_accepts_our_bags() {
    if !python_bagit() {
        eprintln!("note: python3 `bagit` not importable; skipping the reference check (pip install bagit)");
        return;
    }
    let env = Env::new();
    let bag = make_bag(&env);
    assert_reference_valid(&bag);
    // And rejects one we have broken, so the check is not vacuous.
    std::fs::write(bag.join("data/1.txt"), "changed").unwrap();
    let out = Command::new("python3")
        .args(["-m", "bagit", "--validate"])
        .arg(&bag)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

fn assert_reference_valid(bag: &Path) {
    let out = Command::new("python3")
        .args(["-m", "bagit", "--validate"])
        .arg(bag)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bagit.py rejected {}: {}",
        bag.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A bag whose manifest lists "Şuşa" precomposed (NFC), copied through a
/// file system that stored the name decomposed (NFD): valid, with a
/// warning naming both forms, and importable.
#[test]
fn a_bag_copied_with_decomposed_names_validates_and_imports() {
    let env = Env::with_archive();
    let bag = env.path().join("bag");
    let mut w = BagWriter::create(&bag).expect("create");
    w.add_payload(
        "\u{15e}u\u{15f}a-notes.txt",
        &b"Fictional notes from a fictional town."[..],
    )
    .expect("payload");
    w.finish(&[]).expect("finish");
    let nfd = "S\u{327}us\u{327}a-notes.txt";
    std::fs::rename(
        bag.join("data/\u{15e}u\u{15f}a-notes.txt"),
        bag.join("data").join(nfd),
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["bag", "validate"])
        .arg(&bag)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("warning: data/{nfd}"))
            && stderr.contains("listed as data/\u{15e}u\u{15f}a-notes.txt")
            && stderr.contains("normalisation"),
        "{stderr}"
    );
    let imported = env.import(&[], &["--bag", bag.to_str().unwrap()]);
    assert_eq!(imported.len(), 1, "{imported:?}");
    assert_eq!(imported[0]["status"], "imported", "{imported:?}");
}

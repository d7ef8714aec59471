//! `custos init` and finding the archive.

use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use crate::harness::Env;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_the_layout_private_to_the_owner() {
    let env = Env::with_archive();
    let a = env.archive();
    assert_eq!(mode(&a), 0o700);
    assert_eq!(mode(&a.join("objects")), 0o700);
    assert_eq!(mode(&a.join("staging")), 0o700);
    assert_eq!(mode(&a.join("custos.db")), 0o600);
    for side in ["custos.db-wal", "custos.db-shm"] {
        if a.join(side).exists() {
            assert_eq!(mode(&a.join(side)), 0o600, "{side}");
        }
    }
}

#[test]
fn init_refuses_an_existing_archive_and_changes_nothing() {
    let env = Env::with_archive();
    let before = Env::snapshot(&env.archive());
    env.cmd()
        .arg("init")
        .arg(env.archive())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already a custos archive"));
    assert_eq!(Env::snapshot(&env.archive()), before);
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let env = Env::new();
    env.write("papers/letter.txt", "keep me");
    env.cmd()
        .arg("init")
        .arg(env.path().join("papers"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty"));
    assert!(!env.path().join("papers/custos.db").exists());
    assert_eq!(
        std::fs::read(env.path().join("papers/letter.txt")).unwrap(),
        b"keep me"
    );
}

#[test]
fn no_archive_anywhere_is_exit_3_with_a_hint() {
    let env = Env::new();
    env.cmd()
        .env_remove("CUSTOS_ARCHIVE")
        .arg("list")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "no archive here; create one with `custos init`",
        ));
    env.cmd()
        .arg("list")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no archive at"));
}

#[test]
fn the_nearest_enclosing_archive_is_found_from_a_subfolder() {
    let env = Env::with_archive();
    let sub = env.archive().join("objects");
    env.cmd()
        .env_remove("CUSTOS_ARCHIVE")
        .current_dir(&sub)
        .args(["list", "--format", "json"])
        .assert()
        .success()
        .stdout("[]\n");
}

#[test]
fn archive_flag_beats_the_environment() {
    let env = Env::with_archive();
    let other = env.path().join("other");
    env.cmd().arg("init").arg(&other).assert().success();
    env.write("in/a.txt", "only in other");
    env.cmd()
        .args(["--archive"])
        .arg(&other)
        .arg("import")
        .arg(env.path().join("in"))
        .assert()
        .success();
    assert_eq!(
        env.json(&["list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let listed = env.json(&[
        "--archive",
        other.to_str().unwrap(),
        "list",
        "--format",
        "json",
    ]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[test]
fn a_file_that_is_not_a_catalogue_is_exit_3_and_untouched() {
    for (name, bytes) in [
        ("empty", Vec::new()),
        (
            "text",
            b"these are minutes of a meeting, not a database".to_vec(),
        ),
    ] {
        let env = Env::new();
        env.write("archive/custos.db", &bytes);
        env.cmd()
            .args(["list"])
            .assert()
            .code(3)
            .stderr(predicate::str::contains("nothing was changed"));
        assert_eq!(
            std::fs::read(env.archive().join("custos.db")).unwrap(),
            bytes,
            "{name}"
        );
        assert!(!env.archive().join("custos.db-wal").exists(), "{name}");
        assert!(!env.archive().join("objects").exists(), "{name}");
    }
}

/// Another program's SQLite database (its header names no application, or
/// another) is refused before anything writes to it, at every command
/// mode; and a catalogue whose header lost custos's id is refused as well:
/// the id in the header is what lets a command skip the probe.
#[test]
fn another_programs_sqlite_database_is_refused_and_untouched() {
    for app_id in [0, 0x4750_4B47] {
        let env = Env::new();
        let db = env.archive().join("custos.db");
        std::fs::create_dir_all(env.archive()).unwrap();
        {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.execute_batch(&format!(
                "PRAGMA application_id = {app_id};
                 CREATE TABLE minutes (id INTEGER PRIMARY KEY, said TEXT);
                 INSERT INTO minutes (said) VALUES ('the meeting opened at nine');"
            ))
            .unwrap();
        }
        let before = std::fs::read(&db).unwrap();
        for args in [&["list"][..], &["settings", "intake", "open"][..]] {
            env.cmd()
                .args(args)
                .assert()
                .code(3)
                .stderr(predicate::str::contains(
                    "an SQLite database, but not a custos catalogue",
                ));
        }
        assert_eq!(std::fs::read(&db).unwrap(), before, "{app_id}");
        assert!(!env.archive().join("custos.db-wal").exists());
        assert!(!env.archive().join("objects").exists());
    }
    // custos's own catalogue with the id taken out of its header.
    let env = Env::new();
    env.cmd().arg("init").arg(env.archive()).assert().success();
    let db = env.archive().join("custos.db");
    let mut bytes = std::fs::read(&db).unwrap();
    assert_eq!(
        &bytes[68..72],
        &0x4353_5453_i32.to_be_bytes(),
        "the id is in the header after init"
    );
    let marked = bytes.clone();
    bytes[68..72].copy_from_slice(&[0; 4]);
    std::fs::write(&db, &bytes).unwrap();
    env.cmd()
        .args(["list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not a custos catalogue"));
    // With the id but its schema page damaged: named as the probe names it.
    let mut bytes = marked;
    bytes[100..4096].fill(0x5a);
    std::fs::write(&db, &bytes).unwrap();
    env.cmd()
        .args(["list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "custos.db: cannot be opened as a catalogue: database disk image is malformed",
        ));
}

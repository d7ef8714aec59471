//! `custos key init`: the secret key outside the archive, 0600, never
//! overwritten; only the public recipient inside.

use std::os::unix::fs::PermissionsExt;

use crate::harness::Env;
use crate::seed::{self, contains};

#[test]
fn key_init_writes_a_private_key_outside_and_stores_only_the_recipient() {
    let env = Env::with_archive();
    let out = env.cmd().args(["key", "init"]).output().unwrap();
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap();
    assert!(recipient.starts_with("age1"), "{recipient}");
    let key = std::fs::read_dir(env.path().join(".config/custos"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.contains("AGE-SECRET-KEY-1"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("AGE-SECRET-KEY"));
    let found = seed::files_containing(&env.archive(), "AGE-SECRET-KEY");
    assert!(found.is_empty(), "secret key found in {found:?}");
    let db = std::fs::read(seed::db(&env)).unwrap();
    assert!(contains(&db, recipient.trim().as_bytes()));
}

#[test]
fn a_second_key_init_is_refused_and_says_where_the_key_is() {
    let env = Env::with_archive();
    let key = seed::key_init(&env);
    let before = std::fs::read(&key).unwrap();
    let (code, stdout, stderr) = seed::run(&env, &["key", "init"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains(key.to_str().unwrap()), "{stderr}");
    assert_eq!(std::fs::read(&key).unwrap(), before);
}

#[test]
fn a_key_inside_the_archive_or_over_a_file_is_refused() {
    let env = Env::with_archive();
    let inside = env.archive().join("objects/k.key");
    let (code, _, stderr) = seed::run(&env, &["key", "init", "--out", inside.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("inside the archive"), "{stderr}");
    assert!(!inside.exists());
    let existing = env.write("keys/existing.key", "precious");
    let (code, _, stderr) = seed::run(&env, &["key", "init", "--out", existing.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious");
    // Neither attempt left a recipient behind: a proper init still works.
    let out = env.path().join("keys/new.key");
    env.cmd()
        .args(["key", "init", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    assert!(out.exists());
}

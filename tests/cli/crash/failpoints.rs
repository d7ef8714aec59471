//! Fail points in the write protocol (feature `failpoints`): a crash at
//! each step leaves the catalogue consistent and the import can be run again.

use super::*;

fn crash_at(point: &str, action: &str) -> (Env, PathBuf, HashSet<String>) {
    let env = Env::with_archive();
    let data_dir = make_data(&env, "data", 40, 1);
    let data = shas_of(&data_dir);
    let out = env
        .cmd()
        .env("FAILPOINTS", format!("{point}={action}"))
        .arg("import")
        .arg(&data_dir)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "{point}: the fail point did not fire"
    );
    (env, data_dir, data)
}

#[test]
fn a_crash_at_each_step_of_the_write_protocol_is_recoverable() {
    for (point, action, committed) in [
        ("store::after_temp_write", "panic", false),
        ("store::after_rename", "panic", false),
        ("store::after_rename", "5*off->panic", false),
        ("store::after_sync", "panic", false),
        ("ingest::before_commit", "panic", false),
        ("ingest::after_commit", "panic", true),
    ] {
        let context = format!("{point}={action}");
        let (env, data_dir, data) = crash_at(point, action);
        let items = count(&env, "SELECT count(*) FROM items") as usize;
        assert_eq!(items, if committed { data.len() } else { 0 }, "{context}");
        assert_consistent_after_interruption(&env, &data, &context);
        assert_finishes(&env, &data_dir, data.len(), &context);
    }
}

#[test]
fn a_write_error_while_storing_leaves_no_object_and_no_row() {
    let env = Env::with_archive();
    let data_dir = make_data(&env, "data", 5, 0);
    let out = env
        .cmd()
        .env("FAILPOINTS", "store::write=return")
        .arg("import")
        .arg(&data_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("note-0000.txt") && err.contains("injected write error"),
        "{err}"
    );
    assert!(Env::snapshot(&env.archive().join("objects")).is_empty());
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 0);
    assert_eq!(count(&env, "SELECT count(*) FROM events"), 0);
    assert_finishes(&env, &data_dir, 5, "after the write error");
}

#[test]
fn a_failed_commit_leaves_the_catalogue_unchanged() {
    let env = Env::with_archive();
    let data_dir = make_data(&env, "data", 5, 0);
    let out = env
        .cmd()
        .env("FAILPOINTS", "ingest::before_commit=return")
        .arg("import")
        .arg(&data_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("injected commit failure"), "{err}");
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 0);
    assert_eq!(count(&env, "SELECT count(*) FROM events"), 0);
    assert_consistent_after_interruption(&env, &shas_of(&data_dir), "failed commit");
    assert_finishes(&env, &data_dir, 5, "after the failed commit");
}

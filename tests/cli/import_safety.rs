//! Imports that must not open what is closed: the archive's own folder as
//! a source, and duplicates arriving with testimony information.

use serde_json::Value;

use crate::harness::{run, Env};

fn count(env: &Env, sql: &str) -> i64 {
    env.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every digest stored in the catalogue.
fn stored_shas(env: &Env) -> Vec<String> {
    let db = env.db();
    let mut stmt = db.prepare("SELECT sha256 FROM objects").unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_source_inside_the_archive_is_refused_and_nothing_is_written() {
    let env = Env::with_archive();
    env.write("doc.txt", "a fictional document");
    env.import(&[&env.path().join("doc.txt")], &[]);
    std::os::unix::fs::symlink(env.archive(), env.path().join("alias")).unwrap();
    let before = Env::snapshot(&env.archive());
    let inside = [
        env.archive(),
        env.archive().join("custos.db"),
        env.archive().join("objects"),
        env.archive().join("staging"),
        env.path().join("alias"),
        env.path().join("alias/custos.db"),
        env.archive().join("objects/../custos.db"),
    ];
    for p in &inside {
        for extra in [&[][..], &["--dry-run"][..]] {
            let mut c = env.cmd();
            c.arg("import").arg(p).args(extra);
            let (code, _, err) = run(c);
            assert_eq!(code, 2, "{}: {err}", p.display());
            assert!(
                err.contains("inside the archive") && err.contains("nothing was imported"),
                "{}: {err}",
                p.display()
            );
        }
        // Also when it is one of several inputs: refused whole.
        let mut c = env.cmd();
        c.arg("import").arg(env.path().join("doc.txt")).arg(p);
        assert_eq!(run(c).0, 2, "{}", p.display());
    }
    assert_eq!(Env::snapshot(&env.archive()), before);
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 1);
}

#[test]
fn a_folder_holding_the_archive_is_imported_without_it() {
    let env = Env::with_archive();
    env.write("letters/one.txt", "a fictional letter");
    env.write("two.txt", "another fictional letter");
    let db_sha = crate::harness::sha256_hex(&std::fs::read(env.archive().join("custos.db")).unwrap());
    let mut c = env.cmd();
    c.args(["import", ".", "--format", "json"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let outcomes: Vec<Value> = serde_json::from_str(&out).unwrap();
    let skipped: Vec<&Value> = outcomes
        .iter()
        .filter(|o| o["status"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{outcomes:#?}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("archive"));
    assert!(skipped[0]["reason"]
        .as_str()
        .unwrap()
        .contains("archive's own folder"));
    let imported: Vec<&str> = outcomes
        .iter()
        .filter(|o| o["status"] == "imported")
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert_eq!(imported.len(), 2, "{imported:?}");
    assert!(imported.iter().all(|p| !p.contains("archive/")));
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 2);
    assert!(!stored_shas(&env).contains(&db_sha));
    // The table output names it as skipped on stderr.
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["import", "."]);
        c
    });
    assert_eq!(code, 0);
    assert!(err.contains("skipped: ./archive"), "{err}");
}

#[test]
fn a_manifest_row_naming_a_file_inside_the_archive_is_refused() {
    let env = Env::with_archive();
    env.write("ok.txt", "a fictional document");
    let m = env.write(
        "manifest.csv",
        "path,title,kind,date\n\
         ok.txt,Fine,article,1991\n\
         archive/custos.db,The catalogue,article,1991\n",
    );
    let before = Env::snapshot(&env.archive());
    let mut c = env.cmd();
    c.arg("import").arg("--manifest").arg(&m);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("row 3") && err.contains("inside the archive"),
        "{err}"
    );
    assert_eq!(Env::snapshot(&env.archive()), before);
}

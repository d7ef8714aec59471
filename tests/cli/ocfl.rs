//! OCFL storage roots out and in: a custodian round trip that the
//! independent validator (ocfl-py's `ocfl-validate.py`, on the root and on
//! every object) accepts and that reads the same at every level after
//! import; a public root that holds nothing closed at public, also after
//! the items narrow; a re-export that adds v2 and leaves v1 as it was; and
//! tampered roots refused whole, naming the file, with nothing imported.
//! All people, places and texts are fictional (see `bag_roundtrip::source`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::bag_roundtrip::{matrix, source};
use crate::harness::{run, Env};

/// `ocfl-validate.py` on the root and on each object: Ok(number of
/// objects checked) when it reports no error, Err(its report) otherwise,
/// None when the validator is not installed.
fn ocfl_validate(root: &Path) -> Option<Result<usize, String>> {
    let probe = std::process::Command::new("ocfl-validate.py")
        .arg("--version")
        .output();
    if probe.is_err() {
        eprintln!("ocfl-validate.py not found (python3 -m pip install ocfl-py): independent OCFL validation skipped");
        return None;
    }
    let mut targets = vec![root.to_path_buf()];
    targets.extend(objects(root).into_values());
    for t in &targets {
        let out = std::process::Command::new("ocfl-validate.py")
            .arg(t)
            .output()
            .expect("ocfl-validate.py");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // Warnings are [Wnnn], errors [Ennn]; custos writes neither.
        if !out.status.success() || report.contains("[E") || report.contains("[W") {
            return Some(Err(format!("{}: {report}", t.display())));
        }
    }
    Some(Ok(targets.len() - 1))
}

/// Object folders under a root, by the id their inventory names.
fn objects(root: &Path) -> BTreeMap<String, PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "0=ocfl_object_1.1")
        .map(|e| {
            let dir = e.path().parent().unwrap().to_path_buf();
            let inv = inventory(&dir);
            (inv["id"].as_str().unwrap().to_string(), dir)
        })
        .collect()
}

fn inventory(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("inventory.json")).unwrap()).unwrap()
}

/// Every file under `dir`: relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn holds(dir: &Path, word: &str) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .filter(|(name, bytes)| {
            name.contains(word) || bytes.windows(word.len()).any(|w| w == word.as_bytes())
        })
        .map(|(name, _)| name)
        .collect()
}

fn export(env: &Env, level: &str, root: &Path) -> String {
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["export", "--access", level, "--ocfl"]).arg(root);
        c
    });
    assert_eq!(code, 0, "export --ocfl {level}: {err}");
    err
}

fn import(env: &Env, root: &Path) -> (i32, String) {
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.arg("import").arg("--ocfl").arg(root);
        c
    });
    (code, err)
}

#[test]
fn a_custodian_root_validates_and_reads_the_same_at_every_level_after_import() {
    let src = source();
    let root = src.path().join("ocfl-custodian");
    export(&src, "custodian", &root);
    if let Some(v) = ocfl_validate(&root) {
        assert_eq!(v, Ok(9), "every item is an object, and each is valid");
    }
    let inv = inventory(&objects(&root).into_values().next().unwrap());
    assert_eq!(inv["digestAlgorithm"], "sha512");
    assert!(
        inv["fixity"]["sha256"]
            .as_object()
            .is_some_and(|m| !m.is_empty()),
        "{inv}"
    );
    let dst = Env::with_archive();
    dst.cmd().args(["key", "init"]).assert().success();
    let (code, err) = import(&dst, &root);
    assert_eq!(code, 0, "{err}");
    dst.cmd().arg("verify").assert().success();
    let want = matrix(&src);
    let got = matrix(&dst);
    assert_eq!(want.len(), got.len());
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w, g, "custos {} differs after the OCFL round trip", w.0);
    }
    // Not vacuous: the redacted name is closed at public and found by the
    // custodian; the release stays hidden; consent histories came along.
    let find = |cmd: &str| want.iter().find(|r| r.0 == cmd).unwrap().clone();
    assert_eq!(
        find("query Petrosyan --access public --format json").2,
        Value::Array(vec![])
    );
    assert_eq!(
        find("query Petrosyan --access custodian --format json").2[0]["id"],
        9
    );
    assert_ne!(find("show 3 --access public --format json").1, 0);
    assert_eq!(
        find("consent 8 history --access custodian --format json")
            .2
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert!(
        holds(&root, "LEGALWORD").is_empty(),
        "sealed identities stay sealed"
    );
    // Testimony 4 is withdrawn: its object goes, and so does its release
    // (item 3), which no testimony in the root cites any more and which
    // would otherwise arrive open; the root still imports.
    src.cmd()
        .args(["consent", "4", "withdraw", "--date", "2024-01-01"])
        .args(["--reason", "asked"])
        .assert()
        .success();
    let err = export(&src, "custodian", &root);
    assert!(err.contains("2 object(s) removed"), "{err}");
    let ids: Vec<String> = objects(&root).into_keys().collect();
    assert_eq!(ids.len(), 7, "{ids:?}");
    assert!(!ids
        .iter()
        .any(|i| i.ends_with(":item:3") || i.ends_with(":item:4")));
    assert!(holds(&root, "RELEASEWORD").is_empty() && holds(&root, "PUBWORD").is_empty());
    let again = Env::with_archive();
    again.cmd().args(["key", "init"]).assert().success();
    let (code, err) = import(&again, &root);
    assert_eq!(code, 0, "{err}");
    if let Some(v) = ocfl_validate(&root) {
        assert_eq!(v, Ok(7));
    }
}

#[test]
fn a_public_root_holds_nothing_closed_at_public_even_after_items_narrow() {
    let src = source();
    let root = src.path().join("ocfl-public");
    export(&src, "public", &root);
    if let Some(v) = ocfl_validate(&root) {
        v.unwrap();
    }
    // Closed at public: research-only, embargoed, pending and restricted
    // testimonies, the release (evidence), sealed and redacted names.
    for word in [
        "RESWORD",
        "EMBWORD",
        "PENDWORD",
        "HISTWORD",
        "RELEASEWORD",
        "LEGALWORD",
        "Petrosyan",
    ] {
        assert_eq!(holds(&root, word), Vec::<String>::new(), "{word}");
    }
    assert!(
        !holds(&root, "PUBWORD").is_empty(),
        "the open testimony is there"
    );
    assert!(
        !holds(&root, "harbour").is_empty(),
        "the redacted text is there"
    );
    // Item 4 is redacted after the first export: its v1 held the name, so
    // the object is written anew rather than given a v2.
    src.cmd()
        .args(["redact", "4"])
        .write_stdin("PUBWORD\n")
        .assert()
        .success();
    let err = export(&src, "public", &root);
    assert!(err.contains("1 object(s) removed"), "{err}");
    assert_eq!(holds(&root, "PUBWORD"), Vec::<String>::new());
    let four = objects(&root)
        .into_iter()
        .find(|(id, _)| id.ends_with(":item:4"))
        .expect("item 4 is still open, redacted")
        .1;
    assert_eq!(inventory(&four)["head"], "v1");
    // A further redaction of item 9 (already redacted in v1): its earlier
    // version would keep the newly redacted name, so no v2 either.
    assert!(!holds(&root, "Levon").is_empty(), "v1 of item 9 holds it");
    src.cmd()
        .args(["redact", "9"])
        .write_stdin("Levon\n")
        .assert()
        .success();
    let err = export(&src, "public", &root);
    assert!(err.contains("1 object(s) removed"), "{err}");
    assert_eq!(holds(&root, "Levon"), Vec::<String>::new());
    // Withdrawn: the object goes.
    src.cmd()
        .args(["consent", "4", "withdraw", "--date", "2024-01-01"])
        .args(["--reason", "asked"])
        .assert()
        .success();
    export(&src, "public", &root);
    assert!(!four.exists());
    assert!(!objects(&root).keys().any(|id| id.ends_with(":item:4")));
    if let Some(v) = ocfl_validate(&root) {
        v.unwrap();
    }
}

#[test]
fn a_re_export_after_an_edit_adds_v2_and_leaves_v1_as_it_was() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "A fictional harbour log.");
    let b = env.write("in/b.txt", "A fictional mill ledger.");
    env.import(&[&a, &b], &[]);
    let root = env.path().join("root");
    export(&env, "public", &root);
    let before = snapshot(&root);
    let err = export(&env, "public", &root);
    assert!(err.contains("2 unchanged"), "{err}");
    assert_eq!(snapshot(&root), before, "nothing changed, nothing written");
    env.cmd()
        .args(["edit", "1", "--title", "Harbour log, revised"])
        .assert()
        .success();
    let err = export(&env, "public", &root);
    assert!(err.contains("1 new version(s), 1 unchanged"), "{err}");
    let after = snapshot(&root);
    let objs = objects(&root);
    let one = objs
        .iter()
        .find(|(id, _)| id.ends_with(":item:1"))
        .unwrap()
        .1;
    let one_rel = one.strip_prefix(&root).unwrap().display().to_string();
    for (name, bytes) in &before {
        let replaced = name == &format!("{one_rel}/inventory.json")
            || name == &format!("{one_rel}/inventory.json.sha512");
        if !replaced {
            assert_eq!(after.get(name), Some(bytes), "{name} changed");
        }
    }
    let inv = inventory(one);
    assert_eq!(inv["head"], "v2");
    // The payload and the metadata files (records, Dublin Core, provenance,
    // events, claims).
    assert_eq!(inv["versions"]["v2"]["state"].as_object().unwrap().len(), 6);
    // The payload did not change: v2 stores only the new metadata.
    let v2: Vec<&String> = after
        .keys()
        .filter(|n| n.starts_with(&format!("{one_rel}/v2/content/")))
        .collect();
    assert!(
        !v2.is_empty() && v2.iter().all(|n| n.contains("/metadata/")),
        "{v2:?}"
    );
    assert_eq!(
        std::fs::read(one.join("v2/inventory.json")).unwrap(),
        std::fs::read(one.join("inventory.json")).unwrap()
    );
    if let Some(v) = ocfl_validate(&root) {
        assert_eq!(v, Ok(2));
    }
    // What an export stopped at each step leaves: a partial folder, a
    // version folder the inventory never named, and the object's old
    // sidecar beside its new inventory. The next export finishes or drops
    // each, and changes nothing else.
    std::fs::create_dir_all(one.join(".custos-partial-x/content")).unwrap();
    std::fs::create_dir_all(one.join("v3/content")).unwrap();
    std::fs::copy(
        one.join("v1/inventory.json.sha512"),
        one.join("inventory.json.sha512"),
    )
    .unwrap();
    let err = export(&env, "public", &root);
    assert!(err.contains("2 unchanged"), "{err}");
    assert_eq!(snapshot(&root), after, "back to the state after v2");
    assert!(!one.join("v3").exists() && !one.join(".custos-partial-x").exists());
    // The import takes the latest version.
    let dst = Env::with_archive();
    let (code, err) = import(&dst, &root);
    assert_eq!(code, 0, "{err}");
    let shown = dst.json(&["show", "1", "--format", "json"]);
    assert_eq!(shown["title"], "Harbour log, revised");
    // One root holds one level of one archive, and only an OCFL root.
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["export", "--access", "research", "--ocfl"])
            .arg(&root);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("public level"), "{err}");
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["export", "--ocfl"]).arg(env.path().join("in"));
        c
    });
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["export", "--ocfl", "x", "--bag", "y"]);
        c
    });
    assert_eq!(code, 2, "--ocfl and --bag conflict: {err}");
}

/// A copy of `root` with one change made by `tamper`.
fn tampered(env: &Env, root: &Path, name: &str, tamper: impl Fn(&Path)) -> PathBuf {
    let copy = env.path().join(name);
    for (rel, bytes) in snapshot(root) {
        let p = copy.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    tamper(&objects(&copy).into_values().next().unwrap());
    copy
}

fn sidecars(dir: &Path) {
    use sha2::Digest;
    let bytes = std::fs::read(dir.join("inventory.json")).unwrap();
    let d: String = sha2::Sha512::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for at in [dir.to_path_buf(), dir.join("v1")] {
        std::fs::write(at.join("inventory.json"), &bytes).unwrap();
        std::fs::write(
            at.join("inventory.json.sha512"),
            format!("{d}  inventory.json\n"),
        )
        .unwrap();
    }
}

#[test]
fn a_tampered_root_is_refused_whole_naming_the_file() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "A fictional harbour log.");
    let b = env.write("in/b.txt", "A fictional mill ledger.");
    env.import(&[&a, &b], &[]);
    let root = env.path().join("root");
    export(&env, "public", &root);
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            tampered(&env, &root, "content", |o| {
                let f = walkdir::WalkDir::new(o.join("v1/content/data"))
                    .into_iter()
                    .filter_map(Result::ok)
                    .find(|e| e.file_type().is_file())
                    .unwrap();
                std::fs::write(f.path(), "A forged log.").unwrap();
            }),
            "v1/content/data/",
        ),
        (
            tampered(&env, &root, "inventory", |o| {
                let p = o.join("inventory.json");
                let s = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, s.replace("custos export", "custos exp0rt")).unwrap();
            }),
            "inventory.json",
        ),
        (
            // Sidecars made to match: the fixity block itself is wrong.
            tampered(&env, &root, "fixity", |o| {
                let mut inv = inventory(o);
                let fix = inv["fixity"]["sha256"].as_object_mut().unwrap();
                let (k, v) = fix
                    .iter()
                    .next()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .unwrap();
                fix.remove(&k);
                fix.insert("0".repeat(64), v);
                std::fs::write(
                    o.join("inventory.json"),
                    serde_json::to_vec_pretty(&inv).unwrap(),
                )
                .unwrap();
                sidecars(o);
            }),
            "fixity block",
        ),
        (
            tampered(&env, &root, "sidecar", |o| {
                std::fs::write(o.join("v1/inventory.json.sha512"), "0  inventory.json\n").unwrap();
            }),
            "v1/inventory.json",
        ),
    ];
    for (copy, what) in cases {
        let dst = Env::with_archive();
        let (code, err) = import(&dst, &copy);
        assert_eq!(code, 2, "{}: {err}", copy.display());
        assert!(
            err.contains(what) && err.contains("urn:custos:"),
            "{what}: {err}"
        );
        assert!(err.contains("nothing was imported"), "{err}");
        let listed = dst.json(&["list", "--access", "custodian", "--format", "json"]);
        assert_eq!(listed, Value::Array(vec![]), "{what}: nothing imported");
        if let Some(v) = ocfl_validate(&copy) {
            assert!(v.is_err(), "ocfl-py also finds {what} wrong");
        }
    }
    // The untouched root imports.
    let dst = Env::with_archive();
    assert_eq!(import(&dst, &root).0, 0);
}

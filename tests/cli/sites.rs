//! Sites on a folder (`file://`): replicate, verify --site, repair,
//! --prune, purge reaching the site (and owed while it is away), and what
//! `site list` and `show` tell each level. The S3 cases, against a real
//! SeaweedFS, are in sites_s3.rs.

use std::path::{Path, PathBuf};

use crate::harness::{sha256_hex, Env};
use crate::seed;

/// Runs a prepared command: (exit code, stdout, stderr).
fn run(c: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = c.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An archive with three fictional documents and a folder site `usb`.
fn setup() -> (Env, PathBuf, Vec<String>) {
    let env = Env::with_archive();
    let texts = [
        "Fictional letter from the Vetrana ferry office, 1961.",
        "Fictional ledger of the Oskelin cooperative, 1974.",
        "Fictional note about the Marrow Hill school, 1988.",
    ];
    let mut shas = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let p = env.write(&format!("in/doc{i}.txt"), t);
        let out = env.import(&[&p], &[]);
        assert_eq!(out[0]["status"], "imported", "{out:?}");
        shas.push(sha256_hex(t.as_bytes()));
    }
    let usb = env.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let (code, _, err) =
        run(env
            .cmd()
            .args(["site", "add", "usb", &format!("file://{}", usb.display())]));
    assert_eq!(code, 0, "{err}");
    (env, usb, shas)
}

fn at_site(site: &Path, sha: &str) -> PathBuf {
    site.join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(sha)
}

fn copies_rows(env: &Env) -> i64 {
    env.db()
        .query_row(
            "SELECT COUNT(*) FROM copies WHERE outcome = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn replicate_puts_every_object_at_the_site_under_its_key_and_records_it() {
    let (env, usb, shas) = setup();
    assert_eq!(copies_rows(&env), 0);
    let (code, _, err) = run(env.cmd().args(["replicate", "--copies", "2"]));
    assert_eq!(code, 0, "{err}");
    for sha in &shas {
        let bytes = std::fs::read(at_site(&usb, sha)).expect("copy at the site");
        assert_eq!(&sha256_hex(&bytes), sha);
    }
    assert_eq!(copies_rows(&env), 3);
    // Logged in the chained history, one replication event per item.
    let n: i64 = env
        .db()
        .query_row(
            "SELECT COUNT(*) FROM events WHERE type = 'replication'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 3);
    // Re-running has nothing left to do and copies nothing twice.
    let (code, _, err) = run(env.cmd().args(["replicate"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 copied"), "{err}");
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["name"], "usb");
    assert_eq!(v["sites"][0]["copies"], 3);
    assert_eq!(v["sites"][0]["lacking"], 0);
    assert_eq!(v["under_wanted"], 0);
    assert_eq!(v["wanted_copies"], 2);
    // The chain still verifies with the new events in it.
    let (code, _, err) = run(env.cmd().args(["verify"]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn too_few_sites_for_the_copies_asked_is_rejected() {
    let (env, _, _) = setup();
    let (code, _, err) = run(env.cmd().args(["replicate", "--copies", "3"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2 sites"), "{err}");
    assert_eq!(copies_rows(&env), 0);
}

#[test]
fn sites_and_copies_are_shown_to_the_custodian_only() {
    let (env, usb, _) = setup();
    run(env.cmd().args(["replicate", "--copies", "2"]));
    for level in ["public", "research"] {
        let (code, out, err) = run(env.cmd().args(["site", "list", "--access", level]));
        assert_eq!(code, 13, "{err}");
        assert!(!out.contains("usb") && !err.contains(&usb.display().to_string()));
        let shown = env.json(&["show", "1", "--access", level, "--format", "json"]);
        assert!(shown.get("copies").is_none(), "{shown}");
    }
    let shown = env.json(&["show", "1", "--access", "custodian", "--format", "json"]);
    assert_eq!(shown["copies"][0]["site"], "usb", "{shown}");
    assert_eq!(shown["copies"][0]["outcome"], "ok");
    // `report fixity` gives the copies per site to the custodian only.
    for level in ["public", "research"] {
        let rep = env.json(&["report", "fixity", "--access", level, "--format", "json"]);
        assert!(rep.get("copies_per_site").is_none(), "{level}: {rep}");
        assert!(!rep.to_string().contains("usb"), "{level}: {rep}");
    }
    let rep = env.json(&[
        "report",
        "fixity",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let sites = rep["copies_per_site"].as_array().expect("copies_per_site");
    let usb = sites.iter().find(|s| s["site"] == "usb").expect("usb");
    let items = env.json(&["list", "--access", "custodian", "--format", "json"]);
    assert_eq!(usb["copies"], items.as_array().unwrap().len(), "{rep}");
    assert_eq!(usb["lacking"], 0, "{rep}");
}

#[test]
fn verify_site_finds_changed_missing_and_untracked_and_repair_puts_them_back() {
    let (env, usb, shas) = setup();
    run(env.cmd().args(["replicate", "--copies", "2"]));
    let changed = at_site(&usb, &shas[0]);
    std::fs::set_permissions(
        &changed,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    std::fs::write(&changed, b"bit rot").unwrap();
    std::fs::remove_file(at_site(&usb, &shas[1])).unwrap();
    let stray = sha256_hex(b"a stray object no item names");
    let stray_path = at_site(&usb, &stray);
    std::fs::create_dir_all(stray_path.parent().unwrap()).unwrap();
    std::fs::write(&stray_path, b"a stray object no item names").unwrap();

    let (code, out, err) = run(env
        .cmd()
        .args(["verify", "--site", "usb", "--format", "json"]));
    assert_eq!(code, 1, "{err}");
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<(String, serde_json::Value)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["item_id"].clone(),
            )
        })
        .collect();
    assert!(kinds.contains(&("changed".into(), 1.into())), "{kinds:?}");
    assert!(kinds.contains(&("missing".into(), 2.into())), "{kinds:?}");
    assert!(kinds.iter().any(|(k, _)| k == "untracked"), "{kinds:?}");
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["damaged"], 2);
    assert_eq!(v["under_wanted"], 2);

    // Repair: the two copies come back from the local ones, the stray stays.
    let (code, _, err) = run(env.cmd().args(["repair", "--site", "usb"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 repaired"), "{err}");
    for sha in &shas[..2] {
        assert_eq!(
            &sha256_hex(&std::fs::read(at_site(&usb, sha)).unwrap()),
            sha
        );
    }
    assert!(stray_path.exists(), "nothing is deleted without --prune");
    let (code, _, err) = run(env.cmd().args(["verify", "--site", "usb"]));
    assert_eq!(code, 1, "the stray is still untracked: {err}");
    let (code, _, err) = run(env.cmd().args(["repair", "--site", "usb", "--prune"]));
    assert_eq!(code, 0, "{err}");
    assert!(!stray_path.exists());
    for sha in &shas {
        assert!(at_site(&usb, sha).exists(), "prune kept what items name");
    }
    let (code, _, err) = run(env.cmd().args(["verify", "--site", "usb"]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_damaged_local_object_is_not_spread_and_is_repaired_from_the_site() {
    let (env, usb, shas) = setup();
    let second = env.path().join("usb2");
    std::fs::create_dir(&second).unwrap();
    let (code, _, err) = run(env.cmd().args([
        "site",
        "add",
        "usb2",
        &format!("file://{}", second.display()),
    ]));
    assert_eq!(code, 0, "{err}");
    // Only usb gets copies first.
    run(env.cmd().args(["replicate", "--copies", "2"]));
    let local = at_site(&env.archive(), &shas[2]);
    std::fs::set_permissions(&local, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    std::fs::write(&local, b"local damage").unwrap();
    let (code, _, err) = run(env.cmd().args(["replicate", "--copies", "3"]));
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("does not match its digest"), "{err}");
    assert!(
        !at_site(&second, &shas[2]).exists(),
        "a damaged local object was copied"
    );
    assert!(at_site(&usb, &shas[2]).exists());
}

#[test]
fn sampling_is_seeded() {
    let (env, _, _) = setup();
    run(env.cmd().args(["replicate", "--copies", "2"]));
    let (code, _, err) = run(env
        .cmd()
        .args(["verify", "--site", "usb", "--sample", "100%", "--seed", "3"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 copies checked (a sample)"), "{err}");
}

#[test]
fn purge_reaches_the_site_or_stays_owed_until_it_is_back() {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "Fictional Legal Name",
        &[
            "--display",
            "R. from Vetrana",
            "--anonymity",
            "pseudonymous",
        ],
    );
    let t = seed::testimony(
        &env,
        "t1.txt",
        "A fictional testimony about the Vetrana ferry.",
        n,
        &[],
    );
    let t2 = seed::testimony(
        &env,
        "t2.txt",
        "Another fictional testimony, about Oskelin.",
        n,
        &[],
    );
    seed::set_consent(&env, t, "granted", Some("research"), None);
    seed::set_consent(&env, t, "withdrawn", None, Some("asked"));
    let usb = env.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    run(env
        .cmd()
        .args(["site", "add", "usb", &format!("file://{}", usb.display())]));
    let (code, _, err) = run(env.cmd().args(["replicate", "--copies", "2"]));
    assert_eq!(code, 0, "{err}");
    let sha1 = sha256_hex(b"A fictional testimony about the Vetrana ferry.");
    let sha2 = sha256_hex(b"Another fictional testimony, about Oskelin.");
    assert!(at_site(&usb, &sha1).exists());

    // The disk is away: the purge is done here and owed to the site.
    let away = env.path().join("usb-away");
    std::fs::rename(&usb, &away).unwrap();
    let (code, _, err) = run(env.cmd().args(["purge", &t.to_string(), "--yes"]));
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("still owed"), "{err}");
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["pending_purges"], 1, "{v}");
    std::fs::rename(&away, &usb).unwrap();
    let (code, _, err) = run(env.cmd().args(["verify", "--site", "usb"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1 purge(s) still owed"), "{err}");

    // Back: the next replicate finishes it and logs the deletion.
    let (code, _, err) = run(env.cmd().args(["replicate"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 purge(s) finished"), "{err}");
    assert!(
        !at_site(&usb, &sha1).exists(),
        "purged bytes remain at the site"
    );
    assert!(at_site(&usb, &sha2).exists());
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["pending_purges"], 0);
    let owed: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM site_purges", [], |r| r.get(0))
        .unwrap();
    assert_eq!(owed, 0, "the key of the purged bytes is gone with the row");
    let n: i64 = env
        .db()
        .query_row(
            "SELECT COUNT(*) FROM events WHERE type = 'deletion' AND item_id = ?1",
            [t],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    let _ = t2;
}

#[test]
fn a_reachable_site_gets_the_purge_at_once() {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "Fictional Legal Name",
        &["--display", "R.", "--anonymity", "pseudonymous"],
    );
    let t = seed::testimony(&env, "t1.txt", "A fictional withdrawn testimony.", n, &[]);
    seed::set_consent(&env, t, "granted", Some("research"), None);
    seed::set_consent(&env, t, "withdrawn", None, Some("asked"));
    let usb = env.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    run(env
        .cmd()
        .args(["site", "add", "usb", &format!("file://{}", usb.display())]));
    run(env.cmd().args(["replicate", "--copies", "2"]));
    let sha = sha256_hex(b"A fictional withdrawn testimony.");
    assert!(at_site(&usb, &sha).exists());
    let (code, _, err) = run(env.cmd().args(["purge", &t.to_string(), "--yes"]));
    assert_eq!(code, 0, "{err}");
    assert!(!at_site(&usb, &sha).exists());
}

#[test]
fn bad_site_arguments_are_rejected_and_nothing_is_recorded() {
    let env = Env::with_archive();
    let cases: &[&[&str]] = &[
        &["site", "add", "x", "http://example.org/x"],
        &["site", "add", "x", "s3://Bad_Bucket/x"],
        &["site", "add", "x", "file://relative/path"],
        &["site", "add", "bad name", "file:///tmp"],
        &["site", "add", "x", "file:///no/such/folder/custos-test"],
        &[
            "site",
            "add",
            "x",
            "s3://bucket-x/p",
            "--endpoint",
            "ftp://nope",
        ],
    ];
    for args in cases {
        let (code, _, err) = run(env.cmd().args(*args));
        assert_eq!(code, 2, "{args:?}: {err}");
    }
    let n: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM sites", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let (code, _, err) = run(env.cmd().args(["verify", "--site", "nowhere"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no site named"), "{err}");
}

#[test]
fn backup_to_a_site_and_restore_from_it_rebuild_the_archive() {
    let (env, usb, shas) = setup();
    // The backup copies what is not at the site yet, then the snapshot.
    let (code, head, err) = run(env.cmd().args(["backup", "--site", "usb"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 object(s) copied there first"), "{err}");
    let head = head.trim().to_string();
    assert_eq!(head.len(), 64, "{head}");
    let latest = std::fs::read_to_string(usb.join("catalogue/LATEST")).unwrap();
    let snap = usb.join("catalogue").join(latest.trim());
    let digest = std::fs::read_to_string(snap.join("custos.db.sha256")).unwrap();
    let db = std::fs::read(snap.join("custos.db")).unwrap();
    assert!(
        digest.starts_with(&sha256_hex(&db)),
        "sha256sum -c format: {digest}"
    );
    assert_eq!(
        std::fs::read_to_string(snap.join("custos-head.txt"))
            .unwrap()
            .trim(),
        head
    );

    // Lost: rebuilt from the site by its URL, with no archive around.
    std::fs::remove_dir_all(env.archive()).unwrap();
    let restored = env.path().join("restored");
    let url = format!("file://{}", usb.display());
    let (code, out, err) = run(env
        .cmd()
        .env_remove("CUSTOS_ARCHIVE")
        .args(["restore", "--site", &url])
        .arg(&restored));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), head);
    for sha in &shas {
        let local = at_site(&restored, sha);
        assert_eq!(&sha256_hex(&std::fs::read(local).unwrap()), sha);
    }
    let (code, _, err) = run(env
        .cmd()
        .env("CUSTOS_ARCHIVE", &restored)
        .args(["verify", "--head", &head]));
    assert_eq!(code, 0, "{err}");
    // A damaged snapshot is refused before anything is written.
    std::fs::write(
        snap.join("custos.db.sha256"),
        format!("{}  custos.db\n", "0".repeat(64)),
    )
    .unwrap();
    let again = env.path().join("again");
    let (code, _, err) = run(env
        .cmd()
        .env_remove("CUSTOS_ARCHIVE")
        .args(["restore", "--site", &url])
        .arg(&again));
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("does not match its digest"), "{err}");
    assert!(!again.exists(), "a failed restore left a folder behind");
}

/// Fail points around the moment a copy is recorded (`--features failpoints`).
#[cfg(feature = "failpoints")]
mod failpoints {
    use super::*;

    #[test]
    fn a_copy_that_does_not_read_back_right_is_not_recorded() {
        let (env, usb, shas) = setup();
        let (code, _, err) = run(env
            .cmd()
            .env("FAILPOINTS", "sites::after_upload=return")
            .args(["replicate", "--copies", "2"]));
        assert_eq!(code, 14, "{err}");
        assert!(
            err.contains("does not match its digest after upload"),
            "{err}"
        );
        assert_eq!(
            copies_rows(&env),
            0,
            "a copy that is not there was recorded"
        );
        // The next run replaces the bad bytes and records the copies.
        let (code, _, err) = run(env.cmd().args(["replicate"]));
        assert_eq!(code, 0, "{err}");
        assert_eq!(copies_rows(&env), 3);
        for sha in &shas {
            assert_eq!(
                &sha256_hex(&std::fs::read(at_site(&usb, sha)).unwrap()),
                sha
            );
        }
    }

    #[test]
    fn a_crash_before_the_row_leaves_none_and_the_next_run_adopts_the_copy() {
        let (env, _, _) = setup();
        let (code, _, err) = run(env
            .cmd()
            .env("FAILPOINTS", "sites::before_record=panic")
            .args(["replicate", "--copies", "2"]));
        assert_ne!(code, 0, "{err}");
        assert_eq!(copies_rows(&env), 0);
        let (code, _, err) = run(env.cmd().args(["replicate"]));
        assert_eq!(code, 0, "{err}");
        // The crashed run had up to four objects in flight: the one whose
        // row it was about to write is at the site, and so may be others
        // that were sent beside it. Each is adopted, none sent twice.
        let count = |what: &str| -> u64 {
            let at = err.find(what).unwrap_or_else(|| panic!("{what}: {err}"));
            let digits: String = err[..at]
                .trim_end()
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.chars().rev().collect::<String>().parse().unwrap()
        };
        let (copied, adopted) = (count(" copied"), count(" already there"));
        assert!(adopted >= 1, "{err}");
        assert_eq!(copied + adopted, 3, "{err}");
        assert_eq!(copies_rows(&env), 3);
    }
}

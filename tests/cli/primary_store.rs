//! An archive whose originals are kept only at a primary store
//! (`init --objects`): on a folder store here (no engine needed), on a real
//! S3 store (SeaweedFS) in `primary_store_s3.rs`. Imports send and confirm
//! before cataloguing; objects/ stays empty; every reader of originals
//! (bag export, backup, the portal's download, replicate) gets the stored
//! bytes, fetched and checked, under the same policy; verify checks the
//! store; repair puts a damaged original back from another site; a purge
//! erases the bytes at the store. Fictional material throughout.

use std::path::{Path, PathBuf};

use crate::harness::{sha256_hex, Env};
use crate::seed::{self, run};
use crate::web::server::Server;

/// A new archive at `archive/` whose originals go to the folder `store/`.
fn primary_env(intake: &str) -> (Env, PathBuf) {
    let env = Env::new();
    let store = env.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let url = format!("file://{}", store.display());
    let (code, _, err) = run(
        &env,
        &[
            "init",
            env.archive().to_str().unwrap(),
            "--objects",
            &url,
            "--intake",
            intake,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("originals are kept only on the store"),
        "{err}"
    );
    (env, store)
}

fn at_store(store: &Path, sha: &str) -> PathBuf {
    store
        .join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(sha)
}

/// Regular files under `dir` other than locks.
fn files(dir: &Path) -> Vec<PathBuf> {
    Env::snapshot(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| !p.to_string_lossy().ends_with(".lock"))
        .collect()
}

fn blob(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(29).wrapping_add(seed))
        .collect()
}

#[test]
fn originals_live_only_at_the_store_and_every_reader_gets_them_from_it() {
    let (env, store) = primary_env("closed");
    let note = b"A fictional ferry timetable from Vetrana, 1961.".to_vec();
    let big = blob(9 * 1024 * 1024 + 77, 3); // more than one 8 MiB part
    let a = env.write("in/timetable.txt", &note);
    let b = env.write("in/survey.bin", &big);
    let out = env.import(&[&a, &b], &[]);
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| o["status"] == "imported"), "{out:?}");
    let (sa, sb) = (sha256_hex(&note), sha256_hex(&big));

    // The bytes are at the store under their keys, nowhere in the archive.
    assert_eq!(std::fs::read(at_store(&store, &sa)).unwrap(), note);
    assert_eq!(std::fs::read(at_store(&store, &sb)).unwrap(), big);
    assert!(files(&env.archive().join("objects")).is_empty());
    assert!(files(&env.archive().join("staging")).is_empty());
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["name"], "primary", "{v}");
    assert_eq!(v["sites"][0]["primary"], true, "{v}");
    assert_eq!(v["sites"][0]["copies"], 2, "{v}");

    // A re-import finds duplicates and sends nothing again.
    let again = env.import(&[&a, &b], &[]);
    assert!(
        again.iter().all(|o| o["status"] == "duplicate"),
        "{again:?}"
    );
    assert_eq!(files(&store).len(), 2);
    assert!(files(&env.archive().join("staging")).is_empty());

    // Verify re-hashes the originals at the store.
    let (code, _, err) = run(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 ok"), "{err}");
    assert!(
        err.contains("(9.0 MiB,"),
        "the bytes read at the store: {err}"
    );

    // The portal serves an open original from the store.
    let (code, _, err) = run(&env, &["access", "1", "--open", "--reason", "described"]);
    assert_eq!(code, 0, "{err}");
    let s = Server::start(&env, &["--access", "public"]);
    let got = s.get("/items/1/original");
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.body, note);
    let r = s.get_with("/items/1/original", &[("range", "bytes=2-11")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, &note[2..12]);
    // A closed item's original is refused (nothing is fetched for it).
    let closed = s.get("/items/2/original");
    assert_eq!(closed.status, 403, "{}", closed.text());
    assert!(closed.body.len() < 64 * 1024);
    assert_eq!(s.get("/items/999/original").status, 404);
    s.stop();
    assert!(
        files(&env.archive().join("staging")).is_empty(),
        "a fetched copy outlived its download"
    );

    // A public bag carries the open original, fetched and checked.
    let bag = env.path().join("bag");
    let (code, _, err) = run(&env, &["export", "--bag", bag.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let payload: Vec<Vec<u8>> = files(&bag)
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(payload.contains(&note), "the bag lacks the original");
    assert!(
        !payload.contains(&big),
        "a closed original left in a public bag"
    );

    // A local backup holds every original, fetched from the store.
    let dest = env.path().join("backup");
    let (code, _, err) = run(&env, &["backup", dest.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let kept: Vec<String> = Env::snapshot(&dest.join("objects"))
        .into_iter()
        .map(|(_, sha)| sha)
        .collect();
    assert!(kept.contains(&sa) && kept.contains(&sb), "{kept:?}");
}

#[test]
fn damage_at_the_store_is_found_and_repaired_from_another_site() {
    let (env, store) = primary_env("open");
    let text = b"A fictional letter from the Oskelin ferryman.".to_vec();
    let p = env.write("in/letter.txt", &text);
    env.import(&[&p], &[]);
    let sha = sha256_hex(&text);

    // Two copies asked: with a primary store there is no local one, so a
    // second site is needed.
    let (code, _, err) = run(&env, &["replicate", "--copies", "2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("primary store among them"), "{err}");
    let usb = env.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let (code, _, err) = run(
        &env,
        &["site", "add", "usb", &format!("file://{}", usb.display())],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&env, &["replicate", "--copies", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(at_store(&usb, &sha)).unwrap(), text);
    assert!(files(&env.archive().join("objects")).is_empty());

    // The store's copy changes behind custos's back.
    let at = at_store(&store, &sha);
    let mut perm = std::fs::metadata(&at).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&at, perm).unwrap();
    std::fs::write(&at, b"not the letter").unwrap();
    let (code, out, err) = run(&env, &["verify", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<_> = v.as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1, "{out}");
    assert_eq!(found[0]["kind"], "changed");
    assert_eq!(found[0]["item_id"], 1);
    assert!(found[0]["detail"]
        .as_str()
        .unwrap()
        .contains("primary store"));
    // Its last check, as show and report fixity give it, is the store's.
    let shown = env.json(&["show", "1", "--format", "json"]);
    assert_eq!(shown["fixity"]["outcome"], "changed", "{shown}");
    let r = env.json(&["report", "fixity", "--format", "json"]);
    assert_eq!(r["last_checks"][0]["outcome"], "failure", "{r}");
    // A run for the item alone checks it at the store too.
    let (code, _, err) = run(&env, &["verify", "--item", "1"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1 changed"), "{err}");
    // A reader is refused the damaged bytes rather than given them.
    let (code, _, err) = run(
        &env,
        &["export", "--bag", env.path().join("b").to_str().unwrap()],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not match its digest"), "{err}");

    // Repair fetches the good copy from the other site.
    let (code, _, err) = run(&env, &["repair"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 repaired"), "{err}");
    assert_eq!(std::fs::read(&at).unwrap(), text);
    let (code, _, err) = run(&env, &["verify", "--item", "1"]);
    assert_eq!(code, 0, "{err}");
    let shown = env.json(&["show", "1", "--format", "json"]);
    assert_eq!(shown["fixity"]["outcome"], "ok", "{shown}");
    let (code, _, err) = run(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_purge_erases_the_bytes_at_the_store() {
    let (env, store) = primary_env("open");
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "Fictional Legal Name Primary",
        &[
            "--display",
            "K. from Oskelin",
            "--anonymity",
            "pseudonymous",
        ],
    );
    let text = "A fictional testimony about the Oskelin crossing.";
    let t = seed::testimony(&env, "t.txt", text, n, &[]);
    let sha = sha256_hex(text.as_bytes());
    assert!(at_store(&store, &sha).exists());
    seed::set_consent(&env, t, "granted", Some("research"), None);
    seed::set_consent(&env, t, "withdrawn", None, Some("asked"));
    let (code, _, err) = run(&env, &["purge", &t.to_string(), "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !at_store(&store, &sha).exists(),
        "purged bytes remain at the store"
    );
    let owed: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM site_purges", [], |r| r.get(0))
        .unwrap();
    assert_eq!(owed, 0);
    let (code, _, err) = run(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
    // The store's disk is away: verify says the originals were not checked.
    let away = env.path().join("store-away");
    std::fs::rename(&store, &away).unwrap();
    let (code, _, err) = run(&env, &["verify"]);
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("were not checked"), "{err}");
    assert!(!err.contains("everything holds"), "{err}");
    std::fs::rename(&away, &store).unwrap();
}

#[test]
fn a_store_that_cannot_be_used_leaves_no_archive() {
    let env = Env::new();
    let gone = env.path().join("no-such-disk");
    let (code, _, err) = run(
        &env,
        &[
            "init",
            env.archive().to_str().unwrap(),
            "--objects",
            &format!("file://{}", gone.display()),
        ],
    );
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("no-such-disk"), "{err}");
    assert!(
        !env.archive().join("custos.db").exists(),
        "a half-made archive was left"
    );
    // Store options without a store are refused by the parser.
    let (code, _, err) = run(
        &env,
        &[
            "init",
            env.archive().to_str().unwrap(),
            "--endpoint",
            "http://x",
        ],
    );
    assert_eq!(code, 2, "{err}");
}

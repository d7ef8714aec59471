//! Signed heads (issue 16): `key init --signing`, `log --head --sign`,
//! `verify --head FILE --pubkey KEY.pub`, checked by the real `minisign`
//! tool where it is installed, and against every kind of tampering: an
//! edited event, removed last events, a rewritten chain, a head from
//! another archive, an altered signature or statement, a wrong key. Also
//! issue 18's 64-zero head. All archives hold fictional documents only.

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use serde_json::Value;

use crate::harness::{run, Env};

/// A signing key pair in clear under the temp dir (outside the archive).
fn signing_key(env: &Env, name: &str) -> (PathBuf, PathBuf) {
    let key = env.path().join("keys").join(format!("{name}.key"));
    let mut c = env.cmd();
    c.args(["key", "init", "--signing", "--no-password", "--out"])
        .arg(&key);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    (key.clone(), key.with_extension("pub"))
}

fn sign(env: &Env, key: &Path, out: &str) -> (PathBuf, String) {
    let file = env.path().join(out);
    let mut c = env.cmd();
    c.args(["log", "--head", "--sign"])
        .arg(key)
        .arg("--out")
        .arg(&file);
    let (code, stdout, err) = run(c);
    assert_eq!(code, 0, "{err}");
    (file, stdout)
}

/// `verify --head FILE --pubkey KEY` as JSON rows: (exit code, rows, stderr).
fn verify(env: &Env, file: &Path, pubkey: &Path) -> (i32, Vec<Value>, String) {
    let mut c = env.cmd();
    c.args(["verify", "--format", "json", "--head"])
        .arg(file)
        .arg("--pubkey")
        .arg(pubkey);
    let (code, out, err) = run(c);
    let rows = if out.trim().is_empty() {
        vec![]
    } else {
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out} / {err}"))
    };
    (code, rows, err)
}

fn head_findings(rows: &[Value]) -> Vec<&Value> {
    rows.iter().filter(|r| r["kind"] == "head").collect()
}

fn head_hash(env: &Env) -> String {
    let out = env.cmd().args(["log", "--head"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn last_event(env: &Env) -> i64 {
    env.db()
        .query_row("SELECT max(id) FROM events", [], |r| r.get(0))
        .unwrap()
}

/// The `minisign` tool, if installed (CI installs it; elsewhere the parts
/// that need it say they skip).
fn minisign() -> Option<()> {
    let ok = Std::new("minisign")
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("minisign not installed: skipping the check by the minisign tool");
    }
    ok.then_some(())
}

fn minisign_verifies(file: &Path, pubkey: &Path) -> bool {
    Std::new("minisign")
        .arg("-Vm")
        .arg(file)
        .arg("-p")
        .arg(pubkey)
        .output()
        .expect("run minisign")
        .status
        .success()
}

fn archive_with_items() -> Env {
    let env = Env::with_archive();
    let docs = env.write(
        "in/letter.txt",
        "A fictional letter from the invented village of Larkmoor.",
    );
    let other = env.write("in/note.txt", "A fictional note about an invented mill.");
    env.import(&[&docs, &other], &[]);
    env
}

#[test]
fn a_signed_head_is_verified_by_minisign_and_by_custos() {
    let env = archive_with_items();
    let (key, pubkey) = signing_key(&env, "heads");
    // The key's creation is logged with its public key and id, not the secret.
    let log = env.json(&[
        "log",
        "--type",
        "creation",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let detail = &log.as_array().unwrap().last().unwrap()["detail"];
    let pub_text = std::fs::read_to_string(&pubkey).unwrap();
    let pub_b64 = pub_text.lines().nth(1).unwrap();
    assert_eq!(detail["signing_public_key"], pub_b64);
    let key_id = detail["signing_key_id"].as_str().unwrap().to_string();
    assert!(pub_text.contains(&key_id), "{pub_text}");
    let secret_line = std::fs::read_to_string(&key).unwrap();
    let secret_b64 = secret_line.lines().nth(1).unwrap();
    let everything = env
        .cmd()
        .args(["log", "--format", "json"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&everything.stdout).contains(secret_b64));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    let head = head_hash(&env);
    let events = last_event(&env);
    let (file, stdout) = sign(&env, &key, "kept/heads/h1.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(stdout, text, "the statement is printed as written");
    assert!(text.contains(&format!("head_hash: {head}")), "{text}");
    assert!(text.contains(&format!("head_event_id: {events}")), "{text}");
    assert!(text.contains(&format!("events: {events}")), "{text}");
    let id: String = env
        .db()
        .query_row(
            "SELECT value FROM settings WHERE key = 'archive_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(text.contains(&format!("archive_id: {id}")), "{text}");
    // The archive keeps the same pair.
    assert_eq!(
        std::fs::read_to_string(env.archive().join("signed-head.txt")).unwrap(),
        text
    );
    assert!(env.archive().join("signed-head.txt.minisig").exists());

    if minisign().is_some() {
        assert!(
            minisign_verifies(&file, &pubkey),
            "minisign -V rejects the signed head"
        );
        let forged = env.write(
            "kept/heads/forged.txt",
            text.replace(&head, &"a".repeat(64)),
        );
        std::fs::copy(
            file.with_extension("txt.minisig"),
            forged.with_extension("txt.minisig"),
        )
        .unwrap();
        assert!(
            !minisign_verifies(&forged, &pubkey),
            "minisign accepts a forged statement"
        );
    }

    let (code, rows, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 0, "{rows:?} {err}");
    assert!(err.contains("is extended by this history"), "{err}");
    // The signature's name stands for the statement beside it.
    let sig_name = PathBuf::from(format!("{}.minisig", file.display()));
    let (code, _, err) = verify(&env, &sig_name, &pubkey);
    assert_eq!(code, 0, "{err}");

    // New events extend the head: it still verifies.
    let more = env.write("in/third.txt", "A third fictional note.");
    env.import(&[&more], &[]);
    assert!(last_event(&env) > events);
    let (code, _, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 0, "{err}");

    // Never over an earlier statement.
    let mut c = env.cmd();
    c.args(["log", "--head", "--sign"])
        .arg(&key)
        .arg("--out")
        .arg(&file);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn an_edited_event_is_named() {
    let env = archive_with_items();
    let (key, pubkey) = signing_key(&env, "k");
    let (file, _) = sign(&env, &key, "h.txt");
    env.db()
        .execute("UPDATE events SET agent = 'mallory' WHERE id = 2", [])
        .unwrap();
    let (code, rows, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 1, "{err}");
    let h = head_findings(&rows);
    assert_eq!(h.len(), 1, "{rows:?}");
    assert_eq!(h[0]["event_id"], 2, "{rows:?}");
    assert!(
        h[0]["detail"]
            .as_str()
            .unwrap()
            .contains("event 2 was changed"),
        "{rows:?}"
    );
}

#[test]
fn removed_last_events_are_named() {
    let env = archive_with_items();
    let (key, pubkey) = signing_key(&env, "k");
    let (file, _) = sign(&env, &key, "h.txt");
    let last = last_event(&env);
    env.db()
        .execute("DELETE FROM events WHERE id >= ?1", [last - 1])
        .unwrap();
    let (code, rows, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 1, "{err}");
    let h = head_findings(&rows);
    assert_eq!(h.len(), 1, "{rows:?}");
    assert_eq!(h[0]["event_id"], last - 1, "{rows:?}");
    let detail = h[0]["detail"].as_str().unwrap();
    assert!(detail.contains("truncated"), "{detail}");
    assert!(
        detail.contains(&format!("events {}..{last} are missing", last - 1)),
        "{detail}"
    );
}

#[test]
fn a_rewritten_chain_fails_at_the_signed_event() {
    let env = archive_with_items();
    let (key, pubkey) = signing_key(&env, "k");
    let (file, _) = sign(&env, &key, "h.txt");
    let last = last_event(&env);
    rewrite_chain(&env, 2);
    // The chain alone is consistent again; only the signed head tells.
    let mut c = env.cmd();
    c.arg("verify");
    assert_eq!(run(c).0, 0, "a consistent forgery passes without a head");
    let (code, rows, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 1, "{err}");
    let h = head_findings(&rows);
    assert_eq!(h.len(), 1, "{rows:?}");
    assert_eq!(h[0]["event_id"], last);
    assert!(
        h[0]["detail"].as_str().unwrap().contains("rewritten"),
        "{rows:?}"
    );
}

#[test]
fn a_head_of_another_archive_fails() {
    let env = archive_with_items();
    let other = archive_with_items();
    let (key, pubkey) = signing_key(&other, "other");
    let (file, _) = sign(&other, &key, "h.txt");
    let (code, _, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ANOTHER ARCHIVE"), "{err}");
}

#[test]
fn an_altered_signature_or_statement_or_a_wrong_key_fails() {
    let env = archive_with_items();
    let (key, pubkey) = signing_key(&env, "k");
    let (_, wrong_pub) = signing_key(&env, "wrong");
    let (file, _) = sign(&env, &key, "h.txt");
    let sig_path = PathBuf::from(format!("{}.minisig", file.display()));
    let sig = std::fs::read_to_string(&sig_path).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();

    let (code, _, err) = verify(&env, &file, &wrong_pub);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not by the public key given"), "{err}");

    // One character of the signature line changed.
    let mut lines: Vec<String> = sig.lines().map(String::from).collect();
    let mut bytes = lines[1].clone().into_bytes();
    bytes[20] = if bytes[20] == b'A' { b'B' } else { b'A' };
    lines[1] = String::from_utf8(bytes).unwrap();
    std::fs::write(&sig_path, lines.join("\n") + "\n").unwrap();
    let (code, _, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("BAD SIGNATURE"), "{err}");
    if minisign().is_some() {
        assert!(!minisign_verifies(&file, &pubkey));
    }

    // The statement changed (a smaller count), the signature intact.
    std::fs::write(&sig_path, &sig).unwrap();
    std::fs::write(&file, text.replace("events: ", "events: 1")).unwrap();
    let (code, _, err) = verify(&env, &file, &pubkey);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("BAD SIGNATURE"), "{err}");

    // Usage: a file without --pubkey, --pubkey with a bare hash.
    std::fs::write(&file, &text).unwrap();
    let mut c = env.cmd();
    c.args(["verify", "--head"]).arg(&file);
    assert_eq!(run(c).0, 2);
    let mut c = env.cmd();
    c.args(["verify", "--head", &head_hash(&env), "--pubkey"])
        .arg(&pubkey);
    assert_eq!(run(c).0, 2);
}

#[test]
fn a_head_of_64_zeros_is_not_a_head() {
    for with_events in [true, false] {
        let env = if with_events {
            archive_with_items()
        } else {
            Env::with_archive()
        };
        let mut c = env.cmd();
        c.args(["verify", "--head", &"0".repeat(64)]);
        let (code, out, err) = run(c);
        assert_eq!(code, 1, "with events: {with_events}: {err}");
        assert!(out.contains("64 zeros"), "{out}");
        assert!(
            !err.contains("the recorded head is in the history"),
            "{err}"
        );
    }
    // A real head still passes.
    let env = archive_with_items();
    let mut c = env.cmd();
    c.args(["verify", "--head", &head_hash(&env)]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn keys_stay_out_of_the_archive_and_passwords_out_of_arguments() {
    let env = archive_with_items();
    let inside = env.archive().join("h.key");
    let mut c = env.cmd();
    c.args(["key", "init", "--signing", "--no-password", "--out"])
        .arg(&inside);
    assert_eq!(run(c).0, 2);
    assert!(!inside.exists() && !inside.with_extension("pub").exists());

    // Password-protected by default: with no terminal and no password, refused.
    let key = env.path().join("keys/pw.key");
    let mut c = env.cmd();
    c.args(["key", "init", "--signing", "--out"]).arg(&key);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("CUSTOS_SIGNING_PASSWORD"), "{err}");
    assert!(!key.exists());

    let mut c = env.cmd();
    c.env("CUSTOS_SIGNING_PASSWORD", "fictional pass phrase")
        .args(["key", "init", "--signing", "--out"])
        .arg(&key);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let detail = env.json(&[
        "log",
        "--type",
        "creation",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(
        detail.as_array().unwrap().last().unwrap()["detail"]["password_protected"],
        true
    );
    let out = env.path().join("pw-head.txt");
    for (pw, expect) in [
        (None, 2),
        (Some("not it"), 2),
        (Some("fictional pass phrase"), 0),
    ] {
        let mut c = env.cmd();
        if let Some(pw) = pw {
            c.env("CUSTOS_SIGNING_PASSWORD", pw);
        }
        c.args(["log", "--head", "--sign"])
            .arg(&key)
            .arg("--out")
            .arg(&out);
        let (code, _, err) = run(c);
        assert_eq!(code, expect, "password {pw:?}: {err}");
    }
    let (code, _, err) = verify(&env, &out, &key.with_extension("pub"));
    assert_eq!(code, 0, "{err}");
    if minisign().is_some() {
        assert!(minisign_verifies(&out, &key.with_extension("pub")));
    }
}

#[test]
fn a_signed_head_is_a_custodian_statement() {
    let env = archive_with_items();
    let (key, _) = signing_key(&env, "k");
    let mut c = env.cmd();
    c.args(["log", "--head", "--access", "public", "--sign"])
        .arg(&key);
    let (code, out, err) = run(c);
    assert_eq!(code, 13, "{err}");
    assert!(out.is_empty());
    assert!(!env.archive().join("signed-head.txt").exists());
}

#[test]
fn backups_and_custodian_bags_carry_the_latest_signed_head() {
    let env = archive_with_items();
    let (key, pubkey) = signing_key(&env, "k");
    sign(&env, &key, "first.txt");
    let (latest, _) = sign(&env, &key, "latest.txt");
    let latest_text = std::fs::read_to_string(&latest).unwrap();

    let dest = env.path().join("copy");
    let mut c = env.cmd();
    c.arg("backup").arg(&dest);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let kept = dest.join("signed-head.txt");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), latest_text);
    // The copy is an archive that verifies against the head it carries.
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &dest)
        .args(["verify", "--head"])
        .arg(&kept)
        .arg("--pubkey")
        .arg(&pubkey);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");

    let bag = env.path().join("bag-custodian");
    let mut c = env.cmd();
    c.args(["export", "--access", "custodian", "--bag"])
        .arg(&bag);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let in_bag = bag.join("metadata/signed-head.txt");
    assert_eq!(std::fs::read_to_string(&in_bag).unwrap(), latest_text);
    let tagmanifest = std::fs::read_to_string(bag.join("tagmanifest-sha256.txt")).unwrap();
    assert!(
        tagmanifest.contains("metadata/signed-head.txt.minisig"),
        "{tagmanifest}"
    );
    let mut c = env.cmd();
    c.args(["bag", "validate"]).arg(&bag);
    assert_eq!(run(c).0, 0);
    if minisign().is_some() {
        assert!(minisign_verifies(&in_bag, &pubkey));
    }

    // Below custodian the statement (event ids, counts) stays home.
    let public = env.path().join("bag-public");
    let mut c = env.cmd();
    c.args(["export", "--access", "public", "--bag"])
        .arg(&public);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(!public.join("metadata/signed-head.txt").exists());

    // An OCFL root carries it at its root, at custodian level only.
    for (level, carried) in [("custodian", true), ("public", false)] {
        let root = env.path().join(format!("ocfl-{level}"));
        let mut c = env.cmd();
        c.args(["export", "--access", level, "--ocfl"]).arg(&root);
        let (code, _, err) = run(c);
        assert_eq!(code, 0, "{err}");
        let at_root = root.join("signed-head.txt");
        assert_eq!(at_root.exists(), carried, "{level}");
        if carried {
            assert_eq!(std::fs::read_to_string(&at_root).unwrap(), latest_text);
            if minisign().is_some() {
                assert!(minisign_verifies(&at_root, &pubkey));
            }
        }
    }
}

/// Edits event `from` and recomputes every later hash, as a forger with
/// write access to custos.db would (the library's own hash function).
fn rewrite_chain(env: &Env, from: i64) {
    use custos::event_format::{event_hash, Canonical, GENESIS};
    let db = env.db();
    db.execute("UPDATE events SET agent = 'mallory' WHERE id = ?1", [from])
        .unwrap();
    let mut prev: String = if from == 1 {
        GENESIS.to_string()
    } else {
        db.query_row("SELECT hash FROM events WHERE id = ?1", [from - 1], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let max: i64 = db
        .query_row("SELECT max(id) FROM events", [], |r| r.get(0))
        .unwrap();
    for id in from..=max {
        type Row = (String, String, Option<i64>, String, String, String);
        let (at, kind, item, agent, outcome, dh): Row = db
            .query_row(
                "SELECT at, type, item_id, agent, outcome, detail_hash FROM events WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .unwrap();
        let hash = event_hash(&Canonical {
            id,
            at: &at,
            kind: &kind,
            item_id: item,
            agent: &agent,
            outcome: &outcome,
            detail_hash: &dh,
            prev_hash: &prev,
        });
        db.execute(
            "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            rusqlite::params![id, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
}

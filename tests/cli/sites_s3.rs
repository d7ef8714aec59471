//! Sites on a real S3 store (SeaweedFS, started by `seaweed.rs`):
//! replicate with a multipart upload, verify --site, repair; the secret
//! kept out of everything custos writes and prints; wrong credentials, a
//! missing bucket and an unreachable endpoint reported quickly with exit
//! 14 and the archive untouched; a kill mid-upload leaves no false row and
//! the next run finishes. Each test skips (saying so) without `weed`.

use std::time::{Duration, Instant};

use crate::harness::Env;
use crate::seaweed::{replicate_in_background, with_keys, Weed, ACCESS_KEY, BUCKET, SECRET};
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

fn add_vault(env: &Env, w: &Weed, prefix: &str) {
    let url = format!("s3://{BUCKET}/{prefix}");
    let (code, _, err) = with_keys(
        env,
        &["site", "add", "vault", &url, "--endpoint", &w.endpoint],
    );
    assert_eq!(code, 0, "{err}\n{}", w.log());
}

/// Deterministic, fictional bytes of a given size.
fn blob(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn replicate_verify_and_repair_against_seaweedfs() {
    let Some(w) = Weed::start("replicate_verify_and_repair_against_seaweedfs") else {
        return;
    };
    let env = Env::with_archive();
    let small = env.write(
        "in/small.txt",
        "A fictional note from the Vetrana ferry office.",
    );
    // Larger than one 8 MiB part: a real multipart upload.
    let big_bytes = blob(20 * 1024 * 1024 + 123, 7);
    let big = env.write("in/big.bin", &big_bytes);
    let big_sha = crate::harness::sha256_hex(&big_bytes);
    env.import(&[&small, &big], &[]);
    add_vault(&env, &w, "caucasus");
    let (code, _, err) = with_keys(&env, &["replicate", "--copies", "2"]);
    assert_eq!(code, 0, "{err}");
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["copies"], 2, "{v}");
    let uploads: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM site_uploads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(uploads, 0);
    let (code, _, err) = with_keys(&env, &["verify", "--site", "vault"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 copies checked"), "{err}");

    // The copies vanish from the store: verify finds them, repair puts
    // them back from the local objects.
    wipe_prefix(&w, "caucasus");
    let (code, out, err) = with_keys(&env, &["verify", "--site", "vault", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.matches("\"missing\"").count(), 2, "{out}");
    let (code, _, err) = with_keys(&env, &["repair", "--site", "vault"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 repaired"), "{err}");
    let (code, _, err) = with_keys(&env, &["verify", "--site", "vault"]);
    assert_eq!(code, 0, "{err}");

    // A catalogue backup at the bucket, and an archive rebuilt from it.
    let (code, head, err) = with_keys(&env, &["backup", "--site", "vault"]);
    assert_eq!(code, 0, "{err}");
    let restored = env.path().join("restored");
    let (code, out, err) = with_keys(
        &env,
        &["restore", "--site", "vault", restored.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), head.trim());
    assert_eq!(
        std::fs::read(
            restored
                .join("objects")
                .join(&big_sha[0..2])
                .join(&big_sha[2..4])
                .join(&big_sha)
        )
        .unwrap(),
        big_bytes
    );
}

/// Empties a prefix of the bucket behind this archive's back, through a
/// second, empty archive's `repair --prune` (it names no item, so every
/// object there is fair game): no other S3 client is needed.
fn wipe_prefix(w: &Weed, prefix: &str) {
    let other = Env::with_archive();
    let url = format!("s3://{BUCKET}/{prefix}");
    let (code, _, err) = with_keys(
        &other,
        &["site", "add", "vault", &url, "--endpoint", &w.endpoint],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = with_keys(&other, &["repair", "--site", "vault", "--prune"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 pruned"), "{err}");
}

#[test]
fn the_secret_never_reaches_the_catalogue_log_backups_bags_or_messages() {
    let Some(w) =
        Weed::start("the_secret_never_reaches_the_catalogue_log_backups_bags_or_messages")
    else {
        return;
    };
    let env = Env::with_archive();
    let p = env.write(
        "in/a.txt",
        "A fictional letter about the Oskelin cooperative.",
    );
    env.import(&[&p], &[]);
    // Credentials from a 0600 file this time (and a 0644 one is refused).
    let creds = env.write(
        "creds.ini",
        format!("[vault]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n"),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o644)).unwrap();
    let url = format!("s3://{BUCKET}/leak");
    let add = |env: &Env| {
        run(env.cmd().args([
            "site",
            "add",
            "vault",
            &url,
            "--endpoint",
            &w.endpoint,
            "--credentials-file",
            creds.to_str().unwrap(),
            "--profile",
            "vault",
        ]))
    };
    let (code, _, err) = add(&env);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("chmod 600"), "{err}");
    std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, _, err) = add(&env);
    assert_eq!(code, 0, "{err}");
    let mut outputs = String::new();
    for args in [
        &["replicate", "--copies", "2"][..],
        &["verify", "--site", "vault"],
        &["site", "list", "--access", "custodian", "--format", "json"],
        &["show", "1", "--access", "custodian", "--format", "json"],
        &["log", "--access", "custodian", "--format", "json"],
        &["backup", "--site", "vault"],
    ] {
        let (code, out, err) = run(env.cmd().args(args));
        assert_eq!(code, 0, "{args:?}: {err}");
        outputs.push_str(&out);
        outputs.push_str(&err);
    }
    // A wrong secret in the environment: the error must not echo it.
    let bad = "canary-wrong-secret-Hd82kq";
    let other = Env::with_archive();
    let (code, out, err) = run(other
        .cmd()
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", bad)
        .args(["site", "add", "vault", &url, "--endpoint", &w.endpoint]));
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("credentials refused"), "{err}");
    assert!(!out.contains(bad) && !err.contains(bad), "{err}");
    // A backup and a custodian bag of the archive.
    let (code, _, err) = run(env.cmd().arg("backup").arg(env.path().join("bk")));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(env
        .cmd()
        .args(["export", "--access", "custodian", "--bag"])
        .arg(env.path().join("bag")));
    assert_eq!(code, 0, "{err}");
    // Rebuilt from the bucket with the credentials file named again.
    let (code, out, err) = run(env
        .cmd()
        .args([
            "restore",
            "--site",
            &url,
            "--endpoint",
            &w.endpoint,
            "--credentials-file",
            creds.to_str().unwrap(),
            "--profile",
            "vault",
        ])
        .arg(env.path().join("restored")));
    assert_eq!(code, 0, "{err}");
    outputs.push_str(&out);
    outputs.push_str(&err);
    assert!(!outputs.contains(SECRET), "the secret was printed");
    // Positive control: the scan finds the secret where it is (creds.ini).
    let found = seed::files_containing(env.path(), SECRET);
    assert_eq!(found, vec![creds.clone()], "the secret is in {found:?}");
    assert!(env.path().join("bk").exists() && env.path().join("bag").exists());
}

#[test]
fn failures_are_quick_clear_and_leave_the_archive_alone() {
    let Some(w) = Weed::start("failures_are_quick_clear_and_leave_the_archive_alone") else {
        return;
    };
    let env = Env::with_archive();
    let p = env.write("in/a.txt", "A fictional ledger page.");
    env.import(&[&p], &[]);
    let before = Env::snapshot(&env.archive().join("objects"));
    // Missing bucket.
    let (code, _, err) = with_keys(
        &env,
        &[
            "site",
            "add",
            "nob",
            "s3://no-such-bucket-here/x",
            "--endpoint",
            &w.endpoint,
        ],
    );
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("bucket does not exist"), "{err}");
    // Nobody listening: reported within a minute.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let start = Instant::now();
    let (code, _, err) = with_keys(
        &env,
        &[
            "site",
            "add",
            "gone",
            &format!("s3://{BUCKET}/x"),
            "--endpoint",
            &format!("http://127.0.0.1:{closed}"),
        ],
    );
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    // Added without a check, then replicate meets the dead endpoint.
    let (code, _, err) = with_keys(
        &env,
        &[
            "site",
            "add",
            "gone",
            &format!("s3://{BUCKET}/x"),
            "--endpoint",
            &format!("http://127.0.0.1:{closed}"),
            "--no-check",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = with_keys(&env, &["replicate", "--copies", "2"]);
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("site gone"), "{err}");
    // No credentials at all.
    add_vault(&env, &w, "x");
    let (code, _, err) = run(env.cmd().args(["verify", "--site", "vault"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no credentials found"), "{err}");
    assert_eq!(before, Env::snapshot(&env.archive().join("objects")));
    let rows: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM copies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
    let (code, _, err) = run(env.cmd().args(["verify"]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_kill_mid_upload_leaves_no_false_copy_and_the_next_run_finishes() {
    let Some(w) = Weed::start("a_kill_mid_upload_leaves_no_false_copy_and_the_next_run_finishes")
    else {
        return;
    };
    let env = Env::with_archive();
    let bytes = blob(40 * 1024 * 1024, 3);
    let p = env.write("in/interview.wav", &bytes);
    env.import(&[&p], &[]);
    add_vault(&env, &w, "kill");
    let mut interrupted = 0;
    for delay_ms in [200u64, 500, 900] {
        let mut child = replicate_in_background(&env, std::process::Stdio::null());
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the moment, a recorded copy is a real one.
        let rows: Vec<String> = {
            let db = env.db();
            let mut st = db
                .prepare("SELECT o.sha256 FROM copies c JOIN objects o ON o.id = c.object_id")
                .unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        if !rows.is_empty() {
            let (code, _, err) = with_keys(&env, &["verify", "--site", "vault"]);
            assert_eq!(code, 0, "a recorded copy is not there: {err}");
        }
        let open: i64 = env
            .db()
            .query_row("SELECT COUNT(*) FROM site_uploads", [], |r| r.get(0))
            .unwrap();
        // Each run cleans the uploads earlier runs left open, so only the
        // last kill's are left for the final run (a fast run can finish
        // between kills and clean the first one's).
        interrupted = open;
        eprintln!(
            "killed after {delay_ms} ms: {} copy row(s), {open} upload(s) open",
            rows.len()
        );
    }
    let (code, _, err) = with_keys(&env, &["replicate", "--copies", "2"]);
    assert_eq!(code, 0, "{err}");
    if interrupted > 0 {
        assert!(!err.contains(" 0 interrupted upload(s) cleaned"), "{err}");
    }
    let uploads: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM site_uploads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(uploads, 0, "an interrupted upload was not cleaned");
    let (code, _, err) = with_keys(&env, &["verify", "--site", "vault"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 copy checked"), "{err}");
}

//! A primary store on a real S3 engine (SeaweedFS, `seaweed.rs`): an
//! archive made with `init --objects s3://…` imports a multipart-sized
//! original and a small one into the bucket only, verifies them there, and
//! keeps the secret out of everything it writes; a batch whose commit
//! fails leaves its sent objects untracked at the store and no row, and
//! the next import adopts them; without credentials nothing is catalogued;
//! a kill mid-upload leaves no row without its object at the store, and
//! the next import aborts the open upload and finishes.
//! Skips (saying so) without `weed`. Fictional material throughout.

use crate::harness::{sha256_hex, Env};
use crate::seaweed::{with_keys, Weed, BUCKET, SECRET};

fn blob(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed))
        .collect()
}

fn count(env: &Env, sql: &str) -> i64 {
    env.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn files_under(dir: &std::path::Path) -> usize {
    Env::snapshot(dir)
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().ends_with(".lock"))
        .count()
}

/// A new archive (intake open) keeping its originals under `prefix` of
/// the test bucket.
fn on_weed(w: &Weed, prefix: &str) -> Env {
    let env = Env::new();
    let url = format!("s3://{BUCKET}/{prefix}");
    let archive = env.archive();
    let (code, _, err) = with_keys(
        &env,
        &[
            "init",
            archive.to_str().unwrap(),
            "--objects",
            &url,
            "--endpoint",
            &w.endpoint,
            "--intake",
            "open",
        ],
    );
    assert_eq!(code, 0, "{err}\n{}", w.log());
    env
}

#[test]
fn an_s3_primary_store_holds_the_originals_and_a_failed_batch_leaves_no_row() {
    let Some(w) = Weed::start("an_s3_primary_store_holds_the_originals") else {
        return;
    };
    let env = on_weed(&w, "primary-test");
    let archive = env.archive();

    let small = b"A fictional harbour log from Vetrana, entry 12.".to_vec();
    let big = blob(20 * 1024 * 1024 + 5, 11); // three 8 MiB parts
    let a = env.write("in/log.txt", &small);
    let b = env.write("in/chart.bin", &big);
    let (code, out, err) = with_keys(
        &env,
        &[
            "import",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("\"imported\"").count(), 2, "{out}");
    assert_eq!(files_under(&archive.join("objects")), 0);
    assert_eq!(
        count(&env, "SELECT COUNT(*) FROM copies WHERE outcome = 'ok'"),
        2
    );
    assert_eq!(count(&env, "SELECT COUNT(*) FROM site_uploads"), 0);
    let (code, _, err) = with_keys(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 ok"), "{err}");

    // The original comes back byte for byte through a reader (a backup).
    let dest = env.path().join("backup");
    let (code, _, err) = with_keys(&env, &["backup", dest.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let kept: Vec<String> = Env::snapshot(&dest.join("objects"))
        .into_iter()
        .map(|(_, sha)| sha)
        .collect();
    assert!(kept.contains(&sha256_hex(&big)), "{kept:?}");

    // Without credentials nothing is sent and nothing catalogued.
    let c = env.write("in/later.txt", "A fictional later entry.");
    let mut cmd = env.cmd();
    cmd.args(["import", c.to_str().unwrap()]);
    let (code, _, err) = crate::harness::run(cmd);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("site primary: no credentials"), "{err}");
    assert_eq!(count(&env, "SELECT COUNT(*) FROM items"), 2);

    // The commit fails after the batch was sent: no row, the object is
    // untracked at the store, and the next import adopts it.
    let mut cmd = env.cmd();
    cmd.env("AWS_ACCESS_KEY_ID", crate::seaweed::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("FAILPOINTS", "ingest::before_commit=return")
        .args(["import", c.to_str().unwrap()]);
    let (code, _, err) = crate::harness::run(cmd);
    assert_eq!(code, 1, "{err}");
    assert_eq!(count(&env, "SELECT COUNT(*) FROM items"), 2);
    assert_eq!(count(&env, "SELECT COUNT(*) FROM copies"), 2);
    let (code, out, err) = with_keys(&env, &["verify", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.matches("\"untracked\"").count(), 1, "{out}");
    let (code, _, err) = with_keys(&env, &["import", c.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&env, "SELECT COUNT(*) FROM items"), 3);
    let (code, _, err) = with_keys(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 ok"), "{err}");

    // The secret is in nothing custos wrote.
    for (p, _) in Env::snapshot(&archive)
        .into_iter()
        .chain(Env::snapshot(&dest))
    {
        let bytes = std::fs::read(&p).unwrap();
        assert!(
            !crate::seed::contains(&bytes, SECRET.as_bytes()),
            "{} holds the secret",
            p.display()
        );
    }
}

#[test]
fn a_kill_mid_import_leaves_no_row_without_its_object_and_the_next_import_finishes() {
    let Some(w) = Weed::start("a_kill_mid_import_leaves_no_row_without_its_object") else {
        return;
    };
    let env = on_weed(&w, "primary-kill");
    let archive = env.archive();
    let big = env.write("in/interview.wav", blob(40 * 1024 * 1024, 5));
    let small = env.write("in/note.txt", "A fictional note on the Vetrana tapes.");
    let mut interrupted = 0;
    // The first kill waits for the large upload to be under way (its
    // upload id recorded); the others strike at set moments.
    for delay_ms in [0u64, 300, 1200] {
        let mut child = env
            .spawnable()
            .env("AWS_ACCESS_KEY_ID", crate::seaweed::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .args(["import"])
            .arg(&big)
            .arg(&small)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn custos import");
        if delay_ms == 0 {
            let start = std::time::Instant::now();
            while count(&env, "SELECT COUNT(*) FROM site_uploads") == 0
                && start.elapsed() < std::time::Duration::from_secs(60)
                && child.try_wait().ok().flatten().is_none()
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        } else {
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        }
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the moment, every catalogued original is at the store.
        let items = count(&env, "SELECT COUNT(*) FROM items");
        assert_eq!(
            count(&env, "SELECT COUNT(*) FROM copies WHERE outcome = 'ok'"),
            items,
            "an item without its confirmed copy at the store"
        );
        let (_, out, err) = with_keys(&env, &["verify", "--format", "json"]);
        assert!(!out.contains("\"changed\""), "{out}{err}");
        assert!(!out.contains("\"missing\""), "{out}{err}");
        let open = count(&env, "SELECT COUNT(*) FROM site_uploads");
        if delay_ms == 0 {
            assert_eq!(open, 1, "the kill mid-upload should leave its upload id");
        }
        interrupted += open;
        assert_eq!(files_under(&archive.join("objects")), 0);
    }
    let (code, _, err) = with_keys(
        &env,
        &["import", big.to_str().unwrap(), small.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        count(&env, "SELECT COUNT(*) FROM site_uploads"),
        0,
        "an interrupted upload was left open"
    );
    assert_eq!(count(&env, "SELECT COUNT(*) FROM items"), 2);
    let (code, _, err) = with_keys(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
    eprintln!("uploads left open by the kills: {interrupted}");
}

//! A primary store on a real S3 engine (SeaweedFS, `seaweed.rs`): an
//! archive made with `init --objects s3://…` imports a multipart-sized
//! original and a small one into the bucket only, verifies them there, and
//! keeps the secret out of everything it writes; a batch whose commit
//! fails leaves its sent objects untracked at the store and no row, and
//! the next import adopts them; without credentials nothing is catalogued.
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

#[test]
fn an_s3_primary_store_holds_the_originals_and_a_failed_batch_leaves_no_row() {
    let Some(w) = Weed::start("an_s3_primary_store_holds_the_originals") else {
        return;
    };
    let env = Env::new();
    let url = format!("s3://{BUCKET}/primary-test");
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

//! Sites on a real SeaweedFS cluster (`seaweed_cluster.rs`: a master that
//! keeps two replicas of everything, three volume servers, a filer, the S3
//! gateway): one volume server is SIGKILLed while `replicate` runs. Runs of
//! `replicate` then finish the job, `verify --site` reads every copy back
//! intact, and at no moment does the catalogue claim a copy the site cannot
//! give back. Skips (saying so) without `weed`.

use std::time::{Duration, Instant};

use crate::harness::{run, sha256_hex, Env};
use crate::seaweed::{replicate_in_background, with_keys, BUCKET};
use crate::seaweed_cluster::Cluster;

fn copy_rows(env: &Env) -> i64 {
    env.db()
        .query_row(
            "SELECT COUNT(*) FROM copies WHERE outcome = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0)
}

/// `verify --site` must find every recorded copy intact (exit 0) and say
/// how many it read.
fn every_claim_holds(env: &Env, c: &Cluster, when: &str) {
    let rows = copy_rows(env);
    if rows == 0 {
        return;
    }
    let (code, _, err) = with_keys(env, &["verify", "--site", "cluster"]);
    assert_eq!(
        code,
        0,
        "{when}: a recorded copy cannot be read back: {err}\n{}",
        c.logs()
    );
    let n = if rows == 1 {
        "1 copy".to_string()
    } else {
        format!("{rows} copies")
    };
    assert!(err.contains(&format!("{n} checked")), "{when}: {err}");
}

#[test]
fn a_volume_server_killed_during_replicate_loses_nothing() {
    let test = "a_volume_server_killed_during_replicate_loses_nothing";
    let Some(mut c) = Cluster::start(test) else {
        return;
    };
    let env = Env::with_archive();
    let mut paths = Vec::new();
    let mut digests = Vec::new();
    for i in 0..40 {
        let text = format!("Fictional ferry-office note {i} from the invented port of Vetrana.\n");
        digests.push(sha256_hex(text.as_bytes()));
        paths.push(env.write(&format!("in/note{i:02}.txt"), text));
    }
    // Larger than one 8 MiB part: a multipart upload.
    let big: Vec<u8> = (0..10 * 1024 * 1024 + 77)
        .map(|i: usize| (i as u8).wrapping_mul(13).wrapping_add(5))
        .collect();
    digests.push(sha256_hex(&big));
    paths.push(env.write("in/interview.wav", &big));
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    env.import(&refs, &[]);
    let (code, _, err) = with_keys(
        &env,
        &[
            "site",
            "add",
            "cluster",
            &format!("s3://{BUCKET}/cluster"),
            "--endpoint",
            &c.endpoint,
        ],
    );
    assert_eq!(code, 0, "{err}\n{}", c.logs());

    // Kill volume server 2 once a few copies are recorded.
    let mut child = replicate_in_background(&env, std::process::Stdio::piped());
    let start = Instant::now();
    while copy_rows(&env) < 5 && start.elapsed() < Duration::from_secs(30) {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let at_kill = copy_rows(&env);
    c.kill_volume(2);
    let first = child.wait_with_output().unwrap();
    eprintln!(
        "{test}: volume server 2 killed with {at_kill} copies recorded; the run went on to exit {:?}:\n{}",
        first.status.code(),
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(at_kill < 41, "the kill came after the run had finished");
    // The dead server held replicas: what is read back from now on comes
    // from the other two.
    let held: u64 = walkdir::WalkDir::new(c.volume_dir(2))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "dat"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    assert!(held > 0, "volume server 2 held nothing when it was killed");
    every_claim_holds(&env, &c, "after the kill");

    // Again until it finishes (the master needs a few seconds to notice
    // the dead server and move writes to the two left).
    let mut tries = 0;
    loop {
        tries += 1;
        let (code, _, err) = with_keys(&env, &["replicate"]);
        every_claim_holds(&env, &c, &format!("after re-run {tries}"));
        if code == 0 {
            break;
        }
        assert_eq!(code, 14, "only a site failure may stop it: {err}");
        assert!(
            tries < 8,
            "replicate did not finish in {tries} runs: {err}\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    eprintln!("{test}: finished after {tries} more run(s)");

    let (code, out, err) = with_keys(&env, &["verify", "--site", "cluster", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("41 copies checked"), "{err}");
    assert!(
        !out.contains("\"missing\"") && !out.contains("\"changed\""),
        "{out}"
    );
    let v = env.json(&["site", "list", "--access", "custodian", "--format", "json"]);
    assert_eq!(v["sites"][0]["copies"], 41, "{v}");
    assert_eq!(v["sites"][0]["lacking"], 0, "{v}");
    assert_eq!(v["under_wanted"], 0, "{v}");
    // The catalogue's copies name exactly the imported bytes.
    let mut recorded: Vec<String> = {
        let db = env.db();
        let mut st = db
            .prepare("SELECT o.sha256 FROM copies c JOIN objects o ON o.id = c.object_id WHERE c.outcome = 'ok'")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    recorded.sort();
    digests.sort();
    assert_eq!(recorded, digests);
    let open: i64 = env
        .db()
        .query_row("SELECT COUNT(*) FROM site_uploads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(open, 0, "an interrupted upload was left open");
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.arg("verify");
        c
    });
    assert_eq!(code, 0, "{err}");
}

//! Crash safety and concurrency: killed imports, fail points in the write
//! protocol, disk full, two writers, readers during a write, read-only and
//! damaged catalogues.
//!
//! What must hold after any interruption: every catalogue row has its
//! object, the only findings of `verify` are objects the interrupted import
//! stored but did not commit (`untracked`, each one of the imported files)
//! and its staging leftovers, and running the import again finishes the job.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{run, sha256_hex, Env, Rng};

/// `n_small` small files and `n_big` 1 MiB files of seeded, distinct bytes.
pub fn make_data(env: &Env, rel: &str, n_small: usize, n_big: usize) -> PathBuf {
    let dir = env.path().join(rel);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0x5eed_0000 + n_small as u64);
    for i in 0..n_small {
        let body: String = (0..20).map(|_| format!("{:x}", rng.next())).collect();
        std::fs::write(
            dir.join(format!("note-{i:04}.txt")),
            format!("note {i}: {body}\n"),
        )
        .unwrap();
    }
    for i in 0..n_big {
        let bytes: Vec<u8> = (0..(1 << 20) / 8)
            .flat_map(|_| rng.next().to_le_bytes())
            .collect();
        std::fs::write(dir.join(format!("scan-{i}.bin")), bytes).unwrap();
    }
    dir
}

fn shas_of(dir: &Path) -> HashSet<String> {
    Env::snapshot(dir)
        .iter()
        .map(|(_, digest)| digest.clone())
        .collect()
}

fn count(env: &Env, sql: &str) -> i64 {
    env.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The state an interruption may leave; `context` names the iteration.
fn assert_consistent_after_interruption(env: &Env, data: &HashSet<String>, context: &str) {
    // Every row has its object (checked directly, not only through verify).
    let db = env.db();
    let mut stmt = db.prepare("SELECT sha256 FROM objects").unwrap();
    let shas: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for sha in &shas {
        let p = env
            .archive()
            .join("objects")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(sha);
        let bytes = std::fs::read(&p)
            .unwrap_or_else(|e| panic!("{context}: row without object {sha}: {e}"));
        assert_eq!(&sha256_hex(&bytes), sha, "{context}: object damaged");
    }
    let items: i64 = db
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(items as usize, shas.len(), "{context}: one item per object");
    drop(stmt);
    drop(db);
    let out = env
        .cmd()
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{context}: verify output ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    for r in &rows {
        match r["kind"].as_str().unwrap() {
            "untracked" => assert!(
                data.contains(r["actual_sha256"].as_str().unwrap()),
                "{context}: an untracked object that is not one of the imported files: {r}"
            ),
            "stale_staging" => {}
            _ => panic!("{context}: damage after an interruption: {r}"),
        }
    }
}

/// Running the import again completes it and leaves an archive that verifies.
fn assert_finishes(env: &Env, data_dir: &Path, n: usize, context: &str) {
    let out = env.cmd().arg("import").arg(data_dir).output().unwrap();
    assert!(
        out.status.success(),
        "{context}: re-import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env
        .cmd()
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{context}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        count(env, "SELECT count(*) FROM items") as usize,
        n,
        "{context}"
    );
    let staged: Vec<_> = std::fs::read_dir(env.archive().join("staging"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != ".staging.lock")
        .collect();
    assert!(
        staged.is_empty(),
        "{context}: staging not cleaned: {staged:?}"
    );
}

#[test]
fn sigkill_at_random_moments_never_damages_the_archive() {
    // Iterations run until a wall-time budget is spent (at least MIN, at
    // most the given count): fsync-bound work on a shared machine varies
    // several-fold, and the test should stay near 30 s. Raise both for a
    // soak run: CUSTOS_CRASH_ITERATIONS=500 CUSTOS_CRASH_BUDGET_S=3600.
    const MIN: u64 = 5;
    let iterations: u64 = std::env::var("CUSTOS_CRASH_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let budget = Duration::from_secs(
        std::env::var("CUSTOS_CRASH_BUDGET_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(18),
    );
    let test_started = Instant::now();
    let seed: u64 = std::env::var("CUSTOS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_121);
    let scratch = Env::with_archive();
    // 600 files make two commit batches (512 files each at most).
    let data_dir = make_data(&scratch, "data", 600, 1);
    let data = shas_of(&data_dir);
    let started = Instant::now();
    scratch
        .cmd()
        .arg("import")
        .arg(&data_dir)
        .assert()
        .success();
    let full = started.elapsed().as_millis() as u64;
    let mut rng = Rng(seed);
    let mut interrupted = 0;
    let mut i = 0;
    while i < iterations && (i < MIN || test_started.elapsed() < budget) {
        i += 1;
        let env = Env::with_archive();
        let delay = rng.below(full + full / 5 + 1);
        let context = format!("iteration {i} (seed {seed}, kill after {delay} ms of ~{full})");
        let mut child = env
            .spawnable()
            .arg("import")
            .arg(&data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        assert_consistent_after_interruption(&env, &data, &context);
        assert_finishes(&env, &data_dir, data.len(), &context);
    }
    eprintln!("{interrupted} of {i} imports killed before they finished (seed {seed})");
    assert!(
        interrupted > 0,
        "no import was interrupted; the test proved nothing"
    );
}

fn import_child(env: &Env, dir: &Path, busy_ms: Option<u64>) -> std::process::Child {
    let mut c = env.spawnable();
    c.arg("import")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(ms) = busy_ms {
        c.env("CUSTOS_BUSY_TIMEOUT_MS", ms.to_string());
    }
    c.spawn().unwrap()
}

fn two_imports_at_once(busy_ms: Option<u64>) {
    let env = Env::with_archive();
    let all = make_data(&env, "all", 600, 1);
    let mut names: Vec<PathBuf> = Env::snapshot(&all).into_iter().map(|(p, _)| p).collect();
    names.sort();
    // Two overlapping halves: 150 files arrive through both imports.
    let (a, b) = (env.path().join("a"), env.path().join("b"));
    for (dir, range) in [(&a, 0..376), (&b, 226..601)] {
        std::fs::create_dir_all(dir).unwrap();
        for p in &names[range] {
            std::fs::copy(p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    let mut ca = import_child(&env, &a, busy_ms);
    let mut cb = import_child(&env, &b, busy_ms);
    let mut again = Vec::new();
    for (child, dir) in [(&mut ca, &a), (&mut cb, &b)] {
        let out = child.wait_with_output_ref();
        match out.0 {
            Some(0) => {}
            Some(11) => {
                eprintln!("an import met a busy archive and exited 11");
                assert!(out.1.contains("archive busy"), "{}", out.1);
                again.push(dir.clone());
            }
            other => panic!("an import exited {other:?}: {}", out.1),
        }
    }
    let data = shas_of(&all);
    assert_consistent_after_interruption(&env, &data, "two imports");
    for dir in again {
        env.cmd().arg("import").arg(&dir).assert().success();
    }
    assert_eq!(
        count(&env, "SELECT count(*) FROM objects") as usize,
        data.len()
    );
    assert_eq!(
        count(&env, "SELECT count(DISTINCT sha256) FROM objects") as usize,
        data.len()
    );
    let files = Env::snapshot(&env.archive().join("objects")).len();
    assert_eq!(files, data.len(), "each object stored once");
    env.cmd().arg("verify").assert().success();
}

trait WaitRef {
    fn wait_with_output_ref(&mut self) -> (Option<i32>, String);
}

impl WaitRef for std::process::Child {
    fn wait_with_output_ref(&mut self) -> (Option<i32>, String) {
        use std::io::Read;
        let mut err = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut err).unwrap();
        }
        (self.wait().unwrap().code(), err)
    }
}

#[test]
fn two_imports_at_once_both_finish_without_duplicates() {
    two_imports_at_once(None);
}

#[test]
fn two_imports_with_a_short_busy_timeout_exit_11_or_succeed() {
    two_imports_at_once(Some(1));
}

#[test]
fn readers_keep_working_during_an_import() {
    let env = Env::with_archive();
    env.import_fixtures();
    let data = make_data(&env, "data", 900, 3);
    let mut child = import_child(&env, &data, None);
    let mut reads_during = 0;
    while child.try_wait().unwrap().is_none() {
        for args in [
            &["list", "--format", "json"][..],
            &["log", "--head"][..],
            &["show", "1"][..],
        ] {
            let mut c = env.cmd();
            c.args(args);
            let (code, _, err) = run(c);
            assert_eq!(code, 0, "{args:?} during an import: {err}");
        }
        reads_during += 1;
    }
    assert!(child.wait().unwrap().success());
    assert!(
        reads_during > 0,
        "the import ended before any read; the test proved nothing"
    );
}

#[test]
fn a_full_disk_fails_the_file_cleanly() {
    use std::os::unix::process::CommandExt;
    let env = Env::with_archive();
    let big = env.write("in/recording.bin", vec![7u8; 3 << 20]);
    let before_db = count(&env, "SELECT count(*) FROM events");
    let mut c = env.spawnable();
    c.arg("import").arg(&big);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1 << 20,
                rlim_max: 1 << 20,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Write errors (EFBIG) instead of death by SIGXFSZ.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("recording.bin"), "names the file: {err}");
    assert!(err.to_lowercase().contains("too large"), "says why: {err}");
    assert!(
        Env::snapshot(&env.archive().join("objects")).is_empty(),
        "no object, whole or partial"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM items"), 0);
    assert_eq!(count(&env, "SELECT count(*) FROM events"), before_db);
    assert_finishes(
        &env,
        big.parent().unwrap(),
        1,
        "after the disk had room again",
    );
}

fn damaged_catalogue_is_left_alone(damage: impl Fn(&Path)) {
    let env = Env::with_archive();
    env.import_fixtures();
    let db = env.archive().join("custos.db");
    damage(&db);
    let before = Env::snapshot(&env.archive());
    let dest = env.path().join("copy");
    let docs = crate::harness::fixtures().join("docs");
    let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec!["list".as_ref()],
        vec!["show".as_ref(), "1".as_ref()],
        vec!["log".as_ref()],
        vec!["verify".as_ref()],
        vec![
            "edit".as_ref(),
            "1".as_ref(),
            "--title".as_ref(),
            "x".as_ref(),
        ],
        vec!["import".as_ref(), docs.as_os_str()],
        vec!["backup".as_ref(), dest.as_os_str()],
    ];
    for args in commands {
        let mut c = env.cmd();
        c.args(&args);
        let (code, _, err) = run(c);
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(err.contains("custos.db"), "{args:?} names the file: {err}");
    }
    let mut c = env.cmd();
    c.arg("init").arg(env.archive());
    assert_eq!(run(c).0, 2, "init refuses to replace it");
    assert_eq!(Env::snapshot(&env.archive()), before, "nothing written");
    assert!(!env.archive().join("custos.db-wal").exists());
    assert!(!dest.exists());
}

#[test]
fn a_truncated_catalogue_exits_3_and_is_left_alone() {
    damaged_catalogue_is_left_alone(|db| {
        for side in ["custos.db-wal", "custos.db-shm"] {
            let _ = std::fs::remove_file(db.with_file_name(side));
        }
        let len = std::fs::metadata(db).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
        f.set_len(len / 2 + 123).unwrap();
    });
}

#[test]
fn a_zeroed_catalogue_exits_3_and_is_left_alone() {
    damaged_catalogue_is_left_alone(|db| {
        let len = std::fs::metadata(db).unwrap().len() as usize;
        std::fs::write(db, vec![0u8; len]).unwrap();
    });
}

#[test]
fn a_foreign_database_exits_3_and_is_left_alone() {
    damaged_catalogue_is_left_alone(|db| {
        for f in ["custos.db", "custos.db-wal", "custos.db-shm"] {
            let _ = std::fs::remove_file(db.with_file_name(f));
        }
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');")
            .unwrap();
    });
}

/// Runs custos with the archive folder bind-mounted read-only in a private
/// mount namespace (tests run as root, whom permissions do not stop).
/// None when this machine cannot make such a mount.
fn read_only(env: &Env, args: &[&str]) -> Option<(i32, String, String)> {
    let mut c = env.spawnable();
    c.env_remove("CUSTOS_ARCHIVE");
    let script = r#"a="$1"; shift; mount --bind "$a" "$a" && mount -o remount,ro,bind "$a" || exit 99; CUSTOS_ARCHIVE="$a" exec "$@""#;
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["-m", "sh", "-c", script, "sh"])
        .arg(env.archive())
        .arg(c.get_program())
        .args(args)
        .env_clear()
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .current_dir(env.path());
    let out = cmd.output().ok()?;
    if out.status.code() == Some(99)
        || out.status.code() == Some(1)
            && out.stdout.is_empty()
            && String::from_utf8_lossy(&out.stderr).contains("unshare")
    {
        return None;
    }
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn a_read_only_archive_reads_but_refuses_writes() {
    let env = Env::with_archive();
    let ids = env.import_fixtures();
    let id = ids[0].to_string();
    let docs = crate::harness::fixtures().join("docs");
    let docs = docs.to_str().unwrap();
    let dest = env.path().join("copy");
    // Once with the -wal/-shm a reader leaves, once after a writer removed them.
    for last in [&["list"][..], &["edit", "1", "--language", "en"][..]] {
        env.cmd().args(last).assert().success();
        let before = Env::snapshot(&env.archive());
        let Some((code, out, err)) = read_only(&env, &["list", "--format", "json"]) else {
            eprintln!("skipped: cannot bind-mount read-only here (needs unshare -m and mount)");
            return;
        };
        assert_eq!(code, 0, "list: {err}");
        let listed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), ids.len());
        for args in [vec!["show", &id], vec!["log"], vec!["log", "--head"]] {
            let (code, _, err) = read_only(&env, &args).unwrap();
            assert_eq!(code, 0, "{args:?}: {err}");
        }
        let (code, _, err) = read_only(&env, &["verify"]).unwrap();
        assert_eq!(code, 0, "verify: {err}");
        assert!(err.contains("read-only"), "{err}");
        for args in [
            vec!["edit", &id, "--title", "changed"],
            vec!["import", docs],
        ] {
            let (code, _, err) = read_only(&env, &args).unwrap();
            assert_eq!(code, 1, "{args:?}: {err}");
            assert!(err.contains("read-only"), "{args:?}: {err}");
        }
        let _ = std::fs::remove_dir_all(&dest);
        let (code, _, err) = read_only(&env, &["backup", dest.to_str().unwrap()]).unwrap();
        assert_eq!(code, 0, "backup of a read-only archive: {err}");
        assert_eq!(Env::snapshot(&env.archive()), before, "nothing written");
    }
}

/// The catalogue as an older custos left it: schema version 5, before the
/// policy tallies.
fn downgrade_to_v5(env: &Env) {
    let db = env.db();
    let drops: Vec<String> = db
        .prepare(
            "SELECT 'DROP ' || type || ' ' || name FROM sqlite_master
             WHERE (type = 'table' AND name LIKE 'tally%')
                OR (type = 'trigger' AND (name LIKE 'tally%'
                    OR name IN ('item_terms_never_updated', 'terms_vocab_fixed')))",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(drops.len(), 14, "{drops:?}");
    for sql in drops {
        db.execute_batch(&sql).unwrap();
    }
    // And what 0008 (items' own access) added.
    db.execute_batch(
        "DROP TABLE access_events;
         DROP INDEX items_kind_holdings; DROP INDEX items_collection_holdings;
         DROP INDEX items_language_holdings; DROP INDEX items_decade_holdings;
         DROP INDEX items_kind_date_policy;
         ALTER TABLE items DROP COLUMN access_level;
         ALTER TABLE items DROP COLUMN access_until;",
    )
    .unwrap();
    // And what 0009 (names of terms, claims) added.
    db.execute_batch("DROP TABLE claims; DROP TABLE term_names;")
        .unwrap();
    // And what 0012 (accessions) added.
    db.execute_batch(
        "DROP TRIGGER accession_agreement_flag; DROP TABLE accession_items; DROP TABLE accessions;",
    )
    .unwrap();
    // And what 0011 (sites and copies) added.
    db.execute_batch(
        "DROP TABLE site_uploads; DROP TABLE site_purges; DROP TABLE copies; DROP TABLE sites;",
    )
    .unwrap();
    // And what 0014 (perf: each fixity row names its run) added.
    db.execute_batch("ALTER TABLE fixity DROP COLUMN run_event_id;")
        .unwrap();
    // And what 0010 (recordings) added.
    db.execute_batch(
        "DROP TABLE item_fts_timed; DROP TABLE passages; DROP TABLE segment_terms;
         DROP TABLE segments; DROP TABLE cues; DROP TABLE transcripts; DROP TABLE recordings;",
    )
    .unwrap();
    db.pragma_update(None, "user_version", 5).unwrap();
}

#[test]
fn an_older_read_only_catalogue_is_reported_on_without_upgrading() {
    let env = Env::with_archive();
    let docs = crate::harness::fixtures().join("docs");
    env.import(&[&docs.join("plain.txt")], &["--place", "Velmora"]);
    env.import(&[&docs], &[]);
    crate::seed::key_init(&env);
    let n = crate::seed::narrator(
        &env,
        "Fictional Legal",
        &["--display", "Ansa K.", "--anonymity", "named"],
    );
    let t = crate::seed::testimony(
        &env,
        "t.txt",
        "A fictional account.",
        n,
        &["--place", "Oster"],
    );
    crate::seed::set_consent(&env, t, "granted", Some("research"), None);
    let reports: [&[&str]; 3] = [
        &["report", "holdings", "--by", "place", "--format", "json"],
        &["report", "holdings", "--by", "event", "--format", "json"],
        &["report", "narrators", "--format", "json"],
    ];
    let want: Vec<String> = reports
        .iter()
        .map(|args| env.cmd().args(*args).output().unwrap().stdout)
        .map(|o| String::from_utf8(o).unwrap())
        .collect();
    assert!(
        want[0].contains("Velmora") && want[0].contains("Oster"),
        "{}",
        want[0]
    );
    assert!(want[2].contains("Ansa K."), "{}", want[2]);
    downgrade_to_v5(&env);
    let before = Env::snapshot(&env.archive());
    for (args, want) in reports.iter().zip(&want) {
        let Some((code, out, err)) = read_only(&env, args) else {
            eprintln!("skipped: cannot bind-mount read-only here (needs unshare -m and mount)");
            return;
        };
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(&out, want, "{args:?} read at version 5");
    }
    let (code, _, err) = read_only(&env, &["verify"]).unwrap();
    assert_eq!(code, 0, "verify at version 5: {err}");
    assert_eq!(Env::snapshot(&env.archive()), before, "nothing written");
    // Writable again, the first command upgrades it, and verify recounts.
    env.cmd().args(["verify"]).assert().success();
    let version: i64 = env
        .db()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, custos::archive::migrate::MIGRATIONS.len() as i64);
    // Older than version 4 is refused, saying what to do.
    env.db().pragma_update(None, "user_version", 3).unwrap();
    let (code, _, err) = read_only(&env, &["list"]).unwrap();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("schema version 3") && err.contains("writable storage"),
        "{err}"
    );
}

#[cfg(feature = "failpoints")]
mod failpoints {
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
}

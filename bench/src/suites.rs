//! The measurements themselves: which commands run, on what data, how many
//! times, and against which target from issue 7.
//!
//! Each measurement runs only when its `custos` command exists (asked with
//! `--help`), else it is reported as skipped; alternatives run only when
//! installed. Every fresh archive gets its own new folder under the output
//! folder and nothing is deleted between runs (file creation right after a
//! mass deletion is slow on this machine and would skew the next run).
//! This module must not format the report (see `report`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::corpus::Corpus;
use crate::report::{Outcome, Row, Target};
use crate::run::{self, Io, Sample};
use crate::{ctx, rng, Res};

mod fold;
pub mod growth;
mod memory;
mod recordings;
mod sites;
pub mod web;

pub struct Bench {
    pub custos: PathBuf,
    pub out: PathBuf,
    pub runs: usize,
    pub rows: Vec<Row>,
    pub ratios: Vec<String>,
    next_dir: usize,
}

const MS: fn(u64) -> Duration = Duration::from_millis;

impl Bench {
    pub fn new(custos: PathBuf, out: PathBuf, runs: usize) -> Res<Bench> {
        for sub in ["runs", "logs"] {
            let p = out.join(sub);
            std::fs::create_dir_all(&p).map_err(ctx(&p, "creating the output folder"))?;
        }
        Ok(Bench {
            custos,
            out,
            runs: runs.max(1),
            rows: Vec::new(),
            ratios: Vec::new(),
            next_dir: 0,
        })
    }

    /// A new, never-used path under runs/.
    fn fresh(&mut self, name: &str) -> PathBuf {
        self.next_dir += 1;
        self.out
            .join("runs")
            .join(format!("{name}-{}-{}", std::process::id(), self.next_dir))
    }

    fn io(&self, name: &str) -> Io {
        Io {
            stdin: None,
            stdout: None,
            stderr_log: self.out.join("logs").join(format!("{name}.log")),
        }
    }

    fn custos(&self, archive: Option<&Path>, args: &[OsString]) -> Command {
        let mut c = Command::new(&self.custos);
        if let Some(a) = archive {
            c.arg("--archive").arg(a);
        }
        c.args(args).env("CUSTOS_BUSY_TIMEOUT_MS", "60000");
        c
    }

    pub fn has(&self, sub: &[&str]) -> bool {
        let mut args = sub.to_vec();
        args.push("--help");
        run::succeeds(&self.custos, &args)
    }

    fn init(&mut self, name: &str) -> Res<PathBuf> {
        let dir = self.fresh(name);
        let st = Command::new(&self.custos)
            .arg("init")
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .status()?;
        if !st.success() {
            return Err(format!("custos init {} failed", dir.display()).into());
        }
        Ok(dir)
    }

    /// Runs `prepare` then times the command it returns, `runs` times.
    fn measure(
        &mut self,
        mut row: Row,
        runs: usize,
        log: &str,
        mut prepare: impl FnMut(&mut Bench) -> Res<(Command, Io)>,
    ) -> Row {
        let mut samples: Vec<Sample> = Vec::new();
        for _ in 0..runs {
            let r = prepare(self).and_then(|(mut cmd, io)| run::time(&mut cmd, &io));
            match r {
                Ok(s) => samples.push(s),
                Err(e) => {
                    row.outcome = Outcome::Failed(e.to_string());
                    eprintln!("custos-bench: {}: {e} (log: {log})", row.what);
                    self.rows.push(row.clone());
                    return row;
                }
            }
        }
        if let Some(s) = run::summarise(&samples) {
            row.outcome = Outcome::Measured(s);
        }
        row.load = format!("{} → {}", row.load, run::load());
        eprintln!("custos-bench: {}: {}", row.what, brief(&row));
        self.rows.push(row.clone());
        row
    }

    fn skip(&mut self, mut row: Row, why: String) {
        eprintln!("custos-bench: {}: skipped: {why}", row.what);
        row.outcome = Outcome::Skipped(why);
        self.rows.push(row);
    }

    pub fn startup(&mut self, sample: &Path) -> Res<()> {
        let row = Row::new("Start-up", "custos --version", "custos --version")
            .with_target(Target::Time(MS(5)));
        self.measure(row, 21, "logs/startup.log", |b| {
            Ok((b.custos(None, &["--version".into()]), b.io("startup")))
        });
        let row = Row::new(
            "Start-up",
            "custos query --count on the sample archive",
            "custos query --count",
        );
        if !self.has(&["query"]) {
            self.skip(row, "`custos query` not available".into());
            return Ok(());
        }
        if !sample.is_dir() {
            self.skip(row, format!("no sample collection at {}", sample.display()));
            return Ok(());
        }
        let archive = self.init("sample")?;
        let st = self
            .custos(Some(&archive), &["import".into(), sample.into()])
            .stderr(std::process::Stdio::null())
            .status()?;
        if !st.success() {
            return Err("importing the sample collection failed".into());
        }
        self.measure(row, 21, "logs/startup.log", |b| {
            let args = ["query".into(), "--count".into()];
            Ok((b.custos(Some(&archive), &args), b.io("startup")))
        });
        Ok(())
    }

    /// Fresh import, re-import, manifest import and verify of the corpus.
    /// Returns the (fresh import, re-import) rows for the ratios.
    pub fn import(&mut self, corpus: &Corpus) -> Res<()> {
        let files = corpus.files.clone();
        let import_args: Vec<OsString> = vec![
            "import".into(),
            files.clone().into(),
            "--origin".into(),
            "custos-bench synthetic corpus".into(),
            "--agent".into(),
            "custos-bench".into(),
        ];
        let mut row = Row::new(
            "Import",
            format!(
                "import {} files into a fresh archive (with FTS)",
                corpus.count
            ),
            "custos import corpus/files --origin ...",
        )
        .with_target(Target::Time(MS(6000)))
        .with_target(Target::Rss(256));
        row.bytes = Some(corpus.bytes);
        row.files = Some(corpus.count as u64);
        let mut archives = Vec::new();
        let fresh = self.measure(row, self.runs, "logs/import.log", |b| {
            let a = b.init("import")?;
            archives.push(a.clone());
            Ok((b.custos(Some(&a), &import_args), b.io("import")))
        });
        let Some(archive) = archives.first().cloned() else {
            return Ok(());
        };
        let mut row = Row::new(
            "Import",
            "re-import the same corpus (all duplicates)",
            "custos import corpus/files (again)",
        )
        .with_target(Target::Time(MS(1000)));
        row.files = Some(corpus.count as u64);
        row.bytes = Some(corpus.bytes);
        let again = self.measure(row, self.runs, "logs/reimport.log", |b| {
            Ok((b.custos(Some(&archive), &import_args), b.io("reimport")))
        });
        let mut row = Row::new(
            "Import",
            "import --manifest of the same corpus",
            "custos import --manifest corpus/manifest.csv",
        );
        row.bytes = Some(corpus.bytes);
        row.files = Some(corpus.count as u64);
        let help = run::output(&self.custos.to_string_lossy(), &["import", "--help"]);
        if help.is_some_and(|h| h.contains("--manifest")) {
            let args: Vec<OsString> = vec![
                "import".into(),
                "--manifest".into(),
                corpus.manifest.clone().into(),
            ];
            self.measure(row, self.runs, "logs/manifest.log", |b| {
                let a = b.init("manifest")?;
                Ok((b.custos(Some(&a), &args), b.io("manifest")))
            });
        } else {
            self.skip(row, "`custos import --manifest` not available".into());
        }
        let stored = crate::corpus::dir_bytes(&archive.join("objects"))?;
        let mut row = Row::new(
            "Verify",
            "verify the imported corpus (warm cache)",
            "custos verify",
        )
        .with_target(Target::MBps(1200.0));
        row.bytes = Some(stored);
        if self.has(&["verify"]) {
            self.measure(row, self.runs, "logs/verify.log", |b| {
                Ok((b.custos(Some(&archive), &["verify".into()]), b.io("verify")))
            });
        } else {
            self.skip(row, "`custos verify` not available".into());
        }
        if let (Some(f), Some(a)) = (fresh.summary(), again.summary()) {
            self.ratios.push(format!(
                "re-import ÷ fresh import: {:.2}",
                a.median.as_secs_f64() / f.median.as_secs_f64()
            ));
        }
        Ok(())
    }

    /// The hashing floor and the closest peer, on the same corpus.
    pub fn alternatives(&mut self, corpus: &Corpus) -> Res<()> {
        let list = self.out.join("filelist0");
        let mut bytes = Vec::new();
        for f in crate::corpus::list_files(&corpus.files)? {
            bytes.extend_from_slice(f.as_os_str().as_encoded_bytes());
            bytes.push(0);
        }
        std::fs::write(&list, bytes).map_err(ctx(&list, "writing the file list"))?;
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        for (name, prog) in [
            ("sha256sum", vec!["sha256sum"]),
            ("openssl dgst", vec!["openssl", "dgst", "-sha256"]),
        ] {
            let shown = format!("xargs -0 -P{jobs} -n 1000 {}", prog.join(" "));
            let mut row = Row::new("Alternatives", format!("{name} over all files"), shown);
            row.bytes = Some(corpus.bytes);
            row.files = Some(corpus.count as u64);
            if !run::on_path(prog[0]) {
                self.skip(row, format!("{} not installed", prog[0]));
                continue;
            }
            let list = list.clone();
            self.measure(row, self.runs, "logs/alternatives.log", |b| {
                let mut c = Command::new("xargs");
                c.args(["-0", &format!("-P{jobs}"), "-n", "1000"])
                    .args(&prog);
                let mut io = b.io("alternatives");
                io.stdin = Some(list.clone());
                Ok((c, io))
            });
        }
        let row = Row::new(
            "Alternatives",
            "sqlite-utils insert-files (contents as blobs, no index)",
            "sqlite-utils insert-files db.db files corpus/files",
        );
        let su = run::on_path("sqlite-utils");
        if su {
            let mut row = row;
            row.bytes = Some(corpus.bytes);
            row.files = Some(corpus.count as u64);
            let files = corpus.files.clone();
            self.measure(row, self.runs, "logs/sqlite-utils.log", |b| {
                let db = b.fresh("sqlite-utils").with_extension("db");
                let mut c = Command::new("sqlite-utils");
                c.arg("insert-files").arg(&db).arg("files").arg(&files);
                Ok((c, b.io("sqlite-utils")))
            });
        } else {
            self.skip(
                row,
                "sqlite-utils not installed (pip install -r bench/requirements.txt)".into(),
            );
        }
        let row = Row::new(
            "Alternatives",
            "sqlite-utils insert-files --text + enable-fts (text files; the binaries as blobs)",
            "sqlite-utils insert-files --text ... && enable-fts db.db files content_text",
        );
        if su {
            let mut row = row;
            row.bytes = Some(corpus.bytes);
            row.files = Some(corpus.count as u64);
            let script = self.out.join("sqlite-utils-fts.sh");
            std::fs::write(
                &script,
                "set -e\nsqlite-utils insert-files --text \"$1\" files \"$2/text\"\n\
                 sqlite-utils insert-files \"$1\" blobs \"$2/media\"\n\
                 sqlite-utils enable-fts \"$1\" files content_text\n",
            )
            .map_err(ctx(&script, "writing a script"))?;
            let files = corpus.files.clone();
            self.measure(row, self.runs, "logs/sqlite-utils.log", |b| {
                let db = b.fresh("sqlite-utils-fts").with_extension("db");
                let mut c = Command::new("sh");
                c.arg(&script).arg(&db).arg(&files);
                Ok((c, b.io("sqlite-utils")))
            });
        } else {
            self.skip(row, "sqlite-utils not installed".into());
        }
        if run::on_path("openssl") {
            if let Some(speed) = openssl_speed() {
                self.ratios.push(format!(
                    "openssl speed -evp sha256 (16 KiB blocks, one core): {speed:.0} MB/s; × {jobs} cores = {:.0} MB/s",
                    speed * jobs as f64
                ));
            }
        }
        self.ratio_lines();
        Ok(())
    }

    fn find(&self, what: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.what.starts_with(what))
    }

    fn ratio_lines(&mut self) {
        let secs = |r: Option<&Row>| r.and_then(Row::summary).map(|s| s.median.as_secs_f64());
        let import = secs(self.find("import ").filter(|r| r.section == "Import"));
        let pairs = [
            (
                "sha256sum over all files",
                "custos import ÷ sha256sum floor",
            ),
            (
                "openssl dgst over all files",
                "custos import ÷ openssl dgst floor",
            ),
            (
                "sqlite-utils insert-files (contents",
                "custos import ÷ sqlite-utils insert-files (no FTS)",
            ),
            (
                "sqlite-utils insert-files --text",
                "custos import ÷ sqlite-utils with FTS (< 1 means custos is faster)",
            ),
        ];
        let mut lines = Vec::new();
        for (alt, label) in pairs {
            if let (Some(i), Some(a)) = (import, secs(self.find(alt))) {
                lines.push(format!("{label}: {:.2}", i / a));
            }
        }
        if let (Some(v), Some(s)) = (
            self.find("verify the imported").and_then(Row::mbps),
            self.find("sha256sum over").and_then(Row::mbps),
        ) {
            lines.push(format!("custos verify MB/s ÷ sha256sum MB/s: {:.2}", v / s));
        }
        self.ratios.extend(lines);
    }

    /// Queries and reports on the generated catalogue.
    pub fn queries(&mut self, archive: &Path, place: &str, items: i64) -> Res<()> {
        let sec = "Queries";
        let queries: Vec<(String, Vec<String>, u64)> = vec![
            (
                "indexed fields: kind + date range + sort + limit 50".into(),
                vec![
                    "--sort",
                    "date",
                    "--limit",
                    "50",
                    "kind:testimony",
                    "date:1988..1990",
                ]
                .into_iter()
                .map(String::from)
                .collect(),
                20,
            ),
            (
                "place + date range, limit 50".into(),
                vec![
                    "--limit".into(),
                    "50".into(),
                    format!("place:{place}"),
                    "date:1988..1990".into(),
                ],
                20,
            ),
            (
                format!(
                    "full text, rare word ({} items)",
                    (items + 99_999) / 100_000
                ),
                fts(rng::WORD_RARE),
                100,
            ),
            (
                "full text, medium word (~5% of items)".into(),
                fts(rng::WORD_MEDIUM),
                100,
            ),
            (
                "full text, word in every item".into(),
                fts(rng::WORD_EVERY),
                300,
            ),
        ];
        let has_query = self.has(&["query"]);
        for (what, args, ms) in queries {
            let shown = format!("custos query {}", args.join(" "));
            let row = Row::new(sec, format!("{what} [{items} items]"), shown)
                .with_target(Target::Time(MS(ms)));
            if !has_query {
                self.skip(row, "`custos query` not available".into());
                continue;
            }
            self.timed_read(row, archive, "query", &args);
        }
        let reports: &[&[&str]] = &[
            &["consent"],
            &["holdings", "--by", "kind"],
            &["holdings", "--by", "collection"],
            &["holdings", "--by", "event"],
            &["holdings", "--by", "place"],
            &["holdings", "--by", "decade"],
            &["holdings", "--by", "language"],
            &[
                "accessions",
                "--since",
                "2025-06-01",
                "--until",
                "2025-06-07",
            ],
            &["narrators"],
            &["fixity"],
        ];
        let has_report = self.has(&["report"]);
        // NAME is a value, not a subcommand: ask the help text which exist.
        let report_help =
            run::output(&self.custos.to_string_lossy(), &["report", "--help"]).unwrap_or_default();
        for r in reports {
            let shown = format!("custos report {}", r.join(" "));
            let row = Row::new(
                "Reports",
                format!("report {} [{items} items]", r.join(" ")),
                shown,
            )
            .with_target(Target::Time(MS(250)));
            if !has_report {
                self.skip(row, "`custos report` not available".into());
                continue;
            }
            if !report_help.contains(&format!("- {}:", r[0])) {
                self.skip(row, format!("`custos report {}` not available", r[0]));
                continue;
            }
            let args: Vec<String> = r.iter().map(|s| s.to_string()).collect();
            self.timed_read(row, archive, "report", &args);
        }
        Ok(())
    }

    /// One warm-up run (page cache, statistics), then the measured runs.
    fn timed_read(&mut self, row: Row, archive: &Path, sub: &str, args: &[String]) {
        let mut argv: Vec<OsString> = vec![sub.into()];
        argv.extend(args.iter().map(OsString::from));
        let archive = archive.to_path_buf();
        let warm = self.custos(Some(&archive), &argv).output();
        if let Ok(o) = &warm {
            if !o.status.success() {
                let err = String::from_utf8_lossy(&o.stderr).trim().to_string();
                let mut row = row;
                row.outcome = Outcome::Failed(err.clone());
                eprintln!("custos-bench: {}: FAILED: {err}", row.what);
                self.rows.push(row);
                return;
            }
        }
        let runs = (self.runs * 2 + 1).max(5);
        self.measure(row, runs, "logs/queries.log", |b| {
            Ok((b.custos(Some(&archive), &argv), b.io("queries")))
        });
    }

    /// Records a step that is timed in-process (data generation).
    pub fn record(&mut self, section: &'static str, what: &str, started: Instant) {
        let mut row = Row::new(section, what, "custos-bench (in-process)");
        row.outcome = Outcome::Measured(crate::run::Summary {
            median: started.elapsed(),
            min: started.elapsed(),
            max: started.elapsed(),
            maxrss_kib: 0,
            runs: 1,
        });
        self.rows.push(row);
    }
}

fn fts(word: &str) -> Vec<String> {
    vec!["--limit".into(), "20".into(), word.into()]
}

fn brief(row: &Row) -> String {
    match &row.outcome {
        Outcome::Measured(s) => format!(
            "median {} over {} runs, peak {:.1} MiB{}",
            crate::report::fmt_dur(s.median),
            s.runs,
            s.maxrss_kib as f64 / 1024.0,
            match row.verdict() {
                Some(true) => ", target met",
                Some(false) => ", TARGET MISSED",
                None => "",
            }
        ),
        Outcome::Skipped(w) => format!("skipped: {w}"),
        Outcome::Failed(w) => format!("FAILED: {w}"),
    }
}

/// Per-core SHA-256 speed from `openssl speed`, in MB/s at 16 KiB blocks.
fn openssl_speed() -> Option<f64> {
    let out = run::output(
        "openssl",
        &[
            "speed", "-seconds", "2", "-bytes", "16384", "-evp", "sha256",
        ],
    )?;
    let line = out
        .lines()
        .rev()
        .find(|l| l.to_lowercase().starts_with("sha256"))?;
    let v = line.split_whitespace().last()?.trim_end_matches('k');
    v.parse::<f64>().ok().map(|k| k * 1000.0 / 1e6)
}

impl Row {
    pub fn with_target(mut self, t: Target) -> Row {
        self.targets.push(t);
        self
    }
}

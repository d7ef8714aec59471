//! Results: one row per measurement, its target and verdict, the ratios
//! against the alternatives, and the Markdown that goes to BENCHMARKS.md
//! and to stdout.
//!
//! This module formats; it must not run anything except the few read-only
//! look-ups that describe the machine (/proc, `uname`, `git`).

use std::fmt::Write as _;
use std::time::Duration;

use crate::run::Summary;

#[derive(Debug, Clone)]
pub enum Outcome {
    Measured(Summary),
    Skipped(String),
    Failed(String),
}

#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Median wall time at most this.
    Time(Duration),
    /// Peak RSS at most this many MiB.
    Rss(u64),
    /// Throughput at least this many MB/s (10^6 bytes).
    MBps(f64),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub what: String,
    pub command: String,
    pub outcome: Outcome,
    /// Bytes and files processed, for throughput.
    pub bytes: Option<u64>,
    pub files: Option<u64>,
    pub targets: Vec<Target>,
    pub load: String,
}

impl Row {
    pub fn new(section: &'static str, what: impl Into<String>, command: impl Into<String>) -> Row {
        Row {
            section,
            what: what.into(),
            command: command.into(),
            outcome: Outcome::Skipped(String::new()),
            bytes: None,
            files: None,
            targets: Vec::new(),
            load: crate::run::load(),
        }
    }

    pub fn summary(&self) -> Option<&Summary> {
        match &self.outcome {
            Outcome::Measured(s) => Some(s),
            _ => None,
        }
    }

    pub fn mbps(&self) -> Option<f64> {
        let s = self.summary()?;
        Some(self.bytes? as f64 / 1e6 / s.median.as_secs_f64())
    }

    fn throughput(&self) -> String {
        let Some(s) = self.summary() else {
            return String::new();
        };
        let mut parts = Vec::new();
        if let Some(f) = self.files {
            parts.push(format!("{:.0} files/s", f as f64 / s.median.as_secs_f64()));
        }
        if let Some(mb) = self.mbps() {
            parts.push(format!("{mb:.0} MB/s"));
        }
        parts.join(", ")
    }

    /// Whether every target is met; None when nothing was measured or
    /// there is no target.
    pub fn verdict(&self) -> Option<bool> {
        let s = self.summary()?;
        if self.targets.is_empty() {
            return None;
        }
        Some(self.targets.iter().all(|t| match *t {
            Target::Time(d) => s.median <= d,
            Target::Rss(mib) => s.maxrss_kib <= mib * 1024,
            Target::MBps(m) => self.mbps().is_some_and(|x| x >= m),
        }))
    }
}

pub fn fmt_dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 0.001 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn fmt_target(t: &Target) -> String {
    match t {
        Target::Time(d) => format!("≤ {}", fmt_dur(*d)),
        Target::Rss(m) => format!("≤ {m} MiB RSS"),
        Target::MBps(m) => format!("≥ {:.1} GB/s", m / 1000.0),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The machine, as the report's header describes it.
pub fn machine() -> Vec<(String, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let sha_ext = std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| s.split_whitespace().any(|w| w == "sha_ni"))
        .unwrap_or(false);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|k| format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get().to_string())
        .unwrap_or_else(|_| "?".into());
    let kernel = crate::run::output("uname", &["-sr"]).unwrap_or_default();
    let commit = crate::run::output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    vec![
        (
            "date".into(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        (
            "cpu".into(),
            format!(
                "{cpu} (SHA extensions: {})",
                if sha_ext { "yes" } else { "no" }
            ),
        ),
        ("nproc".into(), nproc),
        ("memory".into(), mem),
        ("kernel".into(), kernel.trim().to_string()),
        ("custos commit".into(), commit.trim().to_string()),
    ]
}

pub struct Report {
    pub title: String,
    pub invocation: String,
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
    pub ratios: Vec<String>,
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut m = String::new();
        let _ = writeln!(m, "# {}\n", self.title);
        let _ = writeln!(
            m,
            "Generated by `{}`. Do not edit by hand; re-run the benchmark instead.\n",
            self.invocation
        );
        m.push_str("| machine | |\n| --- | --- |\n");
        for (k, v) in machine() {
            let _ = writeln!(m, "| {k} | {} |", cell(&v));
        }
        m.push('\n');
        for n in &self.notes {
            let _ = writeln!(m, "- {n}");
        }
        let mut sections: Vec<&'static str> = Vec::new();
        for r in &self.rows {
            if !sections.contains(&r.section) {
                sections.push(r.section);
            }
        }
        for sec in sections {
            let _ = writeln!(m, "\n## {sec}\n");
            m.push_str("| measurement | command | median (min–max, runs) | throughput | peak RSS | target | met | load |\n");
            m.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for r in self.rows.iter().filter(|r| r.section == sec) {
                let (time, rss) = match &r.outcome {
                    Outcome::Measured(s) => (
                        format!(
                            "{} ({}–{}, {})",
                            fmt_dur(s.median),
                            fmt_dur(s.min),
                            fmt_dur(s.max),
                            s.runs
                        ),
                        if s.maxrss_kib == 0 {
                            String::new()
                        } else {
                            format!("{:.1} MiB", s.maxrss_kib as f64 / 1024.0)
                        },
                    ),
                    Outcome::Skipped(why) => (format!("skipped: {why}"), String::new()),
                    Outcome::Failed(why) => (format!("FAILED: {why}"), String::new()),
                };
                let targets: Vec<String> = r.targets.iter().map(fmt_target).collect();
                let met = match r.verdict() {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "",
                };
                let _ = writeln!(
                    m,
                    "| {} | `{}` | {} | {} | {} | {} | {} | {} |",
                    cell(&r.what),
                    cell(&r.command),
                    cell(&time),
                    r.throughput(),
                    rss,
                    targets.join(", "),
                    met,
                    r.load
                );
            }
        }
        if !self.ratios.is_empty() {
            m.push_str("\n## Ratios\n\n");
            for r in &self.ratios {
                let _ = writeln!(m, "- {r}");
            }
        }
        m
    }
}

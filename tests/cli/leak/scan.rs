//! Running the invocations (two at a time, writers alone afterwards) and
//! scanning what they print and write for canaries.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::fixture::{Canary, Fixture, Level};
use super::table::{Entry, Node, Run};
use crate::harness::Env;

pub struct Invocation {
    pub path: &'static str,
    pub argv: Vec<String>,
    pub level: Level,
    pub out: Option<PathBuf>,
    pub run: Run,
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Every entry × argument list × access level × format, as argv.
pub fn expand(
    fx: &Fixture,
    entries: &[Entry],
    nodes: &std::collections::BTreeMap<String, Node>,
) -> Vec<Invocation> {
    let mut all = Vec::new();
    for e in entries {
        let node = &nodes[e.path];
        // Without --access a command shows what the archive's default
        // (public, set at init) shows.
        let levels: &[Level] = if node.access {
            &Level::ALL
        } else {
            &[Level::Public]
        };
        let formats: Vec<Option<&str>> = if node.formats.is_empty() {
            vec![None]
        } else {
            node.formats.iter().map(|f| Some(f.as_str())).collect()
        };
        for args in (e.args)(fx) {
            for &level in levels {
                for format in &formats {
                    let n = all.len();
                    let out = args
                        .iter()
                        .any(|a| a == "{OUT}")
                        .then(|| fx.env.path().join(format!("out/{n}")));
                    let mut argv: Vec<String> = args
                        .iter()
                        .map(|a| match (&out, a.as_str()) {
                            (Some(o), "{OUT}") => o.to_str().unwrap().to_string(),
                            _ => a.clone(),
                        })
                        .collect();
                    if node.access {
                        argv.extend(["--access".into(), level.name().into()]);
                    }
                    if let Some(f) = format {
                        argv.extend(["--format".into(), f.to_string()]);
                    }
                    all.push(Invocation {
                        path: e.path,
                        argv,
                        level,
                        out,
                        run: e.run,
                    });
                }
            }
        }
    }
    all
}

fn run_one(env: &Env, inv: &Invocation) -> Outcome {
    let out = env
        .spawnable()
        .env("LOGNAME", "tester")
        .args(&inv.argv)
        .output()
        .expect("run custos");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs everything: parallel entries on two threads, then serial ones.
pub fn run_all(env: &Env, invs: &[Invocation]) -> Vec<Outcome> {
    let slots: Vec<Mutex<Option<Outcome>>> = invs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let parallel: Vec<usize> = (0..invs.len())
        .filter(|&i| invs[i].run == Run::Parallel)
        .collect();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = parallel.get(k) else { break };
                *slots[i].lock().unwrap() = Some(run_one(env, &invs[i]));
            });
        }
    });
    for (i, inv) in invs.iter().enumerate() {
        if inv.run == Run::Serial {
            *slots[i].lock().unwrap() = Some(run_one(env, inv));
        }
    }
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap().expect("ran"))
        .collect()
}

/// Letters and digits only, upper case: what no wrapping or escaping changes.
pub fn norm(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_uppercase)
        .collect()
}

pub use crate::seed::contains;

/// Some text around a canary, for the failure message.
fn context(text: &str, word: &str) -> String {
    let lower = text.to_lowercase();
    match lower.find(&word.to_lowercase()) {
        Some(at) => {
            let start = lower[..at]
                .char_indices()
                .rev()
                .nth(60)
                .map_or(0, |(i, _)| i);
            let end = lower[at..]
                .char_indices()
                .nth(word.len() + 60)
                .map_or(lower.len(), |(i, _)| at + i);
            format!(
                "…{}…",
                text.get(start..end)
                    .unwrap_or(&lower[start..end])
                    .replace('\n', "⏎")
            )
        }
        None => "(split by formatting)".into(),
    }
}

/// Every file under `dir`: its relative path and bytes.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap_or_default())
        })
        .collect()
}

/// What a scan found: violations, and canaries seen where allowed.
#[derive(Default)]
pub struct Findings {
    pub leaks: Vec<(&'static str, String)>,
    pub seen: std::collections::BTreeSet<String>,
}

impl Findings {
    /// Checks one output (stdout, stderr or a written file) read at `level`.
    pub fn check(
        &mut self,
        inv: &Invocation,
        canaries: &[Canary],
        where_: &str,
        raw: &[u8],
        legal_only: bool,
    ) {
        let n = norm(raw);
        let lower = raw.to_ascii_lowercase();
        let args = inv.argv.join(" ").to_uppercase();
        for c in canaries {
            // As text, or as hex (`sql` prints BLOBs such as file names so).
            let hex: String = c.word.bytes().map(|b| format!("{b:02x}")).collect();
            // Or in Cyrillic letters, as some texts say it (fixture::cyrillic).
            let cyr = super::fixture::cyrillic(&c.word);
            if !contains(&n, c.word.as_bytes())
                && !contains(&lower, hex.as_bytes())
                && !contains(raw, cyr.as_bytes())
            {
                continue;
            }
            if c.allowed(inv.level) {
                self.seen.insert(c.word.clone());
                continue;
            }
            // A word the reader typed may be echoed back (query --sql).
            if args.contains(&c.word) || args.contains(&cyr) || (legal_only && !c.is_legal()) {
                continue;
            }
            let text = String::from_utf8_lossy(raw);
            self.leaks.push((
                inv.path,
                format!(
                    "custos {} [{} level]: {where_} shows {} ({}): {}",
                    inv.argv.join(" "),
                    inv.level.name(),
                    c.word,
                    c.what,
                    context(&text, &c.word)
                ),
            ));
        }
    }

    /// A query for a word the reader may not see finds nothing at all.
    pub fn check_empty(&mut self, inv: &Invocation, canaries: &[Canary], out: &Outcome) {
        let json = inv
            .argv
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json");
        let special = inv.argv.iter().any(|a| a == "--sql" || a == "--count");
        if inv.path != "query" || !json || special || out.code != 0 {
            return;
        }
        let hidden = canaries.iter().any(|c| {
            let cyr = super::fixture::cyrillic(&c.word);
            !c.allowed(inv.level)
                && inv
                    .argv
                    .iter()
                    .any(|a| a.contains(&c.word) || a.contains(&cyr))
        });
        let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
        if hidden && rows.as_array().is_none_or(|r| !r.is_empty()) {
            self.leaks.push((
                inv.path,
                format!(
                    "custos {} [{} level]: a hidden word found items: {}",
                    inv.argv.join(" "),
                    inv.level.name(),
                    out.stdout.replace('\n', " ")
                ),
            ));
        }
    }
}

//! Target 4a of issue 17: the same import into an empty archive and into
//! archives that already hold many items, in alternating rounds, and the
//! per-file cost against the catalogue's size.
//!
//! Each round prepares every archive first (a new one, or a copy of a
//! generated catalogue), then before each timed import syncs, reads that
//! import's corpus and pauses, so that no import pays for the copying of
//! a catalogue of gigabytes, which would otherwise leave the kernel busy
//! and charge that to the larger archive. With `--drop-caches` (root only)
//! the page cache is also dropped first, so that every catalogue starts on
//! disk, as after a reboot; on a virtual machine that hands freed memory
//! back to its host this makes every later allocation a fault on the host,
//! and the figures noisier. With `--row N` each archive takes N different corpora
//! one after another, since one import sees only one point of the
//! full-text index's merge cycle. The archives are deleted only after the
//! last round. This module measures; `report` formats.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Bench;
use crate::corpus::{self, Corpus};
use crate::report::{Outcome, Row};
use crate::run::{self, Sample};
use crate::{catalogue, ctx, Res};

/// What `growth` runs.
pub struct Plan {
    /// Catalogue sizes besides the empty archive, in items.
    pub sizes: Vec<i64>,
    pub rounds: usize,
    /// Imports in a row into each archive, each of its own corpus.
    pub row: usize,
    pub seed: u64,
    pub files: usize,
    /// Where the catalogue of `items` items lives (shared with `query`).
    pub items: i64,
    /// Drop the page cache before each import (see the module's paragraph).
    pub drop_caches: bool,
}

/// The samples of one archive size: per round, one per import of the row.
struct Series {
    items: i64,
    rounds: Vec<Vec<Sample>>,
}

impl Bench {
    pub fn growth(&mut self, first: &Corpus, plan: &Plan) -> Res<()> {
        let mut corpora = vec![first.clone()];
        for k in 1..plan.row {
            let seed = plan.seed + k as u64;
            let dir = self.out.join(format!("corpus-{seed}"));
            eprintln!("custos-bench: growth: corpus of seed {seed}");
            corpora.push(corpus::generate(&dir, seed, plan.files)?);
        }
        let mut catalogues = Vec::new();
        for &n in &plan.sizes {
            let dir = if n == plan.items {
                self.out.join("catalogue")
            } else {
                self.out.join(format!("catalogue-{n}"))
            };
            let t = Instant::now();
            eprintln!("custos-bench: growth: the {n}-item catalogue");
            catalogue::generate(&self.custos, &dir, plan.seed, n)?;
            self.record(
                "Data generation",
                &format!("catalogue of {n} items for `growth` (or reuse)"),
                t,
            );
            catalogues.push((n, dir));
        }
        let drops = plan.drop_caches;
        if drops && !can_drop_caches() {
            return Err(format!("--drop-caches: cannot write {DROP_CACHES} (root only)").into());
        }
        let mut series: Vec<Series> = std::iter::once(0)
            .chain(plan.sizes.iter().copied())
            .map(|items| Series {
                items,
                rounds: Vec::new(),
            })
            .collect();
        let mut made = Vec::new();
        let load_before = run::load();
        for round in 0..plan.rounds {
            // Alternate the order so that a drift of the machine does not
            // always favour the same size.
            let mut order: Vec<usize> = (0..series.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            let mut archives = Vec::new();
            for &i in &order {
                let n = series[i].items;
                let dir = match catalogues.iter().find(|(m, _)| *m == n) {
                    None => self.init(&format!("growth-{n}"))?,
                    Some((_, src)) => {
                        let dir = self.fresh(&format!("growth-{n}"));
                        copy_tree(src, &dir)?;
                        dir
                    }
                };
                made.push(dir.clone());
                archives.push((i, dir));
            }
            for (i, dir) in archives {
                let mut samples = Vec::new();
                for c in &corpora {
                    settle(drops, c)?;
                    let args: Vec<OsString> = vec![
                        "import".into(),
                        c.files.clone().into(),
                        "--origin".into(),
                        "custos-bench growth".into(),
                        "--agent".into(),
                        "custos-bench".into(),
                    ];
                    let s = run::time(&mut self.custos(Some(&dir), &args), &self.io("growth"))?;
                    eprintln!(
                        "custos-bench: growth: round {} into {} items: {} (CPU {})",
                        round + 1,
                        series[i].items,
                        crate::report::fmt_dur(s.wall),
                        crate::report::fmt_dur(s.cpu)
                    );
                    samples.push(s);
                }
                series[i].rounds.push(samples);
            }
        }
        let load = format!("{load_before} → {}", run::load());
        self.growth_rows(&series, &corpora, drops, &load);
        eprintln!("custos-bench: growth: deleting its archives");
        for d in made {
            crate::remove_tree(&d)?;
        }
        Ok(())
    }

    fn growth_rows(&mut self, series: &[Series], corpora: &[Corpus], drops: bool, load: &str) {
        let files: u64 = corpora.iter().map(|c| c.count as u64).sum();
        let bytes: u64 = corpora.iter().map(|c| c.bytes).sum();
        let what = match corpora.len() {
            1 => format!("import {} files", corpora[0].count),
            n => format!("{n} imports in a row, {files} files in all"),
        };
        let mut lines = Vec::new();
        let empty = series.first().and_then(totals).map(|t| (t.wall, t.cpu));
        for s in series {
            let into = match s.items {
                0 => "a new archive".to_string(),
                n => format!("an archive of {n} items"),
            };
            let mut row = Row::new(
                "Growth",
                format!("{what} into {into}"),
                "custos import DIR --origin ...",
            );
            row.files = Some(files);
            row.bytes = Some(bytes);
            row.load = load.to_string();
            let sums: Vec<Sample> = s.rounds.iter().map(|r| sum(r)).collect();
            match run::summarise(&sums) {
                Some(sum) => row.outcome = Outcome::Measured(sum),
                None => row.outcome = Outcome::Failed("no round completed".into()),
            }
            self.rows.push(row);
            let Some(t) = medians(&sums) else { continue };
            let per_file = t.wall.as_secs_f64() * 1000.0 / files as f64;
            let mut line = format!(
                "growth, {} items: {per_file:.3} ms a file; wall {} (CPU {})",
                s.items,
                crate::report::fmt_dur(t.wall),
                crate::report::fmt_dur(t.cpu)
            );
            if let Some((w0, c0)) = empty {
                line.push_str(&format!(
                    "; ÷ empty: wall {:.2}, CPU {:.2}",
                    t.wall.as_secs_f64() / w0.as_secs_f64(),
                    t.cpu.as_secs_f64() / c0.as_secs_f64()
                ));
            }
            if corpora.len() > 1 {
                let each: Vec<String> = (0..corpora.len())
                    .map(|k| {
                        let v: Vec<Duration> = s.rounds.iter().map(|r| r[k].wall).collect();
                        crate::report::fmt_dur(run::median(&v).unwrap_or_default())
                    })
                    .collect();
                line.push_str(&format!("; each import (medians): {}", each.join(", ")));
            }
            lines.push(line);
        }
        lines.push(format!(
            "growth: medians of {} rounds in alternating order; before each import: sync, {}, the corpus read once, 3 s pause (target 4a: a million items ≤ 1.25 × empty)",
            series.first().map_or(0, |s| s.rounds.len()),
            if drops {
                "the page cache dropped (`--drop-caches`)"
            } else {
                "the page cache kept"
            }
        ));
        self.ratios.extend(lines);
    }
}

struct Totals {
    wall: Duration,
    cpu: Duration,
}

/// Medians over the rounds of the row's summed wall and CPU time.
fn totals(s: &Series) -> Option<Totals> {
    medians(&s.rounds.iter().map(|r| sum(r)).collect::<Vec<_>>())
}

fn medians(sums: &[Sample]) -> Option<Totals> {
    Some(Totals {
        wall: run::median(&sums.iter().map(|x| x.wall).collect::<Vec<_>>())?,
        cpu: run::median(&sums.iter().map(|x| x.cpu).collect::<Vec<_>>())?,
    })
}

fn sum(r: &[Sample]) -> Sample {
    Sample {
        wall: r.iter().map(|s| s.wall).sum(),
        maxrss_kib: r.iter().map(|s| s.maxrss_kib).max().unwrap_or(0),
        cpu: r.iter().map(|s| s.cpu).sum(),
    }
}

const DROP_CACHES: &str = "/proc/sys/vm/drop_caches";

fn can_drop_caches() -> bool {
    std::fs::OpenOptions::new()
        .write(true)
        .open(DROP_CACHES)
        .is_ok()
}

/// The common starting point of every timed import (see the module's
/// first paragraph).
fn settle(drops: bool, c: &Corpus) -> Res<()> {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    if drops {
        std::fs::write(DROP_CACHES, "3\n")
            .map_err(ctx(Path::new(DROP_CACHES), "dropping the page cache"))?;
    }
    for f in corpus::list_files(&c.files)? {
        let mut file = std::fs::File::open(&f).map_err(ctx(&f, "reading the corpus"))?;
        std::io::copy(&mut file, &mut std::io::sink()).map_err(ctx(&f, "reading the corpus"))?;
    }
    std::thread::sleep(Duration::from_secs(3));
    Ok(())
}

/// Copies a generated catalogue's folder, files and sub-folders, to `to`.
fn copy_tree(from: &Path, to: &Path) -> Res<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let rel = entry.path().strip_prefix(from)?;
        let dest: PathBuf = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).map_err(ctx(&dest, "creating a folder"))?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(ctx(&dest, "copying the catalogue"))?;
        }
    }
    Ok(())
}

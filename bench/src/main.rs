//! custos-bench: the benchmark of issue 7. Generates a synthetic corpus and
//! a large catalogue from a seed, times `custos` as whole processes next to
//! the alternatives (sha256sum, openssl, sqlite-utils), and writes the
//! figures as Markdown (BENCHMARKS.md for `all`).
//!
//! Build and run (see BENCHMARKS.md for the figures it last produced):
//!
//! ```text
//! cargo build --release --features bench
//! target/release/custos-bench all --out bench-out          # full run
//! target/release/custos-bench all --files 2000 --items 50000 --big-mib 256  # quick
//! ```
//!
//! It is never built by `cargo build`/`cargo test` without `--features
//! bench`, never run by the tests, and writes only under `--out` (plus the
//! report file). It must not change the archive format or custos itself.

mod catalogue;
mod corpus;
mod event_chain;
mod report;
mod rng;
mod run;
mod suites;

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, ValueEnum};

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Adds the path and what was being done to an I/O error.
pub fn ctx<'a>(
    path: &'a Path,
    doing: &'a str,
) -> impl FnOnce(std::io::Error) -> Box<dyn std::error::Error + Send + Sync> + 'a {
    move |e| format!("{}: {doing}: {e}", path.display()).into()
}

pub fn remove_tree(p: &Path) -> Res<()> {
    match std::fs::remove_dir_all(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ctx(p, "removing")(e)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    /// Everything below, then BENCHMARKS.md
    All,
    /// Generate the file corpus only
    Corpus,
    /// Generate the N-item catalogue only
    Catalogue,
    /// Import, re-import, manifest import, verify
    Import,
    /// Queries and reports on the catalogue
    Query,
    /// custos --version and query --count
    Startup,
    /// Peak memory importing one large file
    Memory,
    /// sha256sum, openssl, sqlite-utils on the corpus
    Alternatives,
    /// `custos serve` over the catalogue, 64 concurrent clients (not in `all`)
    Web,
    /// Import of the text corpus in Latin and in Cyrillic letters, beside
    /// `--baseline` (a custos without the folded full-text twins; not in `all`)
    Fold,
    /// A 2-hour recording: import, transcript set, access copies (issue 12)
    Recordings,
    /// Replicate to and verify an S3 site (SeaweedFS started by the bench;
    /// issue 14; not in `all`)
    Sites,
    /// Import of the corpus with an S3 primary store (`init --objects`)
    /// beside a local import (SeaweedFS started by the bench; issue 14;
    /// not in `all`)
    Primary,
    /// The same import into an empty archive and into catalogues of a
    /// tenth of `--items` and of `--items`, in alternating rounds (target
    /// 4a of issue 17; not in `all`)
    Growth,
}

/// Benchmarks custos against the targets of issue 7.
#[derive(Debug, Parser)]
#[command(name = "custos-bench")]
struct Args {
    /// What to run
    #[arg(value_enum, default_value = "all")]
    what: What,
    /// Output folder (moved aside at the start of `all`, and the old one
    /// deleted at the end)
    #[arg(long, default_value = "bench-out")]
    out: PathBuf,
    /// Seed for all generated data
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Text files in the corpus (plus five 20 MiB binaries)
    #[arg(long, default_value_t = 20_000)]
    files: usize,
    /// Items in the query catalogue
    #[arg(long, default_value_t = 1_000_000)]
    items: i64,
    /// Size of the single large file, MiB
    #[arg(long, default_value_t = 2048)]
    big_mib: u64,
    /// Runs per import/verify measurement (queries run 2×+1, at least 5);
    /// rounds for `growth`
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// For `growth`: imports in a row into each archive, each of a corpus
    /// of its own seed (`--seed`, `--seed`+1, ...)
    #[arg(long, default_value_t = 1)]
    row: usize,
    /// For `growth`: drop the page cache before each import (root only),
    /// so that every catalogue is read from disk
    #[arg(long)]
    drop_caches: bool,
    /// The custos binary (default: next to this one)
    #[arg(long)]
    custos: Option<PathBuf>,
    /// The sample collection for `query --count`
    #[arg(long, default_value = "archive")]
    sample: PathBuf,
    /// Length of the long recording of `recordings`, seconds (the short
    /// one is a quarter of it; the transcript has 20,000 cues per 2 hours)
    #[arg(long, default_value_t = 7200)]
    rec_secs: u32,
    /// Seconds of load for `web`
    #[arg(long, default_value_t = 60)]
    web_secs: u64,
    /// For `fold`: a custos built before the folded twins, run side by side
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Where `all` writes the Markdown report
    #[arg(long, default_value = "BENCHMARKS.md")]
    report: PathBuf,
}

fn main() {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == run::MEASURE_FLAG) {
        std::process::exit(run::measure_child(&argv[2..]));
    }
    if let Err(e) = real_main() {
        eprintln!("custos-bench: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Res<()> {
    let a = Args::parse();
    let custos = match &a.custos {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("custos"))
            .ok_or("cannot locate the custos binary; pass --custos")?,
    };
    if !custos.is_file() {
        return Err(format!(
            "{} not found: build it with `cargo build --release --features bench` or pass --custos",
            custos.display()
        )
        .into());
    }
    let custos = std::path::absolute(&custos)?;
    let out = std::path::absolute(&a.out)?;
    // Old output is moved aside now and deleted only at the end: creating
    // files right after deleting many is slow here and would skew timings.
    let mut aside = None;
    if a.what == What::All && out.exists() {
        let old = out.with_extension(format!("old-{}", chrono::Utc::now().timestamp()));
        std::fs::rename(&out, &old).map_err(ctx(&out, "moving old output aside"))?;
        aside = Some(old);
    }
    std::fs::create_dir_all(&out).map_err(ctx(&out, "creating the output folder"))?;
    let mut b = suites::Bench::new(custos.clone(), out.clone(), a.runs)?;
    let all = a.what == What::All;
    let mut notes = vec![
        format!(
            "corpus: {} text files (log-normal sizes, median 4 KiB, a few of 1 MiB, 1% duplicates) + five 20 MiB binaries, seed {}",
            a.files, a.seed
        ),
        format!("catalogue: {} generated items written with SQL, then ANALYZE", a.items),
        "wall time of whole processes (spawn to exit), median of the runs; peak RSS from wait4; load = 1-minute load average before → after".into(),
        "imports go into a fresh archive each run; nothing is deleted between runs; reads get one warm-up run first".into(),
    ];
    if all || a.what == What::Startup {
        b.startup(&a.sample)?;
    }
    let needs_corpus = all
        || matches!(
            a.what,
            What::Corpus
                | What::Import
                | What::Alternatives
                | What::Fold
                | What::Sites
                | What::Primary
                | What::Growth
        );
    let corpus = if needs_corpus {
        let t = Instant::now();
        eprintln!("custos-bench: generating the corpus");
        let c = corpus::generate(&out.join("corpus"), a.seed, a.files)?;
        b.record(
            "Data generation",
            &format!(
                "corpus of {} files, {:.0} MB (or reuse)",
                c.count,
                c.bytes as f64 / 1e6
            ),
            t,
        );
        notes.push(format!(
            "corpus size: {} files, {:.1} MB",
            c.count,
            c.bytes as f64 / 1e6
        ));
        Some(c)
    } else {
        None
    };
    if let Some(c) = &corpus {
        if all || a.what == What::Import {
            b.import(c)?;
        }
        if all || a.what == What::Alternatives {
            b.alternatives(c)?;
        }
        if a.what == What::Fold {
            let base = a.baseline.as_deref().map(std::path::absolute).transpose()?;
            for line in b.fold(c, base.as_deref())? {
                b.ratios.push(line);
            }
        }
    }
    if all || a.what == What::Memory {
        b.big_file(a.big_mib, a.seed)?;
        b.big_manifest()?;
    }
    if a.what == What::Sites {
        b.sites(corpus.as_ref(), a.big_mib, a.seed)?;
    }
    if let (What::Primary, Some(c)) = (a.what, &corpus) {
        b.primary(c)?;
    }
    if let (What::Growth, Some(c)) = (a.what, &corpus) {
        let plan = suites::growth::Plan {
            sizes: vec![a.items / 10, a.items],
            rounds: a.runs,
            row: a.row.max(1),
            seed: a.seed,
            files: a.files,
            items: a.items,
            drop_caches: a.drop_caches,
        };
        b.growth(c, &plan)?;
    }
    if all || a.what == What::Recordings {
        b.recordings(a.seed, a.rec_secs)?;
    }
    if a.what == What::Web {
        let dir = out.join("catalogue");
        let cat = catalogue::generate(&custos, &dir, a.seed, a.items)?;
        let md = suites::web::run(&custos, &dir, a.items, &cat.place, a.web_secs, a.seed, &out)?;
        println!("{md}");
        return Ok(());
    }
    if all || matches!(a.what, What::Catalogue | What::Query) {
        let t = Instant::now();
        eprintln!("custos-bench: generating the {}-item catalogue", a.items);
        let dir = out.join("catalogue");
        let cat = catalogue::generate(&custos, &dir, a.seed, a.items)?;
        b.record(
            "Data generation",
            &format!("catalogue of {} items (or reuse)", a.items),
            t,
        );
        if a.what != What::Catalogue {
            b.queries(&dir, &cat.place, a.items)?;
        }
    }
    let rep = report::Report {
        title: "custos benchmarks".into(),
        invocation: format!(
            "custos-bench {}",
            std::env::args().skip(1).collect::<Vec<_>>().join(" ")
        ),
        notes,
        rows: b.rows,
        ratios: b.ratios,
    };
    let md = rep.markdown();
    println!("{md}");
    let results = out.join("results.md");
    std::fs::write(&results, &md).map_err(ctx(&results, "writing results"))?;
    if all {
        std::fs::write(&a.report, &md).map_err(ctx(&a.report, "writing the report"))?;
        eprintln!("custos-bench: wrote {}", a.report.display());
    }
    if let Some(old) = aside {
        eprintln!(
            "custos-bench: deleting the previous output {}",
            old.display()
        );
        remove_tree(&old)?;
    }
    Ok(())
}

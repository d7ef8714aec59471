//! The leak test of issue 3: one archive whose narrators and testimonies
//! carry a unique canary word in every secret (sealed legal names, places of
//! anonymous narrators, texts, titles, file names and origins of hidden,
//! closed and withdrawn testimonies, consent notes and reasons, redaction
//! terms, the consent evidence), then every read command found in the clap
//! tree, in every format, at public, research and custodian level (the
//! custodian without the key), with stdout, stderr and every file written
//! scanned for canaries the level may not see. Positive controls show the
//! canaries are really stored, so the test cannot pass by storing nothing.

mod deaccessioned;
mod fixture;
mod notes;
mod oai;
mod recording;
mod scan;
mod table;
mod web;

use scan::Findings;
use table::{Run, READ_WITHOUT_FORMAT, WRITE_ONLY};

use crate::seed::{contains, run};

#[test]
fn every_command_of_the_clap_tree_is_classified_for_the_leak_test() {
    let nodes = table::walk();
    let covered: Vec<&str> = table::entries().iter().map(|e| e.path).collect();
    let read: Vec<&String> = nodes
        .iter()
        .filter(|(p, n)| !n.formats.is_empty() || READ_WITHOUT_FORMAT.contains(&p.as_str()))
        .map(|(p, _)| p)
        .collect();
    let uncovered: Vec<&&String> = read
        .iter()
        .filter(|p| !covered.contains(&p.as_str()))
        .collect();
    assert!(
        uncovered.is_empty(),
        "read commands without an entry in tests/cli/leak/table.rs: {uncovered:?}"
    );
    let unclassified: Vec<&String> = nodes
        .keys()
        .filter(|p| !covered.contains(&p.as_str()) && !WRITE_ONLY.contains(&p.as_str()))
        .collect();
    assert!(
        unclassified.is_empty(),
        "commands neither in the leak table nor in WRITE_ONLY: {unclassified:?}"
    );
    let stale: Vec<&&str> = covered
        .iter()
        .chain(WRITE_ONLY)
        .filter(|p| !nodes.contains_key(**p))
        .collect();
    assert!(stale.is_empty(), "no such commands: {stale:?}");
}

#[test]
fn canaries_are_unique_words() {
    let c = fixture::canaries();
    for a in &c {
        assert!(a.word.bytes().all(|b| b.is_ascii_uppercase()), "{}", a.word);
        for b in &c {
            assert!(
                std::ptr::eq(a, b) || !b.word.starts_with(&a.word),
                "{} is a prefix of {}",
                a.word,
                b.word
            );
        }
    }
}

fn positive_controls(fx: &fixture::Fixture) {
    let key = fx.key.to_str().unwrap();
    for (tag, n) in &fx.narrators {
        let n = n.to_string();
        let (code, out, err) = run(&fx.env, &["narrator", "show", &n, "--reveal", "--key", key]);
        assert_eq!(code, 0, "{err}");
        for what in ["LEGAL", "PHONE"] {
            let word = format!("LEAKCANARY{what}{tag}");
            assert!(out.contains(&word), "reveal of narrator {n}: {out}");
        }
    }
    let pubt = fx.items["PUB"].to_string();
    let json = |args: &[&str]| fx.env.json(&[args, &["--format", "json"]].concat());
    let v = json(&["show", &pubt, "--access", "custodian"]);
    assert!(
        v["text"].as_str().unwrap().contains("LEAKCANARYREDACTPUB"),
        "{v}"
    );
    let v = json(&["show", &pubt, "--access", "public"]);
    let text = v["text"].as_str().unwrap();
    assert!(
        text.contains("LEAKCANARYTEXTPUB") && text.contains("[redacted]"),
        "{v}"
    );
    // The closed passage is really there, for the custodian: in the
    // transcript and in the recording's bytes.
    let rec = fx.items["REC"].to_string();
    let v = json(&["transcript", "show", &rec, "--access", "custodian"]);
    assert!(v.to_string().contains("LEAKCANARYCUECLOSEDREC"), "{v}");
    let copy = fx.env.path().join("control-copy.wav");
    let (code, _, err) = run(
        &fx.env,
        &[
            "access-copy",
            &rec,
            "--access",
            "custodian",
            "--out",
            copy.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(contains(
        &std::fs::read(&copy).unwrap(),
        b"LEAKCANARYAUDIOREC"
    ));
    std::fs::remove_file(&copy).unwrap();
    for level in ["research", "custodian"] {
        let v = json(&["query", "LEAKCANARYTEXTRES", "--access", level]);
        assert_eq!(v[0]["id"], fx.items["RES"], "{level}: {v}");
    }
}

#[test]
fn no_read_command_shows_what_the_reader_may_not_see() {
    scan_every_command(fixture::build());
}

/// The same with the originals only at a primary store: every reader that
/// fetches them (exports, backups, access copies) still gives each level
/// only what the policy lets it have.
#[test]
fn no_read_command_shows_more_when_the_originals_are_on_a_store() {
    let fx = fixture::build_on_store();
    let objects = fx.env.archive().join("objects");
    assert!(
        crate::harness::Env::snapshot(&objects).is_empty(),
        "the originals should be at the store only"
    );
    scan_every_command(fx);
}

fn scan_every_command(fx: fixture::Fixture) {
    positive_controls(&fx);
    let nodes = table::walk();
    let entries = table::entries();
    let invs = scan::expand(&fx, &entries, &nodes);
    let outs = scan::run_all(&fx.env, &invs);
    let mut f = Findings::default();
    let mut succeeded = std::collections::BTreeSet::new();
    for (inv, out) in invs.iter().zip(&outs) {
        let backup = inv.path == "backup";
        f.check(inv, &fx.canaries, "stdout", out.stdout.as_bytes(), false);
        f.check(inv, &fx.canaries, "stderr", out.stderr.as_bytes(), false);
        f.check_empty(inv, &fx.canaries, out);
        if let Some(dir) = &inv.out {
            for (name, bytes) in scan::files(dir) {
                let mut all = name.clone().into_bytes();
                all.extend(bytes);
                // A backup legitimately holds the custodian's catalogue;
                // only sealed values must stay sealed in it.
                f.check(inv, &fx.canaries, &format!("file {name}"), &all, backup);
            }
        }
        if out.code == 0 {
            succeeded.insert(inv.path);
        }
        if out.code == 11 || out.code < 0 || out.code == 101 {
            f.leaks.push((
                inv.path,
                format!(
                    "custos {}: exit {} (busy or crashed: nothing checked): {}",
                    inv.argv.join(" "),
                    out.code,
                    out.stderr
                ),
            ));
        }
    }
    for e in &entries {
        if !succeeded.contains(e.path) {
            let why = format!(
                "custos {} never succeeded: the table's arguments are wrong",
                e.path
            );
            f.leaks.push((e.path, why));
        }
    }
    // Every canary that someone may see was seen: the archive stores them
    // and the commands reach them. Those nobody may see are in the database.
    let db = std::fs::read(fx.env.archive().join("custos.db")).unwrap();
    let wal = std::fs::read(fx.env.archive().join("custos.db-wal")).unwrap_or_default();
    for c in &fx.canaries {
        let stored = contains(&db, c.word.as_bytes()) || contains(&wal, c.word.as_bytes());
        let problem = match c.seen {
            Some(_) if !f.seen.contains(&c.word) => "was never shown to anyone",
            None if !c.is_legal() && !stored => "is not in the catalogue",
            _ => continue,
        };
        f.leaks
            .push(("(fixture)", format!("{} ({}) {problem}", c.word, c.what)));
    }
    // The raw catalogue and its WAL (kept by the reader held open since
    // init) hold no legal name in clear text.
    assert!(
        !wal.is_empty(),
        "the WAL should exist while a reader is open"
    );
    for (name, bytes) in [("custos.db", &db), ("custos.db-wal", &wal)] {
        for c in fx.canaries.iter().filter(|c| c.is_legal()) {
            if contains(&scan::norm(bytes), c.word.as_bytes()) {
                f.leaks.push((
                    "(database)",
                    format!("{name} holds {} in clear text", c.word),
                ));
            }
        }
    }
    let commands: std::collections::BTreeSet<_> = entries.iter().map(|e| e.path).collect();
    eprintln!(
        "leak test: {} commands, {} invocations ({} serial), {} canaries",
        commands.len(),
        invs.len(),
        invs.iter().filter(|i| i.run == Run::Serial).count(),
        fx.canaries.len()
    );
    if !f.leaks.is_empty() {
        let mut by_path = std::collections::BTreeMap::<&str, usize>::new();
        for (p, _) in &f.leaks {
            *by_path.entry(p).or_default() += 1;
        }
        let shown: Vec<&str> = f.leaks.iter().map(|(_, m)| m.as_str()).take(60).collect();
        panic!(
            "{} problem(s), by command: {by_path:?}\n{}",
            f.leaks.len(),
            shown.join("\n")
        );
    }
    drop(fx.reader);
}

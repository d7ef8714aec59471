//! Output that is safe to look at and to open: no terminal escapes from
//! catalogue values, no spreadsheet formulas in CSV/TSV, no panic on a
//! closed or full stdout, and a `log`/`sql` below custodian that cannot
//! count what it does not show.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::harness::{run, Env};

const ESC_TITLE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31mred";

/// Characters that must never reach a terminal raw (C0 but line breaks,
/// DEL, C1, bidi overrides).
fn unsafe_chars(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn stdout_of(env: &Env, args: &[&str]) -> String {
    let (code, out, err) = run({
        let mut c = env.cmd();
        c.args(args);
        c
    });
    assert_eq!(code, 0, "custos {args:?}: {err}");
    out
}

#[test]
fn escape_sequences_in_titles_never_reach_a_table_raw() {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "alpha cellar");
    let b = env.write("in/b.txt", "beta cellar");
    let html = env.write(
        "in/c.html",
        "<html><head><title>\u{1b}[2Jcleared \u{202e}gnp.exe</title></head><body>gamma cellar</body></html>",
    );
    let ida = env.import(&[&a], &["--title", ESC_TITLE])[0]["id"].to_string();
    // A line break makes `list` lay the table out with comfy-table instead
    // of its own writer: both must escape.
    env.import(&[&b], &["--title", "two\nlines \u{9b}31m \u{7f}"]);
    env.import(&[&html], &[]);
    let tables = [
        vec!["list"],
        vec!["show", &ida],
        vec!["query", "cellar"],
        vec!["report", "accessions", "--items"],
        vec!["sql", "--access", "custodian", "SELECT title FROM items"],
        vec!["sql", "SELECT title AS \"\u{1b}[31mx\" FROM items_visible"],
        vec!["log", "--access", "custodian"],
    ];
    for args in &tables {
        let out = stdout_of(&env, args);
        assert_eq!(unsafe_chars(&out), Vec::<char>::new(), "{args:?}:\n{out}");
        if args[0] != "log" {
            assert!(
                out.contains("red") || out.contains("\\x1b[31mx"),
                "{args:?}:\n{out}"
            );
        }
    }
    let list = stdout_of(&env, &["list"]);
    assert!(list.contains("\\x1b]0;pwned\\x07\\x1b[31mred"), "{list}");
    assert!(list.contains("\\u{202e}gnp.exe"), "{list}");
    assert!(list.contains("\\u{9b}31m \\x7f"), "{list}");
    // JSON carries the exact value, spelling unsafe characters as \uXXXX.
    let shown = env.json(&["show", &ida, "--format", "json"]);
    assert_eq!(shown["title"], ESC_TITLE);
    for format in ["json", "jsonl"] {
        let out = stdout_of(&env, &["list", "--format", format]);
        assert_eq!(unsafe_chars(&out), Vec::<char>::new(), "{format}:\n{out}");
        assert!(
            out.contains("\\u202egnp.exe") && out.contains("\\u009b31m \\u007f"),
            "{out}"
        );
    }
    let listed = env.json(&["list", "--format", "json"]);
    let titles: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"two\nlines \u{9b}31m \u{7f}"),
        "{titles:?}"
    );
}

#[test]
fn messages_quoting_a_value_escape_it() {
    let env = Env::with_archive();
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["import", "no-such-\u{1b}[31mfile\u{202e}"]);
        c
    });
    assert_ne!(code, 0);
    assert!(err.contains("no-such-\\x1b[31mfile\\u{202e}"), "{err}");
    assert_eq!(unsafe_chars(&err), Vec::<char>::new(), "{err}");
    assert!(!err.contains('\u{1b}'));
    // clap's own usage errors quote the value too.
    for args in [
        vec!["list", "--format", "x\u{202e}y\u{9b}2J"],
        vec!["show", "\u{1b}]0;t\u{7}"],
    ] {
        let (code, _, err) = run({
            let mut c = env.cmd();
            c.args(&args);
            c
        });
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(unsafe_chars(&err), Vec::<char>::new(), "{args:?}: {err}");
    }
}

fn csv_env() -> (Env, String) {
    let env = Env::with_archive();
    let a = env.write("in/a.txt", "alpha");
    let id = env.import(
        &[&a],
        &[
            "--title",
            "=HYPERLINK(\"http://x\",\"y\")",
            "--collection",
            "@SUM(1)",
        ],
    )[0]["id"]
        .to_string();
    for (n, t) in ["+1", "-2", "\tTab", "\rCR", "plain=title"]
        .iter()
        .enumerate()
    {
        let p = env.write(&format!("in/{n}.txt"), format!("body {n}"));
        env.import(&[&p], &[&format!("--title={t}")]);
    }
    (env, id)
}

/// The cells of a CSV or TSV output, by header name.
fn column(out: &str, tsv: bool, name: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .quoting(!tsv)
        .from_reader(out.as_bytes());
    let at = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}: {out}"));
    r.records().map(|x| x.unwrap()[at].to_string()).collect()
}

#[test]
fn csv_and_tsv_cells_never_start_a_formula() {
    let (env, _) = csv_env();
    for (format, tsv) in [("csv", false), ("tsv", true)] {
        let list = stdout_of(&env, &["list", "--format", format]);
        let mut titles = column(&list, tsv, "title");
        titles.sort();
        let mut want = vec![
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'+1",
            "'-2",
            if tsv { "'\\tTab" } else { "'\tTab" },
            if tsv { "'\\rCR" } else { "'\rCR" },
            "plain=title",
        ];
        want.sort();
        assert_eq!(titles, want, "{format}:\n{list}");
        assert!(column(&list, tsv, "collection").contains(&"'@SUM(1)".to_string()));
        // Numbers stay numbers.
        assert!(column(&list, tsv, "id")
            .iter()
            .all(|i| i.parse::<u64>().is_ok()));
        let report = stdout_of(
            &env,
            &["report", "accessions", "--items", "--format", format],
        );
        let titles = column(&report, tsv, "title");
        assert!(titles.contains(&"'-2".to_string()), "{report}");
        assert!(
            !titles.iter().any(|t| t.starts_with(['=', '+', '-', '@'])),
            "{report}"
        );
        let holdings = stdout_of(
            &env,
            &[
                "report",
                "holdings",
                "--by",
                "collection",
                "--format",
                format,
            ],
        );
        assert!(holdings.contains("'@SUM(1)"), "{holdings}");
        let sql = stdout_of(
            &env,
            &[
                "sql",
                "SELECT -5 AS n, '-5' AS s, 2.5 AS f",
                "--format",
                format,
            ],
        );
        assert_eq!(column(&sql, tsv, "n"), ["-5"], "{sql}");
        assert_eq!(column(&sql, tsv, "s"), ["'-5"], "{sql}");
    }
}

#[test]
fn a_bags_csv_files_never_start_a_formula() {
    let (env, _) = csv_env();
    let bag = env.path().join("bag");
    env.cmd()
        .args(["export", "--bag"])
        .arg(&bag)
        .assert()
        .success();
    let records = std::fs::read_to_string(bag.join("metadata/records.csv")).unwrap();
    let mut r = csv::Reader::from_reader(records.as_bytes());
    let cells: Vec<String> = r
        .records()
        .flat_map(|x| x.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://x\",\"y\")".to_string()),
        "{records}"
    );
    assert!(cells.contains(&"'-2".to_string()), "{records}");
    assert!(
        !cells
            .iter()
            .any(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
        "{records}"
    );
}

/// Runs custos with stdout on a pipe whose reading end is already closed.
fn into_closed_pipe(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    // The writing end of a pipe whose only reader, `true`, has exited.
    let mut reader = std::process::Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    let out = env
        .spawnable()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn into_full_disk(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = env
        .spawnable()
        .args(args)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_exits_0_and_a_full_disk_names_stdout() {
    assert!(
        Path::new("/dev/full").exists(),
        "these checks need Linux's /dev/full"
    );
    let env = Env::with_archive();
    env.import_fixtures();
    let commands: &[&[&str]] = &[
        &["completions", "zsh"],
        &["completions", "bash"],
        &["completions", "fish"],
        &["man"],
        &["list"],
        &["log"],
        &["log", "--head"],
        &["fields"],
        &["report", "holdings"],
        &["sql", "SELECT count(*) FROM items_visible"],
        &["--help"],
        &["--version"],
    ];
    for args in commands {
        let (code, err) = into_closed_pipe(&env, args);
        assert_eq!(code, Some(0), "{args:?} into a closed pipe: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        let (code, err) = into_full_disk(&env, args);
        assert_eq!(code, Some(1), "{args:?} into /dev/full: {err}");
        assert!(
            err.contains("stdout") && err.contains("No space left"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// An archive with one open document, one hidden testimony and narrators.
fn history_env() -> (Env, i64) {
    let env = Env::with_archive();
    let doc = env.write("in/doc.txt", "An open document.");
    let open = env.import(&[&doc], &[])[0]["id"].as_i64().unwrap();
    env.cmd()
        .args([
            "narrator",
            "add",
            "--display",
            "N. one",
            "--anonymity",
            "anonymous",
        ])
        .assert()
        .success();
    let t = env.write("in/t.txt", "A pending testimony.");
    env.import(&[&t], &["--kind", "testimony"]);
    env.cmd()
        .args([
            "narrator",
            "add",
            "--display",
            "N. two",
            "--anonymity",
            "anonymous",
        ])
        .assert()
        .success();
    let doc2 = env.write("in/doc2.txt", "Another open document.");
    env.import(&[&doc2], &[]);
    (env, open)
}

fn log_json(env: &Env, access: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["log", "--format", "json", "--access", access];
    args.extend(extra);
    env.json(&args).as_array().unwrap().clone()
}

#[test]
fn log_below_custodian_cannot_count_what_it_hides() {
    let (env, _) = history_env();
    let all = log_json(&env, "custodian", &[]);
    assert!(all
        .iter()
        .any(|e| e["item_id"].is_null() && e["type"] == "creation"));
    for access in ["public", "research"] {
        let evs = log_json(&env, access, &[]);
        // Two open documents, two events each; no narrator creation, no
        // event of the pending testimony.
        assert_eq!(evs.len(), 4, "{access}: {evs:?}");
        assert!(
            evs.iter().all(|e| !e["item_id"].is_null()),
            "{access}: {evs:?}"
        );
        let ids: Vec<i64> = evs.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [1, 2, 3, 4], "{access}: numbered by position, no gaps");
        for e in &evs {
            for k in ["hash", "prev_hash", "detail_hash", "detail"] {
                assert!(e[k].is_null(), "{access}: {k} shown: {e}");
            }
        }
        let table = stdout_of(&env, &["log", "--access", access]);
        assert!(!table.contains("creation"), "{table}");
        let head = env.json(&["log", "--head", "--format", "json", "--access", access]);
        assert!(head["event_id"].is_null(), "{head}");
        assert!(head["head"].is_string());
    }
    // More hidden activity changes nothing a public reader sees.
    let before = log_json(&env, "public", &[]);
    env.cmd()
        .args([
            "narrator",
            "add",
            "--display",
            "N. three",
            "--anonymity",
            "anonymous",
        ])
        .assert()
        .success();
    let after = log_json(&env, "public", &[]);
    assert_eq!(before, after);
    // The custodian keeps the real ids and the chain.
    let all = log_json(&env, "custodian", &[]);
    assert_eq!(all.last().unwrap()["id"], all.len());
    assert_eq!(
        env.json(&["log", "--head", "--format", "json", "--access", "custodian"])["event_id"],
        all.len()
    );
}

#[test]
fn verify_runs_are_the_archive_events_a_reader_sees() {
    let (env, open) = history_env();
    // A run records an event per item only for a problem: damage every
    // object so each item gets one, the closed testimony's included.
    for entry in walkdir::WalkDir::new(env.archive().join("objects")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let p = entry.path();
            std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .unwrap();
            std::fs::write(p, b"damaged").unwrap();
        }
    }
    env.cmd().args(["verify"]).assert().code(1);
    let evs = log_json(&env, "public", &["--type", "fixity_check"]);
    // The failed check of each open document and the run itself.
    assert_eq!(evs.len(), 3, "{evs:?}");
    assert_eq!(evs.iter().filter(|e| e["item_id"].is_null()).count(), 1);
    let one = log_json(&env, "public", &[&open.to_string()]);
    assert!(one.iter().all(|e| e["item_id"] == open));
    // An item's events in `show` carry no archive-wide ids either.
    let shown = env.json(&[
        "show",
        &open.to_string(),
        "--format",
        "json",
        "--access",
        "public",
    ]);
    let shown_evs = shown["events"].as_array().unwrap();
    assert!(!shown_evs.is_empty());
    assert!(shown_evs.iter().all(|e| e["hash"].is_null()), "{shown}");
    let ids: Vec<usize> = shown_evs
        .iter()
        .map(|e| e["id"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(ids, (1..=shown_evs.len()).collect::<Vec<_>>(), "{shown}");
}

#[test]
fn sql_counts_rows_of_the_visible_tables() {
    let (env, _) = history_env();
    for access in ["public", "research"] {
        let listed = env
            .json(&["list", "--format", "json", "--access", access])
            .as_array()
            .unwrap()
            .len() as u64;
        for stmt in [
            "SELECT count(*) AS n FROM items_visible",
            "SELECT count(1) AS n FROM items_visible",
            "SELECT count(id) AS n FROM items_visible",
            "SELECT EXISTS (SELECT 1 FROM items_visible) + count(*) - 1 AS n FROM items_visible",
        ] {
            let rows = env.json(&["sql", "--access", access, "--format", "json", stmt]);
            assert_eq!(rows[0]["n"], listed, "{access}: {stmt}");
        }
        let terms = env.json(&[
            "sql",
            "--access",
            access,
            "--format",
            "json",
            "SELECT count(*) AS n FROM item_terms_visible",
        ]);
        assert_eq!(terms[0]["n"], 0);
        // Counting a catalogue table is still refused.
        for stmt in [
            "SELECT count(*) FROM items",
            "SELECT count(*) FROM narrators",
            "SELECT count(*) FROM events",
            "WITH items_visible AS (SELECT 1 FROM narrators) SELECT count(*) FROM items_visible",
        ] {
            let (code, _, err) = run({
                let mut c = env.cmd();
                c.args(["sql", "--access", access, stmt]);
                c
            });
            assert_eq!(code, 13, "{access}: {stmt}: {err}");
        }
    }
}

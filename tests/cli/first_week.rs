//! The README's "Your first week" block, run as written: each `$ custos`
//! line with the sample collection's paths (from the repository's folder),
//! `export` lines setting the environment of the lines after them, and each
//! `# → TEXT` comment a text the command must print. A README that drifts
//! from what custos does fails here.

use std::path::Path;

/// Splits a command line as a POSIX shell would for these lines: single
/// and double quotes, no variables, `~/` at the start of a word.
fn words(line: &str, home: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut any = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    assert!(quote.is_none(), "unbalanced quote in {line:?}");
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter()
        .map(|w| match w.strip_prefix("~/") {
            Some(rest) => home.join(rest).to_string_lossy().into_owned(),
            None => w,
        })
        .collect()
}

fn block() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("<!-- first-week -->")
        .expect("the block's start marker");
    let end = readme
        .find("<!-- /first-week -->")
        .expect("the block's end marker");
    readme[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("$ ").map(str::to_string))
        .collect()
}

#[test]
fn the_first_week_walkthrough_runs_as_the_readme_says() {
    let home = tempfile::tempdir().expect("tempdir");
    let lines = block();
    assert!(lines.len() >= 10, "the block has its commands: {lines:?}");
    let mut envs: Vec<(String, String)> = Vec::new();
    for line in lines {
        let (cmd, expect) = match line.split_once("# →") {
            Some((c, e)) => (c.trim().to_string(), Some(e.trim().to_string())),
            None => (line.trim().to_string(), None),
        };
        if let Some(assign) = cmd.strip_prefix("export ") {
            let w = words(assign, home.path());
            let (k, v) = w[0].split_once('=').expect("export NAME=VALUE");
            let v = match v.strip_prefix("~/") {
                Some(rest) => home.path().join(rest).to_string_lossy().into_owned(),
                None => v.to_string(),
            };
            envs.push((k.to_string(), v));
            continue;
        }
        let w = words(&cmd, home.path());
        assert_eq!(w[0], "custos", "only custos lines: {cmd}");
        let mut c = assert_cmd::Command::cargo_bin("custos").expect("binary");
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("USER", "tester")
            .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&w[1..]);
        let out = c.output().expect("run custos");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "{cmd}: exit {:?}\n{text}",
            out.status.code()
        );
        if let Some(e) = expect {
            assert!(text.contains(&e), "{cmd}: expected {e:?} in\n{text}");
        }
    }
}

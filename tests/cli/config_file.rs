//! Defaults in `custos.toml` (the archive's) and `~/.config/custos/
//! config.toml` (the user's), shown and changed by `custos settings`
//! (issue 18): the archive's file wins, a command-line option wins over
//! both, and a broken file stops every command naming the file and line.

use crate::harness::{run, Env};

fn ok(env: &Env, args: &[&str]) -> (String, String) {
    let mut c = env.cmd();
    c.args(args);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{args:?}: {err}");
    (out, err)
}

fn last_agent(env: &Env) -> String {
    let log = env.json(&["log", "--access", "custodian", "--format", "json"]);
    log.as_array().unwrap().last().unwrap()["agent"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn by_comes_from_the_archive_file_then_the_user_file_then_the_option() {
    let env = Env::with_archive();
    let f = env.write("in/a.txt", "A fictional letter.");
    ok(&env, &["import", f.to_str().unwrap()]);
    ok(&env, &["settings", "by", "Mira Tollan", "--user"]);
    ok(&env, &["edit", "1", "--title", "One"]);
    assert_eq!(last_agent(&env), "Mira Tollan");
    ok(&env, &["settings", "by", "M. Archivist"]);
    assert!(env.archive().join("custos.toml").is_file());
    ok(&env, &["edit", "1", "--title", "Two"]);
    assert_eq!(last_agent(&env), "M. Archivist", "the archive's file wins");
    ok(&env, &["edit", "1", "--title", "Three", "--by", "Guest"]);
    assert_eq!(last_agent(&env), "Guest", "the option wins");
    let (out, _) = ok(&env, &["settings", "by", "--format", "json"]);
    assert!(
        out.contains("M. Archivist") && out.contains("custos.toml"),
        "{out}"
    );
    ok(&env, &["settings", "by", "--unset"]);
    ok(&env, &["edit", "1", "--title", "Four"]);
    assert_eq!(last_agent(&env), "Mira Tollan");
}

#[test]
fn the_default_level_and_organization_apply_where_no_option_is_given() {
    let env = Env::with_archive();
    let t = env.write("in/t.txt", "A fictional interview.");
    ok(
        &env,
        &["import", t.to_str().unwrap(), "--kind", "testimony"],
    );
    ok(
        &env,
        &[
            "consent",
            "1",
            "grant",
            "--scope",
            "research",
            "--date",
            "2020-01-01",
        ],
    );
    let research = env.json(&["show", "1", "--format", "json"]);
    assert!(research["title"].is_string(), "{research}");
    ok(&env, &["settings", "access", "public"]);
    // Read at public now, where a testimony consented for research is not
    // found at all.
    let mut c = env.cmd();
    c.args(["show", "1", "--format", "json"]);
    assert_eq!(run(c).0, 2);
    let explicit = env.json(&["show", "1", "--format", "json", "--access", "research"]);
    assert!(explicit["title"].is_string());
    ok(
        &env,
        &[
            "settings",
            "organization",
            "Harrow Valley Memory Project",
            "--user",
        ],
    );
    let bag = env.path().join("bag");
    ok(&env, &["export", "--bag", bag.to_str().unwrap()]);
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        info.contains("Source-Organization: Harrow Valley Memory Project"),
        "{info}"
    );
}

#[test]
fn a_file_intake_applies_to_imports() {
    let env = Env::with_archive();
    ok(&env, &["settings", "intake", "closed", "--user"]);
    let f = env.write("in/a.txt", "A fictional letter.");
    ok(&env, &["import", f.to_str().unwrap()]);
    let shown = env.json(&["show", "1", "--format", "json", "--access", "research"]);
    assert_eq!(shown["access"], "closed", "{shown}");
    // The archive's own setting is unchanged (open, as Env made it).
    let (out, _) = ok(&env, &["settings", "intake", "--format", "json"]);
    assert!(out.contains("\"open\""), "{out}");
}

#[test]
fn a_broken_file_names_itself_and_its_line_and_changes_nothing() {
    let env = Env::with_archive();
    env.write(
        "archive/custos.toml",
        "by = \"M. Archivist\"\naccess = \"everyone\"\n",
    );
    let f = env.write("in/a.txt", "A fictional letter.");
    let mut c = env.cmd();
    c.arg("import").arg(&f);
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert!(
        err.contains("custos.toml") && err.contains("line 2"),
        "{err}"
    );
    std::fs::remove_file(env.archive().join("custos.toml")).unwrap();
    let items = env.json(&["list", "--format", "json"]);
    assert_eq!(items.as_array().unwrap().len(), 0);
    let mut c = env.cmd();
    c.args(["settings", "access", "everyone"]);
    assert_eq!(run(c).0, 2);
}

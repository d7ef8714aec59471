//! Redaction against the ways a name can be written (issue 11, finding 5),
//! the original's digest and size below custodian (finding 6), and names
//! that would survive as terms, creator or collection (finding 7).

use serde_json::Value;

use crate::harness::Env;
use crate::seed::{self, run};

/// A public testimony (item 1) of an anonymous narrator, with `text`.
fn public_testimony(env: &Env, name: &str, text: &str) -> i64 {
    seed::key_init(env);
    let n = seed::narrator(env, "CANARY-LEGAL", &["--anonymity", "anonymous"]);
    let id = seed::testimony(env, name, text, n, &[]);
    seed::set_consent(env, id, "granted", Some("public"), None);
    id
}

fn redact(env: &Env, item: i64, terms: &str) -> (i32, String, String) {
    let out = env
        .cmd()
        .args(["redact", &item.to_string()])
        .write_stdin(terms)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn first(v: &Value) -> &Value {
    v.as_array()
        .and_then(|a| a.first())
        .unwrap_or_else(|| panic!("no rows: {v}"))
}

// ---- finding 6: the original's digest and size ---------------------------

#[test]
fn a_redacted_items_digest_and_size_are_the_custodians_alone() {
    let env = Env::with_archive();
    let id = public_testimony(&env, "t.txt", "Story of Canarysurname and the bridge.");
    let sha = env.json(&["show", "1", "--format", "json"])["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let size = env.json(&["show", "1", "--format", "json"])["size"].clone();
    assert!(size.as_i64().is_some());
    let (code, _, err) = redact(&env, id, "Canarysurname\n");
    assert_eq!(code, 0, "{err}");

    let prefix = &sha[..8];
    let size_term = format!("size:{}", size);
    for level in ["public", "research", "custodian"] {
        let seen = level == "custodian";
        let a = ["--access", level, "--format", "json"];
        let list = env.json(&[&["list"][..], &a].concat());
        let show = env.json(&[&["show", "1"][..], &a].concat());
        let query = env.json(&[&["query", "bridge"][..], &a].concat());
        let accessions = env.json(&[&["report", "accessions"][..], &a].concat());
        let paths = [
            ("list", first(&list)),
            ("show", &show),
            ("query", first(&query)),
            ("report accessions", first(&accessions)),
        ];
        for (path, rec) in paths {
            assert_eq!(
                rec["sha256"].as_str() == Some(&sha),
                seen,
                "{path} at {level}: {rec}"
            );
            assert_eq!(rec["sha256"].is_null(), !seen, "{path} at {level}: {rec}");
            if path != "report accessions" {
                assert_eq!(rec["size"] == size, seen, "{path} at {level}: {rec}");
                assert_eq!(rec["size"].is_null(), !seen, "{path} at {level}: {rec}");
            }
        }
        if !seen {
            let sql = env.json(&[&["sql", "SELECT * FROM items_visible"][..], &a].concat());
            let row = first(&sql);
            assert!(
                row["sha256"].is_null() && row["size"].is_null(),
                "sql at {level}: {row}"
            );
            // Nor can the digest or size be confirmed by matching on them.
            for q in [format!("sha256:{prefix}"), size_term.clone()] {
                let hits = env.json(&[&["query", q.as_str()][..], &a].concat());
                assert_eq!(hits, serde_json::json!([]), "query {q} at {level}");
            }
            let sorted = env.json(&[&["list", "--sort", "size"][..], &a].concat());
            assert!(first(&sorted)["size"].is_null());
        } else {
            // The custodian's `sql` reads the catalogue itself.
            let rows =
                env.json(&[&["sql", "SELECT o.sha256, o.size FROM objects o"][..], &a].concat());
            assert_eq!(first(&rows)["sha256"], sha.as_str());
            for q in [format!("sha256:{prefix}"), size_term.clone()] {
                let hits = env.json(&[&["query", q.as_str()][..], &a].concat());
                assert_eq!(hits.as_array().map(Vec::len), Some(1), "query {q}");
            }
        }
    }
    // An item without redactions keeps its digest at public.
    let p = env.write("intake/open.txt", "An open article.");
    env.import(&[p.as_path()], &[]);
    let show = env.json(&["show", "2", "--access", "public", "--format", "json"]);
    assert!(
        show["sha256"].is_string() && show["size"].is_number(),
        "{show}"
    );
    let (code, _, _) = run(&env, &["show", "2", "--access", "public"]);
    assert_eq!(code, 0);
}

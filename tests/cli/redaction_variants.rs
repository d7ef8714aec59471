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

// ---- finding 5: every way of writing a redacted name --------------------

/// The terms redacted, one per line, as the custodian typed them.
const TERMS: &str = "Ondřej Novák\nGroßmann\nσωκράτης\nO'Brien\nGriffin\n";

/// Each term as the texts write it.
const WRITTEN: &[&str] = &[
    "Ondřej-Novák",
    "ONDŘEJ NOVÁK",
    "Ond\u{AD}řej No\u{AD}vák",
    "On\u{200B}dřej Nov\u{200D}ák",
    "Ondr\u{30C}ej\u{2011}Nova\u{301}k",
    "GROSSMANN",
    "Großmann",
    "GROẞMANN",
    "ΣΩΚΡΆΤΗΣ",
    "Σωκράτης",
    "O’Brien",
    "O'Brien",
    "Oʼbrien",
    "Ｇｒｉｆｆｉｎ",
    "Gri\u{FB03}n",
];

/// What a reader would see of any of the names: invisible characters,
/// compatibility forms, case and diacritics gone.
fn assert_clean(what: &str, s: &str) {
    use unicode_normalization::UnicodeNormalization;
    let invisible = [
        '\u{AD}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
    ];
    let seen: String = s
        .nfkd()
        .filter(|c| !invisible.contains(c) && !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
        .replace('ß', "ss")
        .replace('ς', "σ");
    for name in [
        "ondrej",
        "novak",
        "grossmann",
        "σωκρατησ",
        "brien",
        "griffin",
    ] {
        assert!(!seen.contains(name), "{what} shows {name}: {s}");
    }
}

fn hits(env: &Env, query: &str, level: &str) -> Vec<i64> {
    let v = env.json(&["query", query, "--access", level, "--format", "json"]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn no_spelling_of_a_redacted_name_is_shown_or_found_at_public() {
    let env = Env::with_archive();
    let body = format!(
        "Testimony. We crossed the bridge with {}. The end.",
        WRITTEN.join(", then ")
    );
    let text = public_testimony(&env, "account.txt", &body);
    let html = "<html><head><title>Notes on Gro&shy;ßmann</title></head><body>\
                <p>At the bridge, Ond&shy;řej Nov&shy;ák met O&rsquo;Brien and \
                GRO&shy;SSMANN.</p></body></html>";
    let n = seed::narrator(&env, "CANARY-LEGAL-2", &["--anonymity", "anonymous"]);
    let page = seed::testimony(&env, "notes.html", html, n, &[]);
    seed::set_consent(&env, page, "granted", Some("public"), None);

    let queries: Vec<String> = WRITTEN
        .iter()
        .flat_map(|w| [w.to_string(), format!("\"{w}\"")])
        .collect();
    // Before the redaction each spelling finds the text: the test can fail.
    for q in &queries {
        assert!(hits(&env, q, "public").contains(&text), "{q:?} before");
    }
    for item in [text, page] {
        let (code, _, err) = redact(&env, item, TERMS);
        assert_eq!(code, 0, "{err}");
    }
    let bridge = hits(&env, "bridge", "public");
    assert_eq!(
        bridge,
        vec![text, page],
        "the rest of the text stays searchable"
    );
    for q in &queries {
        assert_eq!(
            hits(&env, q, "public"),
            Vec::<i64>::new(),
            "{q:?} at public"
        );
        assert_eq!(
            hits(&env, q, "research"),
            Vec::<i64>::new(),
            "{q:?} at research"
        );
    }
    // The custodian still finds the text by what was redacted.
    assert!(hits(&env, "GROSSMANN", "custodian").contains(&text));
    for item in [text, page] {
        let id = item.to_string();
        let show = env.json(&["show", &id, "--access", "public", "--format", "json"]);
        assert_clean("show", &show.to_string());
        assert!(show.to_string().contains("[redacted]"), "{show}");
        let (code, table, _) = run(&env, &["show", &id, "--access", "public"]);
        assert_eq!(code, 0);
        assert_clean("show (table)", &table);
    }
    let bag = env.path().join("public-bag");
    env.cmd()
        .args(["export", "--access", "public", "--bag"])
        .arg(&bag)
        .assert()
        .success();
    let mut files = 0;
    for e in walkdir::WalkDir::new(&bag)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            assert_clean(
                &e.path().display().to_string(),
                &String::from_utf8_lossy(&bytes),
            );
            files += 1;
        }
    }
    assert!(files > 3, "{files} files exported");
}

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
    assert_eq!(run(&env, &["tag", "1", "--place", "Velmora"]).0, 0);
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
        let accessions = env.json(&[&["report", "accessions", "--items"][..], &a].concat());
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
        // Nor is the size summed into holdings (the item is alone in each
        // group, so a sum would be its size).
        for by in ["kind", "place", "collection", "decade"] {
            let v = env.json(&[&["report", "holdings", "--by", by][..], &a].concat());
            let text = v.to_string();
            let sum = if seen {
                size.clone()
            } else {
                serde_json::json!(0)
            };
            assert!(
                text.contains(&format!("\"size\":{sum}")),
                "holdings by {by} at {level}: {v}"
            );
            if !seen {
                assert!(
                    !text.contains(&format!("\"size\":{size}")),
                    "{by} at {level}: {v}"
                );
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

// ---- finding 7: names in terms, creator and collection ------------------

const NAME: &str = "Miroslav Canarek";

fn assert_no_name(what: &str, s: &str) {
    assert!(
        !s.to_lowercase().contains("canarek"),
        "{what} shows the name: {s}"
    );
}

fn code_of(env: &Env, args: &[&str]) -> (i32, String) {
    let (code, _, err) = run(env, args);
    assert_no_name(&format!("stderr of {args:?}"), &err);
    (code, err)
}

#[test]
fn a_redacted_name_cannot_stay_or_return_as_a_term_creator_or_collection() {
    let env = Env::with_archive();
    let id = public_testimony(&env, "t.txt", "Miroslav Canarek hid us near the bridge.");
    let db = || rusqlite::Connection::open(seed::db(&env)).unwrap();
    let redactions = || -> i64 {
        db().query_row("SELECT count(*) FROM redactions", [], |r| r.get(0))
            .unwrap()
    };
    let terms = format!("{NAME}\n");

    // tag, then redact: refused while the name is linked, whatever links it.
    let steps: &[(&[&str], &str, &[&str])] = &[
        (
            &["tag", "1", "--agent", NAME],
            "agent term",
            &["untag", "1", "--agent", NAME],
        ),
        (
            &["tag", "1", "--place", "CANAREK-village"],
            "",
            &["untag", "1", "--place", "CANAREK-village"],
        ),
        (
            &["edit", "1", "--creator", "MIROSLAV CANAREK"],
            "creator",
            &["edit", "1", "--clear", "creator"],
        ),
        (
            &[
                "edit",
                "1",
                "--collection",
                "Papers of Miroslav\u{AD}Canarek",
            ],
            "collection",
            &["edit", "1", "--clear", "collection"],
        ),
        (
            &[
                "testimony",
                "set",
                "1",
                "--narrator",
                "1",
                "--interview-place",
                "Miroslav Canarek's farm",
            ],
            "interview_place",
            &[
                "testimony",
                "set",
                "1",
                "--narrator",
                "1",
                "--interview-place",
                "Velmora",
            ],
        ),
        (
            &[
                "narrator",
                "edit",
                "1",
                "--place-of-origin",
                "Canarek\u{AD}Miroslav and Miroslav Canarek",
            ],
            "narrator's place_of_origin",
            &["narrator", "edit", "1", "--clear", "place_of_origin"],
        ),
    ];
    for (link, what, unlink) in steps {
        assert_eq!(code_of(&env, link).0, 0, "{link:?}");
        let (code, _, err) = redact(&env, id, &terms);
        if what.is_empty() {
            // A place that only shares a word with the name is no match.
            assert_eq!(code, 0, "{err}");
            assert_eq!(redactions(), 1);
            db().execute_batch("DELETE FROM redactions; DELETE FROM redacted_text;")
                .unwrap();
        } else {
            assert_eq!(code, 2, "{link:?}: {err}");
            assert!(err.contains(what), "{err}");
            assert_no_name("redact's refusal", &err);
            assert_eq!(redactions(), 0, "nothing redacted after {link:?}");
        }
        assert_eq!(code_of(&env, unlink).0, 0, "{unlink:?}");
    }
    let (code, _, err) = redact(&env, id, &terms);
    assert_eq!(code, 0, "{err}");
    // The term the refused steps created stays in the vocabulary, unlinked.

    // redact, then tag or edit: the name (any spelling) is refused, with
    // the key found where `key init` wrote it; other values are taken.
    for args in [
        &["tag", "1", "--agent", NAME][..],
        &["tag", "1", "--place", "miroslav-canarek"],
        &[
            "tag",
            "1",
            "--event",
            "Velmora unrest",
            "--subject",
            "Miroslav\u{200B}Canarek",
        ],
        &["edit", "1", "--creator", "Ｍｉｒｏｓｌａｖ Canarek"],
        &["edit", "1", "--collection", "Box 3: MIROSLAV CANAREK"],
    ] {
        let (code, err) = code_of(&env, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("redaction term"), "{err}");
    }
    for args in [
        &[
            "testimony",
            "set",
            "1",
            "--narrator",
            "1",
            "--interviewer",
            "miroslav canarek",
        ][..],
        &[
            "narrator",
            "edit",
            "1",
            "--place-of-residence",
            "near Miroslav Canarek",
        ],
    ] {
        let (code, err) = code_of(&env, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("redaction term"), "{err}");
    }
    assert_eq!(code_of(&env, &["tag", "1", "--place", "Velmora"]).0, 0);
    assert_eq!(
        code_of(&env, &["edit", "1", "--creator", "A. Archivist"]).0,
        0
    );
    // Relabelling a term of the redacted item would bypass the check.
    let (code, err) = code_of(&env, &["terms", "rename", "place", "Velmora", NAME]);
    assert_eq!(code, 2, "{err}");
    // Without the key the sealed terms cannot be read: refused, saying how.
    let key = std::fs::read_dir(env.path().join(".config/custos"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::rename(&key, env.path().join("away.key")).unwrap();
    let (code, err) = code_of(&env, &["tag", "1", "--subject", "rescue"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
    let away = env.path().join("away.key");
    let ok = [
        "tag",
        "1",
        "--subject",
        "rescue",
        "--key",
        away.to_str().unwrap(),
    ];
    assert_eq!(code_of(&env, &ok).0, 0);

    // Nothing at public or research shows the name.
    for level in ["public", "research"] {
        let a = ["--access", level, "--format", "json"];
        for q in [
            format!("agent:\"{NAME}\""),
            "agent:canarek".into(),
            "place:canarek".into(),
            "bridge".into(),
        ] {
            let v = env.json(
                &[
                    &["query", q.as_str(), "--fields", "agent,place,subject,event"][..],
                    &a,
                ]
                .concat(),
            );
            assert_no_name(&format!("query {q} at {level}"), &v.to_string());
        }
        let found = env.json(&[&["query", "place:Velmora"][..], &a].concat());
        assert_eq!(
            found.as_array().map(Vec::len),
            Some(1),
            "the item is still open at {level}"
        );
        assert_no_name(
            "terms",
            &env.json(&[&["terms"][..], &a].concat()).to_string(),
        );
        for by in ["place", "collection", "event"] {
            let v = env.json(&[&["report", "holdings", "--by", by][..], &a].concat());
            assert_no_name(&format!("holdings by {by}"), &v.to_string());
        }
        let bag = env.path().join(format!("{level}-bag"));
        env.cmd()
            .args(["export", "--access", level, "--bag"])
            .arg(&bag)
            .assert()
            .success();
        let records = std::fs::read_to_string(bag.join("metadata/records.json"))
            .or_else(|_| std::fs::read_to_string(bag.join("records.json")));
        for e in walkdir::WalkDir::new(&bag)
            .into_iter()
            .filter_map(Result::ok)
        {
            if e.file_type().is_file() {
                let bytes = std::fs::read(e.path()).unwrap();
                assert_no_name(
                    &e.path().display().to_string(),
                    &String::from_utf8_lossy(&bytes),
                );
            }
        }
        assert!(records.is_ok(), "records.json in the bag");
    }
}

#[test]
fn a_redacted_articles_file_name_and_origin_are_the_custodians_alone() {
    let env = Env::with_archive();
    seed::key_init(&env);
    let p = env.write("intake/Canarek letters.txt", "Letters of Canarek, 1988.");
    env.import(&[p.as_path()], &["--kind", "article"]);
    let (code, _, err) = redact(&env, 1, "Canarek\n");
    assert_eq!(code, 0, "{err}");
    for level in ["public", "research"] {
        let a = ["--access", level, "--format", "json"];
        let show = env.json(&[&["show", "1"][..], &a].concat());
        assert_no_name(&format!("show at {level}"), &show.to_string());
        assert!(
            show["title"].as_str().unwrap().contains("[redacted]"),
            "{show}"
        );
        for q in ["origin:canarek", "letters"] {
            let v = env.json(&[&["query", q][..], &a].concat());
            assert_no_name(&format!("query {q} at {level}"), &v.to_string());
        }
        let acc = env.json(&[&["report", "accessions", "--items"][..], &a].concat());
        assert_no_name(&format!("accessions at {level}"), &acc.to_string());
        let bag = env.path().join(format!("{level}-bag"));
        env.cmd()
            .args(["export", "--access", level, "--bag"])
            .arg(&bag)
            .assert()
            .success();
        for e in walkdir::WalkDir::new(&bag)
            .into_iter()
            .filter_map(Result::ok)
        {
            assert_no_name("a path in the bag", &e.path().display().to_string());
            if e.file_type().is_file() {
                let bytes = std::fs::read(e.path()).unwrap();
                assert_no_name(
                    &e.path().display().to_string(),
                    &String::from_utf8_lossy(&bytes),
                );
            }
        }
    }
    let v = env.json(&[
        "query",
        "origin:canarek",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
}

//! `custos query`, `custos list --access` and `custos sql` against the
//! sample collection: the README examples with asserted results, counts
//! checked against the manifest, and the policy on every path.

use crate::sample::{open_at, sample};

fn word_in_file(path: &std::path::Path, word: &str) -> bool {
    let text = std::fs::read_to_string(path)
        .unwrap_or_default()
        .to_lowercase();
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| w == word)
}

#[test]
fn readme_examples() {
    let s = sample();
    // Testimonies from 2017–2019 given with consent: Brenkel (publication)
    // and Mirashi (public) at research; only Mirashi in public.
    let q = ["kind:testimony", "date:2017..2019", "consent:granted"];
    let brenkel = s.id("testimonies/brenkel-oda-2017.txt");
    let mirashi = s.id("testimonies/mirashi-nela-2019.md");
    assert_eq!(s.ids_of(&q), vec![brenkel, mirashi]);
    let mut public = q.to_vec();
    public.extend(["--access", "public"]);
    assert_eq!(s.ids_of(&public), vec![mirashi]);

    // Testimonies without a signed release: custodian only.
    let want = s.where_(|r| r["kind"] == "testimony" && r["evidence"].is_empty());
    assert_eq!(
        s.ids_of(&["evidence:none", "kind:testimony", "--access", "custodian"]),
        want
    );
    s.cmd()
        .args(["query", "evidence:none", "kind:testimony"])
        .assert()
        .code(13);

    // Full text: every open file holding the word, with a marked snippet.
    let open = open_at(s, "research");
    let root = crate::harness::sample_collection();
    let want = s.where_(|r| word_in_file(&root.join(&r["path"]), "cellar"));
    let want: Vec<i64> = want.into_iter().filter(|id| open.contains(id)).collect();
    let rows = s.json(&[
        "query",
        "cellar",
        "--fields",
        "id,title,snippet",
        "--format",
        "json",
    ]);
    let got: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, want);
    for r in rows.as_array().unwrap() {
        assert_eq!(r.as_object().unwrap().len(), 3, "{r}");
        assert!(
            r["snippet"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("[cellar]"),
            "{r}"
        );
    }
    // Cut from the text as written: the punctuation between words stays.
    assert!(
        rows.as_array().unwrap().iter().any(|r| r["snippet"]
            .as_str()
            .unwrap()
            .contains([',', '.', ';', ':'])),
        "{rows}"
    );

    // quince is in exactly one document: a testimony with consent to publish.
    assert_eq!(s.ids_of(&["quince"]), vec![brenkel]);
    assert_eq!(
        s.ids_of(&["quince", "--access", "public"]),
        Vec::<i64>::new()
    );
    assert_eq!(s.ids_of(&["lanternlight"]), Vec::<i64>::new());

    // EDTF overlap: 1991-03-12, 1991-03/1991-06 and 1991~ all match 1991.
    let want = s.where_(|r| r["date"].starts_with("1991") && r["kind"] != "letter");
    assert_eq!(s.ids_of(&["date:1991", "-kind:letter"]), want);
    assert_eq!(s.ids_of(&["date:1991", "^kind:letter"]), want);

    // OR of terms; a phrase; the narrator's display form.
    let want = s.where_(|r| {
        r["places"].split(';').any(|p| p == "Oster") || r["subjects"].contains("commemoration")
    });
    let want: Vec<i64> = want.into_iter().filter(|id| open.contains(id)).collect();
    assert_eq!(
        s.ids_of(&["place:oster", ",", "subject:commemoration"]),
        want
    );
    assert_eq!(
        s.ids_of(&["\"flour cellar\"", "kind:testimony"]),
        vec![brenkel, mirashi]
    );
    assert_eq!(s.ids_of(&["narrator:mirashi"]), vec![mirashi]);
}

#[test]
fn counts_agree_with_the_manifest() {
    let s = sample();
    for access in ["public", "research", "custodian"] {
        let n = |args: &[&str]| -> usize {
            let mut a = vec!["query"];
            a.extend_from_slice(args);
            a.extend_from_slice(&["--access", access, "--count"]);
            let out = s.cmd().args(&a).output().unwrap();
            assert!(out.status.success());
            String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
        };
        let open = open_at(s, access);
        let articles = s.where_(|r| r["kind"] == "article");
        assert_eq!(n(&["kind:article"]), articles.len(), "{access}");
        let velmora_place = s.where_(|r| r["places"].split(';').any(|p| p == "Velmora"));
        let want = velmora_place.iter().filter(|i| open.contains(i)).count();
        assert_eq!(n(&["place:=velmora"]), want, "{access}");
        // Sizes: computed from the files themselves.
        let root = crate::harness::sample_collection();
        let sized = s.where_(|r| {
            let len = std::fs::metadata(root.join(&r["path"])).unwrap().len();
            (1500..=2100).contains(&len)
        });
        let want = sized.iter().filter(|i| open.contains(i)).count();
        assert_eq!(n(&["size:1500..2100"]), want, "{access}");
        assert_eq!(n(&["size:1.5KB..2.1KB"]), want, "{access}");
        // Listing: everything listed; closed entries carry id, kind, collection only.
        let list = s.json(&["list", "--access", access, "--format", "json"]);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), n(&[]), "{access}");
        for r in list {
            let id = r["id"].as_i64().unwrap();
            if !open.contains(&id) {
                assert!(
                    r["title"].is_null() && r["date"].is_null() && r["sha256"].is_null(),
                    "{r}"
                );
            }
        }
    }
}

#[test]
fn closed_items_cannot_be_found_by_what_they_hide() {
    let s = sample();
    let river = s.id("testimonies/anon-river-quarter-2018.txt");
    let dara = s.id("testimonies/dara-2021.txt");
    let form = s.id("testimonies/release-forms/mirashi-release-form-2019.txt");
    for access in ["public", "research"] {
        for q in [
            vec!["river"],
            vec!["title:river"],
            vec!["narrator:dara"],
            vec!["-title:zzzz"],
            vec!["date:2018..2021"],
            vec!["-narrator:zzzz"],
            vec!["release"],
            vec!["anonymity:anonymous"],
            vec!["consent:pending"],
        ] {
            let mut a = q.clone();
            a.extend(["--access", access]);
            let ids = s.ids_of(&a);
            for hidden in [river, dara, form] {
                assert!(!ids.contains(&hidden), "{q:?} at {access} found {hidden}");
            }
        }
        // The access class itself is shown on closed entries.
        let closed = s.ids_of(&["access:closed", "--access", access]);
        for id in &closed {
            assert!(!open_at(s, access).contains(id));
        }
    }
    assert_eq!(
        s.ids_of(&["access:closed", "--access", "research"]),
        vec![river, dara]
    );
    // The custodian finds them; the release form too.
    assert!(s
        .ids_of(&["narrator:dara", "--access", "custodian"])
        .contains(&dara));
    assert!(s
        .ids_of(&["release", "--access", "custodian"])
        .contains(&form));
    // Sorting by date at research must not reveal closed items' dates.
    let rows = s.json(&[
        "query",
        "kind:testimony",
        "--sort",
        "-date",
        "--format",
        "json",
    ]);
    for r in rows.as_array().unwrap() {
        if r["access"] == "closed" {
            assert!(r["date"].is_null() && r["title"].is_null(), "{r}");
        }
    }
}

#[test]
fn hostile_input_is_an_error_or_a_harmless_search() {
    let s = sample();
    let before = s.ids_of(&["--access", "custodian"]).len();
    s.cmd()
        .args(["query", "'; DROP TABLE items;--"])
        .assert()
        .success();
    s.cmd()
        .args(["query", "title:'; DROP TABLE items;--", "--count"])
        .assert()
        .success()
        .stdout("0\n");
    s.cmd()
        .args(["query", "\") OR 1=1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unbalanced quote"));
    s.cmd()
        // A megabyte exceeds what one argv entry may hold; 100 KB does not,
        // and is far over the query limit (the parser's own tests use 1 MB).
        .args(["query", &"x".repeat(100 * 1024)])
        .assert()
        .code(2);
    s.cmd()
        .args(["query", "kidn:testimony"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean \"kind\""));
    s.cmd()
        .args(["query", "date:1991-13"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("1991-13"));
    assert_eq!(s.ids_of(&["--access", "custodian"]).len(), before);
}

#[test]
fn sql_preview_fields_sort_limit() {
    let s = sample();
    let out = s
        .cmd()
        .args(["query", "title:courier", "--sql"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("LIKE ?") && text.contains("\"%courier%\""),
        "{text}"
    );
    assert!(!text.contains("'%courier%'"), "{text}");
    let rows = s.json(&[
        "query",
        "kind:article",
        "--sort",
        "-date",
        "--limit",
        "2",
        "--offset",
        "1",
        "--format",
        "json",
    ]);
    let dates: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, vec!["2011", "2004"]);
    s.cmd()
        .args(["query", "--fields", "id,titel"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("title"));
    let rows = s.json(&[
        "query",
        "narrator:brenkel",
        "--fields",
        "id,narrator,place,subject",
        "--format",
        "json",
    ]);
    assert_eq!(rows[0]["narrator"], "Oda Brenkel");
    assert!(rows[0]["place"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "Tannery Lane"));
    for f in ["csv", "tsv", "jsonl", "table"] {
        s.cmd()
            .args(["query", "cellar", "--format", f])
            .assert()
            .success();
    }
    s.cmd()
        .args(["fields"])
        .assert()
        .success()
        .stdout(predicates::str::contains("narrator"));
}

#[test]
fn raw_sql_reads_only_what_the_policy_shows() {
    let s = sample();
    let rows = s.json(&[
        "sql",
        "SELECT id, title, access FROM items_visible WHERE kind = 'testimony' ORDER BY id",
        "--format",
        "json",
    ]);
    let list = s.json(&["query", "kind:testimony", "--format", "json"]);
    assert_eq!(
        rows.as_array().unwrap().len(),
        list.as_array().unwrap().len()
    );
    for r in rows.as_array().unwrap() {
        if r["access"] == "closed" {
            assert!(r["title"].is_null(), "{r}");
        }
    }
    for stmt in [
        "SELECT * FROM items",
        "SELECT display FROM narrators",
        "SELECT * FROM sqlite_master",
    ] {
        s.cmd().args(["sql", stmt]).assert().code(13);
    }
    for stmt in [
        "DELETE FROM items",
        "UPDATE items SET title = 'x'",
        "ATTACH '/tmp/x.db' AS x",
        "PRAGMA user_version = 9",
        "CREATE TABLE t (x)",
    ] {
        s.cmd()
            .args(["sql", "--access", "custodian", stmt])
            .assert()
            .failure();
    }
    s.cmd()
        .args(["sql", "--access", "custodian", "SELECT 1; SELECT 2"])
        .assert()
        .code(2);
    s.cmd()
        .args(["sql", "--access", "custodian", "--timeout", "1", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("stopped after"));
    let n = s.json(&[
        "sql",
        "--access",
        "custodian",
        "SELECT count(*) AS n FROM items",
        "--format",
        "json",
    ]);
    // The manifest's rows (18 since the Lisani bulletin of issue 13).
    assert_eq!(n[0]["n"], 18);
}

/// Terms may begin with any letter, negated or not (a byte-sliced check of
/// the first characters once made these panic).
#[test]
fn terms_beginning_with_non_ascii_letters() {
    let env = crate::harness::Env::with_archive();
    let a = env.write("in/a.txt", "A fictional letter sent from Şuşa.");
    let b = env.write("in/b.txt", "A fictional note from Москва and Oster.");
    env.import(&[&a, &b], &[]);
    let ids = |args: &[&str]| -> Vec<i64> {
        let v = env.json(&[&["query", "--format", "json"], args].concat());
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&["Şuşa"]), [1]);
    assert_eq!(ids(&["Москва"]), [2]);
    assert_eq!(ids(&["-Şuşa"]), [2]);
    assert_eq!(ids(&["fictional", "-Москва"]), [1]);
}

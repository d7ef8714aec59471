//! Table-driven checks of manifest rows, the sample collection's manifest
//! and the fixtures, and the promise that a legal name never shows.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::model::{Anonymity, ConsentStatus, ItemId, Kind, Scope};

const NAME: &str = "Petr Example-Ferryman";

/// A folder with a few files, a folder, a link leading out, and a file
/// outside it to point at.
fn folder() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("intake");
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::create_dir_all(dir.join("a-folder")).unwrap();
    for f in ["a.txt", "b.txt", "release.txt", "sub/c.txt"] {
        fs::write(dir.join(f), f).unwrap();
    }
    fs::write(t.path().join("outside.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(t.path().join("outside.txt"), dir.join("link.txt")).unwrap();
    (t, dir)
}

fn check_text(dir: &Path, name: &str, text: &str, opts: Options) -> Checked {
    let m = dir.join(name);
    fs::write(&m, text).unwrap();
    check(&m, &opts).unwrap()
}

fn csv(text: &str) -> Checked {
    let (_t, dir) = folder();
    check_text(&dir, "m.csv", text, Options::default())
}

const T: &str =
    "path,kind,narrator,anonymity,consent_status,consent_scope,consent_date,evidence,embargo_until";

/// (case, manifest, expected row, column, words in the reason)
#[test]
fn each_kind_of_problem_names_row_and_column() {
    let cases: &[(&str, String, u64, &str, &str)] = &[
        ("missing file", "path\nmissing.txt\n".into(), 2, "path", "not found"),
        ("absolute", "path\n/etc/passwd\n".into(), 2, "path", "absolute"),
        ("dot-dot", "path\n../outside.txt\n".into(), 2, "path", "'..'"),
        ("dot-dot inside", "path\nsub/../../outside.txt\n".into(), 2, "path", "'..'"),
        ("symlink out", "path\nlink.txt\n".into(), 2, "path", "symbolic link"),
        ("a folder", "path\na-folder\n".into(), 2, "path", "not a regular file"),
        ("empty path", "path,title\n,x\n".into(), 2, "path", "required"),
        ("duplicate", "path\na.txt\nb.txt\n./a.txt\n".into(), 4, "path", "already listed in row 2"),
        ("bad date", "path,date\na.txt,March 1991\n".into(), 2, "date", "EDTF"),
        ("31 February (EDTF)", "path,date\na.txt,1991-02-31\n".into(), 2, "date", "EDTF"),
        ("bad interview date", "path,kind,interview_date\na.txt,testimony,1991-13\n".into(), 2, "interview_date", "EDTF"),
        ("unknown kind", "path,kind\na.txt,poem\n".into(), 2, "kind", "unknown kind"),
        ("unknown anonymity", "path,kind,narrator,anonymity\na.txt,testimony,D.,secret\n".into(), 2, "anonymity", "unknown anonymity"),
        ("unknown status", "path,kind,consent_status\na.txt,testimony,maybe\n".into(), 2, "consent_status", "unknown consent_status"),
        ("unknown scope", "path,kind,consent_status,consent_scope,consent_date\na.txt,testimony,granted,world,2019-01-01\n".into(), 2, "consent_scope", "unknown consent_scope"),
        ("31 February (consent)", format!("{T}\na.txt,testimony,,,granted,public,2019-02-31,,\n"), 2, "consent_date", "no such day"),
        ("consent date shape", format!("{T}\na.txt,testimony,,,granted,public,2019-02,,\n"), 2, "consent_date", "YYYY-MM-DD"),
        ("consent in the future", format!("{T}\na.txt,testimony,,,granted,public,2999-01-01,,\n"), 2, "consent_date", "future"),
        ("embargo before consent", format!("{T}\na.txt,testimony,,,restricted,research,2019-05-01,,2019-04-30\n"), 2, "embargo_until", "before the consent date"),
        ("embargo on consent day", format!("{T}\na.txt,testimony,,,restricted,research,2019-05-01,,2019-05-01\n"), 2, "embargo_until", "on or before"),
        ("evidence not listed", format!("{T}\na.txt,testimony,,,granted,public,2019-05-01,b.txt,\n"), 2, "evidence", "neither a path listed"),
        ("evidence missing", format!("{T}\na.txt,testimony,,,granted,public,2019-05-01,nothere.txt,\n"), 2, "evidence", "not found"),
        ("evidence escapes", format!("{T}\na.txt,testimony,,,granted,public,2019-05-01,../outside.txt,\n"), 2, "evidence", "'..'"),
        ("evidence is itself", format!("{T}\na.txt,testimony,,,granted,public,2019-05-01,a.txt,\n"), 2, "evidence", "its own evidence"),
        ("evidence item 0", format!("{T}\na.txt,testimony,,,granted,public,2019-05-01,0,\n"), 2, "evidence", "item id"),
        ("granted needs scope", format!("{T}\na.txt,testimony,,,granted,,2019-05-01,,\n"), 2, "consent_scope", "required"),
        ("decision needs date", format!("{T}\na.txt,testimony,,,withdrawn,,,,\n"), 2, "consent_date", "required"),
        ("scope needs status", format!("{T}\na.txt,testimony,,,,public,,,\n"), 2, "consent_scope", "needs consent_status"),
        ("narrator needs anonymity", format!("{T}\na.txt,testimony,D. from Velmora,,,,,,\n"), 2, "anonymity", "required"),
        ("testimony fields on an article", "path,kind,interviewer\na.txt,article,L. Amander\n".into(), 2, "interviewer", "describes a testimony"),
        ("testimony fields without kind", "path,narrator,anonymity\na.txt,D.,anonymous\n".into(), 2, "narrator", "kind is not given"),
        ("birth year", "path,kind,birth_year\na.txt,testimony,19x0\n".into(), 2, "birth_year", "year of birth"),
        ("birth year too early", "path,kind,birth_year\na.txt,testimony,1200\n".into(), 2, "birth_year", "year of birth"),
        ("language", "path,language\na.txt,English language\n".into(), 2, "language", "language code"),
        ("unknown column", "path,titel\na.txt,x\n".into(), 1, "titel", "did you mean title"),
        ("repeated column", "path,Title,TITLE\na.txt,x,y\n".into(), 1, "title", "twice"),
        ("no path column", "title\nx\n".into(), 1, "path", "no path column"),
        ("legal name without narrator", "path,kind,legal_name\na.txt,testimony,Someone Real\n".into(), 2, "legal_name", "needs a narrator"),
    ];
    for (name, text, row, column, words) in cases {
        let c = csv(text);
        assert!(
            c.problems.iter().any(|p| p.row == *row
                && p.column.as_deref() == Some(*column)
                && p.reason.contains(words)),
            "{name}: expected row {row}, {column}, {words:?}; got {:#?}",
            c.problems
        );
    }
}

#[test]
fn ragged_rows_and_every_problem_at_once() {
    // The quoted description spans two lines: spreadsheet rows, not lines.
    let c = csv("path,description,date,kind\na.txt,\"two\nlines\",1991,article\nmissing.txt,x,1991-99,poem\nb.txt,only three,1991\n");
    let got: Vec<(u64, Option<&str>)> = c
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, Some("path")),
            (3, Some("kind")),
            (3, Some("date")),
            (4, None)
        ],
        "{:#?}",
        c.problems
    );
    assert!(c.problems[3].reason.contains("3 cells"));
    assert_eq!(c.rows, 3);
    assert_eq!(c.problems[1].value.as_deref(), Some("poem"));
}

#[test]
fn unknown_columns_can_be_ignored_and_names_match_any_case() {
    let (_t, dir) = folder();
    let text = "PATH, Title ,Notes\na.txt,x,whatever\n";
    let strict = check_text(&dir, "m.csv", text, Options::default());
    assert_eq!(strict.problems.len(), 1, "{:#?}", strict.problems);
    let lax = check_text(
        &dir,
        "m.csv",
        text,
        Options {
            ignore_unknown: true,
        },
    );
    assert!(lax.is_ok(), "{:#?}", lax.problems);
    // A byte-order mark (as spreadsheets write) is not part of the first name.
    let bom = check_text(&dir, "m.csv", "\u{feff}path\na.txt\n", Options::default());
    assert!(bom.is_ok(), "{:#?}", bom.problems);
}

#[test]
fn evidence_ids_are_handed_to_the_caller_and_paths_may_come_later() {
    let c = csv(&format!(
        "{T}\na.txt,testimony,,,granted,public,2019-05-01,17,\nb.txt,testimony,,,granted,public,2019-05-01,release.txt,\nrelease.txt,,,,,,,,\n"
    ));
    assert!(c.is_ok(), "{:#?}", c.problems);
    assert_eq!(c.evidence_ids, vec![(2, ItemId(17))]);
}

#[test]
fn a_legal_name_never_appears_in_a_problem() {
    let (_t, dir) = folder();
    let text = format!(
        "path,title,kind,narrator,anonymity,legal_name,date\n\
         testimonies/{NAME}.txt,Interview with {NAME},testimony,D.,anonymous,{NAME},bad-date\n\
         a.txt,x,testimony,D.,anonymous,{NAME},not a date {NAME}\n\
         b.txt,x,testimony,,,{NAME},\n"
    );
    let c = check_text(&dir, "m.csv", &text, Options::default());
    assert!(c.problems.len() >= 5, "{:#?}", c.problems);
    let all = format!(
        "{:?} {}",
        c.problems,
        serde_json::to_string(&c.problems).unwrap()
    );
    let shown: Vec<String> = c.problems.iter().map(|p| p.to_string()).collect();
    for s in shown.iter().chain([&all]) {
        assert!(!s.contains("Ferryman"), "legal name leaked: {s}");
    }
    // The leak itself is a problem: the title shows the name of an
    // anonymous narrator.
    assert!(c.problems.iter().any(|p| p.row == 2
        && p.column.as_deref() == Some("title")
        && p.reason.contains("legal name")));
    assert!(c.problems.iter().any(|p| p.row == 3
        && p.column.as_deref() == Some("date")
        && p.value.is_none()
        && p.reason.contains("not shown")));
    assert_eq!(c.legal_names, 3);
    assert_eq!(format!("{:?}", Secret::new(NAME)), "[sealed]");
}

#[test]
fn the_sample_collection_manifest_passes() {
    let m = Path::new(env!("CARGO_MANIFEST_DIR")).join("archive/manifest.csv");
    let c = check(&m, &Options::default()).unwrap();
    assert!(c.is_ok(), "{:#?}", c.problems);
    assert_eq!(c.rows, 18);
    let rows: Vec<Row> = rows(&m, &Options::default())
        .unwrap()
        .collect::<crate::error::Result<_>>()
        .unwrap();
    assert_eq!(rows.len(), 18);
    let anon = rows
        .iter()
        .find(|r| r.path.contains("anon-river-quarter"))
        .unwrap();
    assert_eq!(anon.anonymity, Some(Anonymity::Anonymous));
    assert_eq!(anon.consent_status, Some(ConsentStatus::Restricted));
    assert_eq!(anon.embargo_until, NaiveDate::from_ymd_opt(2031, 1, 1));
    let nela = rows
        .iter()
        .find(|r| r.path.contains("mirashi-nela"))
        .unwrap();
    let form = rows
        .iter()
        .find(|r| r.path.contains("release-form"))
        .unwrap();
    assert_eq!(nela.evidence, Some(Evidence::File(form.file.clone())));
    assert_eq!(nela.consent_scope, Some(Scope::Public));
    assert_eq!(
        rows[0].places,
        ["Velmora", "Harrow Valley", "Tannery Bridge"]
    );
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].item_meta().kind, Some(Kind::Article));
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/manifests")
        .join(name)
}

#[test]
fn csv_and_jsonl_fixtures_read_alike() {
    let mut read = Vec::new();
    for name in ["intake.csv", "intake.jsonl"] {
        let c = check(&fixture(name), &Options::default()).unwrap();
        assert!(c.is_ok(), "{name}: {:#?}", c.problems);
        assert_eq!((c.rows, c.legal_names), (3, 1), "{name}");
        let rows: Vec<Row> = rows(&fixture(name), &Options::default())
            .unwrap()
            .collect::<crate::error::Result<_>>()
            .unwrap();
        read.push(rows);
    }
    let (csv, jsonl) = (&read[0], &read[1]);
    for (a, b) in csv.iter().zip(jsonl) {
        assert_eq!(a.file, b.file);
        assert_eq!(a.kind, b.kind);
        assert_eq!(a.legal_name, b.legal_name);
        assert_eq!(a.evidence, b.evidence);
        assert_eq!(a.birth_year, b.birth_year);
    }
    assert_eq!(csv[1].row, 3);
    assert_eq!(
        csv[2].row, 4,
        "the two-line description is one spreadsheet row"
    );
    assert_eq!(jsonl[1].row, 3, "JSON Lines count lines, blank ones too");
    assert_eq!(jsonl[0].places, ["Velmora", "Harrow Valley"]);
    assert_eq!(jsonl[0].subjects, ["transport", "notice"]);
    assert_eq!(csv[1].legal_name.as_ref().map(Secret::expose), Some(NAME));
    assert_eq!(
        csv[1].narrator,
        Some(NarratorRef::Display("the ferryman".into()))
    );
}

#[test]
fn jsonl_problems() {
    let (_t, dir) = folder();
    let text = "{\"path\": \"a.txt\", \"kind\": \"poem\", \"extra\": 1}\nnot json\n[1]\n{\"path\": \"b.txt\", \"title\": true, \"extra\": 2, \"subjects\": [\"a;b\"]}\n{\"path\": \"sub/c.txt\", \"Path\": \"a.txt\"}\n";
    let c = check_text(&dir, "m.jsonl", text, Options::default());
    let got: Vec<(u64, Option<&str>)> = c
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, Some("extra")),
            (1, Some("kind")),
            (2, None),
            (3, None),
            (4, Some("title")),
            (4, Some("subjects")),
            (5, Some("path")),
        ],
        "{:#?}",
        c.problems
    );
}

#[test]
fn second_pass_fails_when_a_file_vanished() {
    let (_t, dir) = folder();
    let m = dir.join("m.csv");
    fs::write(&m, "path\na.txt\nb.txt\n").unwrap();
    assert!(check(&m, &Options::default()).unwrap().is_ok());
    fs::remove_file(dir.join("b.txt")).unwrap();
    let mut it = rows(&m, &Options::default()).unwrap();
    assert!(it.next().unwrap().is_ok());
    let e = it.next().unwrap().unwrap_err().to_string();
    assert!(e.contains("row 3") && e.contains("check it again"), "{e}");
}

#[test]
fn formats_by_extension() {
    assert!(Format::from_path(Path::new("x.CSV")).is_ok());
    assert!(Format::from_path(Path::new("x.ndjson")).is_ok());
    assert!(Format::from_path(Path::new("x.xlsx")).is_err());
}

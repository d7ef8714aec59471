//! Valid and invalid bags built on the spot, each with the verdict and the
//! file the reason must name.

use std::fs;
use std::path::Path;

use super::*;

/// A valid bag: two payload files (one in a subfolder), a metadata tag file.
fn good_bag(dir: &Path) {
    let mut w = BagWriter::create(dir).unwrap();
    w.add_payload("a.txt", &b"alpha"[..]).unwrap();
    w.add_payload("sub/b.txt", &b"bravo!"[..]).unwrap();
    w.add_tag_file("metadata/items.json", b"[]").unwrap();
    w.finish(&[("Source-Organization".into(), "Test".into())])
        .unwrap();
}

fn kinds(r: &Report) -> Vec<ProblemKind> {
    r.problems.iter().map(|p| p.problem).collect()
}

fn append(path: &Path, line: &str) {
    let mut s = fs::read_to_string(path).unwrap();
    s.push_str(line);
    fs::write(path, s).unwrap();
}

fn replace(path: &Path, from: &str, to: &str) {
    let s = fs::read_to_string(path).unwrap();
    assert!(s.contains(from), "{from:?} not in {}", path.display());
    fs::write(path, s.replace(from, to)).unwrap();
}

const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn written_bag_is_valid() {
    let t = tempfile::tempdir().unwrap();
    let bag = t.path().join("bag");
    good_bag(&bag);
    let r = validate(&bag).unwrap();
    assert!(r.is_valid(), "{:#?}", r.problems);
    assert!(r.warnings.is_empty());
    assert_eq!(r.version.as_deref(), Some("1.0"));
    assert_eq!((r.payload_files, r.payload_bytes), (2, 11));
    assert_eq!(r.info_value("payload-oxum"), Some("11.2"));
    assert_eq!(r.info_value("Source-Organization"), Some("Test"));
    assert_eq!(r.algorithms, vec![Algorithm::Sha256]);
    let tm = fs::read_to_string(bag.join("tagmanifest-sha256.txt")).unwrap();
    for f in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "metadata/items.json",
    ] {
        assert!(tm.contains(&format!("  {f}\n")), "{f} not in {tm}");
    }
}

/// Each case breaks a good bag one way; the verdict must name the problem
/// kind and the file.
#[test]
fn broken_bags_name_the_problem_and_the_file() {
    type Breaker = fn(&Path);
    let cases: Vec<(&str, Breaker, ProblemKind, &str)> = vec![
        (
            "missing file",
            |b| fs::remove_file(b.join("data/a.txt")).unwrap(),
            ProblemKind::MissingFile,
            "data/a.txt",
        ),
        (
            "extra file",
            |b| fs::write(b.join("data/extra.txt"), "x").unwrap(),
            ProblemKind::UnlistedFile,
            "data/extra.txt",
        ),
        (
            "wrong checksum, same size",
            |b| fs::write(b.join("data/a.txt"), "ALPHA").unwrap(),
            ProblemKind::ChecksumMismatch,
            "data/a.txt",
        ),
        (
            "../ path",
            |b| {
                append(
                    &b.join("manifest-sha256.txt"),
                    &format!("{ZERO}  data/../../secret\n"),
                )
            },
            ProblemKind::UnsafePath,
            "data/../../secret",
        ),
        (
            "absolute path",
            |b| {
                append(
                    &b.join("manifest-sha256.txt"),
                    &format!("{ZERO}  /etc/passwd\n"),
                )
            },
            ProblemKind::UnsafePath,
            "/etc/passwd",
        ),
        (
            "wrong oxum",
            |b| {
                replace(
                    &b.join("bag-info.txt"),
                    "Payload-Oxum: 11.2",
                    "Payload-Oxum: 12.2",
                )
            },
            ProblemKind::OxumMismatch,
            "bag-info.txt",
        ),
        (
            "malformed oxum",
            |b| {
                replace(
                    &b.join("bag-info.txt"),
                    "Payload-Oxum: 11.2",
                    "Payload-Oxum: eleven",
                )
            },
            ProblemKind::BadOxum,
            "bag-info.txt",
        ),
        (
            "bad version",
            |b| replace(&b.join("bagit.txt"), "1.0", "2.0"),
            ProblemKind::BadBagitTxt,
            "bagit.txt",
        ),
        (
            "unknown encoding",
            |b| replace(&b.join("bagit.txt"), "UTF-8", "EBCDIC-FR-9"),
            ProblemKind::BadBagitTxt,
            "bagit.txt",
        ),
        (
            "bagit.txt with BOM",
            |b| {
                let s = fs::read_to_string(b.join("bagit.txt")).unwrap();
                fs::write(b.join("bagit.txt"), format!("\u{feff}{s}")).unwrap()
            },
            ProblemKind::BadBagitTxt,
            "bagit.txt",
        ),
        (
            "no bagit.txt",
            |b| fs::remove_file(b.join("bagit.txt")).unwrap(),
            ProblemKind::NotABag,
            "bagit.txt",
        ),
        (
            "stray percent sign",
            |b| {
                fs::write(b.join("data/50%.txt"), "").unwrap();
                append(
                    &b.join("manifest-sha256.txt"),
                    &format!("{ZERO}  data/50%.txt\n"),
                )
            },
            ProblemKind::BadPercentEncoding,
            "data/50%.txt",
        ),
        (
            "tag manifest mismatch",
            |b| fs::write(b.join("metadata/items.json"), "[1]").unwrap(),
            ProblemKind::ChecksumMismatch,
            "metadata/items.json",
        ),
        (
            "tag file missing",
            |b| fs::remove_file(b.join("metadata/items.json")).unwrap(),
            ProblemKind::MissingFile,
            "metadata/items.json",
        ),
        (
            "fetch.txt entry in no manifest",
            |b| fs::write(b.join("fetch.txt"), "http://example.org/x 1 data/x\n").unwrap(),
            ProblemKind::BadFetchLine,
            "data/x",
        ),
        (
            "listed twice",
            |b| {
                let line = fs::read_to_string(b.join("manifest-sha256.txt")).unwrap();
                let first = line.lines().next().unwrap().to_string();
                append(&b.join("manifest-sha256.txt"), &format!("{first}\n"))
            },
            ProblemKind::DuplicateEntry,
            "data/a.txt",
        ),
        (
            "payload manifest lists a tag file",
            |b| {
                append(
                    &b.join("manifest-sha256.txt"),
                    &format!("{ZERO}  bag-info.txt\n"),
                )
            },
            ProblemKind::NotPayload,
            "bag-info.txt",
        ),
        (
            "short checksum",
            |b| append(&b.join("manifest-sha256.txt"), "abc  data/a.txt\n"),
            ProblemKind::BadManifestLine,
            "data/a.txt",
        ),
        (
            "no payload manifest",
            |b| fs::remove_file(b.join("manifest-sha256.txt")).unwrap(),
            ProblemKind::NoPayloadManifest,
            "manifest-sha256.txt",
        ),
        (
            "unsupported algorithm",
            |b| fs::write(b.join("manifest-blake9.txt"), "").unwrap(),
            ProblemKind::UnsupportedAlgorithm,
            "manifest-blake9.txt",
        ),
        (
            "file missing from a second manifest",
            |b| {
                let (d, _) = hash_reader(&b"alpha"[..], &[Algorithm::Md5]).unwrap();
                fs::write(
                    b.join("manifest-md5.txt"),
                    format!("{}  data/a.txt\n", d[0]),
                )
                .unwrap()
            },
            ProblemKind::NotInManifest,
            "data/sub/b.txt",
        ),
        (
            "symbolic link in the payload",
            |b| std::os::unix::fs::symlink("/etc/passwd", b.join("data/link")).unwrap(),
            ProblemKind::SpecialFile,
            "data/link",
        ),
        (
            "bag-info.txt is a link",
            |b| {
                fs::remove_file(b.join("bag-info.txt")).unwrap();
                std::os::unix::fs::symlink("/etc/passwd", b.join("bag-info.txt")).unwrap()
            },
            ProblemKind::SpecialFile,
            "bag-info.txt",
        ),
        (
            "no data folder",
            |b| fs::remove_dir_all(b.join("data")).unwrap(),
            ProblemKind::NoDataDir,
            "data",
        ),
        (
            "bag-info line without a label",
            |b| append(&b.join("bag-info.txt"), "just words\n"),
            ProblemKind::BadBagInfo,
            "bag-info.txt",
        ),
    ];
    for (name, breaker, kind, path) in cases {
        let t = tempfile::tempdir().unwrap();
        let bag = t.path().join("bag");
        good_bag(&bag);
        breaker(&bag);
        let r = validate(&bag).unwrap();
        assert!(!r.is_valid(), "{name}: expected invalid");
        assert!(
            r.problems
                .iter()
                .any(|p| p.problem == kind && p.path == path),
            "{name}: expected {kind:?} naming {path:?}, got {:#?}",
            r.problems
        );
    }
}

#[test]
fn every_reason_is_listed_not_just_the_first() {
    let t = tempfile::tempdir().unwrap();
    let bag = t.path().join("bag");
    good_bag(&bag);
    fs::remove_file(bag.join("data/a.txt")).unwrap();
    fs::write(bag.join("data/sub/b.txt"), "BRAVO!").unwrap();
    fs::write(bag.join("data/new.txt"), "n").unwrap();
    replace(&bag.join("bagit.txt"), "1.0", "9.9");
    let k = kinds(&validate(&bag).unwrap());
    for want in [
        ProblemKind::MissingFile,
        ProblemKind::ChecksumMismatch,
        ProblemKind::UnlistedFile,
        ProblemKind::BadBagitTxt,
        ProblemKind::OxumMismatch,
    ] {
        assert!(k.contains(&want), "{want:?} missing from {k:?}");
    }
}

#[test]
fn awkward_names_round_trip_through_percent_encoding() {
    let t = tempfile::tempdir().unwrap();
    let bag = t.path().join("bag");
    let mut w = BagWriter::create(&bag).unwrap();
    w.add_payload("two\nlines 100%.txt", &b"x"[..]).unwrap();
    w.add_payload("cr\rname", &b"y"[..]).unwrap();
    w.finish(&[]).unwrap();
    let m = fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert!(m.contains("data/two%0Alines 100%25.txt"), "{m}");
    assert!(m.contains("data/cr%0Dname"), "{m}");
    let r = validate(&bag).unwrap();
    assert!(r.is_valid(), "{:#?}", r.problems);
}

#[test]
fn weak_only_bags_are_valid_with_a_warning_and_crlf_is_fine() {
    let t = tempfile::tempdir().unwrap();
    let bag = t.path();
    fs::create_dir_all(bag.join("data")).unwrap();
    fs::write(bag.join("data/a.txt"), "alpha").unwrap();
    fs::write(
        bag.join("bagit.txt"),
        "BagIt-Version: 0.97\r\nTag-File-Character-Encoding: UTF-8\r\n",
    )
    .unwrap();
    let (d, _) = hash_reader(&b"alpha"[..], &[Algorithm::Md5, Algorithm::Sha1]).unwrap();
    fs::write(
        bag.join("manifest-md5.txt"),
        format!("{}  data/a.txt\r\n", d[0]),
    )
    .unwrap();
    // 0.97: a file need only be in one payload manifest.
    fs::write(bag.join("manifest-sha1.txt"), "").unwrap();
    fs::write(bag.join("bag-info.txt"), "Payload-Oxum: 5.1\r\n").unwrap();
    let r = validate(bag).unwrap();
    assert!(r.is_valid(), "{:#?}", r.problems);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].problem, ProblemKind::WeakAlgorithm);
    // …and an md5 that is wrong is still caught.
    fs::write(bag.join("data/a.txt"), "alphA").unwrap();
    let r = validate(bag).unwrap();
    assert_eq!(kinds(&r), vec![ProblemKind::ChecksumMismatch]);
}

#[test]
fn writer_refuses_what_would_make_a_bad_bag() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("occupied"), "x").unwrap();
    assert!(BagWriter::create(t.path()).is_err(), "non-empty folder");
    let mut w = BagWriter::create(&t.path().join("bag")).unwrap();
    assert!(w.add_payload("../escape", &b""[..]).is_err());
    assert!(w.add_payload("/abs", &b""[..]).is_err());
    w.add_payload("a", &b""[..]).unwrap();
    assert!(w.add_payload("a", &b""[..]).is_err(), "duplicate");
    for reserved in ["bagit.txt", "manifest-md5.txt", "data/x", "fetch.txt"] {
        assert!(w.add_tag_file(reserved, b"").is_err(), "{reserved}");
    }
    assert!(w.finish(&[("Bad:Label".into(), "v".into())]).is_err());
}

#[test]
fn computed_fields_replace_given_ones_and_multiline_values_survive() {
    let t = tempfile::tempdir().unwrap();
    let bag = t.path().join("bag");
    let w = BagWriter::create(&bag).unwrap();
    let s = w
        .finish(&[
            ("Payload-Oxum".into(), "999.9".into()),
            ("External-Description".into(), "line one\nline two".into()),
        ])
        .unwrap();
    assert_eq!(s.payload_oxum, "0.0");
    let r = validate(&bag).unwrap();
    assert!(r.is_valid(), "{:#?}", r.problems);
    assert_eq!(
        r.info_value("External-Description"),
        Some("line one\nline two")
    );
    let oxums = r.info.iter().filter(|(l, _)| l == "Payload-Oxum").count();
    assert_eq!(oxums, 1);
}

#[test]
fn not_a_folder_is_a_usage_error() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("file");
    fs::write(&f, "").unwrap();
    assert!(validate(&f).is_err());
    assert!(validate(&t.path().join("nope")).is_err());
}

/// A bag copied through a file system that stores names decomposed (NFD)
/// while its manifest lists them precomposed (NFC).
#[test]
fn a_name_in_another_normalisation_form_is_matched_with_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let bag = t.path().join("bag");
    let mut w = BagWriter::create(&bag).unwrap();
    w.add_payload("\u{15e}u\u{15f}a.txt", &b"fictional"[..])
        .unwrap();
    w.finish(&[]).unwrap();
    let nfd = "S\u{327}us\u{327}a.txt";
    fs::rename(
        bag.join("data/\u{15e}u\u{15f}a.txt"),
        bag.join("data").join(nfd),
    )
    .unwrap();
    let r = validate(&bag).unwrap();
    assert!(r.is_valid(), "{:#?}", r.problems);
    assert_eq!(r.warnings.len(), 1, "{:#?}", r.warnings);
    assert_eq!(r.warnings[0].problem, ProblemKind::NameNormalization);
    assert_eq!(r.warnings[0].path, format!("data/{nfd}"));
    assert!(r.warnings[0].detail.contains("data/\u{15e}u\u{15f}a.txt"));
    // The bytes are still checked against the entry.
    fs::write(bag.join("data").join(nfd), b"fictionaL").unwrap();
    let r = validate(&bag).unwrap();
    assert_eq!(kinds(&r), vec![ProblemKind::ChecksumMismatch]);
    assert_eq!(r.problems[0].path, "data/\u{15e}u\u{15f}a.txt");
}

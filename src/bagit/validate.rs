//! Checks a bag completely against RFC 8493 and lists every reason it is
//! not valid: `bagit.txt`, the manifests and tag manifests, every payload
//! file against every manifest, checksums, Payload-Oxum, pathname encoding
//! and paths that would leave the bag.
//!
//! It reads and never writes, never follows a symbolic link (a link in the
//! payload is itself a problem: it could point anywhere on this machine),
//! and never stops at the first problem: an archivist fixing a bag wants the
//! whole list. `fetch.txt` is not supported: a bag that needs fetching is
//! reported as incomplete rather than fetched.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::path::Path;

use super::{check_relative, decode_path, hash_reader, lines, parse_tags, Algorithm};
use super::{Problem, ProblemKind, Report};
use crate::error::{Error, Result};

/// One manifest file: its name, algorithm and entries (decoded path →
/// (expected digest, path as written)).
struct Manifest {
    name: String,
    alg: Algorithm,
    entries: BTreeMap<String, (String, String)>,
}

/// Validates the bag at `dir`. Errors only when `dir` is not a readable
/// folder; everything wrong with the bag itself is in the report.
pub fn validate(dir: &Path) -> Result<Report> {
    let meta = fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::usage(format!("{}: no such folder", dir.display())),
        _ => Error::io(dir, e),
    })?;
    if !meta.is_dir() {
        return Err(Error::usage(format!(
            "{}: not a folder; give the bag's top folder (the one holding bagit.txt)",
            dir.display()
        )));
    }
    let mut r = Report {
        bag: dir.to_path_buf(),
        valid: false,
        version: None,
        info: Vec::new(),
        algorithms: Vec::new(),
        payload_files: 0,
        payload_bytes: 0,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    check_declaration(dir, &mut r);
    read_bag_info(dir, &mut r);
    if is_file(&dir.join("fetch.txt")) {
        r.problem(
            ProblemKind::FetchUnsupported,
            "fetch.txt",
            "the bag lists files to fetch from elsewhere; custos does not fetch: ask for a complete bag",
        );
    }

    let (mut payload, tags) = read_manifests(dir, &mut r);
    r.algorithms = payload.iter().map(|m| m.alg).collect();
    if payload.is_empty() {
        r.problem(
            ProblemKind::NoPayloadManifest,
            "manifest-sha256.txt",
            "no payload manifest (manifest-<algorithm>.txt) was found",
        );
    } else if r.algorithms.iter().all(|a| a.is_weak()) {
        r.warnings.push(Problem {
            problem: ProblemKind::WeakAlgorithm,
            path: payload[0].name.clone(),
            detail:
                "only MD5/SHA-1 checksums: they catch accidental damage but not deliberate changes"
                    .into(),
        });
    }

    let on_disk = walk_payload(dir, &mut r);
    reconcile_names(&mut payload, &on_disk, &mut r);
    r.payload_files = on_disk.len() as u64;
    r.payload_bytes = on_disk.values().sum();
    check_payload(dir, &payload, &on_disk, &mut r);
    check_oxum(&on_disk, &mut r);
    check_tag_manifests(dir, &tags, &mut r);
    r.valid = r.is_valid();
    Ok(r)
}

/// Entries that name their file in another Unicode normalisation form are
/// matched to it (see `unicode`), with a warning per file.
fn reconcile_names(manifests: &mut [Manifest], on_disk: &HashMap<String, u64>, r: &mut Report) {
    let mut told = std::collections::BTreeSet::new();
    for m in manifests {
        for (listed, disk) in super::unicode::reconcile(&mut m.entries, on_disk) {
            if told.insert(disk.clone()) {
                r.warnings.push(Problem {
                    problem: ProblemKind::NameNormalization,
                    path: super::encode_path(&disk),
                    detail: format!(
                        "listed as {} in {}: the same name in another Unicode normalisation form; checked against that entry",
                        super::encode_path(&listed),
                        m.name
                    ),
                });
            }
        }
    }
}

fn is_file(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// `bagit.txt`: exactly the two declaration lines, version 0.97 or 1.0,
/// UTF-8, no byte-order mark.
fn check_declaration(dir: &Path, r: &mut Report) {
    const NAME: &str = "bagit.txt";
    let path = dir.join(NAME);
    if !is_file(&path) {
        r.problem(
            ProblemKind::NotABag,
            NAME,
            "no bagit.txt: this folder is not a BagIt bag",
        );
        return;
    }
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) => return r.problem(ProblemKind::Unreadable, NAME, e.to_string()),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return r.problem(ProblemKind::BadBagitTxt, NAME, "not UTF-8 text");
    };
    if text.starts_with('\u{feff}') {
        r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "starts with a byte-order mark, which BagIt forbids",
        );
    }
    let found: Vec<&str> = lines(text.trim_start_matches('\u{feff}'))
        .filter(|l| !l.trim().is_empty())
        .collect();
    let field = |i: usize, label: &str| -> Option<String> {
        found
            .get(i)
            .and_then(|l| l.strip_prefix(label))
            .and_then(|rest| rest.strip_prefix(": "))
            .map(|v| v.trim().to_string())
    };
    match field(0, "BagIt-Version") {
        Some(v) => {
            if v != "1.0" && v != "0.97" {
                r.problem(
                    ProblemKind::BadBagitTxt,
                    NAME,
                    format!("BagIt-Version {v:?} is not one custos reads (1.0 or 0.97)"),
                );
            }
            r.version = Some(v);
        }
        None => r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "the first line must be \"BagIt-Version: M.N\"",
        ),
    }
    match field(1, "Tag-File-Character-Encoding") {
        Some(e) if e.eq_ignore_ascii_case("UTF-8") => {}
        Some(e) => r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            format!("tag files in encoding {e:?} are not supported (only UTF-8)"),
        ),
        None => r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "the second line must be \"Tag-File-Character-Encoding: UTF-8\"",
        ),
    }
    if found.len() > 2 {
        r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            format!("{} lines; bagit.txt holds exactly two", found.len()),
        );
    }
}

fn read_bag_info(dir: &Path, r: &mut Report) {
    const NAME: &str = "bag-info.txt";
    let path = dir.join(NAME);
    if !path.exists() {
        return;
    }
    let text = match fs::read(&path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => return r.problem(ProblemKind::BadBagInfo, NAME, "not UTF-8 text"),
        Err(e) => return r.problem(ProblemKind::Unreadable, NAME, e.to_string()),
    };
    let parsed = parse_tags(&text);
    let (info, problems) = (parsed.tags, parsed.problems);
    for (line, reason) in problems {
        r.problem(
            ProblemKind::BadBagInfo,
            NAME,
            format!("line {line}: {reason}"),
        );
    }
    r.info = info;
}

/// Finds and parses every `manifest-*.txt` and `tagmanifest-*.txt` in the
/// bag's top folder, sorted by name for a stable report.
fn read_manifests(dir: &Path, r: &mut Report) -> (Vec<Manifest>, Vec<Manifest>) {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".txt"))
            .collect(),
        Err(e) => {
            r.problem(ProblemKind::Unreadable, ".", e.to_string());
            return (Vec::new(), Vec::new());
        }
    };
    names.sort();
    let (mut payload, mut tags) = (Vec::new(), Vec::new());
    for name in names {
        let (is_tag, alg_name) = if let Some(a) = name.strip_prefix("tagmanifest-") {
            (true, a.trim_end_matches(".txt"))
        } else if let Some(a) = name.strip_prefix("manifest-") {
            (false, a.trim_end_matches(".txt"))
        } else {
            continue;
        };
        let Some(alg) = Algorithm::from_name(alg_name) else {
            r.problem(
                ProblemKind::UnsupportedAlgorithm,
                &name,
                format!("checksum algorithm {alg_name:?} is not supported (md5, sha1, sha224, sha256, sha384, sha512), so this manifest cannot be verified"),
            );
            continue;
        };
        if let Some(m) = parse_manifest(dir, &name, alg, !is_tag, r) {
            if is_tag {
                tags.push(m);
            } else {
                payload.push(m);
            }
        }
    }
    (payload, tags)
}

fn parse_manifest(
    dir: &Path,
    name: &str,
    alg: Algorithm,
    payload: bool,
    r: &mut Report,
) -> Option<Manifest> {
    let text = match fs::read(dir.join(name)).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            r.problem(ProblemKind::BadManifestLine, name, "not UTF-8 text");
            return None;
        }
        Err(e) => {
            r.problem(ProblemKind::Unreadable, name, e.to_string());
            return None;
        }
    };
    let mut m = Manifest {
        name: name.to_string(),
        alg,
        entries: BTreeMap::new(),
    };
    for (i, line) in lines(&text).enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        // `checksum<whitespace>path`; a leading `*` is sha256sum's binary
        // marker, which other tools write and the reference validator accepts.
        let Some((sum, written)) = line.split_once([' ', '\t']) else {
            r.problem(
                ProblemKind::BadManifestLine,
                name,
                format!("line {n}: expected \"checksum path\""),
            );
            continue;
        };
        let written = written.trim_start_matches([' ', '\t']);
        let written = written.strip_prefix('*').unwrap_or(written);
        let sum = sum.to_ascii_lowercase();
        if sum.len() != alg.hex_len() || !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
            r.problem(
                ProblemKind::BadManifestLine,
                written,
                format!(
                    "{name} line {n}: {:?} is not a {alg} checksum ({} hex digits)",
                    sum,
                    alg.hex_len()
                ),
            );
            continue;
        }
        let path = match decode_path(written) {
            Ok(p) => p,
            Err(e) => {
                r.problem(
                    ProblemKind::BadPercentEncoding,
                    written,
                    format!("{name} line {n}: {e}"),
                );
                continue;
            }
        };
        if let Err(e) = check_relative(&path) {
            r.problem(
                ProblemKind::UnsafePath,
                written,
                format!("{name} line {n}: {e}"),
            );
            continue;
        }
        if payload && !path.starts_with("data/") {
            r.problem(
                ProblemKind::NotPayload,
                written,
                format!("{name} line {n}: a payload manifest lists only files under data/"),
            );
            continue;
        }
        if m.entries.contains_key(&path) {
            r.problem(
                ProblemKind::DuplicateEntry,
                written,
                format!("{name} line {n}: listed more than once"),
            );
            continue;
        }
        m.entries.insert(path, (sum, written.to_string()));
    }
    Some(m)
}

/// Every regular file under `data/` (path relative to the bag → size).
/// Links are not followed: they are reported, and whatever they point at is
/// not part of the bag.
fn walk_payload(dir: &Path, r: &mut Report) -> HashMap<String, u64> {
    let mut files = HashMap::new();
    let data = dir.join("data");
    match fs::symlink_metadata(&data) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            r.problem(ProblemKind::NoDataDir, "data", "data is not a folder");
            return files;
        }
        Err(_) => {
            r.problem(
                ProblemKind::NoDataDir,
                "data",
                "no data/ folder (the payload)",
            );
            return files;
        }
    }
    for entry in walkdir::WalkDir::new(&data)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e.path().map(|p| rel(dir, p)).unwrap_or_default();
                r.problem(ProblemKind::Unreadable, &p, e.to_string());
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let Some(path) = entry
            .path()
            .strip_prefix(dir)
            .ok()
            .and_then(|p| p.to_str())
            .map(str::to_string)
        else {
            r.problem(
                ProblemKind::Unreadable,
                &rel(dir, entry.path()),
                "the file name is not valid UTF-8",
            );
            continue;
        };
        let shown = super::encode_path(&path);
        if !ft.is_file() {
            let what = if ft.is_symlink() {
                "a symbolic link (links are not followed: they could point outside the bag)"
            } else {
                "not a regular file"
            };
            r.problem(ProblemKind::SpecialFile, &shown, what);
            continue;
        }
        match entry.metadata() {
            Ok(m) => {
                files.insert(path, m.len());
            }
            Err(e) => r.problem(ProblemKind::Unreadable, &shown, e.to_string()),
        }
    }
    files
}

fn rel(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir)
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

/// Completeness and fixity of the payload: each file on disk against each
/// payload manifest, then one read per file for all its checksums.
fn check_payload(
    dir: &Path,
    manifests: &[Manifest],
    on_disk: &HashMap<String, u64>,
    r: &mut Report,
) {
    if manifests.is_empty() {
        return;
    }
    // BagIt 1.0 wants every payload file in every payload manifest; 0.97
    // asked only for at least one.
    let every = r.version.as_deref() != Some("0.97");
    let mut disk: Vec<&String> = on_disk.keys().collect();
    disk.sort();
    for path in &disk {
        let missing_from: Vec<&str> = manifests
            .iter()
            .filter(|m| !m.entries.contains_key(*path))
            .map(|m| m.name.as_str())
            .collect();
        let shown = super::encode_path(path);
        if missing_from.len() == manifests.len() {
            r.problem(
                ProblemKind::UnlistedFile,
                &shown,
                "in data/ but in no payload manifest",
            );
        } else if every && !missing_from.is_empty() {
            r.problem(
                ProblemKind::NotInManifest,
                &shown,
                format!("not listed in {}", missing_from.join(", ")),
            );
        }
    }
    for m in manifests {
        for (path, (_, written)) in &m.entries {
            if !on_disk.contains_key(path) {
                r.problem(
                    ProblemKind::MissingFile,
                    written,
                    format!("listed in {} but not in the bag", m.name),
                );
            }
        }
    }
    // All expected digests per file, so each file is read once.
    let mut wanted: BTreeMap<&str, Vec<(&Manifest, &str, &str)>> = BTreeMap::new();
    for m in manifests {
        for (path, (sum, written)) in &m.entries {
            if on_disk.contains_key(path) {
                wanted
                    .entry(path.as_str())
                    .or_default()
                    .push((m, sum.as_str(), written.as_str()));
            }
        }
    }
    for (path, expected) in wanted {
        verify_file(dir, path, &expected, r);
    }
}

fn verify_file(dir: &Path, path: &str, expected: &[(&Manifest, &str, &str)], r: &mut Report) {
    let algs: Vec<Algorithm> = expected.iter().map(|(m, _, _)| m.alg).collect();
    let written = expected.first().map(|e| e.2).unwrap_or(path);
    let got = File::open(dir.join(path)).and_then(|f| hash_reader(f, &algs));
    match got {
        Ok((digests, _)) => {
            for ((m, want, written), got) in expected.iter().zip(digests) {
                if *want != got {
                    r.problem(
                        ProblemKind::ChecksumMismatch,
                        written,
                        format!("{} says {want}, the file's {} is {got}", m.name, m.alg),
                    );
                }
            }
        }
        Err(e) => r.problem(ProblemKind::Unreadable, written, e.to_string()),
    }
}

/// `Payload-Oxum: octets.streams`, a quick count that must match the payload.
fn check_oxum(on_disk: &HashMap<String, u64>, r: &mut Report) {
    let values: Vec<String> = r
        .info
        .iter()
        .filter(|(l, _)| l.eq_ignore_ascii_case("Payload-Oxum"))
        .map(|(_, v)| v.clone())
        .collect();
    const NAME: &str = "bag-info.txt";
    if values.len() > 1 {
        r.problem(
            ProblemKind::BadOxum,
            NAME,
            format!("Payload-Oxum appears {} times", values.len()),
        );
    }
    let Some(v) = values.first() else { return };
    let parsed = v
        .split_once('.')
        .and_then(|(o, s)| Some((o.parse::<u64>().ok()?, s.parse::<u64>().ok()?)));
    let Some((octets, streams)) = parsed else {
        return r.problem(
            ProblemKind::BadOxum,
            NAME,
            format!("Payload-Oxum {v:?} is not \"octets.files\""),
        );
    };
    let files = on_disk.len() as u64;
    let bytes: u64 = on_disk.values().sum();
    if (octets, streams) != (bytes, files) {
        r.problem(
            ProblemKind::OxumMismatch,
            NAME,
            format!(
                "Payload-Oxum says {octets} bytes in {streams} files; data/ holds {bytes} bytes in {files} files"
            ),
        );
    }
}

/// Every tag manifest entry must exist (reached without a symbolic link)
/// and match.
fn check_tag_manifests(dir: &Path, manifests: &[Manifest], r: &mut Report) {
    for m in manifests {
        for (path, (want, written)) in &m.entries {
            if !plain_file_inside(dir, path) {
                r.problem(
                    ProblemKind::MissingFile,
                    written,
                    format!(
                        "listed in {} but not in the bag (or reached through a link)",
                        m.name
                    ),
                );
                continue;
            }
            match File::open(dir.join(path)).and_then(|f| hash_reader(f, &[m.alg])) {
                Ok((got, _)) if got[0] == *want => {}
                Ok((got, _)) => r.problem(
                    ProblemKind::ChecksumMismatch,
                    written,
                    format!("{} says {want}, the file's {} is {}", m.name, m.alg, got[0]),
                ),
                Err(e) => r.problem(ProblemKind::Unreadable, written, e.to_string()),
            }
        }
    }
}

/// True when each component of `rel` below `dir` is a real folder and the
/// last a regular file: no link anywhere on the way.
fn plain_file_inside(dir: &Path, rel: &str) -> bool {
    let mut p = dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        p.push(part);
        match fs::symlink_metadata(&p) {
            Ok(m) if i + 1 == parts.len() => return m.is_file(),
            Ok(m) if m.is_dir() => {}
            _ => return false,
        }
    }
    false
}

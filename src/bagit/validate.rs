//! Checks a bag completely, by the rules of the BagIt version it declares
//! (0.93 to 0.97, or RFC 8493's 1.0; see `version`), and lists every reason
//! it is not valid: `bagit.txt`, the manifests and tag manifests in the
//! declared tag-file encoding, every payload file against every manifest,
//! checksums, Payload-Oxum, `fetch.txt`, pathname encoding and paths that
//! would leave the bag. The verdict is valid, invalid, or incomplete (files
//! listed in `fetch.txt` not yet in the bag).
//!
//! It reads and never writes, never fetches, never follows a symbolic link
//! (a link in the payload is itself a problem: it could point anywhere on
//! this machine), and never stops at the first problem: an archivist fixing
//! a bag wants the whole list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::path::Path;

use super::fetch::{read_fetch, FetchEntry};
use super::manifest::{read_manifests, reconcile_encoded, Manifest};
use super::version::{check_declaration, read_tag_text, Declared};
use super::{hash_reader, parse_tags, Algorithm};
use super::{Problem, ProblemKind, Report, Verdict};
use crate::error::{Error, Result};

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
        verdict: Verdict::Invalid,
        version: None,
        info: Vec::new(),
        algorithms: Vec::new(),
        payload_files: 0,
        payload_bytes: 0,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let declared = check_declaration(dir, &mut r);
    read_bag_info(dir, &declared, &mut r);

    let (mut payload, tags) = read_manifests(dir, &declared, &mut r);
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
    let mut fetch = read_fetch(dir, &declared, &mut r);

    let on_disk = walk_payload(dir, &mut r);
    reconcile_encoded(&mut payload, &on_disk);
    reconcile_names(&mut payload, &on_disk, &mut r);
    r.payload_files = on_disk.len() as u64;
    r.payload_bytes = on_disk.values().sum();
    let pending = check_fetch(&mut fetch, &payload, &on_disk, &declared, &mut r);
    check_payload(dir, &payload, &on_disk, &pending, &declared, &mut r);
    check_oxum(&on_disk, pending.is_empty(), &declared, &mut r);
    check_tag_manifests(dir, &tags, &mut r);
    r.verdict = r.verdict();
    r.valid = r.verdict == Verdict::Valid;
    Ok(r)
}

/// Entries that name their file in another Unicode normalisation form are
/// matched to it (see `unicode`), with a warning per file.
fn reconcile_names(manifests: &mut [Manifest], on_disk: &HashMap<String, u64>, r: &mut Report) {
    let mut told = BTreeSet::new();
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

/// The bag-metadata tag file of the declared version (`package-info.txt`
/// before 0.96, `bag-info.txt` since), in the declared encoding. Optional.
fn read_bag_info(dir: &Path, d: &Declared, r: &mut Report) {
    let name = d.version.info_file();
    if fs::symlink_metadata(dir.join(name)).is_err() {
        return;
    }
    let Some(text) = read_tag_text(dir, name, d.encoding, r) else {
        return;
    };
    let parsed = parse_tags(&text);
    for (line, reason) in parsed.problems {
        r.problem(
            ProblemKind::BadBagInfo,
            name,
            format!("line {line}: {reason}"),
        );
    }
    r.info = parsed.tags;
}

/// Each `fetch.txt` entry must be a payload file the manifests list (every
/// payload manifest, in 1.0). One that is not in the bag makes the bag
/// incomplete; it is returned, so that it is not also called missing.
fn check_fetch(
    fetch: &mut [FetchEntry],
    manifests: &[Manifest],
    on_disk: &HashMap<String, u64>,
    d: &Declared,
    r: &mut Report,
) -> BTreeSet<String> {
    let mut pending = BTreeSet::new();
    for f in fetch.iter_mut() {
        if !on_disk.contains_key(&f.path) {
            if let Some(a) = f.alt.take().filter(|a| on_disk.contains_key(a)) {
                f.path = a;
            }
        }
        let missing_from: Vec<&str> = manifests
            .iter()
            .filter(|m| !m.entries.contains_key(&f.path))
            .map(|m| m.name.as_str())
            .collect();
        if !manifests.is_empty() && missing_from.len() == manifests.len() {
            r.problem(
                ProblemKind::BadFetchLine,
                &f.written,
                "listed in fetch.txt but in no payload manifest, so it could not be checked once fetched",
            );
        } else if d.version.every_manifest_lists_every_file() && !missing_from.is_empty() {
            r.problem(
                ProblemKind::NotInManifest,
                &f.written,
                format!("listed in fetch.txt but not in {}", missing_from.join(", ")),
            );
        }
        if !on_disk.contains_key(&f.path) {
            let size = f
                .length
                .map(|n| format!("{n} bytes"))
                .unwrap_or_else(|| "size not given".into());
            r.problem(
                ProblemKind::NotFetched,
                &f.written,
                format!(
                    "listed in fetch.txt ({}, {size}) but not in the bag yet",
                    f.url
                ),
            );
            pending.insert(f.path.clone());
        }
    }
    pending
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
/// payload manifest, then one read per file for all its checksums. Files
/// still to fetch (`pending`) are reported by `check_fetch`, not here.
fn check_payload(
    dir: &Path,
    manifests: &[Manifest],
    on_disk: &HashMap<String, u64>,
    pending: &BTreeSet<String>,
    d: &Declared,
    r: &mut Report,
) {
    if manifests.is_empty() {
        return;
    }
    let every = d.version.every_manifest_lists_every_file();
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
        for (path, e) in &m.entries {
            if !on_disk.contains_key(path) && !pending.contains(path) {
                r.problem(
                    ProblemKind::MissingFile,
                    &e.written,
                    format!("listed in {} but not in the bag", m.name),
                );
            }
        }
    }
    // All expected digests per file, so each file is read once.
    let mut wanted: BTreeMap<&str, Vec<(&Manifest, &str, &str)>> = BTreeMap::new();
    for m in manifests {
        for (path, e) in &m.entries {
            if on_disk.contains_key(path) {
                wanted.entry(path.as_str()).or_default().push((
                    m,
                    e.sum.as_str(),
                    e.written.as_str(),
                ));
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

/// `Payload-Oxum: octets.streams`, a quick count that must match the
/// payload of a complete bag (while files are still to fetch it cannot,
/// so only its form is checked).
fn check_oxum(on_disk: &HashMap<String, u64>, complete: bool, d: &Declared, r: &mut Report) {
    let values: Vec<String> = r
        .info
        .iter()
        .filter(|(l, _)| l.eq_ignore_ascii_case("Payload-Oxum"))
        .map(|(_, v)| v.clone())
        .collect();
    let name = d.version.info_file();
    if values.len() > 1 {
        r.problem(
            ProblemKind::BadOxum,
            name,
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
            name,
            format!("Payload-Oxum {v:?} is not \"octets.files\""),
        );
    };
    let files = on_disk.len() as u64;
    let bytes: u64 = on_disk.values().sum();
    if complete && (octets, streams) != (bytes, files) {
        r.problem(
            ProblemKind::OxumMismatch,
            name,
            format!(
                "Payload-Oxum says {octets} bytes in {streams} files; data/ holds {bytes} bytes in {files} files"
            ),
        );
    }
}

/// Every tag manifest entry must exist (reached without a symbolic link)
/// and match. Checked in every version: a tag manifest that does not match
/// is damage, whichever draft made it optional.
fn check_tag_manifests(dir: &Path, manifests: &[Manifest], r: &mut Report) {
    for m in manifests {
        for (path, e) in &m.entries {
            let found = [Some(path), e.alt.as_ref()]
                .into_iter()
                .flatten()
                .find(|p| plain_file_inside(dir, p));
            let Some(path) = found else {
                r.problem(
                    ProblemKind::MissingFile,
                    &e.written,
                    format!(
                        "listed in {} but not in the bag (or reached through a link)",
                        m.name
                    ),
                );
                continue;
            };
            match File::open(dir.join(path)).and_then(|f| hash_reader(f, &[m.alg])) {
                Ok((got, _)) if got[0] == e.sum => {}
                Ok((got, _)) => r.problem(
                    ProblemKind::ChecksumMismatch,
                    &e.written,
                    format!(
                        "{} says {}, the file's {} is {}",
                        m.name, e.sum, m.alg, got[0]
                    ),
                ),
                Err(e) => r.problem(ProblemKind::Unreadable, &m.name, e.to_string()),
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

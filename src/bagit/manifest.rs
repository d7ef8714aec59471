//! Payload and tag manifests (`manifest-<alg>.txt`, `tagmanifest-<alg>.txt`)
//! and the paths they, and `fetch.txt`, list: read in the declared tag-file
//! encoding, each line `checksum path`, each path decoded as its BagIt
//! version says and checked to stay inside the bag.
//!
//! It reads only the manifests (never the files they list) and reports
//! every bad line rather than stopping at the first.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use super::version::{read_tag_text, Declared, Version};
use super::{check_relative, decode_path, lines, Algorithm, ProblemKind, Report};

/// One manifest line that passed: the expected digest and the path as
/// written (for messages).
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub sum: String,
    pub written: String,
    /// Before 1.0, the path with `%0A`/`%0D`/`%25` decoded, when that
    /// differs from the literal path: used only if no file has the literal
    /// name.
    pub alt: Option<String>,
}

/// One manifest file: its name, algorithm and entries (path → entry).
pub(super) struct Manifest {
    pub name: String,
    pub alg: Algorithm,
    pub entries: BTreeMap<String, Entry>,
}

/// A path as a manifest or `fetch.txt` lists it, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListedPath {
    pub key: String,
    pub alt: Option<String>,
    /// Written with a leading `./` (dropped).
    pub dot_slash: bool,
}

/// Decodes a listed path by the rules of `v` and checks that it stays in
/// the bag. A leading `./` (as `find .` and some older tools write) names
/// the same file and is dropped in every version; `.` or `..` anywhere
/// else is refused. The error is (kind, reason).
pub(super) fn read_path(written: &str, v: Version) -> Result<ListedPath, (ProblemKind, String)> {
    let mut w = written;
    let mut dot_slash = false;
    while let Some(rest) = w.strip_prefix("./") {
        w = rest;
        dot_slash = true;
    }
    let (key, alt) = if v.strict_percent_encoding() {
        let key = decode_path(w).map_err(|e| (ProblemKind::BadPercentEncoding, e))?;
        (key, None)
    } else {
        (w.to_string(), decode_path(w).ok().filter(|d| d != w))
    };
    check_relative(&key).map_err(|e| (ProblemKind::UnsafePath, e))?;
    if let Some(a) = &alt {
        check_relative(a).map_err(|e| (ProblemKind::UnsafePath, e))?;
    }
    Ok(ListedPath {
        key,
        alt,
        dot_slash,
    })
}

/// Finds and parses every `manifest-*.txt` and `tagmanifest-*.txt` in the
/// bag's top folder, sorted by name for a stable report.
pub(super) fn read_manifests(
    dir: &Path,
    d: &Declared,
    r: &mut Report,
) -> (Vec<Manifest>, Vec<Manifest>) {
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
        if let Some(m) = parse_manifest(dir, &name, alg, !is_tag, d, r) {
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
    d: &Declared,
    r: &mut Report,
) -> Option<Manifest> {
    let text = read_tag_text(dir, name, d.encoding, r)?;
    let v = d.version;
    let mut m = Manifest {
        name: name.to_string(),
        alg,
        entries: BTreeMap::new(),
    };
    let mut dot_slash = 0usize;
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
        let listed = match read_path(written, v) {
            Ok(p) => p,
            Err((kind, e)) => {
                r.problem(kind, written, format!("{name} line {n}: {e}"));
                continue;
            }
        };
        dot_slash += listed.dot_slash as usize;
        if payload && !listed.key.starts_with("data/") {
            r.problem(
                ProblemKind::NotPayload,
                written,
                format!("{name} line {n}: a payload manifest lists only files under data/"),
            );
            continue;
        }
        if let Some(prev) = m.entries.get(&listed.key) {
            if prev.sum != sum {
                r.problem(
                    ProblemKind::DuplicateEntry,
                    written,
                    format!("{name} line {n}: listed more than once, with different checksums"),
                );
            } else if v.same_entry_twice_is_error() {
                r.problem(
                    ProblemKind::DuplicateEntry,
                    written,
                    format!("{name} line {n}: listed more than once"),
                );
            } else {
                r.warn(
                    ProblemKind::DuplicateEntry,
                    written,
                    format!(
                        "{name} line {n}: listed twice with the same checksum (BagIt {} tolerates this; 1.0 does not)",
                        v.as_str()
                    ),
                );
            }
            continue;
        }
        m.entries.insert(
            listed.key,
            Entry {
                sum,
                written: written.to_string(),
                alt: listed.alt,
            },
        );
    }
    if dot_slash > 0 {
        r.warn(
            ProblemKind::DotSlashPath,
            name,
            format!("{dot_slash} path(s) written with a leading ./; read relative to the bag's top folder"),
        );
    }
    Some(m)
}

/// Before 1.0: an entry whose literal path names no file, but whose
/// percent-decoded path does, is moved to that file (see
/// `Version::strict_percent_encoding`). Never moves onto a path another
/// entry already names.
pub(super) fn reconcile_encoded(manifests: &mut [Manifest], on_disk: &HashMap<String, u64>) {
    for m in manifests {
        let moves: Vec<(String, String)> = m
            .entries
            .iter()
            .filter(|(k, _)| !on_disk.contains_key(*k))
            .filter_map(|(k, e)| {
                let a = e.alt.as_ref()?;
                on_disk.contains_key(a).then(|| (k.clone(), a.clone()))
            })
            .collect();
        for (from, to) in moves {
            if m.entries.contains_key(&to) {
                continue;
            }
            if let Some(e) = m.entries.remove(&from) {
                m.entries.insert(to, e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_paths_by_version() {
        let v1 = Version::V1_0;
        let v097 = Version::V0_97;
        let ok = |w: &str, v| read_path(w, v).unwrap_or_else(|e| panic!("{w}: {e:?}"));
        assert_eq!(ok("./data/a", v1).key, "data/a");
        assert!(ok("./data/a", v1).dot_slash);
        assert_eq!(ok("data/50%25", v1).key, "data/50%");
        assert_eq!(ok("data/%7Edir/a", v097).key, "data/%7Edir/a");
        assert_eq!(ok("data/%7Edir/a", v097).alt, None);
        let p = ok("data/two%0Alines", v097);
        assert_eq!(
            (p.key.as_str(), p.alt.as_deref()),
            ("data/two%0Alines", Some("data/two\nlines"))
        );
        let err = |w: &str, v| read_path(w, v).unwrap_err().0;
        assert_eq!(err("data/%7Edir/a", v1), ProblemKind::BadPercentEncoding);
        for v in Version::ALL {
            assert_eq!(err("./../x", *v), ProblemKind::UnsafePath);
            assert_eq!(err("data/../../x", *v), ProblemKind::UnsafePath);
            assert_eq!(err("/etc/passwd", *v), ProblemKind::UnsafePath);
            assert_eq!(err("~/x", *v), ProblemKind::UnsafePath);
            assert_eq!(err("./", *v), ProblemKind::UnsafePath);
        }
    }
}

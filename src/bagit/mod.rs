//! BagIt (RFC 8493, and the drafts 0.93–0.97 before it): checking a bag
//! someone hands us, and writing bags we hand out.
//!
//! `validate` reads a bag and lists every reason it is not valid (it never
//! stops at the first, and never changes the bag); `write::BagWriter` builds
//! a new bag from streams. Shared here: the checksum algorithms, streaming
//! multi-digest hashing, pathname encoding and the tag-file (`bag-info.txt`)
//! format. This module knows nothing of the catalogue or the consent policy:
//! what goes into a bag is decided by its callers, and it never prints.

mod encoding;
mod fetch;
mod manifest;
mod names;
mod report;
pub mod unicode;
pub mod validate;
mod version;
pub mod write;

use std::fmt;
use std::io::{self, Read};

use md5::Md5;
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

pub use encoding::TagEncoding;
pub use names::{check_relative, decode_path, encode_path};
pub use report::{Problem, ProblemKind, Report, Verdict};
pub use validate::validate;
pub use version::Version;
pub use write::{BagSummary, BagWriter, PayloadEntry};

const BUF: usize = 256 * 1024;

/// The checksum algorithms a manifest may name (`manifest-<name>.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::Md5,
        Algorithm::Sha1,
        Algorithm::Sha224,
        Algorithm::Sha256,
        Algorithm::Sha384,
        Algorithm::Sha512,
    ];

    /// The name used in manifest file names (lowercase, as RFC 8493 asks).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha224 => "sha224",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    pub fn from_name(s: &str) -> Option<Algorithm> {
        Algorithm::ALL.iter().copied().find(|a| a.name() == s)
    }

    /// Hex digits in a digest of this algorithm.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha1 => 40,
            Algorithm::Sha224 => 56,
            Algorithm::Sha256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }

    /// MD5 and SHA-1 still detect accidental damage, which is what fixity is
    /// for, but not deliberate tampering; a bag that has only these is
    /// verified and accepted with a warning.
    pub fn is_weak(self) -> bool {
        matches!(self, Algorithm::Md5 | Algorithm::Sha1)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

enum Hasher {
    Md5(Md5),
    Sha1(Sha1),
    Sha224(Sha224),
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    fn new(a: Algorithm) -> Hasher {
        match a {
            Algorithm::Md5 => Hasher::Md5(Md5::new()),
            Algorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            Algorithm::Sha224 => Hasher::Sha224(Sha224::new()),
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha384 => Hasher::Sha384(Sha384::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Md5(h) => h.update(b),
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha224(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha384(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Md5(h) => hex(&h.finalize()),
            Hasher::Sha1(h) => hex(&h.finalize()),
            Hasher::Sha224(h) => hex(&h.finalize()),
            Hasher::Sha256(h) => hex(&h.finalize()),
            Hasher::Sha384(h) => hex(&h.finalize()),
            Hasher::Sha512(h) => hex(&h.finalize()),
        }
    }
}

/// Lowercase hex, the form manifests are compared in.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Reads `r` to its end once, in fixed-size chunks, feeding every requested
/// algorithm, so a file listed in several manifests is read only once and
/// never held in memory. Returns the digests (in `algs` order) and the size.
pub fn hash_reader(mut r: impl Read, algs: &[Algorithm]) -> io::Result<(Vec<String>, u64)> {
    let mut hashers: Vec<Hasher> = algs.iter().map(|a| Hasher::new(*a)).collect();
    let mut buf = vec![0u8; BUF];
    let mut n = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                for h in &mut hashers {
                    h.update(&buf[..k]);
                }
                n += k as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok((hashers.into_iter().map(Hasher::finish).collect(), n))
}

fn is_file(p: &std::path::Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// Splits tag-file text into lines; RFC 8493 allows LF, CR or CRLF endings.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// A parsed tag file: fields in order, and the lines that were not fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedTags {
    pub tags: Vec<(String, String)>,
    /// (1-based line number, reason)
    pub problems: Vec<(usize, String)>,
}

/// Parses a tag file of `Label: value` lines (`bag-info.txt`), in order.
/// A line starting with a space or tab continues the previous value; the
/// continuation is kept on its own line (leading whitespace dropped), so a
/// multi-line description survives a write/read round trip. Lines that
/// cannot be parsed are returned as problems (1-based line number, reason)
/// and skipped.
pub fn parse_tags(text: &str) -> ParsedTags {
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in lines(text).enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match tags.last_mut() {
                Some((_, v)) => {
                    v.push('\n');
                    v.push_str(line.trim());
                }
                None => problems.push((i + 1, "a continuation line before any label".into())),
            }
            continue;
        }
        match line.split_once(':') {
            Some((label, value)) if !label.trim().is_empty() => {
                tags.push((label.trim().to_string(), value.trim().to_string()));
            }
            Some(_) => problems.push((i + 1, "a line with an empty label".into())),
            None => problems.push((i + 1, "a line without 'Label:'".into())),
        }
    }
    ParsedTags { tags, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_vectors() {
        let (d, n) = hash_reader(&b"abc"[..], Algorithm::ALL).unwrap();
        assert_eq!(n, 3);
        assert_eq!(d[0], "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d[1], "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d[3],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        for (a, h) in Algorithm::ALL.iter().zip(&d) {
            assert_eq!(h.len(), a.hex_len(), "{a}");
        }
    }

    #[test]
    fn tags_keep_order_and_continuations() {
        let text = "Source-Organization: Harrow Valley Memory Project\r\nExternal-Description: first\n  second line\nContact-Name: A\nContact-Name: B\n\nno colon here\n";
        let ParsedTags { tags, problems } = parse_tags(text);
        assert_eq!(
            tags,
            vec![
                (
                    "Source-Organization".into(),
                    "Harrow Valley Memory Project".into()
                ),
                ("External-Description".into(), "first\nsecond line".into()),
                ("Contact-Name".into(), "A".into()),
                ("Contact-Name".into(), "B".into()),
            ]
        );
        assert_eq!(problems, vec![(7, "a line without 'Label:'".to_string())]);
        assert_eq!(parse_tags("  orphan\n").problems.len(), 1);
    }

    #[test]
    fn line_endings_of_all_kinds() {
        let v: Vec<_> = lines("a\r\nb\rc\nd\n").collect();
        assert_eq!(v, ["a", "b", "c", "d"]);
    }
}

#[cfg(test)]
mod bag_tests;
#[cfg(test)]
mod verdict_tests;

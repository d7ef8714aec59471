//! `fetch.txt`: payload files a bag says where to download from, one
//! `URL LENGTH PATH` per line (LENGTH in octets, or `-` when unknown). A
//! bag whose listed files are all present is complete and checked like any
//! other; one with files still to fetch is *incomplete*, which is a verdict
//! of its own, not damage.
//!
//! custos never fetches: this module only reads the list. Paths are decoded
//! and checked exactly as manifest paths are, so a fetch line can no more
//! point outside the bag than a manifest line can.

use std::collections::BTreeSet;
use std::path::Path;

use super::manifest::read_path;
use super::version::{read_tag_text, Declared};
use super::{is_file, lines, ProblemKind, Report};

pub(super) const NAME: &str = "fetch.txt";

/// One line of `fetch.txt` that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FetchEntry {
    pub url: String,
    pub length: Option<u64>,
    /// Decoded path relative to the bag.
    pub path: String,
    /// Before 1.0, the percent-decoded path, used when no file has `path`.
    pub alt: Option<String>,
    pub written: String,
}

/// Reads `fetch.txt` when the bag has one; every bad line is a problem.
pub(super) fn read_fetch(dir: &Path, d: &Declared, r: &mut Report) -> Vec<FetchEntry> {
    let mut out = Vec::new();
    if !is_file(&dir.join(NAME)) {
        return out;
    }
    let Some(text) = read_tag_text(dir, NAME, d.encoding, r) else {
        return out;
    };
    let mut seen = BTreeSet::new();
    for (i, line) in lines(&text).enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |r: &mut Report, path: &str, why: String| {
            r.problem(
                ProblemKind::BadFetchLine,
                path,
                format!("{NAME} line {n}: {why}"),
            )
        };
        let Some((url, length, written)) = split_line(line) else {
            bad(r, NAME, "expected \"URL LENGTH PATH\"".into());
            continue;
        };
        if !looks_like_url(url) {
            bad(r, written, format!("{url:?} is not a URL"));
            continue;
        }
        let length = match length {
            "-" => None,
            l => match l.parse::<u64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    bad(
                        r,
                        written,
                        format!("length {l:?} is neither a number of octets nor \"-\""),
                    );
                    continue;
                }
            },
        };
        let listed = match read_path(written, d.version) {
            Ok(p) => p,
            Err((kind, e)) => {
                r.problem(kind, written, format!("{NAME} line {n}: {e}"));
                continue;
            }
        };
        if !listed.key.starts_with("data/") {
            bad(
                r,
                written,
                "fetch.txt lists only payload files (under data/), never tag files".into(),
            );
            continue;
        }
        if !seen.insert(listed.key.clone()) {
            bad(r, written, "listed more than once".into());
            continue;
        }
        out.push(FetchEntry {
            url: url.to_string(),
            length,
            path: listed.key,
            alt: listed.alt,
            written: written.to_string(),
        });
    }
    out
}

/// `URL LENGTH PATH`: the first two fields end at whitespace; the path is
/// the rest of the line (it may contain spaces).
fn split_line(line: &str) -> Option<(&str, &str, &str)> {
    let ws = [' ', '\t'];
    let (url, rest) = line.trim_start_matches(ws).split_once(ws)?;
    let (length, path) = rest.trim_start_matches(ws).split_once(ws)?;
    let path = path.trim_start_matches(ws);
    (!path.is_empty()).then_some((url, length, path))
}

/// `scheme:` then something (RFC 3986's scheme syntax); what the URL points
/// at is none of custos's business, since it never fetches.
fn looks_like_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_url_length_and_a_path_with_spaces() {
        assert_eq!(
            split_line("http://x/y%201 - data/test 1.txt"),
            Some(("http://x/y%201", "-", "data/test 1.txt"))
        );
        assert_eq!(
            split_line("https://x\t12\t data/a"),
            Some(("https://x", "12", "data/a"))
        );
        assert_eq!(split_line("http://x 12"), None);
        assert!(looks_like_url("https://example.org/a"));
        assert!(looks_like_url("file:///tmp/a"));
        assert!(!looks_like_url("example.org/a"));
        assert!(!looks_like_url("1http://x"));
    }
}

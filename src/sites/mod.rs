//! Sites: other places that hold copies of the originals under the same
//! content-addressed keys (`objects/ab/cd/<sha256>`), so each site stays
//! readable without custos. A site is an S3 bucket (any S3-compatible
//! store) or a local folder (`file://`, e.g. a USB disk), reached through
//! the Apache Arrow `object_store` crate inside a small tokio runtime owned
//! here (the rest of custos is synchronous).
//!
//! What it must keep: a copy is recorded only after its bytes were read
//! back from the site and their SHA-256 matched; nothing is deleted from a
//! site except a purge or an explicit `--prune` of objects no item names;
//! credentials never reach the catalogue, the log or a message. A failing
//! site never changes the local archive beyond the rows that record what
//! happened. This module does not print and does not decide visibility.

pub mod backup;
mod client;
pub mod credentials;
pub mod primary;
mod purges;
pub mod replicate;
mod store_error;
pub mod summary;
pub mod verify;

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::catalogue::sites::SiteRow;
use crate::error::{Error, Result};
use crate::model::Sha256;

pub(crate) use client::Remote;
pub use purges::finish_purges;
pub use replicate::{repair, replicate, RepairOptions, ReplicateOptions, WorkReport};
pub use summary::{copies_of, list, CopyView, SiteList, SiteSummary};
pub use verify::{verify_site, SiteCheck, VerifySiteOptions};

/// Where a site is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteUrl {
    /// `s3://bucket/prefix`
    S3 { bucket: String, prefix: String },
    /// `file:///absolute/folder`
    File(PathBuf),
}

impl std::str::FromStr for SiteUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(rest) = s.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let ok_bucket = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !ok_bucket {
                return Err(format!(
                    "{s}: not a valid bucket name (3-63 of a-z, 0-9, '-', '.')"
                ));
            }
            let prefix = prefix.trim_matches('/').to_string();
            if prefix.split('/').any(|p| p == "." || p == "..")
                || prefix.contains("//")
                || prefix.chars().any(|c| c.is_control())
            {
                return Err(format!("{s}: the prefix must be plain folder names"));
            }
            return Ok(SiteUrl::S3 {
                bucket: bucket.to_string(),
                prefix,
            });
        }
        if let Some(path) = s.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(format!(
                    "{s}: a file:// site needs an absolute path (file:///media/disk/archive)"
                ));
            }
            return Ok(SiteUrl::File(PathBuf::from(path)));
        }
        Err(format!(
            "{s}: a site is s3://BUCKET/PREFIX or file:///FOLDER"
        ))
    }
}

impl std::fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SiteUrl::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            SiteUrl::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            SiteUrl::File(p) => write!(f, "file://{}", p.display()),
        }
    }
}

/// A site's name: what commands and events call it.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "{name:?} is not a site name: use up to 40 letters, digits, '-' and '_'"
        )))
    }
}

/// The key an object has at every site (and under the local objects/).
pub fn key_of(sha: &Sha256) -> String {
    let s = sha.as_str();
    format!("objects/{}/{}/{}", &s[0..2], &s[2..4], s)
}

/// The digest a key names, if it is an object key.
pub fn sha_of_key(key: &str) -> Option<Sha256> {
    let mut parts = key.split('/');
    let (o, a, b, s) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if o != "objects" || parts.next().is_some() {
        return None;
    }
    let sha: Sha256 = s.parse().ok()?;
    (a == &s[0..2] && b == &s[2..4]).then_some(sha)
}

/// The runtime every site operation runs on: a couple of threads are plenty
/// for I/O-bound transfers, and the rest of custos never sees it.
fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("custos-sites")
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("could not start the site client: {e}")))?;
    Ok(RT.get_or_init(|| rt))
}

/// Connects to a stored site (credentials resolved now, never stored).
pub(crate) fn connect(row: &SiteRow) -> Result<Remote> {
    let url: SiteUrl = row.url.parse().map_err(|e| Error::Corrupt {
        path: PathBuf::from("custos.db"),
        reason: format!("site {}: {e}", row.name),
    })?;
    Remote::new(row, url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_print_back() {
        for s in [
            "s3://custos-vault/caucasus",
            "s3://custos-vault",
            "file:///media/disk/x",
        ] {
            let u: SiteUrl = s.parse().unwrap();
            assert_eq!(u.to_string(), s);
        }
        let u: SiteUrl = "s3://b-1.x/a/b/".parse().unwrap();
        assert_eq!(
            u,
            SiteUrl::S3 {
                bucket: "b-1.x".into(),
                prefix: "a/b".into()
            }
        );
        for bad in [
            "s3://Bad_Bucket/x",
            "s3://ab",
            "file://relative",
            "http://x",
            "s3://bkt/../x",
        ] {
            assert!(bad.parse::<SiteUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_round_trip() {
        let sha: Sha256 = "ab".repeat(32).parse().unwrap();
        let k = key_of(&sha);
        assert_eq!(k, format!("objects/ab/ab/{}", "ab".repeat(32)));
        assert_eq!(sha_of_key(&k), Some(sha));
        assert_eq!(sha_of_key("objects/cd/ab/x"), None);
        assert_eq!(
            sha_of_key(&format!("objects/cd/ab/{}", "ab".repeat(32))),
            None
        );
    }

    #[test]
    fn names_are_plain() {
        assert!(check_name("vault-2").is_ok());
        assert!(check_name("a b").is_err());
        assert!(check_name("").is_err());
    }
}

//! Which objects a verify run hashes: every object, those of `--item`, or a
//! seeded share (`--sample`) that the same seed picks again.
//!
//! It reads the catalogue's expected objects and chooses among them; it
//! does not hash, record or judge anything. An `--item` run reads only its
//! items' rows, so a look at one item costs the same in any archive.

use std::collections::HashSet;
use std::str::FromStr;

use rusqlite::Connection;
use sha2::{Digest, Sha256 as Hasher};

use crate::catalogue::fixity::{self as rows, Expected};
use crate::error::{Error, Result};
use crate::model::{ItemId, Sha256};

/// `--sample 5% --seed S`: a deterministic share of the objects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub percent: f64,
    pub seed: u64,
}

/// Parses `5%` or `5` (percent of objects, above 0 and at most 100).
pub fn parse_percent(s: &str) -> std::result::Result<f64, String> {
    let n = s.trim().trim_end_matches('%');
    match f64::from_str(n) {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(format!(
            "{s:?} is not a sample size; give a percentage above 0 and at most 100, e.g. 5%"
        )),
    }
}

/// What a run covers, as its summary event and its report name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Full,
    Items,
    Sample,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Full => "full",
            Scope::Items => "items",
            Scope::Sample => "sample",
        }
    }
}

/// The objects to hash, in object id order, and the scope they make.
pub(super) fn select(
    conn: &Connection,
    items: &[ItemId],
    sample: Option<Sample>,
) -> Result<(Vec<Expected>, Scope)> {
    if !items.is_empty() {
        let chosen = rows::expected_of_items(conn, items)?;
        let found: HashSet<ItemId> = chosen.iter().filter_map(|e| e.item_id).collect();
        if let Some(missing) = items.iter().find(|i| !found.contains(i)) {
            return Err(Error::usage(format!(
                "no item {missing} with stored bytes in this archive; see `custos list`"
            )));
        }
        return Ok((chosen, Scope::Items));
    }
    let all = rows::expected(conn)?;
    Ok(match sample {
        None => (all, Scope::Full),
        Some(s) => (sampled(all, s), Scope::Sample),
    })
}

fn sampled(all: Vec<Expected>, sample: Sample) -> Vec<Expected> {
    let n = all.len();
    let k = ((n as f64) * sample.percent / 100.0).ceil() as usize;
    let mut ranked: Vec<(Sha256, Expected)> = all
        .into_iter()
        .map(|e| (sample_rank(sample.seed, &e.sha256), e))
        .collect();
    // Ranked by a keyed hash of the digest: the same seed picks the same
    // objects, whatever order the rows come in.
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let mut chosen: Vec<Expected> = ranked.into_iter().take(k.min(n)).map(|(_, e)| e).collect();
    chosen.sort_by_key(|e| e.object_id);
    chosen
}

fn sample_rank(seed: u64, sha: &Sha256) -> Sha256 {
    let mut h = Hasher::new();
    h.update(b"custos-sample/1\n");
    h.update(seed.to_le_bytes());
    h.update(sha.as_str().as_bytes());
    Sha256::from_digest(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_parse_with_or_without_the_sign() {
        assert_eq!(parse_percent("5%"), Ok(5.0));
        assert_eq!(parse_percent("12.5"), Ok(12.5));
        assert!(parse_percent("0%").is_err());
        assert!(parse_percent("101%").is_err());
        assert!(parse_percent("five").is_err());
    }

    fn expected(n: i64) -> Vec<Expected> {
        (1..=n)
            .map(|i| Expected {
                object_id: i,
                sha256: Sha256::from_digest(&Hasher::digest(i.to_le_bytes())),
                size: 1,
                item_id: Some(ItemId(i)),
            })
            .collect()
    }

    #[test]
    fn the_same_seed_picks_the_same_sample_whatever_the_row_order() {
        let ids = |v: Vec<Expected>| v.into_iter().map(|e| e.object_id).collect::<Vec<_>>();
        let s = |seed| Sample {
            percent: 10.0,
            seed,
        };
        let a = ids(sampled(expected(200), s(7)));
        let mut reversed = expected(200);
        reversed.reverse();
        let b = ids(sampled(reversed, s(7)));
        let c = ids(sampled(expected(200), s(8)));
        assert_eq!(a.len(), 20);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // A tiny share of a small archive still checks something.
        let one = sampled(
            expected(3),
            Sample {
                percent: 1.0,
                seed: 1,
            },
        );
        assert_eq!(one.len(), 1);
    }
}

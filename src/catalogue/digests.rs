//! The index of object digests (migration 0028): three levels of
//! `sha256 → object_id`, read through the view `object_digests`, kept in
//! step with `objects` by triggers, and merged downward here after an
//! import ([`settle`]) so that new digests land in a small table and the
//! large one is only ever written in key order.
//!
//! Readers find an object by digest with [`by_digest`] (the import with
//! [`by_new_digest`], which asks level 2 only behind the prefixes of its
//! digests, migration 0029), never with `objects.sha256 = ?` (that column
//! has no index). This module only moves rows between levels and checks
//! them against `objects`; it never adds, changes or removes a digest (the
//! triggers do).

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// SQL for "the id of the object with digest ?1", to use as a scalar
/// subquery (`o.id = (…)`): SQLite answers it with one key search in each
/// level. A macro, so that readers build their statements with `concat!`.
macro_rules! by_digest {
    () => {
        "SELECT object_id FROM object_digests WHERE sha256 = ?1"
    };
}
pub(crate) use by_digest;

/// [`by_digest`] for a digest that is most likely new (the import's
/// question for each file): level 2 is searched only when the digest's
/// first eight hex digits are in `object_digest_prefixes` (migration 0029),
/// which the CROSS JOIN makes SQLite search first. With the catalogue on
/// disk a new digest then costs a search in a table under a fifth of level 2's
/// size instead of one in level 2. Only for archives migrated to 0029 (a
/// writable archive always is); read-only readers use [`by_digest`].
macro_rules! by_new_digest {
    () => {
        "SELECT object_id FROM object_digests_0 WHERE sha256 = ?1
         UNION ALL SELECT object_id FROM object_digests_1 WHERE sha256 = ?1
         UNION ALL SELECT d.object_id FROM object_digest_prefixes p CROSS JOIN object_digests_2 d
                    WHERE p.prefix = substr(?1, 1, 8) AND d.sha256 = ?1"
    };
}
pub(crate) use by_new_digest;

/// Level 1 is merged into level 2 once it holds this share of the
/// catalogue's objects (1/8), and never below [`LEVEL_1_LEAST`] digests: a
/// merge rewrites level 2 whole, so each digest is rewritten about once per
/// eight merges-worth of new ones, the ratio of a leveled merge tree.
const LEVEL_1_SHARE: i64 = 8;
const LEVEL_1_LEAST: i64 = 65_536;

/// What [`settle`] moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    /// Digests moved from level 0 into level 1.
    pub into_level_1: usize,
    /// Digests moved from level 1 into level 2 (0 when level 1 stayed).
    pub into_level_2: usize,
}

/// Merges level 0 into level 1, and level 1 into level 2 when it has grown
/// past its share. Call it inside a write transaction, after an import has
/// committed: the merges are ordinary inserts in key order and deletes, so
/// a crash leaves every digest in exactly one level.
pub fn settle(conn: &Connection) -> Result<Settled> {
    settle_with(conn, LEVEL_1_LEAST)
}

fn settle_with(conn: &Connection, level_1_least: i64) -> Result<Settled> {
    // The levels are read in key order (they are keyed by the digest), so
    // the inserts below walk the larger level's pages once, in order.
    let mut settled = Settled {
        into_level_1: conn.execute(
            "INSERT INTO object_digests_1 (sha256, object_id)
             SELECT sha256, object_id FROM object_digests_0 ORDER BY sha256",
            [],
        )?,
        into_level_2: 0,
    };
    if settled.into_level_1 > 0 {
        conn.execute("DELETE FROM object_digests_0", [])?;
    }
    let in_level_1: i64 =
        conn.query_row("SELECT count(*) FROM object_digests_1", [], |r| r.get(0))?;
    // The largest id stands for the catalogue's size: one key search,
    // where count(*) would read a table of a million rows.
    let objects: i64 = conn
        .query_row("SELECT max(id) FROM objects", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0);
    if in_level_1 >= level_1_least.max(objects / LEVEL_1_SHARE) {
        settled.into_level_2 = conn.execute(
            "INSERT INTO object_digests_2 (sha256, object_id)
             SELECT sha256, object_id FROM object_digests_1 ORDER BY sha256",
            [],
        )?;
        conn.execute("DELETE FROM object_digests_1", [])?;
    }
    Ok(settled)
}

/// Writes the index anew from `objects`, every digest in level 2 in key
/// order, as migration 0028 does: for a catalogue loaded in bulk with the
/// triggers set aside (the benchmark's generator).
#[cfg(feature = "bench")]
pub fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM object_digests_0;
         DELETE FROM object_digests_1;
         DELETE FROM object_digests_2;
         DELETE FROM object_digest_prefixes;
         INSERT INTO object_digests_2 (sha256, object_id) SELECT sha256, id FROM objects ORDER BY sha256;
         INSERT OR IGNORE INTO object_digest_prefixes (prefix)
             SELECT substr(sha256, 1, 8) FROM object_digests_2 ORDER BY sha256;",
    )?;
    Ok(())
}

/// The first disagreement between `objects` and the levels, described for
/// `verify --full`: an object whose digest is in no level (or in one under
/// another id), a digest in a level that no object has, or a digest in
/// level 2 without its prefix (the import's lookup would not find it).
/// None when they agree.
pub fn disagreement(conn: &Connection) -> Result<Option<String>> {
    let missing: Option<(i64, String)> = conn
        .query_row(
            "SELECT o.id, o.sha256 FROM objects o
              WHERE o.id IS NOT (SELECT object_id FROM object_digests d WHERE d.sha256 = o.sha256)
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, sha)) = missing {
        return Ok(Some(format!(
            "object {id} (sha256 {sha}) is not in the index of object digests under its id"
        )));
    }
    let stray: Option<(String, i64)> = conn
        .query_row(
            "SELECT d.sha256, d.object_id FROM object_digests d
              WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.id = d.object_id AND o.sha256 = d.sha256)
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((sha, id)) = stray {
        return Ok(Some(format!(
            "the index of object digests names object {id} for sha256 {sha}, which no object row has"
        )));
    }
    let unprefixed: Option<(String, i64)> = conn
        .query_row(
            "SELECT d.sha256, d.object_id FROM object_digests_2 d
              WHERE NOT EXISTS (SELECT 1 FROM object_digest_prefixes p WHERE p.prefix = substr(d.sha256, 1, 8))
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((sha, id)) = unprefixed {
        return Ok(Some(format!(
            "object {id} (sha256 {sha}) is in the largest level of object digests without its prefix: an import would not recognise its bytes"
        )));
    }
    let (levels, objects): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM object_digests), (SELECT count(*) FROM objects)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((levels != objects).then(|| {
        format!("the index of object digests holds {levels} digest(s) for {objects} object(s): one is in two levels")
    }))
}

#[cfg(test)]
mod tests;

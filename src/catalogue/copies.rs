//! The `copies` rows (a copy of an object confirmed at a site), the purges
//! still owed to a site, and the multipart uploads in flight.
//!
//! A copy row is written only by the caller that has just read the bytes
//! back from the site and matched their SHA-256; nothing here contacts a
//! site, and nothing here prints.

use rusqlite::{params, Connection};

use crate::catalogue::fixity::Outcome;
use crate::error::Result;
use crate::model::{ItemId, Sha256};

/// An object that should have copies: not purged, named by an item.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub object_id: i64,
    pub sha256: Sha256,
    pub size: u64,
    pub item_id: ItemId,
}

pub fn wanted(conn: &Connection) -> Result<Vec<Wanted>> {
    let mut stmt = conn.prepare(
        "SELECT o.id, o.sha256, o.size, i.id FROM objects o
         JOIN items i ON i.object_id = o.id
         WHERE o.purged_at IS NULL ORDER BY o.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Wanted {
            object_id: r.get(0)?,
            sha256: r.get(1)?,
            size: r.get::<_, i64>(2)?.max(0) as u64,
            item_id: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A copy as stored, with what it is a copy of.
#[derive(Debug, Clone)]
pub struct CopyRow {
    pub site_id: i64,
    pub object_id: i64,
    pub sha256: Sha256,
    pub size: u64,
    pub item_id: Option<ItemId>,
    pub copied_at: String,
    pub verified_at: String,
    pub outcome: String,
}

const COPY_SELECT: &str = "SELECT c.site_id, c.object_id, o.sha256, c.size, i.id, c.copied_at,
        c.verified_at, c.outcome
   FROM copies c JOIN objects o ON o.id = c.object_id
   LEFT JOIN items i ON i.object_id = c.object_id";

fn copy_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CopyRow> {
    Ok(CopyRow {
        site_id: r.get(0)?,
        object_id: r.get(1)?,
        sha256: r.get(2)?,
        size: r.get::<_, i64>(3)?.max(0) as u64,
        item_id: r.get(4)?,
        copied_at: r.get(5)?,
        verified_at: r.get(6)?,
        outcome: r.get(7)?,
    })
}

/// Every copy, or every copy at one site.
pub fn all(conn: &Connection, site: Option<i64>) -> Result<Vec<CopyRow>> {
    let mut stmt = conn.prepare(&format!(
        "{COPY_SELECT} WHERE (?1 IS NULL OR c.site_id = ?1) ORDER BY c.site_id, c.object_id"
    ))?;
    let rows = stmt.query_map([site], copy_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The copies of one item's object.
pub fn of_item(conn: &Connection, item: ItemId) -> Result<Vec<CopyRow>> {
    let mut stmt = conn.prepare(&format!("{COPY_SELECT} WHERE i.id = ?1 ORDER BY c.site_id"))?;
    let rows = stmt.query_map([item], copy_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records a copy just confirmed (or re-confirmed) at a site.
pub fn record(
    conn: &Connection,
    site: i64,
    object: i64,
    size: u64,
    outcome: Outcome,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO copies (site_id, object_id, size, copied_at, verified_at, outcome)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)
         ON CONFLICT (site_id, object_id) DO UPDATE SET
           copied_at = CASE WHEN excluded.outcome = 'ok' AND copies.outcome <> 'ok'
                            THEN excluded.copied_at ELSE copies.copied_at END,
           verified_at = excluded.verified_at, outcome = excluded.outcome",
    )?
    .execute(params![site, object, size as i64, now, outcome.as_str()])?;
    Ok(())
}

/// Of these digests, those with a good copy at `site`.
pub fn good_at(
    conn: &Connection,
    site: i64,
    shas: &[Sha256],
) -> Result<std::collections::BTreeSet<Sha256>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT 1 FROM objects o JOIN copies c ON c.object_id = o.id WHERE o.id = (",
        super::digests::by_digest!(),
        ") AND c.site_id = ?2 AND c.outcome = 'ok'"
    ))?;
    let mut held = std::collections::BTreeSet::new();
    for sha in shas {
        if stmt.exists(params![sha, site])? {
            held.insert(sha.clone());
        }
    }
    Ok(held)
}

/// Records a copy, just read back, of the object with this digest.
pub fn record_by_digest(conn: &Connection, site: i64, sha: &Sha256, now: &str) -> Result<()> {
    let (object, size): (i64, i64) = conn
        .prepare_cached(concat!(
            "SELECT id, size FROM objects WHERE id = (",
            super::digests::by_digest!(),
            ")"
        ))?
        .query_row([sha], |r| Ok((r.get(0)?, r.get(1)?)))?;
    record(conn, site, object, size.max(0) as u64, Outcome::Ok, now)
}

/// Records the outcome of checking an existing copy.
pub fn set_outcome(
    conn: &Connection,
    site: i64,
    object: i64,
    outcome: Outcome,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE copies SET verified_at = ?3, outcome = ?4 WHERE site_id = ?1 AND object_id = ?2",
    )?
    .execute(params![site, object, now, outcome.as_str()])?;
    Ok(())
}

/// Turns every copy of a purged item's object into a purge owed to its
/// site, and removes the copy rows; called inside the purge's transaction.
pub fn owe_purges_of_item(conn: &Connection, item: ItemId, key: &str, now: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO site_purges (site_id, key, for_item, since)
         SELECT c.site_id, ?2, ?1, ?3 FROM copies c
          WHERE c.object_id = (SELECT object_id FROM items WHERE id = ?1)",
    )?
    .execute(params![item, key, now])?;
    conn.prepare_cached(
        "DELETE FROM copies WHERE object_id = (SELECT object_id FROM items WHERE id = ?1)",
    )?
    .execute([item])?;
    Ok(())
}

/// A purge owed to a site.
#[derive(Debug, Clone)]
pub struct OwedPurge {
    pub key: String,
    pub item_id: Option<ItemId>,
}

pub fn owed_purges(conn: &Connection, site: Option<i64>) -> Result<Vec<OwedPurge>> {
    let mut stmt = conn.prepare(
        "SELECT key, for_item FROM site_purges
         WHERE (?1 IS NULL OR site_id = ?1) ORDER BY since, key",
    )?;
    let rows = stmt.query_map([site], |r| {
        Ok(OwedPurge {
            key: r.get(0)?,
            item_id: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn purge_done(conn: &Connection, site: i64, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM site_purges WHERE site_id = ?1 AND key = ?2")?
        .execute(params![site, key])?;
    Ok(())
}

/// A multipart upload that was started and not yet known to be finished.
#[derive(Debug, Clone)]
pub struct Upload {
    pub key: String,
    pub upload_id: String,
}

pub fn upload_started(conn: &Connection, site: i64, key: &str, id: &str, now: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO site_uploads (site_id, key, upload_id, started) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![site, key, id, now])?;
    Ok(())
}

pub fn upload_ended(conn: &Connection, site: i64, key: &str, id: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM site_uploads WHERE site_id = ?1 AND key = ?2 AND upload_id = ?3",
    )?
    .execute(params![site, key, id])?;
    Ok(())
}

pub fn uploads(conn: &Connection, site: i64) -> Result<Vec<Upload>> {
    let mut stmt = conn
        .prepare("SELECT key, upload_id FROM site_uploads WHERE site_id = ?1 ORDER BY started")?;
    let rows = stmt.query_map([site], |r| {
        Ok(Upload {
            key: r.get(0)?,
            upload_id: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Per site: copies held (ok), damaged, objects lacking an ok copy there,
/// purges owed and the last check.
#[derive(Debug, Clone)]
pub struct SiteTally {
    pub ok: u64,
    pub damaged: u64,
    pub pending_purges: u64,
    pub last_verified: Option<String>,
}

pub fn tally(conn: &Connection, site: i64) -> Result<SiteTally> {
    let (ok, damaged, last): (i64, i64, Option<String>) = conn.query_row(
        "SELECT COALESCE(SUM(outcome = 'ok'), 0), COALESCE(SUM(outcome <> 'ok'), 0), MAX(verified_at)
           FROM copies WHERE site_id = ?1",
        [site],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let pending: i64 = conn.query_row(
        "SELECT COUNT(*) FROM site_purges WHERE site_id = ?1",
        [site],
        |r| r.get(0),
    )?;
    Ok(SiteTally {
        ok: ok as u64,
        damaged: damaged as u64,
        pending_purges: pending as u64,
        last_verified: last,
    })
}

/// How many wanted objects have fewer than `copies` good copies, counting
/// the local one (when its last local check was not damage) as one unless
/// the archive keeps its originals at a primary store (then every copy is
/// a site's).
pub fn under_wanted(conn: &Connection, copies: u64) -> Result<u64> {
    let local = crate::catalogue::settings::get(conn, crate::sites::primary::SETTING)?.is_none();
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM objects o JOIN items i ON i.object_id = o.id
          WHERE o.purged_at IS NULL
            AND (CASE WHEN NOT ?2 OR EXISTS (SELECT 1 FROM fixity f WHERE f.object_id = o.id AND f.outcome <> 'ok')
                      THEN 0 ELSE 1 END)
              + (SELECT COUNT(*) FROM copies c WHERE c.object_id = o.id AND c.outcome = 'ok') < ?1",
        params![copies as i64, local],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// The settings key of the number of copies `replicate` keeps.
pub const WANTED: &str = "sites.copies";

pub fn wanted_copies(conn: &Connection) -> Result<Option<u64>> {
    Ok(crate::catalogue::settings::get(conn, WANTED)?.and_then(|v| v.parse().ok()))
}

pub fn set_wanted_copies(conn: &Connection, n: u64) -> Result<()> {
    crate::catalogue::settings::set(conn, WANTED, &n.to_string())
}

//! Every write to the full-text indexes, each index with its folded twin
//! (migration 0018): `item_fts` and `item_fts_fold`, `item_fts_full` and
//! `item_fts_full_fold`, `item_fts_timed` and `item_fts_timed_fold`. A twin
//! holds `fold::fold_text` of exactly what its index holds, under the same
//! rowid, and only for rows with non-ASCII text; writing both here, in one
//! place, is what keeps a redacted or purged word out of the twin as well.
//!
//! Rows only: this module never decides what goes into the public index
//! (redaction does) and never reads an index for a reader (the query does).

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::fold;
use crate::model::ItemId;

/// One of the two item-level indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    /// What readers below custodian search: redacted text where redacted.
    Public,
    /// The unredacted text of redacted items, searched by the custodian.
    Full,
}

impl Doc {
    pub const ALL: [Doc; 2] = [Doc::Public, Doc::Full];

    pub fn table(self) -> &'static str {
        match self {
            Doc::Public => "item_fts",
            Doc::Full => "item_fts_full",
        }
    }

    pub fn twin(self) -> &'static str {
        match self {
            Doc::Public => "item_fts_fold",
            Doc::Full => "item_fts_full_fold",
        }
    }
}

/// Every full-text table, twins included, for maintenance that applies to
/// all of them (merging, secure deletion).
pub const ALL_TABLES: [&str; 6] = [
    "item_fts",
    "item_fts_full",
    "item_fts_timed",
    "item_fts_fold",
    "item_fts_full_fold",
    "item_fts_timed_fold",
];

/// Adds an item's title and body to `doc` (see `items::index_text` on
/// when to call it in a batch).
pub fn put(conn: &Connection, doc: Doc, id: ItemId, title: &str, body: &str) -> Result<()> {
    let t = doc.table();
    conn.prepare_cached(&format!(
        "INSERT INTO {t} (rowid, title, body) VALUES (?1, ?2, ?3)"
    ))?
    .execute(params![id, title, body])?;
    put_twin(conn, doc, id, title, body)
}

fn put_twin(conn: &Connection, doc: Doc, id: ItemId, title: &str, body: &str) -> Result<()> {
    if fold::needs_fold(&[title, body]) {
        let t = doc.twin();
        conn.prepare_cached(&format!(
            "INSERT INTO {t} (rowid, title, body) VALUES (?1, ?2, ?3)"
        ))?
        .execute(params![id, fold::fold_text(title), fold::fold_text(body)])?;
    }
    Ok(())
}

/// Removes an item from `doc` and its twin; nothing when it is not there.
pub fn remove(conn: &Connection, doc: Doc, id: ItemId) -> Result<()> {
    for t in [doc.table(), doc.twin()] {
        conn.prepare_cached(&format!("DELETE FROM {t} WHERE rowid = ?1"))?
            .execute([id])?;
    }
    Ok(())
}

/// Replaces what `doc` holds for an item.
pub fn replace(conn: &Connection, doc: Doc, id: ItemId, title: &str, body: &str) -> Result<()> {
    remove(conn, doc, id)?;
    put(conn, doc, id, title, body)
}

/// A new title for an item's public entry, its body kept.
pub fn set_title(conn: &Connection, id: ItemId, title: &str) -> Result<()> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM item_fts WHERE rowid = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(body) = body else {
        return Ok(());
    };
    replace(conn, Doc::Public, id, title, &body)
}

/// Erases an item from both item-level indexes and their twins so that no
/// token survives in a segment (purge, deaccession with its bytes).
pub fn erase(conn: &Connection, id: ItemId) -> Result<()> {
    for doc in Doc::ALL {
        for t in [doc.table(), doc.twin()] {
            conn.execute(
                &format!("INSERT INTO {t} ({t}, rank) VALUES ('secure-delete', 1)"),
                [],
            )?;
        }
        remove(conn, doc, id)?;
    }
    Ok(())
}

/// Adds one cue or segment to the timed index and its twin.
pub fn put_timed(
    conn: &Connection,
    item: ItemId,
    text: &str,
    span: (Option<i64>, Option<i64>),
    source: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO item_fts_timed (text, item_id, start_ms, end_ms, source) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![text, item, span.0, span.1, source])?;
    if fold::needs_fold(&[text]) {
        let rowid = conn.last_insert_rowid();
        conn.prepare_cached("INSERT INTO item_fts_timed_fold (rowid, text) VALUES (?1, ?2)")?
            .execute(params![rowid, fold::fold_text(text)])?;
    }
    Ok(())
}

/// Removes every timed entry of `item` from `source` ('cue', 'segment').
pub fn remove_timed_source(conn: &Connection, item: ItemId, source: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM item_fts_timed_fold WHERE rowid IN
           (SELECT rowid FROM item_fts_timed WHERE item_id = ?1 AND source = ?2)",
    )?
    .execute(params![item, source])?;
    conn.prepare_cached("DELETE FROM item_fts_timed WHERE item_id = ?1 AND source = ?2")?
        .execute(params![item, source])?;
    Ok(())
}

/// Removes one timed entry by its rowid.
pub fn remove_timed_row(conn: &Connection, rowid: i64) -> Result<()> {
    for t in ["item_fts_timed_fold", "item_fts_timed"] {
        conn.prepare_cached(&format!("DELETE FROM {t} WHERE rowid = ?1"))?
            .execute([rowid])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut conn).unwrap();
        conn
    }

    fn count(conn: &Connection, table: &str, word: &str) -> i64 {
        conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"),
            [crate::query::fts_string(word)],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn a_twin_row_follows_its_index_row() {
        let conn = archive();
        let id = ItemId(7);
        put(
            &conn,
            Doc::Public,
            id,
            "A fictional letter",
            "from Цхинвали",
        )
        .unwrap();
        assert_eq!(count(&conn, "item_fts_fold", "tskhinvali"), 1);
        // ASCII text gets no twin row: the plain index answers it.
        put(&conn, Doc::Public, ItemId(8), "Plain", "from Gori").unwrap();
        assert_eq!(count(&conn, "item_fts_fold", "gori"), 0);
        set_title(&conn, id, "Письмо").unwrap();
        assert_eq!(count(&conn, "item_fts_fold", "pismo"), 1);
        assert_eq!(count(&conn, "item_fts_fold", "tskhinvali"), 1);
        replace(&conn, Doc::Public, id, "Письмо", "from [redacted]").unwrap();
        assert_eq!(count(&conn, "item_fts_fold", "tskhinvali"), 0);
        erase(&conn, id).unwrap();
        assert_eq!(count(&conn, "item_fts_fold", "pismo"), 0);
        assert_eq!(count(&conn, "item_fts", "pismo"), 0);
        // Removing what is not there is not an error.
        remove(&conn, Doc::Full, id).unwrap();
    }

    #[test]
    fn timed_twins_share_the_rowid_and_go_with_it() {
        let conn = archive();
        let item = ItemId(3);
        put_timed(&conn, item, "в Цхинвали", (Some(0), Some(1000)), "cue").unwrap();
        put_timed(&conn, item, "plain words", (Some(1000), Some(2000)), "cue").unwrap();
        let hit: i64 = conn
            .query_row(
                "SELECT item_fts_timed.start_ms FROM item_fts_timed_fold
                   JOIN item_fts_timed ON item_fts_timed.rowid = item_fts_timed_fold.rowid
                  WHERE item_fts_timed_fold MATCH '\"tskhinvali\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hit, 0);
        remove_timed_source(&conn, item, "cue").unwrap();
        assert_eq!(count(&conn, "item_fts_timed_fold", "tskhinvali"), 0);
        assert_eq!(count(&conn, "item_fts_timed", "plain"), 0);
    }
}

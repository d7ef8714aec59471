//! Every write to the full-text indexes, each index with its folded twin
//! (migration 0018): `item_fts` and `item_fts_fold`, `item_fts_full` and
//! `item_fts_full_fold`, `item_fts_timed` and `item_fts_timed_fold`. A twin
//! holds `fold::fold_text` of exactly what its index holds, under the same
//! rowid, and only for rows with non-ASCII text; writing both here, in one
//! place, is what keeps a redacted or purged word out of the twin as well.
//!
//! The two item-level indexes keep no copy of their text (migration 0021):
//! [`indexed_text`] reads what an index was built from out of the text
//! tables (the redacted copy for the public index of a redacted item), and
//! [`disagreements_with_text`] re-indexes it to check the index.
//!
//! Rows only: this module never decides what goes into the public index
//! (redaction does) and never decides who reads an index (the query does).

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
/// In these contentless indexes a removed row is a tombstone: its tokens
/// leave the pages when the segment is merged (`purge::clean_database`).
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

/// A new title for an item's public entry, its body kept (the redacted
/// copy's, for a redacted item). Nothing when the item is not indexed.
pub fn set_title(conn: &Connection, id: ItemId, title: &str) -> Result<()> {
    let Some((_, body)) = indexed_text(conn, Doc::Public, id)? else {
        return Ok(());
    };
    replace(conn, Doc::Public, id, title, &body)
}

/// `SELECT rowid, title, body` of what `doc` indexes, for every row it
/// holds: the public index holds a redacted item's redacted copy (title
/// and text) and every other item's own title and extracted text; the full
/// index holds the original title and text of redacted items only.
fn source_sql(doc: Doc) -> String {
    let t = doc.table();
    match doc {
        Doc::Public => format!(
            "SELECT f.rowid,
                    CASE WHEN r.item_id IS NULL THEN i.title ELSE r.title END,
                    CASE WHEN r.item_id IS NULL THEN ifnull(x.text, '') ELSE ifnull(r.text, '') END
               FROM {t} f JOIN items i ON i.id = f.rowid
               LEFT JOIN redacted_text r ON r.item_id = f.rowid
               LEFT JOIN item_text x ON x.item_id = f.rowid"
        ),
        Doc::Full => format!(
            "SELECT f.rowid, i.title, ifnull(x.text, '')
               FROM {t} f JOIN items i ON i.id = f.rowid
               LEFT JOIN item_text x ON x.item_id = f.rowid"
        ),
    }
}

/// The title and body `doc` was built from for an item, read from the
/// text tables (see [`source_sql`]); None when `doc` holds no row for it.
/// Snippets are cut from this, so a reader below custodian, who searches
/// the public index, is shown the redacted copy.
pub fn indexed_text(conn: &Connection, doc: Doc, id: ItemId) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(&format!("{} WHERE f.rowid = ?1", source_sql(doc)))?
        .query_row([id], |r| Ok((r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// For `verify --full`: each item-level index against a fresh index of the
/// text it was built from, compared term by term (documents and
/// occurrences per term). One message per index that disagrees, with the
/// number of terms that differ and never a term itself: a word that
/// lingers in the public index after a redaction must not be printed by
/// the check that finds it.
pub fn disagreements_with_text(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for doc in Doc::ALL {
        let t = doc.table();
        conn.execute_batch(
            "DROP TABLE IF EXISTS temp.fts_rebuilt;
             DROP TABLE IF EXISTS temp.fts_vocab_index;
             DROP TABLE IF EXISTS temp.fts_vocab_rebuilt;
             CREATE VIRTUAL TABLE temp.fts_rebuilt USING fts5(
                 title, body, content = '', tokenize = 'unicode61 remove_diacritics 2');",
        )?;
        conn.execute(
            &format!(
                "INSERT INTO temp.fts_rebuilt (rowid, title, body) {}",
                source_sql(doc)
            ),
            [],
        )?;
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE temp.fts_vocab_index USING fts5vocab(main, {t}, row);
             CREATE VIRTUAL TABLE temp.fts_vocab_rebuilt USING fts5vocab(temp, fts_rebuilt, row);"
        ))?;
        let differ: i64 = conn.query_row(
            "SELECT count(*) FROM (
                 SELECT * FROM (SELECT term, doc, cnt FROM temp.fts_vocab_index
                                EXCEPT SELECT term, doc, cnt FROM temp.fts_vocab_rebuilt)
                 UNION ALL
                 SELECT * FROM (SELECT term, doc, cnt FROM temp.fts_vocab_rebuilt
                                EXCEPT SELECT term, doc, cnt FROM temp.fts_vocab_index))",
            [],
            |r| r.get(0),
        )?;
        conn.execute_batch(
            "DROP TABLE temp.fts_vocab_index; DROP TABLE temp.fts_vocab_rebuilt;
             DROP TABLE temp.fts_rebuilt;",
        )?;
        if differ > 0 {
            out.push(format!(
                "the full-text index {t} disagrees with the text it was built from: {differ} term(s) differ in where or how often they occur"
            ));
        }
    }
    Ok(out)
}

/// Erases an item from both item-level indexes and their twins (purge,
/// deaccession with its bytes); the caller then merges every index
/// (`purge::clean_database`) so that no token survives in a segment.
pub fn erase(conn: &Connection, id: ItemId) -> Result<()> {
    for doc in Doc::ALL {
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

    /// Whether any page of `table`'s index holds `bytes`.
    fn in_pages(conn: &Connection, table: &str, bytes: &[u8]) -> bool {
        let mut stmt = conn
            .prepare(&format!("SELECT block FROM {table}_data"))
            .unwrap();
        let blocks: Vec<Vec<u8>> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        blocks
            .iter()
            .any(|b| b.windows(bytes.len()).any(|w| w == bytes))
    }

    /// A removed row is a tombstone until its segment is merged; after
    /// the merge purge and deaccession run, no page holds its tokens.
    #[test]
    fn a_removed_row_leaves_its_tokens_until_the_indexes_are_merged() {
        let conn = archive();
        let filler = "the harbour the river the mill and the bridge ".repeat(40);
        let mut ids = Vec::new();
        for (n, word) in [(1, "quarnsecret"), (2, "vellasecret"), (3, "orrinword")] {
            let text = format!("{filler} {word} {filler}");
            let id = item(&conn, n, "Fictional letter", &text);
            put(&conn, Doc::Public, id, "Fictional letter", &text).unwrap();
            ids.push(id);
        }
        erase(&conn, ids[0]).unwrap();
        assert_eq!(count(&conn, "item_fts", "quarnsecret"), 0);
        assert!(
            in_pages(&conn, "item_fts", b"quarnsecret"),
            "a tombstone only"
        );
        conn.execute("INSERT INTO item_fts (item_fts) VALUES ('optimize')", [])
            .unwrap();
        assert!(!in_pages(&conn, "item_fts", b"quarnsecret"));
        assert!(in_pages(&conn, "item_fts", b"vellasecret"));
        assert_eq!(count(&conn, "item_fts", "orrinword"), 1);
    }

    fn count(conn: &Connection, table: &str, word: &str) -> i64 {
        conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"),
            [crate::query::fts_string(word)],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// An item with its text, as an import leaves it (not yet indexed).
    fn item(conn: &Connection, n: i64, title: &str, text: &str) -> ItemId {
        let sha: crate::model::Sha256 = format!("{n:064x}").parse().unwrap();
        let object =
            crate::catalogue::items::insert_object(conn, &sha, 1, "text/plain", "now").unwrap();
        let new = crate::catalogue::items::NewItem::bare(
            title,
            crate::model::Kind::Letter,
            crate::model::Intake::Open,
        );
        let id = crate::catalogue::items::insert_item(conn, object, &new, "now").unwrap();
        crate::catalogue::items::insert_text(conn, id, Some(text)).unwrap();
        id
    }

    #[test]
    fn a_twin_row_follows_its_index_row() {
        let conn = archive();
        let id = item(&conn, 7, "A fictional letter", "from Цхинвали");
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
        conn.execute("UPDATE items SET title = 'Письмо' WHERE id = ?1", [id])
            .unwrap();
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
    fn the_text_behind_each_index_is_read_back_and_checked_against_it() {
        let conn = archive();
        let id = item(
            &conn,
            1,
            "Letter of A. Lisanova",
            "she hid in the bakery cellar",
        );
        put(
            &conn,
            Doc::Public,
            id,
            "Letter of A. Lisanova",
            "she hid in the bakery cellar",
        )
        .unwrap();
        assert_eq!(
            indexed_text(&conn, Doc::Public, id).unwrap(),
            Some((
                "Letter of A. Lisanova".into(),
                "she hid in the bakery cellar".into()
            ))
        );
        assert_eq!(indexed_text(&conn, Doc::Full, id).unwrap(), None);
        assert!(disagreements_with_text(&conn).unwrap().is_empty());
        // Redacted: the public index is built from the redacted copy, and
        // that is what is read back for it; the full index from the original.
        conn.execute(
            "INSERT INTO redacted_text (item_id, title, description, text)
             VALUES (?1, 'Letter of [redacted]', NULL, 'she hid in the [redacted]')",
            [id],
        )
        .unwrap();
        replace(
            &conn,
            Doc::Public,
            id,
            "Letter of [redacted]",
            "she hid in the [redacted]",
        )
        .unwrap();
        replace(
            &conn,
            Doc::Full,
            id,
            "Letter of A. Lisanova",
            "she hid in the bakery cellar",
        )
        .unwrap();
        let (title, body) = indexed_text(&conn, Doc::Public, id).unwrap().unwrap();
        assert!(
            !title.contains("Lisanova") && !body.contains("bakery"),
            "{title} {body}"
        );
        assert!(indexed_text(&conn, Doc::Full, id)
            .unwrap()
            .unwrap()
            .1
            .contains("bakery"));
        assert!(disagreements_with_text(&conn).unwrap().is_empty());
        // Text changed behind the index's back (a word left in the public
        // index that its text no longer has) is found, and not named.
        conn.execute(
            "UPDATE redacted_text SET text = 'she hid somewhere' WHERE item_id = ?1",
            [id],
        )
        .unwrap();
        let found = disagreements_with_text(&conn).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("item_fts ")
                && !found[0].contains("bakery")
                && !found[0].contains("cellar"),
            "{found:?}"
        );
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

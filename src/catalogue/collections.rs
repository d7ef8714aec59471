//! The spelling an imported item's collection is stored under. Names are
//! compared without regard to case and surrounding spaces: a new spelling
//! of a name the archive already uses ("box 12 " beside "Box 12") takes
//! the first spelling of it, so reports group them together; a spelling in
//! use is kept as it is (an archivist may be correcting it).
//!
//! Only imports ask this; `edit --collection` stores what the archivist
//! typed (trimmed), which is how a spelling is corrected. It never writes.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// The spelling to store for `typed`.
pub fn spelling(conn: &Connection, typed: &str) -> Result<String> {
    let typed = typed.trim();
    // The common case, one indexed lookup: the spelling is in use already.
    let exact: Option<String> = conn
        .query_row(
            "SELECT collection FROM items WHERE collection = ?1 LIMIT 1",
            [typed],
            |r| r.get(0),
        )
        .optional()?;
    if exact.is_some() {
        return Ok(typed.to_string());
    }
    let key = fold(typed);
    let mut stmt = conn.prepare_cached(
        "SELECT collection, MIN(id) FROM items WHERE collection IS NOT NULL GROUP BY collection",
    )?;
    let mut first: Option<(i64, String)> = None;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (spelled, id): (String, i64) = (r.get(0)?, r.get(1)?);
        if fold(&spelled) == key && first.as_ref().is_none_or(|(f, _)| id < *f) {
            first = Some((id, spelled));
        }
    }
    Ok(first.map_or_else(|| typed.to_string(), |(_, s)| s))
}

/// The grouping key: trimmed, Unicode lower case.
pub(crate) fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY, collection TEXT);")
            .unwrap();
        c
    }

    #[test]
    fn the_first_spelling_of_a_name_is_kept() {
        let c = archive();
        assert_eq!(spelling(&c, "  Box 12 ").unwrap(), "Box 12");
        c.execute_batch(
            "INSERT INTO items VALUES (5, 'box 12'), (3, 'BOX 12'), (9, 'Şuşa papers');",
        )
        .unwrap();
        assert_eq!(spelling(&c, "Box 12").unwrap(), "BOX 12");
        assert_eq!(spelling(&c, "box 12").unwrap(), "box 12", "in use: kept");
        assert_eq!(spelling(&c, "ŞUŞA PAPERS ").unwrap(), "Şuşa papers");
        assert_eq!(spelling(&c, "Box 13").unwrap(), "Box 13");
    }
}

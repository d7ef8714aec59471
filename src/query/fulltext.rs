//! The SQL of a full-text term: the plain indexes searched with the words
//! as typed or as folded, the folded twins (`catalogue::fts`) with the
//! folded words, so a bare word matches across scripts and diacritics.
//!
//! It only writes SQL for `compile`: which index a reader searches
//! (`item_fts_full` only for the custodian) and which timed hits they may
//! find (`policy::passage::visible_hits`) are decided by its callers and
//! the policy; every word is a bound parameter inside an FTS5 phrase.

use chrono::NaiveDate;
use rusqlite::types::Value;

use super::compile::{fts_string, Sql};
use crate::model::Access;
use crate::policy;

/// One positive full-text term, as the snippets need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtsTerm {
    /// The FTS5 expression for the plain indexes: the phrase as typed, or
    /// its folded form.
    pub plain: String,
    /// The folded phrase, for the twins and for cutting a snippet out of
    /// text the phrase was found in only through folding.
    pub folded: String,
}

impl FtsTerm {
    pub fn new(words: &str) -> FtsTerm {
        let typed = fts_string(words);
        // Folded before quoting: a character that folds to `"` (a curly
        // quote) is escaped by `fts_string` like any other.
        let folded = fts_string(&crate::fold::fold_text(&crate::redact::strip_ignorable(
            words,
        )));
        let plain = if folded == typed.to_lowercase() {
            typed
        } else {
            format!("{typed} OR {folded}")
        };
        FtsTerm { plain, folded }
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The item ids whose title or text match, in the public index and its
/// twin, and for the custodian also in the unredacted index and its twin;
/// with `after`, only ids above it.
pub(super) fn items(s: &mut Sql, t: &FtsTerm, access: Access, after: Option<i64>) {
    let mut docs = vec![crate::catalogue::fts::Doc::Public];
    if policy::reads_originals(access) {
        // The custodian also finds redacted items by what was redacted.
        docs.push(crate::catalogue::fts::Doc::Full);
    }
    for (n, doc) in docs.into_iter().enumerate() {
        if n > 0 {
            s.push(" UNION ");
        }
        let (table, twin) = (doc.table(), doc.twin());
        s.push(&format!("SELECT rowid FROM {table} WHERE {table} MATCH "))
            .bind(text(&t.plain));
        above(s, "rowid", after);
        s.push(&format!(
            " UNION SELECT rowid FROM {twin} WHERE {twin} MATCH "
        ))
        .bind(text(&t.folded));
        above(s, "rowid", after);
    }
}

fn above(s: &mut Sql, column: &str, after: Option<i64>) {
    if let Some(after) = after {
        s.push(&format!(" AND {column} > "))
            .bind(Value::Integer(after));
    }
}

/// The items with a cue or segment hit the reader may find
/// (`policy::passage::visible_hits`), in the timed index or its twin;
/// with `after`, only ids above it.
pub(super) fn timed(
    s: &mut Sql,
    t: &FtsTerm,
    source: Option<&str>,
    access: Access,
    today: NaiveDate,
    after: Option<i64>,
) {
    let (cond, params) = policy::passage::visible_hits(access, today);
    let tail = |s: &mut Sql| {
        above(s, "item_fts_timed.item_id", after);
        if let Some(src) = source {
            s.push(" AND item_fts_timed.source = ").bind(text(src));
        }
        s.push(" AND ");
        s.push_with(&cond, params.iter().cloned().map(Value::Text));
    };
    s.push("SELECT item_id FROM item_fts_timed WHERE item_fts_timed MATCH ")
        .bind(text(&t.plain));
    tail(s);
    s.push(
        " UNION SELECT item_fts_timed.item_id FROM item_fts_timed_fold \
         JOIN item_fts_timed ON item_fts_timed.rowid = item_fts_timed_fold.rowid \
         WHERE item_fts_timed_fold MATCH ",
    )
    .bind(text(&t.folded));
    tail(s);
}

/// The ids a bare full-text term matches for this reader (exactly the set
/// its `i.id IN (…)` holds), above `after`, ascending, at most `limit`:
/// one compound SELECT whose ORDER BY lets SQLite merge the indexes' own
/// rowid order and stop at the limit instead of collecting every match.
pub(super) fn ids_after(
    t: &FtsTerm,
    access: Access,
    today: NaiveDate,
    after: i64,
    limit: i64,
) -> Sql {
    let mut s = Sql::new();
    items(&mut s, t, access, Some(after));
    s.push(" UNION ");
    timed(&mut s, t, None, access, today, Some(after));
    s.push(" ORDER BY 1 LIMIT ").bind(Value::Integer(limit));
    s
}

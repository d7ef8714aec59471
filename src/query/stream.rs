//! The first matches of a full-text search in id order, read straight off
//! the full-text indexes: a word in most of a million items otherwise
//! makes SQLite collect every match (a million ids) before it returns
//! the first twenty, and counting "more than 10,000" collects them too.
//!
//! Only for a query whose every match must match one bare word or phrase
//! (no `,` alternatives, the term not negated), in id order. The ids of
//! that term are read in chunks from the same SQL its `i.id IN (…)` holds
//! (the timed hits narrowed by the passages as there), and each chunk goes
//! through the compiled filter of the rest of the query, the access policy
//! included, exactly as the plain plan would; this module decides nothing
//! about visibility.
//! When the candidates run long without filling the page (a common word
//! with a rare field value) it gives up and the plain plan answers.
//!
//! A date range that many items overlap (`date:1980..1989`) is walked the
//! same way over the items themselves, in id order: SQLite would choose
//! the date index and sort every match (70,000 at a million items) before
//! returning the first twenty, while in id order a page stops after a few
//! hundred rows. Only when the range alone matches at least [`DENSE`]
//! items; a narrow one keeps the index.

use rusqlite::types::Value;
use rusqlite::Connection;

use super::compile;
use super::exec::{with_context, Options, FROM};
use super::fields::Type;
use super::fulltext::{self, FtsTerm};
use super::parse::{Pred, Query};
use crate::error::Result;
use crate::policy::sql::FACTS_JOIN;

/// Candidates read in the first chunk; each next chunk is four times as
/// large, up to [`LAST_CHUNK`].
const FIRST_CHUNK: i64 = 64;
const LAST_CHUNK: i64 = 16_384;
/// Candidates read before giving the search back to the plain plan.
const GIVE_UP_AFTER: u64 = 200_000;

/// Matches of a date range alone from which walking the items in id
/// order beats the date index: with fewer, sorting them is cheap. The
/// tests' catalogue is smaller.
const DENSE: u64 = if cfg!(test) { 100 } else { 10_000 };

/// What the candidates are read from.
enum Driver {
    /// The query's one conjunction's first bare full-text term, at its
    /// place in it.
    Words(FtsTerm, usize),
    /// The items themselves, for a wide date range.
    Items,
}

/// The term to walk (the query's one conjunction's first bare full-text
/// term) and its place in it, if the query is searched in id order.
fn driver(q: &Query, o: &Options<'_>) -> Option<(FtsTerm, usize)> {
    if !matches!(o.sort, None | Some("id")) {
        return None;
    }
    let [all] = q.any.as_slice() else {
        return None;
    };
    let at = all
        .iter()
        .position(|t| matches!(&t.pred, Pred::FullText(_)) && !t.negated)?;
    let Pred::FullText(words) = &all[at].pred else {
        return None;
    };
    Some((FtsTerm::new(words), at))
}

/// The query's date range, when the items are to be walked in id order
/// for it: no full-text term to walk instead, and the range alone matches
/// at least [`DENSE`] items this reader may list (counted off the date
/// index, no further than that).
fn wide_date_range(conn: &Connection, q: &Query, o: &Options<'_>) -> Result<bool> {
    if !matches!(o.sort, None | Some("id")) {
        return Ok(false);
    }
    let [all] = q.any.as_slice() else {
        return Ok(false);
    };
    let Some(range) = all.iter().find(|t| {
        !t.negated && matches!(&t.pred, Pred::Days { field, .. } if field.ty == Type::Date)
    }) else {
        return Ok(false);
    };
    let alone = Query {
        any: vec![vec![range.clone()]],
    };
    let c = compile::compile_with(&alone, o.access, o.today, &o.dates)?;
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1\n{FROM}{FACTS_JOIN}\nLEFT JOIN redacted_text rx ON rx.item_id = i.id\nWHERE {}\nLIMIT {DENSE})",
        c.filter.sql
    );
    let n: i64 = conn
        .query_row(
            &sql,
            rusqlite::params_from_iter(c.filter.params.iter()),
            |r| r.get(0),
        )
        .map_err(with_context)?;
    Ok(n as u64 >= DENSE)
}

/// What [`first_ids`] found.
pub(super) struct Streamed {
    /// In id order; fewer than asked means there are no more.
    pub ids: Vec<i64>,
    /// The walked term's place in the query's one alternative: its
    /// condition holds for every id here, so a SELECT among these ids
    /// may take it as true (`compile::compile_without`). None when the
    /// items were walked: every condition still applies.
    pub term: Option<usize>,
}

/// The first `want` ids of items the query matches for this reader, in
/// id order; None where this way does not apply or gave up.
pub(super) fn first_ids(
    conn: &Connection,
    q: &Query,
    o: &Options<'_>,
    want: u64,
) -> Result<Option<Streamed>> {
    let drive = match driver(q, o) {
        Some((term, at)) => Driver::Words(term, at),
        None if wide_date_range(conn, q, o)? => Driver::Items,
        None => return Ok(None),
    };
    let skip = match &drive {
        Driver::Words(_, at) => Some(*at),
        Driver::Items => None,
    };
    let c = compile::compile_without(q, o.access, o.today, &o.dates, skip)?;
    let filter_sql = format!(
        "SELECT i.id\n{FROM}{FACTS_JOIN}\nLEFT JOIN redacted_text rx ON rx.item_id = i.id\n\
         WHERE i.id IN (SELECT value FROM json_each(?)) AND ({})\nORDER BY i.id",
        c.filter.sql
    );
    let mut filter = conn.prepare_cached(&filter_sql)?;
    let mut found: Vec<i64> = Vec::new();
    let mut after = 0i64;
    let mut chunk = FIRST_CHUNK;
    let mut read = 0u64;
    loop {
        let cands = match &drive {
            Driver::Words(term, _) => fulltext::ids_after(term, o.access, o.today, after, chunk),
            Driver::Items => items_after(after, chunk),
        };
        let mut stmt = conn.prepare_cached(&cands.sql)?;
        let ids: Vec<i64> = stmt
            .query_map(rusqlite::params_from_iter(cands.params.iter()), |r| {
                r.get(0)
            })
            .map_err(with_context)?
            .collect::<rusqlite::Result<_>>()
            .map_err(with_context)?;
        let done = |ids| Ok(Some(Streamed { ids, term: skip }));
        let Some(&last) = ids.last() else {
            return done(found);
        };
        read += ids.len() as u64;
        let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        let mut params: Vec<Value> = vec![Value::Text(list)];
        params.extend(c.filter.params.iter().cloned());
        let passed = filter
            .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get(0))
            .map_err(with_context)?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .map_err(with_context)?;
        found.extend(passed);
        if found.len() as u64 >= want {
            found.truncate(want as usize);
            return done(found);
        }
        if (ids.len() as i64) < chunk {
            return done(found);
        }
        if read >= GIVE_UP_AFTER {
            return Ok(None);
        }
        after = last;
        chunk = (chunk * 4).min(LAST_CHUNK);
    }
}

/// The next `chunk` item ids after `after`, off the table itself.
fn items_after(after: i64, chunk: i64) -> compile::Sql {
    let mut s = compile::Sql::new();
    s.push("SELECT id FROM items WHERE id > ")
        .bind(Value::Integer(after))
        .push(" ORDER BY id LIMIT ")
        .bind(Value::Integer(chunk));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::fts::{self, Doc};
    use crate::model::{Access, ItemId};
    use chrono::NaiveDate;

    /// Items with words at every density (in every item, every other,
    /// every 500th, and a Cyrillic one found by its Latin spelling), of
    /// two kinds, a third of them closed, some evidence, and dated one
    /// year each (fictional).
    fn catalogue() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        for id in 1..=2000i64 {
            c.execute(
                "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (?1, ?2, 1, 'text/plain', 'now')",
                rusqlite::params![id, format!("{id:064x}")],
            )
            .unwrap();
            let kind = if id % 4 == 0 { "letter" } else { "article" };
            let level = (id % 3 == 0).then_some("closed");
            // One year each, 1950–2008 (59 is prime to the other periods);
            // every 13th undated.
            let year = 1950 + id % 59;
            let (lo, hi) = match id % 13 {
                0 => (None, None),
                _ => (Some(format!("{year}-01-01")), Some(format!("{year}-12-31"))),
            };
            c.execute(
                "INSERT INTO items (id, object_id, title, kind, created_at, updated_at, access_level, is_evidence,
                                    date_lower, date_upper, date_span)
                 VALUES (?1, ?1, 't', ?2, 'now', 'now', ?3, ?4, ?5, ?6, CAST(julianday(?6) - julianday(?5) AS INTEGER))",
                rusqlite::params![id, kind, level, (id % 11 == 0) as i64, lo, hi],
            )
            .unwrap();
            let mut body = String::from("everyword");
            if id % 2 == 0 {
                body.push_str(" halfword");
            }
            if id % 500 == 0 {
                body.push_str(" rareword");
            }
            if id % 7 == 0 {
                body.push_str(" Цхинвали");
            }
            crate::catalogue::items::insert_text(&c, ItemId(id), Some(&body)).unwrap();
            fts::put(&c, Doc::Public, ItemId(id), "t", &body).unwrap();
        }
        c
    }

    fn opts(access: Access, limit: Option<u64>, offset: u64) -> Options<'static> {
        Options {
            access,
            today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            sort: None,
            limit,
            offset,
            extra: &[],
            dates: Default::default(),
        }
    }

    /// Every id the plain plan finds, in order.
    fn plain(c: &Connection, q: &Query, o: &Options<'_>) -> Vec<i64> {
        let comp = compile::compile_with(q, o.access, o.today, &o.dates).unwrap();
        let sql = format!(
            "SELECT i.id\n{FROM}{FACTS_JOIN}\nLEFT JOIN redacted_text rx ON rx.item_id = i.id\nWHERE {} ORDER BY i.id",
            comp.filter.sql
        );
        let mut stmt = c.prepare(&sql).unwrap();
        let ids = stmt
            .query_map(rusqlite::params_from_iter(comp.filter.params.iter()), |r| {
                r.get(0)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        ids
    }

    /// One walk for a page and its count gives what the two calls give.
    fn same_page_and_count(c: &Connection, q: &Query, o: &Options<'_>, page: &[i64], all: &[i64]) {
        for cap in [1u64, 25, 201, 5000] {
            let (rows, n) = crate::query::exec::page_and_count_conn(c, q, o, cap).unwrap();
            let ids: Vec<i64> = rows.iter().map(|l| l.item.id.0).collect();
            assert_eq!(ids, page, "page, capped at {cap}");
            assert_eq!(
                n,
                all.len().min(cap as usize) as i64,
                "count, capped at {cap}"
            );
        }
    }

    #[test]
    fn pages_and_capped_counts_agree_with_the_plain_plan() {
        let c = catalogue();
        let queries = [
            "everyword",
            "halfword",
            "rareword",
            "Tskhinvali",
            "everyword kind:letter",
            "halfword -kind:letter",
            "rareword kind:letter",
            "\"everyword halfword\"",
            "nowhereword",
        ];
        for access in [Access::Public, Access::Research, Access::Custodian] {
            for text in queries {
                let q = crate::query::parse_line(text).unwrap();
                let all = plain(&c, &q, &opts(access, None, 0));
                for want in [1u64, 20, 63, 64, 65, 300, 5000] {
                    let got = first_ids(&c, &q, &opts(access, None, 0), want)
                        .unwrap()
                        .expect("a bare word is streamed")
                        .ids;
                    let n = (want as usize).min(all.len());
                    assert_eq!(got, all[..n], "{text} at {access}, first {want}");
                    assert_eq!(
                        crate::query::exec::count_capped_conn(&c, &q, &opts(access, None, 0), want)
                            .unwrap(),
                        n as i64,
                        "{text} at {access}, capped at {want}"
                    );
                }
                for (limit, offset) in [(20, 0), (20, 40), (7, 995), (50, 1990)] {
                    let listed =
                        crate::query::exec::run_conn(&c, &q, &opts(access, Some(limit), offset))
                            .unwrap();
                    // The walked term still gives each row its snippet.
                    for l in &listed {
                        assert!(
                            matches!(&l.snippet, Some(Some(s)) if s.contains('[')),
                            "{text} at {access}: {:?}",
                            l.snippet
                        );
                    }
                    let page: Vec<i64> = listed.iter().map(|l| l.item.id.0).collect();
                    same_page_and_count(&c, &q, &opts(access, Some(limit), offset), &page, &all);
                    let want: Vec<i64> = all
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .copied()
                        .collect();
                    assert_eq!(page, want, "{text} at {access}, {limit} from {offset}");
                }
            }
        }
    }

    /// A wide date range walks the items; a narrow one (fewer than DENSE
    /// matches) keeps the date index. Either way the same ids, at every
    /// level, with the other terms and the policy still applied.
    #[test]
    fn a_wide_date_range_walks_the_items_in_id_order() {
        let c = catalogue();
        let cases = [
            ("date:1980..1989", true),
            ("date:1980..1989 kind:letter", true),
            ("date:1960..1999 -kind:letter", true),
            ("date:1980", false),
            ("date:1990-06-01..1990-06-30", false),
        ];
        for access in [Access::Public, Access::Research, Access::Custodian] {
            for (text, walked) in cases {
                let q = crate::query::parse_line(text).unwrap();
                let all = plain(&c, &q, &opts(access, None, 0));
                assert!(!all.is_empty(), "{text} at {access}");
                for want in [1u64, 20, 65, 5000] {
                    let found = first_ids(&c, &q, &opts(access, None, 0), want).unwrap();
                    let Some(found) = found else {
                        assert!(!walked, "{text} at {access}: not walked");
                        continue;
                    };
                    assert!(walked, "{text} at {access}: walked");
                    assert_eq!(found.term, None);
                    let n = (want as usize).min(all.len());
                    assert_eq!(found.ids, all[..n], "{text} at {access}, first {want}");
                    assert_eq!(
                        crate::query::exec::count_capped_conn(&c, &q, &opts(access, None, 0), want)
                            .unwrap(),
                        n as i64,
                        "{text} at {access}, capped at {want}"
                    );
                }
                for (limit, offset) in [(20, 0), (20, 40), (50, 300)] {
                    let page: Vec<i64> =
                        crate::query::exec::run_conn(&c, &q, &opts(access, Some(limit), offset))
                            .unwrap()
                            .iter()
                            .map(|l| l.item.id.0)
                            .collect();
                    same_page_and_count(&c, &q, &opts(access, Some(limit), offset), &page, &all);
                    let want: Vec<i64> = all
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .copied()
                        .collect();
                    assert_eq!(page, want, "{text} at {access}, {limit} from {offset}");
                }
            }
        }
    }

    #[test]
    fn alternatives_negations_and_other_orders_take_the_plain_plan() {
        let c = catalogue();
        for text in ["everyword , kind:letter", "-everyword", "kind:letter"] {
            let q = crate::query::parse_line(text).unwrap();
            assert!(first_ids(&c, &q, &opts(Access::Public, None, 0), 20)
                .unwrap()
                .is_none());
        }
        let q = crate::query::parse_line("everyword").unwrap();
        let mut o = opts(Access::Public, None, 0);
        o.sort = Some("-date");
        assert!(first_ids(&c, &q, &o, 20).unwrap().is_none());
    }
}

//! The reports that read the tallies, against the scans and joins of the
//! items they replace, at every level on four days in three years.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::Value;

use crate::model::Access;
use crate::policy::sql as policy_sql;
use crate::report::{self, GroupBy, Reader};

/// The holdings by a vocabulary's terms, by joining every link to its item
/// (what the report did before the tallies), as (label, count, size) rows
/// in the report's order, and the total.
type Groups = Vec<(Option<String>, i64, i64)>;

fn holdings_by_join(c: &Connection, reader: Reader, vocab: &str) -> (Groups, (i64, i64)) {
    let (listed, open) = (
        policy_sql::listed(reader.access),
        policy_sql::open(reader.access, reader.today),
    );
    let filter = format!("({}) AND ({})", listed.sql, open.sql);
    let mut params = vec![rusqlite::types::Value::Text(vocab.into())];
    params.extend(listed.params.iter().cloned());
    params.extend(open.params.iter().cloned());
    let sql = format!(
        "SELECT tm.label, count(*), sum(i.size) FROM items i
         LEFT JOIN (item_terms it JOIN terms tm ON tm.id = it.term_id AND tm.vocab = ?) ON it.item_id = i.id
         WHERE {filter} GROUP BY 1 ORDER BY 2 DESC, 1"
    );
    let mut stmt = c.prepare(&sql).unwrap();
    let groups = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let total = c
        .query_row(
            &format!("SELECT count(*), ifnull(sum(i.size), 0) FROM items i WHERE {filter}"),
            rusqlite::params_from_iter(params[1..].iter()),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    (groups, total)
}

fn narrators_by_join(c: &Connection, reader: Reader) -> Vec<(Option<String>, i64)> {
    let (listed, open) = (
        policy_sql::listed(reader.access),
        policy_sql::open(reader.access, reader.today),
    );
    let mut params = listed.params.clone();
    params.extend(open.params.iter().cloned());
    let sql = format!(
        "SELECT n.display, count(*) FROM testimonies t
         JOIN narrators n ON n.id = t.narrator_id JOIN items i ON i.id = t.item_id
         WHERE i.kind = 'testimony' AND ({}) AND ({})
         GROUP BY n.id ORDER BY n.display COLLATE NOCASE, n.id",
        listed.sql, open.sql
    );
    let mut stmt = c.prepare(&sql).unwrap();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// The holdings by a column, by scanning every item (what the report did
/// before the holdings tally), as (group, count, size) rows in the
/// report's order.
fn holdings_by_scan(c: &Connection, reader: Reader, by: GroupBy) -> Groups {
    let (group, visible) = match by {
        GroupBy::Kind => ("i.kind", true),
        GroupBy::Collection => ("i.collection", true),
        GroupBy::Language => ("i.language", false),
        _ => ("substr(i.date_lower, 1, 3) || '0s'", false),
    };
    let filter = if visible {
        policy_sql::listed(reader.access)
    } else {
        policy_sql::open(reader.access, reader.today)
    };
    let open = policy_sql::open(reader.access, reader.today);
    let mut params = Vec::new();
    let size = if visible {
        params.extend(open.params.iter().cloned());
        format!("sum(CASE WHEN {} THEN i.size ELSE 0 END)", open.sql)
    } else {
        "sum(i.size)".into()
    };
    params.extend(filter.params.iter().cloned());
    let order = if by == GroupBy::Decade {
        "grp IS NULL, grp"
    } else {
        "2 DESC, 1"
    };
    let sql = format!(
        "SELECT {group} AS grp, count(*), {size} FROM items i WHERE {} GROUP BY 1 ORDER BY {order}",
        filter.sql
    );
    let mut stmt = c.prepare(&sql).unwrap();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// The consent report's counts by state and scope, by scanning items.
fn consent_by_scan(c: &Connection, reader: Reader) -> Vec<(String, Option<String>, i64)> {
    let filter = policy_sql::counted_testimonies(reader.access, reader.today);
    let sql = format!(
        "SELECT coalesce(i.consent_status, 'pending'), i.consent_scope, count(*) FROM items i
          WHERE i.kind = 'testimony' AND {} GROUP BY 1, 2 ORDER BY 1, 2",
        filter.sql
    );
    let mut stmt = c.prepare(&sql).unwrap();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(filter.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn int(v: &Value, k: &str) -> i64 {
    v.get(k).and_then(Value::as_i64).unwrap()
}

pub(super) fn check_reports(c: &Connection) {
    for access in Access::ALL {
        // Days among the item's days, and days of a year where a year
        // tally alone would decide wrongly (2027-03-01 has come by June).
        for today in ["2026-06-15", "2026-06-16", "2027-06-01", "2025-06-01"] {
            let reader = Reader {
                access: *access,
                today: NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap(),
            };
            for (by, vocab) in [(GroupBy::Event, "event"), (GroupBy::Place, "place")] {
                let r = report::holdings(c, reader, by).unwrap();
                let s = &r.sections[0];
                let got: Groups = s
                    .rows
                    .iter()
                    .map(|row| {
                        let label = row.get(vocab).and_then(Value::as_str).map(String::from);
                        (label, int(row, "count"), int(row, "size"))
                    })
                    .collect();
                let total = s.total.as_ref().unwrap();
                let (want, want_total) = holdings_by_join(c, reader, vocab);
                assert_eq!(got, want, "holdings by {vocab} at {access:?} on {today}");
                assert_eq!(
                    (int(total, "count"), int(total, "size")),
                    want_total,
                    "total of holdings by {vocab} at {access:?} on {today}"
                );
            }
            for (by, key) in [
                (GroupBy::Kind, "kind"),
                (GroupBy::Collection, "collection"),
                (GroupBy::Language, "language"),
                (GroupBy::Decade, "decade"),
            ] {
                let r = report::holdings(c, reader, by).unwrap();
                let got: Groups = r.sections[0]
                    .rows
                    .iter()
                    .map(|row| {
                        let group = row.get(key).and_then(Value::as_str).map(String::from);
                        (group, int(row, "count"), int(row, "size"))
                    })
                    .collect();
                let want = holdings_by_scan(c, reader, by);
                assert_eq!(got, want, "holdings by {key} at {access:?} on {today}");
            }
            let r = report::consent(c, reader, 30).unwrap();
            let got: Vec<(String, Option<String>, i64)> = r.sections[0]
                .rows
                .iter()
                .map(|row| {
                    let text = |k: &str| row.get(k).and_then(Value::as_str).map(String::from);
                    (text("consent").unwrap(), text("scope"), int(row, "count"))
                })
                .collect();
            assert_eq!(got, consent_by_scan(c, reader), "consent at {access:?}");
            let r = report::narrators(c, reader).unwrap();
            let got: Vec<(Option<String>, i64)> = r.sections[1]
                .rows
                .iter()
                .map(|row| {
                    let name = row.get("narrator").and_then(Value::as_str);
                    (name.map(String::from), int(row, "testimonies"))
                })
                .collect();
            assert_eq!(got, narrators_by_join(c, reader), "narrators at {access:?}");
            let by_anon: i64 = r.sections[0].rows.iter().map(|g| int(g, "narrators")).sum();
            assert_eq!(by_anon, got.len() as i64);
        }
    }
}

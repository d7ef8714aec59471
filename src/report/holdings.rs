//! The holdings report: item counts and total size grouped by kind,
//! collection, event, place, decade or language.
//!
//! Grouped by kind or collection (fields a closed entry shows) it counts
//! every listed item, but sums sizes of open items only (a closed item's
//! size is not shown); grouped by anything else it counts open items only.
//! It must not count an item the policy hides, nor sum a size the policy
//! withholds (a redacted item's, below custodian). By event or place it reads
//! the policy tallies (migration 0006) rather than the items: the policy's
//! own predicate runs over tally rows, which carry the same columns.

use rusqlite::Connection;
use serde_json::{json, Value};

use super::{rows, Reader, Report, Section};
use crate::catalogue::terms;
use crate::error::Result;
use crate::model::ItemId;
use crate::output::{bytes_col, col};
use crate::policy::sql::{self as policy_sql, Tally, TallySum};
use crate::policy::{self, Decision};

pub use crate::cli::GroupBy;

fn name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Kind => "kind",
        GroupBy::Collection => "collection",
        GroupBy::Event => "event",
        GroupBy::Place => "place",
        GroupBy::Decade => "decade",
        GroupBy::Language => "language",
    }
}

pub fn holdings(conn: &Connection, reader: Reader, by: GroupBy) -> Result<Report> {
    let key = name(by);
    let visible_group = matches!(by, GroupBy::Kind | GroupBy::Collection);
    let (mut data, mut total) = match by {
        GroupBy::Event | GroupBy::Place => by_term(conn, reader, key)?,
        _ => by_column(conn, reader, by)?,
    };
    without_hidden_sizes(conn, reader, by, &mut data, &mut total)?;
    let mut total_row = json!({ key: "Total" });
    if let (Some(t), Some(src)) = (total_row.as_object_mut(), total.as_object()) {
        t.extend(src.clone());
    }
    let title = format!("Holdings by {key}");
    let mut notes = Vec::new();
    if visible_group && !crate::policy::sees_everything(reader.access) {
        notes.push(format!(
            "holdings by {key}: counts include closed items; sizes only of items open at this access level (not of redacted ones)"
        ));
    }
    Ok(Report {
        sections: vec![Section {
            key: "holdings",
            title,
            columns: vec![
                col(key, header(by)),
                col("count", "Items"),
                bytes_col("size", "Total size"),
            ],
            rows: data,
            total: Some(total_row),
        }],
        notes,
    })
}

fn header(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Kind => "Kind",
        GroupBy::Collection => "Collection",
        GroupBy::Event => "Event",
        GroupBy::Place => "Place",
        GroupBy::Decade => "Decade",
        GroupBy::Language => "Language",
    }
}

/// The group of an item read from `items i`.
fn group_expr(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Kind => "i.kind",
        GroupBy::Collection => "i.collection",
        GroupBy::Language => "i.language",
        // As the holdings tally (migration 0023) keys its decade; the "0s"
        // of the label is added to the rows.
        GroupBy::Decade => "substr(i.date_lower, 1, 3)",
        // Grouped by term: the item's labels are read apart.
        GroupBy::Event | GroupBy::Place => "NULL",
    }
}

/// The tally a grouping on a column reads, and its group there: by kind
/// the whole-catalogue tally (keyed by kind), otherwise the holdings tally.
fn tally(by: GroupBy) -> (Tally, &'static str) {
    match by {
        GroupBy::Kind => (Tally::Items, "i.kind"),
        GroupBy::Collection => (Tally::Holdings, "i.collection"),
        GroupBy::Language => (Tally::Holdings, "i.language"),
        GroupBy::Decade => (Tally::Holdings, "i.decade"),
        GroupBy::Event | GroupBy::Place => (Tally::Items, "NULL"),
    }
}

/// Takes out of each group and the total the size of every item whose
/// size the policy withholds from this reader although it is open (a
/// redacted item: its size is the unredacted original's). Such items are
/// few, so they are read one by one rather than slowing the grouping.
fn without_hidden_sizes(
    conn: &Connection,
    reader: Reader,
    by: GroupBy,
    data: &mut [Value],
    total: &mut Value,
) -> Result<()> {
    let key = name(by);
    // CROSS JOIN keeps redacted_text the outer loop: SQLite has no
    // statistics on it and would otherwise scan every item.
    let mut stmt = conn.prepare(&format!(
        "SELECT i.id, i.size, {} FROM redacted_text rt CROSS JOIN items i ON i.id = rt.item_id",
        group_expr(by)
    ))?;
    let found: Vec<(ItemId, i64, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, size, group) in found {
        let Some(facts) = policy_sql::load_facts(conn, id)? else {
            continue;
        };
        match policy::decide(reader.access, &facts, reader.today) {
            Decision::Open(g) if !g.digest => {}
            _ => continue,
        }
        let groups: Vec<Value> = match by {
            GroupBy::Event | GroupBy::Place => {
                let labels: Vec<Value> = terms::for_item(conn, id)?
                    .into_iter()
                    .filter(|(v, _)| v.as_str() == key)
                    .map(|(_, l)| Value::from(l))
                    .collect();
                if labels.is_empty() {
                    vec![Value::Null]
                } else {
                    labels
                }
            }
            GroupBy::Decade => vec![group.map(|d| format!("{d}0s")).into()],
            _ => vec![group.into()],
        };
        for row in data.iter_mut() {
            if groups.contains(row.get(key).unwrap_or(&Value::Null)) {
                subtract(row, size);
            }
        }
        subtract(total, size);
    }
    Ok(())
}

fn subtract(row: &mut Value, size: i64) {
    if let Some(v) = row.get_mut("size") {
        *v = (v.as_i64().unwrap_or(0) - size).into();
    }
}

/// Groups on a column of `items`, read from a policy tally (migrations
/// 0008, 0023): the policy's predicate runs over tally rows, which carry
/// the columns it reads, so no item row is read and the cost follows the
/// number of distinct groups and policy states, not of items. Each item is
/// in exactly one row, so the total is the sum of the groups.
fn by_column(conn: &Connection, reader: Reader, by: GroupBy) -> Result<(Vec<Value>, Value)> {
    let key = name(by);
    let visible_group = matches!(by, GroupBy::Kind | GroupBy::Collection);
    let filter = if visible_group {
        reader.listed()
    } else {
        reader.open()
    };
    let open = policy_sql::open(reader.access, reader.today);
    // Sizes only of items whose size the reader may see.
    let (size_sum, sum_params) = if visible_group {
        (
            format!("sum(CASE WHEN {} THEN i.size ELSE 0 END)", open.sql),
            open.params,
        )
    } else {
        ("sum(i.size)".to_string(), Vec::new())
    };
    let (tally, group_expr) = tally(by);
    let grouped = policy_sql::tally_sum(
        &TallySum {
            tally,
            join: "",
            keys: &[group_expr],
            sums: &["sum(i.items)", &size_sum],
            sum_params,
            filter,
        },
        reader.today,
    );
    // Decades read in time order (undated last); other groups largest
    // first.
    let order = match by {
        GroupBy::Decade => "grp IS NULL, grp",
        _ => "2 DESC, 1",
    };
    let sql = format!(
        "SELECT k0 AS grp, s0, s1 FROM ({}) ORDER BY {order}",
        grouped.sql
    );
    let params = grouped.params;
    let mut data = rows(conn, &sql, &params, &[key, "count", "size"])?;
    if by == GroupBy::Decade {
        for row in &mut data {
            if let Some(Value::String(d)) = row.get_mut(key) {
                d.push_str("0s");
            }
        }
    }
    let sum = |k: &str| -> i64 {
        data.iter()
            .filter_map(|r| r.get(k).and_then(Value::as_i64))
            .sum()
    };
    let total = json!({"count": sum("count"), "size": sum("size")});
    Ok((data, total))
}

/// Groups on the terms of one vocabulary, open items only. An item may
/// have several terms (counted under each) or none (counted under a null
/// group: all open items less those with a term there), so the total is
/// counted apart. The vocabulary is bound; it is fixed by the GroupBy.
fn by_term(conn: &Connection, reader: Reader, vocab: &str) -> Result<(Vec<Value>, Value)> {
    let open = reader.open();
    let vocab_param = rusqlite::types::Value::Text(vocab.to_string());
    // The open predicate with a condition before it and that condition's
    // parameters.
    let filter = |extra: &str, extra_params: &[rusqlite::types::Value]| policy_sql::Filter {
        sql: format!("{extra}{}", open.sql),
        params: extra_params.iter().chain(&open.params).cloned().collect(),
    };
    let per_term = policy_sql::tally_sum(
        &TallySum {
            tally: Tally::Terms,
            join: "JOIN terms tm ON tm.id = i.term_id",
            keys: &["i.term_id", "tm.label"],
            sums: &["sum(i.items)", "sum(i.size)"],
            sum_params: Vec::new(),
            filter: filter("tm.vocab = ? AND ", std::slice::from_ref(&vocab_param)),
        },
        reader.today,
    );
    let mut data = rows(
        conn,
        &format!("SELECT k1, s0, s1 FROM ({})", per_term.sql),
        &per_term.params,
        &[vocab, "count", "size"],
    )?;
    let sum = |tally: Tally, extra: &str, extra_params: &[rusqlite::types::Value]| {
        let q = policy_sql::tally_sum(
            &TallySum {
                tally,
                join: "",
                keys: &[],
                sums: &["sum(i.items)", "sum(i.size)"],
                sum_params: Vec::new(),
                filter: filter(extra, extra_params),
            },
            reader.today,
        );
        pair(
            conn,
            &format!("SELECT ifnull(s0, 0), ifnull(s1, 0) FROM ({})", q.sql),
            &q.params,
        )
    };
    let all = sum(Tally::Items, "", &[])?;
    let tagged = sum(
        Tally::Vocab,
        "i.vocab = ? AND ",
        std::slice::from_ref(&vocab_param),
    )?;
    if all.0 > tagged.0 {
        data.push(json!({vocab: null, "count": all.0 - tagged.0, "size": all.1 - tagged.1}));
    }
    // Largest first; ties by label, the group without a term first.
    data.sort_by(|a, b| {
        let count = |r: &Value| r.get("count").and_then(Value::as_i64).unwrap_or(0);
        let label = |r: &Value| r.get(vocab).and_then(Value::as_str).map(str::to_string);
        count(b)
            .cmp(&count(a))
            .then_with(|| label(a).cmp(&label(b)))
    });
    Ok((data, json!({"count": all.0, "size": all.1})))
}

fn pair(conn: &Connection, sql: &str, params: &[rusqlite::types::Value]) -> Result<(i64, i64)> {
    Ok(
        conn.query_row(sql, rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?,
    )
}

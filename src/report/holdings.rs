//! The holdings report: item counts and total size grouped by kind,
//! collection, event, place, decade or language.
//!
//! Grouped by kind or collection (fields a closed entry shows) it counts
//! every listed item, but sums sizes of open items only (a closed item's
//! size is not shown); grouped by anything else it counts open items only.
//! It must not count an item the policy hides.

use rusqlite::Connection;
use serde_json::json;

use super::{rows, Reader, Report, Section};
use crate::error::Result;
use crate::output::{bytes_col, col};
use crate::policy::sql as policy_sql;

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
    let filter = if visible_group {
        reader.listed()
    } else {
        reader.open()
    };
    let open = policy_sql::open(reader.access, reader.today);
    // Sizes only of items whose size the reader may see.
    let size_expr = if visible_group {
        format!("sum(CASE WHEN {} THEN i.size ELSE 0 END)", open.sql)
    } else {
        "sum(i.size)".to_string()
    };
    let size_params = if visible_group {
        open.params.clone()
    } else {
        Vec::new()
    };
    let (group_expr, join) = match by {
        GroupBy::Kind => ("i.kind", String::new()),
        GroupBy::Collection => ("i.collection", String::new()),
        GroupBy::Language => ("i.language", String::new()),
        GroupBy::Decade => (
            // Exactly the expression items_decade_holdings indexes; the
            // "0s" of the label is added to the rows below.
            "substr(i.date_lower, 1, 3)",
            String::new(),
        ),
        GroupBy::Event | GroupBy::Place => (
            "tm.label",
            // The vocabulary name is fixed by the GroupBy variant.
            format!(
                "\nLEFT JOIN (item_terms it JOIN terms tm ON tm.id = it.term_id AND tm.vocab = '{key}') ON it.item_id = i.id"
            ),
        ),
    };
    // The policy filter and the size read only items' own (derived)
    // columns, so this is one covering-index scan. An item has a term
    // once, so count(*) per group.
    let base = format!("FROM items i{join}");
    let sql = format!(
        "SELECT {group_expr}, count(*), {size_expr}
         {base}
         WHERE {}
         GROUP BY 1 ORDER BY 2 DESC, 1",
        filter.sql
    );
    let mut params = size_params.clone();
    params.extend(filter.params.iter().cloned());
    let mut data = rows(conn, &sql, &params, &[key, "count", "size"])?;
    if by == GroupBy::Decade {
        for row in &mut data {
            if let Some(serde_json::Value::String(d)) = row.get_mut(key) {
                d.push_str("0s");
            }
        }
    }
    // The total counts each item once. Where each item is in exactly one
    // group it is the sum of the groups; by event or place an item may have
    // several terms or none, so it is counted apart.
    let total = if matches!(by, GroupBy::Event | GroupBy::Place) {
        let total_sql = format!(
            "SELECT count(*), {size_expr} FROM items i\nWHERE {}",
            filter.sql
        );
        let mut total_params = size_params;
        total_params.extend(filter.params.iter().cloned());
        rows(conn, &total_sql, &total_params, &["count", "size"])?
            .into_iter()
            .next()
            .unwrap_or_else(|| json!({"count": 0, "size": 0}))
    } else {
        let sum = |k: &str| -> i64 {
            data.iter()
                .filter_map(|r| r.get(k).and_then(serde_json::Value::as_i64))
                .sum()
        };
        json!({"count": sum("count"), "size": sum("size")})
    };
    let mut total_row = json!({ key: "Total" });
    if let (Some(t), Some(src)) = (total_row.as_object_mut(), total.as_object()) {
        t.extend(src.clone());
    }
    let title = format!("Holdings by {key}");
    let mut notes = Vec::new();
    if visible_group && reader.access != crate::model::Access::Custodian {
        notes.push(format!(
            "holdings by {key}: counts include closed items; sizes only of items open at this access level"
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

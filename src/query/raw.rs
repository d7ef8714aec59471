//! `custos sql`: one read-only statement typed by the user, run under an
//! SQLite authorizer and a time limit.
//!
//! The connection is already read-only; the authorizer additionally denies
//! every write, ATTACH/DETACH, transactions and PRAGMAs (except a few
//! read-only introspection pragmas for the custodian). Below custodian the
//! statement may read only two TEMP tables filled, before the authorizer is
//! installed, with exactly what `custos query` shows at that level (the same
//! policy filter and the same shaping): `items_visible` and
//! `item_terms_visible`. No catalogue table is readable then, so nothing
//! the policy withholds can be reached. The custodian reads the catalogue,
//! but the tables that describe items (`policy::sql::ITEM_TABLES`) only as
//! TEMP copies of the same names in which a withdrawn testimony is a
//! tombstone, and never the full-text tables. This module never prints.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::Value;

use super::exec::Options;
use super::parse::Query;
use crate::error::{Error, Result};
use crate::model::Access;
use crate::policy::sql as policy_sql;

/// Tables a reader below custodian may query.
pub const VISIBLE_TABLES: &[&str] = &["items_visible", "item_terms_visible"];

/// Keys of an item row as the policy shapes it (the record plus `access`
/// and `closed_until`).
pub fn item_keys() -> Vec<&'static str> {
    crate::fields::ITEM_FIELDS
        .iter()
        .map(|f| f.name)
        .chain(["access", "closed_until"])
        .collect()
}

/// Read-only pragmas the custodian may use to look at the schema.
const READ_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
];

pub struct SqlResult {
    pub columns: Vec<String>,
    pub rows: Vec<Value>,
}

/// Fills the TEMP tables with what the policy shows at this level.
fn materialize(conn: &Connection, access: Access, today: NaiveDate) -> Result<()> {
    // An unqualified `items_visible` must mean the TEMP table (see
    // `authorize`): a catalogue table of the same name would shadow nothing
    // but could be counted.
    let clash: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM main.sqlite_schema WHERE name IN ('{}')",
            VISIBLE_TABLES.join("', '")
        ),
        [],
        |r| r.get(0),
    )?;
    if clash > 0 {
        return Err(Error::Corrupt {
            path: "custos.db".into(),
            reason: format!(
                "the catalogue holds a table named like one of {}; it is not a custos catalogue",
                VISIBLE_TABLES.join(", ")
            ),
        });
    }
    let keys = item_keys();
    let cols = keys.join(", ");
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.items_visible;
         DROP TABLE IF EXISTS temp.item_terms_visible;
         CREATE TEMP TABLE items_visible ({cols});
         CREATE TEMP TABLE item_terms_visible (item_id, vocab, label);"
    ))?;
    let opts = Options {
        access,
        today,
        sort: None,
        limit: None,
        offset: 0,
        extra: &[],
        dates: Default::default(),
    };
    let records =
        crate::output::to_values(&super::exec::run_conn(conn, &Query::default(), &opts)?)?;
    let marks = vec!["?"; keys.len()].join(", ");
    let mut insert = conn.prepare(&format!(
        "INSERT INTO temp.items_visible ({cols}) VALUES ({marks})"
    ))?;
    for r in &records {
        let vals: Vec<SqlValue> = keys
            .iter()
            .map(|k| match r.get(*k) {
                None | Some(Value::Null) => SqlValue::Null,
                Some(Value::Number(n)) => n
                    .as_i64()
                    .map(SqlValue::Integer)
                    .unwrap_or_else(|| SqlValue::Text(n.to_string())),
                Some(Value::String(s)) => SqlValue::Text(s.clone()),
                Some(other) => SqlValue::Text(other.to_string()),
            })
            .collect();
        insert.execute(rusqlite::params_from_iter(vals))?;
    }
    // Terms only of items the reader may open (closed entries show none).
    conn.execute(
        "INSERT INTO temp.item_terms_visible (item_id, vocab, label)
         SELECT it.item_id, tm.vocab, tm.label FROM item_terms it
         JOIN terms tm ON tm.id = it.term_id
         JOIN temp.items_visible v ON v.id = it.item_id
         WHERE v.access IN ('open', 'restricted')",
        [],
    )?;
    Ok(())
}

/// The catalogue's item tables a statement reads: it is prepared, never
/// run, under an authorizer that only takes notes.
fn item_tables_read(conn: &mut Connection, statement: &str) -> Result<Vec<&'static str>> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let notes = seen.clone();
    conn.authorizer(Some(move |ctx: AuthContext<'_>| {
        if let AuthAction::Read { table_name, .. } = ctx.action {
            if let Some(t) = policy_sql::ITEM_TABLES.iter().find(|t| t.0 == table_name) {
                if let Ok(mut n) = notes.lock() {
                    if !n.contains(&t.0) {
                        n.push(t.0);
                    }
                }
            }
        }
        Authorization::Allow
    }))?;
    // Errors surface when the statement is prepared for real.
    drop(conn.prepare(statement));
    conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>)?;
    let tables = seen.lock().map(|n| n.clone()).unwrap_or_default();
    Ok(tables)
}

/// For the custodian: TEMP copies of the item tables the statement reads,
/// shadowing the catalogue's, in which every column of a withdrawn
/// testimony's rows but its tombstone is NULL. (Copies, not views: a view
/// or a CTE would let `main.items` be read from inside it.)
fn shadow_item_tables(conn: &mut Connection, statement: &str) -> Result<()> {
    let tables = item_tables_read(conn, statement)?;
    if tables.is_empty() {
        return Ok(());
    }
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.contentless_items;
         CREATE TEMP TABLE contentless_items AS {};",
        policy_sql::contentless_items()
    ))?;
    for (table, id, keep) in policy_sql::ITEM_TABLES {
        if !tables.contains(table) {
            continue;
        }
        let mut stmt = conn.prepare(&format!("PRAGMA main.table_info(\"{table}\")"))?;
        let columns: Vec<String> = stmt
            .query_map([], |r| r.get(1))?
            .collect::<rusqlite::Result<_>>()?;
        let select: Vec<String> = columns
            .iter()
            .map(|c| {
                if keep.contains(&c.as_str()) {
                    format!("t.\"{c}\"")
                } else {
                    format!(
                        "CASE WHEN t.\"{id}\" IN (SELECT id FROM temp.contentless_items) \
                         THEN NULL ELSE t.\"{c}\" END AS \"{c}\""
                    )
                }
            })
            .collect();
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.\"{table}\";
             CREATE TEMP TABLE \"{table}\" AS SELECT {} FROM main.\"{table}\" t;",
            select.join(", ")
        ))?;
    }
    Ok(())
}

fn authorize(custodian: bool, ctx: AuthContext<'_>) -> Authorization {
    // SQLite names no database when a statement reads no column of a table
    // (`count(*)`, `SELECT 1 FROM t`, `EXISTS`): a visible table's name can
    // then only mean the TEMP table, since `materialize` makes sure the
    // catalogue holds no table of that name.
    let no_column = matches!(
        ctx.action,
        AuthAction::Read {
            column_name: "",
            ..
        }
    );
    let temp = ctx.database_name == Some("temp")
        || (ctx.database_name.is_none()
            && no_column
            && matches!(ctx.action, AuthAction::Read { table_name, .. }
                if VISIBLE_TABLES.contains(&table_name)));
    match ctx.action {
        AuthAction::Select | AuthAction::Recursive => Authorization::Allow,
        AuthAction::Read {
            table_name,
            column_name,
        } => {
            // Item tables only as `shadow_item_tables` copied them. A read
            // of no column (`count(*)`) names no schema and shows no value.
            let item_table = policy_sql::ITEM_TABLES.iter().any(|t| t.0 == table_name);
            let value = !column_name.is_empty();
            if table_name.starts_with(policy_sql::FTS_TABLE_PREFIX)
                || (!temp && item_table && value)
            {
                Authorization::Deny
            } else if custodian || (temp && VISIBLE_TABLES.contains(&table_name)) {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        AuthAction::Function { function_name } => {
            let f = function_name.to_ascii_lowercase();
            if f == "load_extension" || f == "fts3_tokenizer" || f.starts_with("sqlite_") {
                Authorization::Deny
            } else {
                Authorization::Allow
            }
        }
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            let reading = READ_PRAGMAS.contains(&name.as_str())
                || (name == "user_version" && pragma_value.is_none());
            if custodian && reading {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        _ => Authorization::Deny,
    }
}

pub fn run_sql(
    conn: &mut Connection,
    statement: &str,
    access: Access,
    today: NaiveDate,
    timeout: Duration,
) -> Result<SqlResult> {
    if statement.contains('\0') {
        return Err(Error::usage("the statement contains a NUL byte"));
    }
    let custodian = crate::policy::raw_sql_reads_catalogue(access);
    if custodian {
        shadow_item_tables(conn, statement)?;
    } else {
        materialize(conn, access, today)?;
    }
    conn.authorizer(Some(move |ctx: AuthContext<'_>| authorize(custodian, ctx)))?;
    let start = Instant::now();
    conn.progress_handler(10_000, Some(move || start.elapsed() > timeout))?;
    let result = execute(conn, statement, custodian, timeout);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>)?;
    result
}

fn refused(custodian: bool, e: &rusqlite::Error) -> Error {
    let what = if custodian {
        "only one read-only statement is allowed: no writes, ATTACH or PRAGMA changes; \
         the full-text tables cannot be read (use `custos query`), and the item tables only \
         unqualified (withdrawn testimonies read as tombstones)"
            .to_string()
    } else {
        format!(
            "below custodian only these tables may be read: {} (`custos sql --access custodian` reads the catalogue)",
            VISIBLE_TABLES.join(", ")
        )
    };
    Error::Refused(format!("sql: not authorized: {what} ({e})"))
}

fn execute(
    conn: &Connection,
    statement: &str,
    custodian: bool,
    timeout: Duration,
) -> Result<SqlResult> {
    let map_err = |e: rusqlite::Error| -> Error {
        match e.sqlite_error_code() {
            Some(rusqlite::ffi::ErrorCode::AuthorizationForStatementDenied) => {
                refused(custodian, &e)
            }
            Some(rusqlite::ffi::ErrorCode::OperationInterrupted) => Error::Failed(format!(
                "sql: stopped after {} s (--timeout); narrow the statement or raise --timeout",
                timeout.as_secs()
            )),
            _ => match e {
                rusqlite::Error::MultipleStatement => {
                    Error::usage("sql: give exactly one statement")
                }
                rusqlite::Error::SqliteFailure(_, Some(msg)) => Error::usage(format!("sql: {msg}")),
                other => Error::from(other),
            },
        }
    };
    let mut stmt = conn.prepare(statement).map_err(map_err)?;
    if !stmt.readonly() {
        return Err(Error::Refused(
            "sql: only read-only statements may run".into(),
        ));
    }
    let columns: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
    let mut rows = Vec::new();
    let mut q = stmt.query([]).map_err(map_err)?;
    while let Some(r) = q.next().map_err(map_err)? {
        let mut m = serde_json::Map::new();
        for (i, c) in columns.iter().enumerate() {
            let v: SqlValue = r.get(i).map_err(map_err)?;
            m.insert(
                c.clone(),
                match v {
                    SqlValue::Null => Value::Null,
                    SqlValue::Integer(n) => n.into(),
                    SqlValue::Real(f) => f.into(),
                    SqlValue::Text(t) => t.into(),
                    SqlValue::Blob(b) => b
                        .iter()
                        .map(|x| format!("{x:02x}"))
                        .collect::<String>()
                        .into(),
                },
            );
        }
        rows.push(Value::Object(m));
    }
    Ok(SqlResult { columns, rows })
}

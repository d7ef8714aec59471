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
//! the policy withholds can be reached. This module never prints.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::Value;

use super::exec::{run, Options};
use super::parse::Query;
use crate::error::{Error, Result};
use crate::model::Access;

/// Tables a reader below custodian may query.
pub const VISIBLE_TABLES: &[&str] = &["items_visible", "item_terms_visible"];

const ITEM_KEYS: &[&str] = &[
    "id",
    "title",
    "kind",
    "date",
    "sha256",
    "size",
    "media_type",
    "original_name",
    "origin",
    "ingested_at",
    "ingested_by",
    "language",
    "collection",
    "creator",
    "description",
    "access",
    "closed_until",
];

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
    let cols = ITEM_KEYS.join(", ");
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
    };
    let records = run(conn, &Query::default(), &opts)?;
    let marks = vec!["?"; ITEM_KEYS.len()].join(", ");
    let mut insert = conn.prepare(&format!(
        "INSERT INTO temp.items_visible ({cols}) VALUES ({marks})"
    ))?;
    for r in &records {
        let vals: Vec<SqlValue> = ITEM_KEYS
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

fn authorize(custodian: bool, ctx: AuthContext<'_>) -> Authorization {
    let temp = ctx.database_name == Some("temp");
    match ctx.action {
        AuthAction::Select | AuthAction::Recursive => Authorization::Allow,
        AuthAction::Read { table_name, .. } => {
            if custodian || (temp && VISIBLE_TABLES.contains(&table_name)) {
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
    let custodian = access == Access::Custodian;
    if !custodian {
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
        "only one read-only statement is allowed: no writes, ATTACH or PRAGMA changes".to_string()
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

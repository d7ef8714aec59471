//! Which items a batch write applies to: ids given one by one, or every
//! item a query matches as the custodian sees the catalogue (a batch must
//! reach closed items too). Resolved inside the write's own transaction,
//! so a dry run lists exactly what the real run would change.
//!
//! It selects; it never writes and never decides what a reader may see.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::Result;
use crate::model::ItemId;
use crate::query::{self, Query};

/// The items a batch names.
#[derive(Debug, Clone)]
pub enum Targets {
    Ids(Vec<ItemId>),
    Query(Query),
}

impl Targets {
    /// The ids, each once, in the order given (a query: id order); and
    /// whether they came from a query (then a purged match is skipped, not
    /// an error: the user did not name it).
    pub(crate) fn resolve(
        &self,
        conn: &Connection,
        today: NaiveDate,
    ) -> Result<(Vec<ItemId>, bool)> {
        let (ids, by_query) = match self {
            Targets::Ids(ids) => (ids.clone(), false),
            Targets::Query(q) => (matching(conn, q, today)?, true),
        };
        let mut seen = HashSet::new();
        Ok((
            ids.into_iter().filter(|id| seen.insert(*id)).collect(),
            by_query,
        ))
    }
}

/// The ids a query matches, as the writer sees the catalogue.
fn matching(conn: &Connection, q: &Query, today: NaiveDate) -> Result<Vec<ItemId>> {
    query::register(conn)?;
    let o = query::Options {
        access: crate::policy::WRITER_LEVEL,
        today,
        sort: None,
        limit: None,
        offset: 0,
        extra: &[],
        dates: query::DateShape::load(conn)?,
    };
    let plan = query::select_plan(q, &o)?;
    let mut stmt = conn.prepare(&plan.sql)?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(plan.params.iter()), |r| {
            r.get::<_, ItemId>(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

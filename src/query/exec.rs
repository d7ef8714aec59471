//! Running a compiled query: one SELECT that loads each row's record and
//! its policy facts together, then every row shaped by `policy::decide` and
//! `policy::view`, with a full-text snippet for open items only.
//!
//! LIMIT and OFFSET are in the SQL (the policy is in the WHERE clause, so no
//! row is dropped after the limit). This module never prints, and it never
//! decides visibility: the SQL predicates and the shaping come from
//! `policy`.

use chrono::NaiveDate;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::Connection;

use super::compile::DateShape;
use super::compile::{self, Compiled};
use super::parse::Query;
use super::snippets;
use crate::archive::Archive;
use crate::catalogue::items;
use crate::catalogue::items::ItemRecord;
use crate::catalogue::terms;
use crate::error::{Error, Result};
use crate::model::{Access, Vocab};
use crate::policy::present::RedactedCopy;
use crate::policy::sql::{self as policy_sql, FACTS_JOIN};
use crate::policy::view::{self, ItemExtras, ListedItem};
use crate::policy::{self, Decision};

/// Keys a record can carry beyond the catalogue record; added only when
/// asked for with `--fields`, and nulled by the policy like any other.
pub const EXTRA_KEYS: &[&str] = &[
    "narrator",
    "anonymity",
    "consent",
    "scope",
    "embargo",
    "evidence",
    "event",
    "place",
    "subject",
    "agent",
];

#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub access: Access,
    pub today: NaiveDate,
    /// `field` or `-field`; default id.
    pub sort: Option<&'a str>,
    pub limit: Option<u64>,
    pub offset: u64,
    /// Extra keys (from [`EXTRA_KEYS`]) to add to each record.
    pub extra: &'a [String],
    /// The catalogue's date shape; `run` and `count` load it themselves,
    /// so only a caller printing a plan (`--sql`) needs to set it.
    pub dates: DateShape,
}

/// SQL and its parameters, as `--sql` prints them.
#[derive(Debug, Clone)]
pub struct Plan {
    pub sql: String,
    pub params: Vec<Value>,
    pub fts: Vec<super::fulltext::FtsTerm>,
}

impl Plan {
    /// The bound parameters as JSON, for `query --sql` (blobs by size).
    pub fn params_json(&self) -> Vec<serde_json::Value> {
        self.params
            .iter()
            .map(|v| match v {
                Value::Null => serde_json::Value::Null,
                Value::Integer(i) => (*i).into(),
                Value::Real(f) => (*f).into(),
                Value::Text(t) => t.clone().into(),
                Value::Blob(b) => format!("<{} bytes>", b.len()).into(),
            })
            .collect()
    }
}

pub(super) const FROM: &str = "FROM items i
JOIN objects o ON o.id = i.object_id";

/// Columns after the record and the facts.
const EXTRA_COLUMNS: &str = "rx.title, rx.description, rx.item_id IS NOT NULL,
 n.display, n.anonymity, CASE WHEN i.kind = 'testimony' THEN coalesce(cc.status, 'pending') END,
 cc.scope, cc.embargo_until, cc.evidence_item_id";
const FACTS_AT: usize = crate::catalogue::items::RECORD_WIDTH;
const EXTRA_AT: usize = FACTS_AT + policy_sql::FACTS_WIDTH;

fn compiled(q: &Query, o: &Options<'_>) -> Result<Compiled> {
    compile::compile_with(q, o.access, o.today, &o.dates)
}

/// The SELECT that returns the page of records.
pub fn select_plan(q: &Query, o: &Options<'_>) -> Result<Plan> {
    select_plan_within(q, o, None)
}

/// As [`select_plan`], among the ids of the JSON array `within` only: the
/// page `stream` found, every one matching the query's term at the given
/// place, which is taken as true; the rest of the filter still applies.
fn select_plan_within(
    q: &Query,
    o: &Options<'_>,
    within: Option<(String, Option<usize>)>,
) -> Result<Plan> {
    let c = match &within {
        Some((_, term)) => Compiled {
            // The snippets still need the walked term.
            fts: compiled(q, o)?.fts,
            ..compile::compile_without(q, o.access, o.today, &o.dates, *term)?
        },
        None => compiled(q, o)?,
    };
    let order = compile::order_by(o.sort.unwrap_or("id"), o.access, o.today, c.open_everywhere)?;
    let among = if within.is_some() {
        "i.id IN (SELECT value FROM json_each(?)) AND "
    } else {
        ""
    };
    let sql = format!(
        "SELECT {}, {}, {EXTRA_COLUMNS}\n{}{FACTS_JOIN}\nLEFT JOIN redacted_text rx ON rx.item_id = i.id\nWHERE {among}({})\nORDER BY {}\nLIMIT ? OFFSET ?",
        items::RECORD_COLUMNS,
        policy_sql::FACTS_COLUMNS,
        items::RECORD_FROM.trim_start(),
        c.filter.sql,
        order.sql
    );
    let mut params: Vec<Value> = within
        .map(|(ids, _)| Value::Text(ids))
        .into_iter()
        .collect();
    params.extend(c.filter.params);
    params.extend(order.params);
    params.push(Value::Integer(
        o.limit.map(|l| l.min(i64::MAX as u64) as i64).unwrap_or(-1),
    ));
    params.push(Value::Integer(o.offset.min(i64::MAX as u64) as i64));
    Ok(Plan {
        sql,
        params,
        fts: c.fts,
    })
}

/// The SELECT count(*) of every matching item (limit and offset ignored).
pub fn count_plan(q: &Query, o: &Options<'_>) -> Result<Plan> {
    let c = compiled(q, o)?;
    Ok(Plan {
        sql: format!(
            "SELECT count(*)\n{FROM}{FACTS_JOIN}\nLEFT JOIN redacted_text rx ON rx.item_id = i.id\nWHERE {}",
            c.filter.sql
        ),
        params: c.filter.params,
        fts: c.fts,
    })
}

/// Makes the functions generated SQL may call available on `conn`, once:
/// registering a function again replaces it, and SQLite then expires every
/// statement the connection has prepared, so each cached statement of a
/// pooled reader would be parsed anew at its next use (a quarter of the
/// portal's CPU under load before this check).
pub fn register(conn: &Connection) -> Result<()> {
    if conn
        .prepare_cached("SELECT custos_fold(NULL), custos_translit(NULL)")
        .is_ok()
    {
        return Ok(());
    }
    conn.create_scalar_function(
        "custos_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|s| compile::fold(&s))),
    )?;
    conn.create_scalar_function(
        "custos_translit",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(ctx
                .get::<Option<String>>(0)?
                .map(|s| crate::catalogue::names::translit(&s)))
        },
    )?;
    Ok(())
}

pub(super) fn with_context(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ffi::ErrorCode::OperationInterrupted) => {
            Error::Failed("the query was interrupted".into())
        }
        _ => Error::from(e),
    }
}

/// The number of items the query matches for this reader.
pub fn count(archive: &Archive, q: &Query, o: &Options<'_>) -> Result<i64> {
    count_conn(archive.conn(), q, o)
}

pub(super) fn count_conn(conn: &Connection, q: &Query, o: &Options<'_>) -> Result<i64> {
    let o = shaped(conn, o)?;
    let plan = count_plan(q, &o)?;
    conn.query_row(
        &plan.sql,
        rusqlite::params_from_iter(plan.params.iter()),
        |r| r.get(0),
    )
    .map_err(with_context)
}

/// The number of matches, counting no further than `cap`: a word in every
/// item of a million-item catalogue takes seconds to count in full, while
/// a page of a search only needs to say "more than" past a bound.
pub fn count_capped(archive: &Archive, q: &Query, o: &Options<'_>, cap: u64) -> Result<i64> {
    count_capped_conn(archive.conn(), q, o, cap)
}

pub(super) fn count_capped_conn(
    conn: &Connection,
    q: &Query,
    o: &Options<'_>,
    cap: u64,
) -> Result<i64> {
    let o = shaped(conn, o)?;
    if let Some(found) = super::stream::first_ids(conn, q, &o, cap)? {
        return Ok(found.ids.len() as i64);
    }
    plain_count_capped(conn, q, &o, cap)
}

/// The capped count by the plain plan, without walking the indexes.
fn plain_count_capped(conn: &Connection, q: &Query, o: &Options<'_>, cap: u64) -> Result<i64> {
    let plan = count_plan(q, o)?;
    let inner = plan
        .sql
        .strip_prefix("SELECT count(*)\n")
        .ok_or_else(|| Error::Failed("count plan of an unexpected shape".into()))?;
    let sql = format!("SELECT count(*) FROM (SELECT 1\n{inner}\nLIMIT {cap})");
    conn.query_row(&sql, rusqlite::params_from_iter(plan.params.iter()), |r| {
        r.get(0)
    })
    .map_err(with_context)
}

/// The options with the catalogue's date shape, the custom functions
/// registered: what every execution here starts from.
fn shaped<'a>(conn: &Connection, o: &Options<'a>) -> Result<Options<'a>> {
    register(conn)?;
    Ok(Options {
        dates: DateShape::load(conn)?,
        ..*o
    })
}

/// One result row before shaping.
struct Raw {
    record: ItemRecord,
    facts: policy::Facts,
    redacted: Option<RedactedCopy>,
    extras: ItemExtras,
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    let record = items::row_to_record(r)?;
    let facts = policy_sql::facts_from_row(r, FACTS_AT)?;
    let has_copy: bool = r.get(EXTRA_AT + 2)?;
    let redacted = if has_copy {
        Some(RedactedCopy {
            title: r.get(EXTRA_AT)?,
            description: r.get(EXTRA_AT + 1)?,
            text: None,
        })
    } else {
        None
    };
    let extras = ItemExtras {
        narrator: r.get(EXTRA_AT + 3)?,
        anonymity: r.get(EXTRA_AT + 4)?,
        consent: r.get(EXTRA_AT + 5)?,
        scope: r.get(EXTRA_AT + 6)?,
        embargo: r.get(EXTRA_AT + 7)?,
        evidence: r.get(EXTRA_AT + 8)?,
        ..ItemExtras::default()
    };
    Ok(Raw {
        record,
        facts,
        redacted,
        extras,
    })
}

/// Runs the query on the archive's read snapshot (see [`run_conn`]).
pub fn run(archive: &Archive, q: &Query, o: &Options<'_>) -> Result<Vec<ListedItem>> {
    run_conn(archive.conn(), q, o)
}

/// A page of the query's rows (as [`run`]) and the number of its matches
/// counted no further than `cap` (as [`count_capped`]), from one walk of
/// the indexes where the query is walked in id order (`stream`): a search
/// page needs both, and the count's walk already holds the page's ids.
pub fn page_and_count(
    archive: &Archive,
    q: &Query,
    o: &Options<'_>,
    cap: u64,
) -> Result<(Vec<ListedItem>, i64)> {
    page_and_count_conn(archive.conn(), q, o, cap)
}

pub(crate) fn page_and_count_conn(
    conn: &Connection,
    q: &Query,
    o: &Options<'_>,
    cap: u64,
) -> Result<(Vec<ListedItem>, i64)> {
    let shaped = shaped(conn, o)?;
    let o = &shaped;
    if let Some(limit) = o.limit {
        let end = o.offset.saturating_add(limit);
        if let Some(found) = super::stream::first_ids(conn, q, o, end.max(cap))? {
            let count = found.ids.len().min(cap as usize) as i64;
            let page = super::stream::Streamed {
                ids: found.ids.into_iter().take(end as usize).collect(),
                term: found.term,
            };
            return Ok((rows(conn, q, o, Some(page))?, count));
        }
    }
    // Where the walk does not apply or gave up, walking again to count
    // would give up again: the plain plan counts.
    Ok((
        run_shaped(conn, q, o)?,
        plain_count_capped(conn, q, o, cap)?,
    ))
}

/// Runs the query and returns each visible row shaped for the reader, with
/// `snippet` (open items only) when the query has full-text terms.
pub(crate) fn run_conn(conn: &Connection, q: &Query, o: &Options<'_>) -> Result<Vec<ListedItem>> {
    run_shaped(conn, q, &shaped(conn, o)?)
}

/// [`run_conn`] on options already [`shaped`].
fn run_shaped(conn: &Connection, q: &Query, o: &Options<'_>) -> Result<Vec<ListedItem>> {
    // A full-text search's page in id order: its ids off the indexes
    // first, then the records of those alone.
    let streamed = match o.limit {
        Some(limit) => super::stream::first_ids(conn, q, o, o.offset.saturating_add(limit))?,
        None => None,
    };
    rows(conn, q, o, streamed)
}

/// The rows of the page: among `streamed`'s ids (those up to the end of
/// the page, in id order) when the query was walked, else by the plain plan.
fn rows(
    conn: &Connection,
    q: &Query,
    o: &Options<'_>,
    streamed: Option<super::stream::Streamed>,
) -> Result<Vec<ListedItem>> {
    let plan = match streamed {
        Some(found) => {
            let page: Vec<i64> = found.ids.into_iter().skip(o.offset as usize).collect();
            if page.is_empty() {
                return Ok(Vec::new());
            }
            let within = serde_json::to_string(&page)
                .map_err(|e| Error::Failed(format!("listing a page of ids: {e}")))?;
            let all = Options {
                limit: None,
                offset: 0,
                ..*o
            };
            select_plan_within(q, &all, Some((within, found.term)))?
        }
        None => select_plan(q, o)?,
    };
    // Cached: a search of one word has the same SQL whatever the word
    // (it is bound), and a pooled reader keeps its statements parsed.
    let mut stmt = conn.prepare_cached(&plan.sql)?;
    let raws: Vec<Raw> = stmt
        .query_map(rusqlite::params_from_iter(plan.params.iter()), read_row)
        .map_err(with_context)?
        .collect::<rusqlite::Result<_>>()
        .map_err(with_context)?;
    let want = |k: &str| o.extra.iter().any(|e| e == k);
    let want_terms = [Vocab::Event, Vocab::Place, Vocab::Subject, Vocab::Agent]
        .iter()
        .any(|v| want(v.as_str()));
    let mut out = Vec::with_capacity(raws.len());
    for mut raw in raws {
        let id = raw.record.id;
        let decision = policy::decide(o.access, &raw.facts, o.today);
        if want_terms && matches!(decision, Decision::Open(_)) {
            for (v, label) in terms::for_item(conn, id)? {
                let e = &mut raw.extras;
                match v {
                    Vocab::Event => e.event.push(label),
                    Vocab::Place => e.place.push(label),
                    Vocab::Subject => e.subject.push(label),
                    Vocab::Agent => e.agent.push(label),
                }
            }
        }
        let class = policy::access_class(&raw.facts, o.today);
        let snippet = match (&decision, plan.fts.is_empty()) {
            (Decision::Open(_), false) => snippets::item(
                conn,
                id,
                policy::reads_originals(o.access) && raw.facts.redacted,
                &plan.fts,
            )?,
            _ => None,
        };
        let extras = view::extras(&decision, raw.extras, want);
        let Some(item) = view::item(&decision, class, raw.record, raw.redacted.as_ref()) else {
            continue;
        };
        let segments = match (&decision, plan.fts.is_empty()) {
            (Decision::Open(_), false) => {
                Some(snippets::timed(conn, id, &plan.fts, o.access, o.today)?)
            }
            _ => None,
        };
        // An item found only by what is said in it shows the first hit.
        let snippet = snippet.or_else(|| {
            segments
                .as_ref()
                .and_then(|h| h.first())
                .map(|h| h.snippet.clone())
        });
        out.push(ListedItem {
            item,
            extras,
            snippet: (!plan.fts.is_empty()).then_some(snippet),
            segments,
        });
    }
    Ok(out)
}

//! Reports: aggregate queries turned into titled sections of rows, for
//! `custos report NAME`.
//!
//! Every report counts only what the reader's access level may see: items
//! the policy does not list are never counted, and closed items are counted
//! only where the grouping is a field a closed entry shows (kind,
//! collection); everything else requires `policy::sql::open`. Item-level
//! rows are shaped by `policy::present`. This module builds rows; it never
//! prints and never decides visibility itself.

mod accession_groups;
mod consent;
mod holdings;
mod registers;

use chrono::NaiveDate;
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::Access;
use crate::output::Column;
use crate::policy::sql::{self as policy_sql, Filter};

pub use consent::consent;

/// Which report to make, with its options.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    Consent {
        within_days: i64,
    },
    Holdings(GroupBy),
    /// One row per accession.
    AccessionGroups,
    /// The register of every ingest (`--items`).
    Accessions {
        since: Option<&'a str>,
        until_next: Option<&'a str>,
    },
    Narrators,
    Fixity,
}

/// Makes the report over the archive's read snapshot, for this reader.
pub fn make(archive: &crate::archive::Archive, reader: Reader, which: Which<'_>) -> Result<Report> {
    let conn = archive.conn();
    match which {
        Which::Consent { within_days } => consent(conn, reader, within_days),
        Which::Holdings(by) => holdings(conn, reader, by),
        Which::AccessionGroups => accession_groups::accession_groups(conn, reader),
        Which::Accessions { since, until_next } => accessions(conn, reader, since, until_next),
        Which::Narrators => narrators(conn, reader),
        Which::Fixity => {
            let mut report = fixity(conn, reader)?;
            if let Some(s) = copies_per_site(archive, reader)? {
                report.sections.push(s);
            }
            Ok(report)
        }
    }
}

/// The copies at each site (issue 14), for the custodian alone
/// (`policy::sees_copies`: a site's name can say where a collection is
/// kept); None for other readers and for an archive without sites.
fn copies_per_site(archive: &crate::archive::Archive, reader: Reader) -> Result<Option<Section>> {
    if !crate::policy::sees_copies(reader.access) {
        return Ok(None);
    }
    let list = crate::sites::list(archive, reader.access)?;
    if list.sites.is_empty() {
        return Ok(None);
    }
    let rows = list
        .sites
        .iter()
        .map(|s| {
            serde_json::json!({
                "site": s.name, "copies": s.copies, "damaged": s.damaged,
                "lacking": s.lacking, "pending_purges": s.pending_purges,
                "last_verified": s.last_verified,
            })
        })
        .collect();
    Ok(Some(Section {
        key: "copies_per_site",
        title: match (list.wanted_copies, list.under_wanted) {
            (Some(w), Some(u)) => format!("Copies per site ({u} object(s) under the wanted {w})"),
            _ => "Copies per site".into(),
        },
        columns: vec![
            crate::output::col("site", "Site"),
            crate::output::col("copies", "Good copies"),
            crate::output::col("damaged", "Damaged"),
            crate::output::col("lacking", "Lacking"),
            crate::output::col("pending_purges", "Purges owed"),
            crate::output::col("last_verified", "Last verified"),
        ],
        rows,
        total: None,
    }))
}
pub use holdings::{holdings, GroupBy};
pub use registers::{accessions, fixity, narrators};

/// One titled table of a report.
#[derive(Debug, Clone)]
pub struct Section {
    /// JSON key (and `section` column in CSV) of this section.
    pub key: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Value>,
    /// The totals row, shown last in tables only.
    pub total: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub sections: Vec<Section>,
    /// Said to the person on stderr: what was left out and why.
    pub notes: Vec<String>,
}

/// Who is reading, and when.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub access: Access,
    pub today: NaiveDate,
}

impl Reader {
    /// Items this reader may see in full. Every open item is listed
    /// (`policy/tests.rs` asserts it on every combination), so the listed
    /// predicate is not repeated: over a million rows it cost a fifth more.
    fn open(&self) -> Filter {
        policy_sql::open(self.access, self.today)
    }

    /// Items this reader sees in any form that the collection still
    /// holds (not deaccessioned).
    fn listed(&self) -> Filter {
        policy_sql::held(self.access)
    }
}

/// Runs `sql` with `params` and turns each row into a JSON object with the
/// given keys (one per column, in order).
fn rows(conn: &Connection, sql: &str, params: &[SqlValue], keys: &[&str]) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare(sql)?;
    let mut out = Vec::new();
    let mut q = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(r) = q.next()? {
        let mut m = serde_json::Map::new();
        for (i, k) in keys.iter().enumerate() {
            let v: SqlValue = r.get(i)?;
            m.insert((*k).to_string(), json(v));
        }
        out.push(Value::Object(m));
    }
    Ok(out)
}

fn json(v: SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => i.into(),
        SqlValue::Real(f) => f.into(),
        SqlValue::Text(t) => t.into(),
        SqlValue::Blob(b) => format!("<{} bytes>", b.len()).into(),
    }
}

/// `90d`, `12w`, `6m`, `1y` or a bare number of days.
pub fn parse_days(s: &str) -> Result<i64> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = match t.chars().last() {
        Some('d') => (&t[..t.len() - 1], 1),
        Some('w') => (&t[..t.len() - 1], 7),
        Some('m') => (&t[..t.len() - 1], 30),
        Some('y') => (&t[..t.len() - 1], 365),
        _ => (t.as_str(), 1),
    };
    num.parse::<i64>()
        .ok()
        .filter(|n| (0..=36_500).contains(n))
        .map(|n| n * mult)
        .ok_or_else(|| {
            Error::usage(format!(
                "--within: {s:?} is not a period such as 90d, 12w, 6m or 1y"
            ))
        })
}

/// A day from `--since`/`--until`: YYYY, YYYY-MM or YYYY-MM-DD; the first
/// or last day it can mean.
pub fn parse_day(flag: &str, s: &str, last: bool) -> Result<String> {
    let d = crate::edtf::Edtf::parse(s).map_err(|e| Error::usage(format!("--{flag}: {e}")))?;
    let day = if last { d.upper() } else { d.lower() };
    day.map(str::to_string)
        .ok_or_else(|| Error::usage(format!("--{flag}: {s:?} has no such bound")))
}

/// The table cell of a missing group: "(none)" reads better than a blank.
pub const NONE_LABEL: &str = "(none)";

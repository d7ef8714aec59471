//! Registers: the accession register (every ingest in a period), narrators
//! (by anonymity, and testimonies per narrator by display form), and
//! fixity (last check per item and failures, from `fixity_check` events).
//!
//! Only items open to the reader appear or are counted (a date, an origin
//! or a narrator is not shown on a closed entry); item rows are shaped by
//! `policy::view`. Narrators appear only by display form: this module
//! never reads sealed identities or quasi-identifiers.

use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::{Reader, Report, Section};
use crate::error::Result;
use crate::output::{col, hash_col};
use crate::policy::sql::{self as policy_sql, FACTS_COLUMNS, FACTS_JOIN};
use crate::policy::view::{self, Heading, HeadingView, Ingestion, IngestionView};
use crate::policy::{self, AccessClass, Decision};
use serde::Serialize;

/// Runs an item-level query whose columns at `facts_at` are
/// FACTS_COLUMNS; `shape` builds each row's typed view from the policy's
/// decision (None: hidden, left out).
fn shaped_rows<T: Serialize>(
    conn: &Connection,
    reader: Reader,
    sql: &str,
    params: &[SqlValue],
    facts_at: usize,
    shape: impl Fn(&rusqlite::Row<'_>, &Decision, AccessClass) -> Result<Option<T>>,
) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare(sql)?;
    let mut q = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let facts = policy_sql::facts_from_row(r, facts_at)?;
        let decision = policy::decide(reader.access, &facts, reader.today);
        let class = policy::access_class(&facts, reader.today);
        if let Some(v) = shape(r, &decision, class)? {
            out.push(crate::output::to_value(&v)?);
        }
    }
    Ok(out)
}

/// The heading at columns 1..=4 (id, title, kind, collection).
fn heading_at_1(r: &rusqlite::Row<'_>) -> rusqlite::Result<Heading> {
    Ok(Heading {
        id: r.get(1)?,
        title: r.get(2)?,
        kind: r.get(3)?,
        collection: r.get(4)?,
    })
}

#[derive(Serialize)]
struct AccessionRow {
    #[serde(flatten)]
    heading: HeadingView,
    #[serde(flatten)]
    ingestion: IngestionView,
}

#[derive(Serialize)]
struct CheckRow {
    checked_on: Option<String>,
    #[serde(flatten)]
    heading: HeadingView,
    outcome: Option<String>,
}

fn check_row(r: &rusqlite::Row<'_>, d: &Decision, class: AccessClass) -> Result<Option<CheckRow>> {
    let Some(heading) = view::heading(d, class, heading_at_1(r)?) else {
        return Ok(None);
    };
    let (checked_on, outcome): (Option<String>, Option<String>) = (r.get(0)?, r.get(5)?);
    Ok(Some(CheckRow {
        checked_on: view::beside(d, checked_on).flatten(),
        heading,
        outcome: view::beside(d, outcome).flatten(),
    }))
}

pub fn accessions(
    conn: &Connection,
    reader: Reader,
    since: Option<&str>,
    until_next: Option<&str>,
) -> Result<Report> {
    let open = reader.open();
    let mut params = Vec::new();
    let mut range = String::new();
    if let Some(s) = since {
        range.push_str(" AND p.ingested_at >= ?");
        params.push(SqlValue::Text(s.to_string()));
    }
    if let Some(u) = until_next {
        range.push_str(" AND p.ingested_at < ?");
        params.push(SqlValue::Text(u.to_string()));
    }
    params.extend(open.params.iter().cloned());
    let sql = format!(
        // CROSS JOIN keeps provenance first: the date range is on its
        // index, and the planner must not start from items instead.
        "SELECT substr(p.ingested_at, 1, 10), i.id, {title}, i.kind, i.collection,
                p.origin, p.ingested_by, o.sha256, p.method, {FACTS_COLUMNS}
         FROM provenance p
         CROSS JOIN items i ON i.id = p.item_id
         JOIN objects o ON o.id = i.object_id{FACTS_JOIN}
         LEFT JOIN redacted_text rx ON rx.item_id = i.id
         WHERE 1{range} AND {}
         ORDER BY p.ingested_at, p.id",
        open.sql,
        title = policy_sql::title(reader.access),
    );
    let all = params;
    let data = shaped_rows(conn, reader, &sql, &all, 9, |r, d, class| {
        let Some(heading) = view::heading(d, class, heading_at_1(r)?) else {
            return Ok(None);
        };
        let ingestion = Ingestion {
            ingested_at: r.get(0)?,
            origin: r.get(5)?,
            ingested_by: r.get(6)?,
            sha256: r.get(7)?,
            method: r.get(8)?,
        };
        Ok(Some(AccessionRow {
            heading,
            ingestion: view::ingestion(d, ingestion),
        }))
    })?;
    let n = data.len();
    Ok(Report {
        sections: vec![Section {
            key: "accessions",
            title: match (since, until_next) {
                (None, None) => "Accession register".into(),
                _ => format!(
                    "Accession register, {} to {}",
                    since.unwrap_or("the beginning"),
                    until_next.map(|_| "the end of --until").unwrap_or("today")
                ),
            },
            columns: vec![
                col("ingested_at", "Date"),
                col("id", "ID"),
                col("title", "Title"),
                col("origin", "Origin"),
                col("ingested_by", "Agent"),
                hash_col("sha256", "SHA-256"),
            ],
            rows: data,
            total: Some(json!({"ingested_at": "Total", "id": n})),
        }],
        notes: Vec::new(),
    })
}

pub fn narrators(conn: &Connection, reader: Reader) -> Result<Report> {
    let open = reader.open();
    // Testimonies are counted from the policy tally (migration 0006): its
    // covering index carries the columns the policy predicate reads, so no
    // testimony or item row is read. Sorted here rather than by SQLite:
    // for 100,000 narrators its sorter took longer than the whole scan.
    let mut stmt = conn.prepare(&format!(
        "SELECT n.display, n.anonymity, sum(i.testimonies), n.id
           FROM tally_narrators i JOIN narrators n ON n.id = i.narrator_id
          WHERE i.kind = 'testimony' AND {}
          GROUP BY i.narrator_id",
        open.sql
    ))?;
    let mut found: Vec<(Option<String>, String, i64, i64)> = stmt
        .query_map(rusqlite::params_from_iter(open.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // As SQLite's NOCASE orders: ASCII letters folded, NULL first, then id.
    found.sort_unstable_by(|a, b| nocase(&a.0, &b.0).then(a.3.cmp(&b.3)));
    // By anonymity: the narrators listed below (those with a testimony the
    // reader may see) and their testimonies.
    let mut groups: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for (_, anonymity, testimonies, _) in &found {
        let g = groups.entry(anonymity.as_str()).or_default();
        g.0 += 1;
        g.1 += testimonies;
    }
    let by_anon: Vec<Value> = groups
        .into_iter()
        .map(|(a, (narrators, testimonies))| {
            json!({"anonymity": a, "narrators": narrators, "testimonies": testimonies})
        })
        .collect();
    let per: Vec<Value> = found
        .into_iter()
        .map(|(display, anonymity, testimonies, _)| {
            let mut m = serde_json::Map::with_capacity(3);
            m.insert("narrator".into(), display.into());
            m.insert("anonymity".into(), anonymity.into());
            m.insert("testimonies".into(), testimonies.into());
            Value::Object(m)
        })
        .collect();
    let sum = |rs: &[Value], k: &str| -> i64 {
        rs.iter()
            .filter_map(|r| r.get(k).and_then(Value::as_i64))
            .sum()
    };
    let (n_narr, n_test) = (sum(&by_anon, "narrators"), sum(&by_anon, "testimonies"));
    Ok(Report {
        sections: vec![
            Section {
                key: "by_anonymity",
                title: "Narrators by anonymity".into(),
                columns: vec![
                    col("anonymity", "Anonymity"),
                    col("narrators", "Narrators"),
                    col("testimonies", "Testimonies"),
                ],
                rows: by_anon,
                total: Some(
                    json!({"anonymity": "Total", "narrators": n_narr, "testimonies": n_test}),
                ),
            },
            Section {
                key: "narrators",
                title: "Testimonies per narrator (display form)".into(),
                columns: vec![
                    col("narrator", "Narrator"),
                    col("anonymity", "Anonymity"),
                    col("testimonies", "Testimonies"),
                ],
                rows: per,
                total: Some(json!({"narrator": "Total", "testimonies": n_test})),
            },
        ],
        notes: Vec::new(),
    })
}

/// SQLite's NOCASE order, NULL first.
fn nocase(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

pub fn fixity(conn: &Connection, reader: Reader) -> Result<Report> {
    let mut report = Report::default();
    let any: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM events WHERE type = 'fixity_check' AND item_id IS NULL)",
        [],
        |r| r.get(0),
    )?;
    if !any {
        report
            .notes
            .push("no fixity check has run yet; nothing to report".into());
    }
    let open = reader.open();
    // The last check of each object is its `fixity` row (stamped with the
    // time of the run that checked it): a verify run records an event per
    // item only for a problem, so the events no longer list every check.
    // Where the originals are kept at a primary store, an object's last
    // check is that of the store's copy (its copy row).
    use crate::sites::primary::SETTING;
    let checks = match crate::catalogue::settings::get(conn, SETTING)? {
        Some(_) => format!(
            "(SELECT c.object_id, c.verified_at AS checked_at, c.outcome FROM copies c
               JOIN sites s ON s.id = c.site_id
               JOIN settings t ON t.key = '{SETTING}' AND t.value = s.name)"
        ),
        None => "fixity".to_string(),
    };
    let last = format!(
        "SELECT substr(f.checked_at, 1, 10), i.id, {title},
                i.kind, i.collection,
                CASE f.outcome WHEN 'ok' THEN 'success' ELSE 'failure' END, {FACTS_COLUMNS}
         FROM {checks} f
         JOIN items i ON i.object_id = f.object_id{FACTS_JOIN}
         LEFT JOIN redacted_text rx ON rx.item_id = i.id
         WHERE {}
         ORDER BY i.id",
        open.sql,
        title = policy_sql::title(reader.access),
    );
    let failed = format!(
        "SELECT substr(e.at, 1, 10), i.id, {title},
                i.kind, i.collection, e.outcome, {FACTS_COLUMNS}
         FROM events e
         JOIN items i ON i.id = e.item_id{FACTS_JOIN}
         LEFT JOIN redacted_text rx ON rx.item_id = i.id
         WHERE e.type = 'fixity_check' AND e.outcome <> 'success' AND {}
         ORDER BY e.id",
        open.sql,
        title = policy_sql::title(reader.access),
    );
    let params = open.params.clone();
    let columns = vec![
        col("id", "ID"),
        col("title", "Title"),
        col("checked_on", "Checked on"),
        col("outcome", "Outcome"),
    ];
    // The last-check query walks every item (there is no index on
    // items.object_id to start from the fixity rows): skipped while no run
    // has recorded anything, which keeps an unchecked catalogue's report
    // instant at a million items.
    let (last_rows, failed_rows) = if any {
        (
            shaped_rows(conn, reader, &last, &params, 6, check_row)?,
            shaped_rows(conn, reader, &failed, &params, 6, check_row)?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let (n1, n2) = (last_rows.len(), failed_rows.len());
    report.sections.push(Section {
        key: "last_checks",
        title: "Last fixity check per item".into(),
        columns: columns.clone(),
        rows: last_rows,
        total: Some(json!({"id": "Total", "title": n1})),
    });
    report.sections.push(Section {
        key: "failures",
        title: "Fixity failures".into(),
        columns,
        rows: failed_rows,
        total: Some(json!({"id": "Total", "title": n2})),
    });
    Ok(report)
}

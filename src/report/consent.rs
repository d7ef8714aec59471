//! The consent report: testimonies by consent state × scope, testimonies
//! without evidence of consent, embargoes ending soon, withdrawals.
//!
//! Below custodian only open testimonies are counted (consent state and
//! scope are not shown on closed entries); evidence and withdrawals are
//! custodial, so those sections exist only for the custodian. Embargoes
//! ending are listed for every listed testimony, because a closed entry
//! shows its `closed_until` date. Rows about single items are shaped by
//! `policy::present`; this module never decides visibility itself.

use chrono::Duration;
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::{rows, Reader, Report, Section};
use crate::error::Result;
use crate::output::col;
use crate::policy::sql::{self as policy_sql, Tally, TallySum, FACTS_COLUMNS, FACTS_JOIN};
use crate::policy::view::{self, Heading, HeadingView, Standing};
use crate::policy::{self};

const CONSENT: &str = "coalesce(cc.status, 'pending')";

pub fn consent(conn: &Connection, reader: Reader, within_days: i64) -> Result<Report> {
    let custodian = policy::sees_everything(reader.access);
    let mut report = Report::default();
    let filter = policy_sql::counted_testimonies(reader.access, reader.today);
    // The whole-catalogue tally is keyed by kind and the current consent
    // (kept by triggers), so the counts read its testimony rows, not items.
    let by_state = policy_sql::tally_sum(
        &TallySum {
            tally: Tally::Items,
            join: "",
            keys: &["coalesce(i.consent_status, 'pending')", "i.consent_scope"],
            sums: &["sum(i.items)"],
            sum_params: Vec::new(),
            filter: policy_sql::Filter {
                sql: format!("i.kind = 'testimony' AND {}", filter.sql),
                params: filter.params,
            },
        },
        reader.today,
    );
    let sql = format!("SELECT k0, k1, s0 FROM ({}) ORDER BY 1, 2", by_state.sql);
    let params = by_state.params;
    let by_state = rows(conn, &sql, &params, &["consent", "scope", "count"])?;
    let total: i64 = by_state
        .iter()
        .filter_map(|r| r.get("count").and_then(Value::as_i64))
        .sum();
    report.sections.push(Section {
        key: "by_state",
        title: "Testimonies by consent state and scope".into(),
        columns: vec![
            col("consent", "Consent"),
            col("scope", "Scope"),
            col("count", "Testimonies"),
        ],
        rows: by_state,
        total: Some(json!({"consent": "Total", "scope": null, "count": total})),
    });

    if custodian {
        let open = reader.open();
        let sql = format!(
            "SELECT i.id, i.title, {CONSENT}, cc.scope FROM items i{FACTS_JOIN}
             WHERE i.kind = 'testimony' AND cc.evidence_item_id IS NULL AND {}
             ORDER BY i.id",
            open.sql
        );
        let missing = rows(
            conn,
            &sql,
            &open.params,
            &["id", "title", "consent", "scope"],
        )?;
        let n = missing.len();
        report.sections.push(Section {
            key: "without_evidence",
            title: "Testimonies without evidence of consent".into(),
            columns: vec![
                col("id", "ID"),
                col("title", "Title"),
                col("consent", "Consent"),
                col("scope", "Scope"),
            ],
            rows: missing,
            total: Some(json!({"id": "Total", "title": n})),
        });
    } else {
        report.notes.push(
            "consent evidence and withdrawals are custodial detail; shown with --access custodian"
                .into(),
        );
    }

    report.sections.push(embargoes(conn, reader, within_days)?);

    if custodian {
        let sql = format!(
            "SELECT i.id, cc.date, cc.reason FROM items i{FACTS_JOIN}
             WHERE i.kind = 'testimony' AND cc.status = 'withdrawn' ORDER BY cc.date, i.id"
        );
        let w = rows(
            conn,
            &sql,
            &[],
            &["id", "withdrawn_on", "withdrawal_reason"],
        )?;
        let n = w.len();
        report.sections.push(Section {
            key: "withdrawals",
            title: "Withdrawn testimonies".into(),
            columns: vec![
                col("id", "ID"),
                col("withdrawn_on", "Withdrawn on"),
                col("withdrawal_reason", "Reason"),
            ],
            rows: w,
            total: Some(json!({"id": "Total", "withdrawn_on": n})),
        });
    }
    Ok(report)
}

#[derive(serde::Serialize)]
struct EmbargoRow {
    #[serde(flatten)]
    heading: HeadingView,
    embargo_until: Option<String>,
}

/// Embargoes ending after today and within the period, shaped per item.
fn embargoes(conn: &Connection, reader: Reader, within_days: i64) -> Result<Section> {
    let listed = policy_sql::listed(reader.access);
    let end = reader.today + Duration::days(within_days);
    let sql = format!(
        "SELECT i.id, i.title, i.kind, i.collection, cc.embargo_until, {FACTS_COLUMNS}
         FROM items i{FACTS_JOIN}
         WHERE i.kind = 'testimony' AND i.consent_status IN ('granted', 'restricted')
           AND i.consent_embargo > ? AND i.consent_embargo <= ? AND {}
         ORDER BY i.consent_embargo, i.id",
        listed.sql
    );
    let mut params = vec![
        SqlValue::Text(reader.today.format("%Y-%m-%d").to_string()),
        SqlValue::Text(end.format("%Y-%m-%d").to_string()),
    ];
    params.extend(listed.params);
    let mut stmt = conn.prepare(&sql)?;
    let mut q = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let facts = policy_sql::facts_from_row(r, 5)?;
        let until: Option<String> = r.get(4)?;
        let heading = Heading {
            id: r.get(0)?,
            title: r.get(1)?,
            kind: r.get(2)?,
            collection: r.get(3)?,
        };
        let decision = policy::decide(reader.access, &facts, reader.today);
        let class = policy::access_class(&facts, reader.today);
        if let Some(heading) = view::heading(&decision, class, heading) {
            // A closed entry shows its embargo end as closed_until; an open
            // one (the custodian's) shows everything.
            let embargo_until = match &heading.standing {
                Standing::Closed {
                    closed_until: Some(d),
                } => Some(d.clone()),
                _ => view::beside(&decision, until).flatten(),
            };
            out.push(crate::output::to_value(&EmbargoRow {
                heading,
                embargo_until,
            })?);
        }
    }
    let n = out.len();
    Ok(Section {
        key: "embargoes_ending",
        title: format!(
            "Embargoes ending by {} (next {within_days} days)",
            end.format("%Y-%m-%d")
        ),
        columns: vec![
            col("id", "ID"),
            col("title", "Title"),
            col("collection", "Collection"),
            col("embargo_until", "Embargo until"),
        ],
        rows: out,
        total: Some(json!({"id": "Total", "title": n})),
    })
}

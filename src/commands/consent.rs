//! `custos consent ID grant|restrict|withdraw|history`.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{ConsentAction, ConsentArgs, EmbargoArgs};
use custos::error::Result;
use custos::model::{ConsentStatus, ItemId};
use custos::ops::consent::{self, NewConsent};
use custos::output::{self, col, Column};
use custos::reader::Reader;

const HISTORY_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("date", "Date"),
    col("status", "Status"),
    col("scope", "Scope"),
    col("embargo_until", "Embargo until"),
    col("evidence", "Evidence"),
    col("reason", "Reason / note"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

pub fn run(archive_arg: Option<&Path>, a: ConsentArgs) -> Result<()> {
    let (new, agent) = match a.action {
        ConsentAction::History(h) => return history(archive_arg, a.id, h),
        ConsentAction::Embargo(e) => return embargo(archive_arg, a.id, e),
        ConsentAction::Grant(g) => (
            NewConsent {
                status: ConsentStatus::Granted,
                scope: Some(g.scope),
                date: g.date.unwrap_or_else(custos::clock::today),
                evidence: g.evidence,
                embargo_until: g.embargo_until,
                reason: g.note,
            },
            g.agent,
        ),
        ConsentAction::Restrict(r) => (
            NewConsent {
                status: ConsentStatus::Restricted,
                scope: Some(r.scope),
                date: r.date.unwrap_or_else(custos::clock::today),
                evidence: None,
                embargo_until: r.embargo_until,
                reason: Some(r.reason),
            },
            r.agent,
        ),
        ConsentAction::Withdraw(w) => (
            NewConsent {
                status: ConsentStatus::Withdrawn,
                scope: None,
                date: w.date.unwrap_or_else(custos::clock::today),
                evidence: None,
                embargo_until: None,
                reason: Some(w.reason),
            },
            w.agent,
        ),
    };
    let agent = super::agent(agent.as_deref());
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let kept = consent::record(&mut archive, a.id, &new, &agent)?;
    let what = match new.status {
        ConsentStatus::Withdrawn => {
            "withdrawn: the testimony is closed on every output from now on".to_string()
        }
        s => format!(
            "{s} for {}{}",
            new.scope.map(|s| s.to_string()).unwrap_or_default(),
            new.embargo_until
                .map(|d| format!(", embargoed until {d}"))
                .unwrap_or_default()
        ),
    };
    super::note(format!("item {}: consent {what}", a.id));
    if !kept.is_empty() {
        let mut parts = Vec::new();
        if let Some(ev) = kept.evidence {
            parts.push(format!("evidence item {ev}"));
        }
        if let Some(d) = kept.embargo_until {
            parts.push(format!(
                "embargo until {d} (move or lift it with `custos consent {} embargo`)",
                a.id
            ));
        }
        if kept.note {
            parts.push("the note".to_string());
        }
        super::note(format!(
            "item {}: kept from the consent it follows: {}",
            a.id,
            parts.join(", ")
        ));
    }
    Ok(())
}

fn embargo(archive_arg: Option<&Path>, id: ItemId, e: EmbargoArgs) -> Result<()> {
    let agent = super::agent(e.agent.as_deref());
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let until = if e.lift { None } else { e.until };
    consent::embargo(
        &mut archive,
        id,
        &consent::Embargo {
            until,
            date: e.date.unwrap_or_else(custos::clock::today),
            reason: e.reason,
        },
        &agent,
    )?;
    super::note(match until {
        Some(d) => format!("item {id}: embargoed until {d}"),
        None => format!("item {id}: embargo lifted; its consent's scope applies from now"),
    });
    Ok(())
}

const PASSAGE_COLUMNS: &[Column] = &[
    col("status", "Event"),
    col("from", "From"),
    col("to", "To"),
    col("level", "Closed below"),
    col("until", "Until"),
    col("reason", "Reason"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

fn history(archive_arg: Option<&Path>, id: ItemId, h: custos::cli::HistoryArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &h.access)?;
    let reader = Reader::new(&archive, access, custos::clock::today());
    let mut rows = output::to_values(&reader.consent_history(id)?)?;
    // Passage restrictions of a recording close part of it: they are part
    // of its consent history (issue 12).
    let passages = output::to_values(&reader.passage_history(id)?)?;
    let mut out = super::Stdout::new();
    if h.output.format == custos::output::Format::Table {
        output::render_list(out.w(), h.output.format, HISTORY_COLUMNS, &rows)?;
        if !passages.is_empty() {
            output::render_section(out.w(), "Passage restrictions", PASSAGE_COLUMNS, &passages)?;
        }
    } else {
        rows.extend(passages);
        output::render_list(out.w(), h.output.format, HISTORY_COLUMNS, &rows)?;
    }
    out.finish()
}

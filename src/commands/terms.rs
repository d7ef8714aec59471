//! `custos terms`: the controlled vocabularies with item counts, and
//! `terms rename` / `terms merge` to keep them clean (each logged).

use std::path::Path;

use crate::archive::Mode;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::terms::{self, TermChange};
use crate::cli::{TermsAction, TermsArgs};
use crate::error::Result;
use crate::output::{self, col, Column};
use crate::redact;

const COLUMNS: &[Column] = &[
    col("vocab", "Vocabulary"),
    col("label", "Term"),
    col("items", "Items"),
];

pub fn run(archive_arg: Option<&Path>, a: TermsArgs) -> Result<()> {
    match a.action {
        None => list(archive_arg, &a),
        Some(TermsAction::Rename {
            vocab,
            old,
            new,
            by,
        }) => change(archive_arg, by.as_deref(), "rename", |tx| {
            redact::check_relabel(tx, vocab, &old)?;
            terms::rename(tx, vocab, &old, &new)
        }),
        Some(TermsAction::Merge {
            vocab,
            from,
            into,
            by,
        }) => change(archive_arg, by.as_deref(), "merge", |tx| {
            redact::check_relabel(tx, vocab, &from)?;
            terms::merge(tx, vocab, &from, &into)
        }),
    }
}

fn list(archive_arg: Option<&Path>, a: &TermsArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let counts = terms::counts(archive.conn(), access, crate::clock::today(), a.vocab)?;
    let rows: Vec<_> = counts.iter().map(output::to_value).collect::<Result<_>>()?;
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, COLUMNS, &rows)?;
    out.finish()
}

fn change(
    archive_arg: Option<&Path>,
    by: Option<&str>,
    action: &str,
    f: impl FnOnce(&rusqlite::Connection) -> Result<TermChange>,
) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(by);
    let now = crate::clock::now_rfc3339();
    let ch = archive.write(|tx| {
        let ch = f(tx)?;
        let mut log = EventLog::new(tx)?;
        // One event per item whose description changed, so each item's
        // history tells the whole story.
        let detail = serde_json::json!({
            "field": ch.vocab.as_str(),
            "action": action,
            "old": ch.from,
            "new": ch.to,
        });
        if ch.items.is_empty() {
            log.append(
                EventType::MetadataModification,
                None,
                &agent,
                "success",
                Some(&detail),
                &now,
            )?;
        }
        for id in &ch.items {
            log.append(
                EventType::MetadataModification,
                Some(*id),
                &agent,
                "success",
                Some(&detail),
                &now,
            )?;
        }
        Ok(ch)
    })?;
    super::note(format!(
        "{action}: {} {:?} → {:?} ({} item(s))",
        ch.vocab,
        ch.from,
        ch.to,
        ch.items.len()
    ));
    Ok(())
}

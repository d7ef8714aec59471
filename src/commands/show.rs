//! `custos show ID`: every field of one item, its provenance and its events.

use std::path::Path;

use crate::archive::Mode;
use crate::catalogue::{events, fixity, items, provenance};
use crate::cli::ShowArgs;
use crate::error::{Error, Result};
use crate::output::{self, col, Column, Format};

const PROVENANCE_COLUMNS: &[Column] = &[
    col("ingested_at", "Ingested at"),
    col("ingested_by", "By"),
    col("method", "Method"),
    col("origin", "Origin"),
    col("original_path", "Original path"),
];

const EVENT_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("at", "At"),
    col("type", "Event"),
    col("agent", "Agent"),
    col("outcome", "Outcome"),
    col("detail", "Detail"),
];

pub fn run(archive_arg: Option<&Path>, a: ShowArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let conn = archive.conn();
    let record = items::get(conn, a.id)?
        .ok_or_else(|| Error::usage(format!("no item {} in this archive", a.id)))?;
    let prov: Vec<_> = provenance::for_item(conn, a.id)?
        .iter()
        .map(output::to_value)
        .collect::<Result<_>>()?;
    let evs: Vec<_> = events::for_item(conn, a.id)?
        .iter()
        .map(output::to_value)
        .collect::<Result<_>>()?;
    // The latest fixity check: a damaged item must say so wherever it is shown.
    let last_check = fixity::last_for_item(conn, a.id)?;
    if let Some(c) = last_check.as_ref().filter(|c| c.outcome != "ok") {
        super::note(format!(
            "item {} FAILED its last fixity check ({}, {}); run `custos verify --item {}`",
            a.id, c.outcome, c.checked_at, a.id
        ));
    }
    let mut value = output::to_value(&record)?;
    let mut out = super::Stdout::new();
    match a.output.format {
        Format::Table => {
            output::render_record(out.w(), Format::Table, super::list::ALL_COLUMNS, &value)?;
            let fixity_line = last_check.as_ref().map_or_else(
                || "never checked".to_string(),
                |c| format!("{} at {}", c.outcome, c.checked_at),
            );
            writeln!(out.w(), "Last fixity check: {fixity_line}").map_err(Error::stdout)?;
            output::render_section(out.w(), "Provenance", PROVENANCE_COLUMNS, &prov)?;
            output::render_section(out.w(), "Events", EVENT_COLUMNS, &evs)?;
        }
        Format::Csv | Format::Tsv => {
            output::render_record(out.w(), a.output.format, super::list::ALL_COLUMNS, &value)?;
        }
        Format::Json | Format::Jsonl => {
            if let Some(obj) = value.as_object_mut() {
                obj.insert("fixity".into(), output::to_value(&last_check)?);
                obj.insert("provenance".into(), prov.into());
                obj.insert("events".into(), evs.into());
            }
            output::render_record(out.w(), a.output.format, &[], &value)?;
        }
    }
    out.finish()
}

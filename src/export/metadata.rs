//! The `metadata/` files of an export, for bags and OCFL objects alike:
//! the records as JSON, their Dublin Core columns (from the field
//! registry), and the provenance and events as CSV, with spreadsheet
//! formulas neutralised. It writes bytes for the caller to place; what the
//! records hold was decided by the policy before they reach it.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::output;

/// Dublin Core columns of `metadata/records.csv` (custos's own where Dublin
/// Core has no element), with the record key each comes from: the item
/// fields' from the registry, then access and the payload.
fn dc_columns() -> Vec<(&'static str, &'static str)> {
    crate::fields::dublin_core()
        .into_iter()
        .chain([("custos:payload", "payload")])
        .collect()
}

/// The files of `metadata/` for these records: records.json, records.csv
/// (Dublin Core columns), provenance.csv, events.csv and claims.csv.
pub(crate) fn metadata_files(records: &[Value]) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let dc = dc_columns();
    let mut files = Vec::new();
    let json = serde_json::to_vec_pretty(records)
        .map_err(|e| Error::Failed(format!("cannot write records.json: {e}")))?;
    files.push(("metadata/records.json", json));
    files.push((
        "metadata/records.csv",
        csv_of(
            dc.iter().map(|(h, _)| *h),
            records
                .iter()
                .map(|r| dc.iter().map(|(_, k)| output::plain(r.get(*k))).collect()),
        )?,
    ));
    let prov_cols = [
        "item_id",
        "origin",
        "original_name",
        "method",
        "ingested_at",
        "ingested_by",
    ];
    let prov_rows = records.iter().flat_map(|r| {
        let id = output::plain(r.get("id"));
        r["provenance"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(move |p| {
                let mut row = vec![id.clone()];
                row.extend(prov_cols[1..].iter().map(|k| output::plain(p.get(*k))));
                row
            })
    });
    files.push((
        "metadata/provenance.csv",
        csv_of(prov_cols.into_iter(), prov_rows)?,
    ));
    let ev_cols = ["item_id", "id", "at", "type", "agent", "outcome", "hash"];
    let ev_rows = records.iter().flat_map(|r| {
        let id = output::plain(r.get("id"));
        r["events"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(move |e| {
                let mut row = vec![id.clone()];
                row.extend(ev_cols[1..].iter().map(|k| output::plain(e.get(*k))));
                row
            })
    });
    files.push(("metadata/events.csv", csv_of(ev_cols.into_iter(), ev_rows)?));
    files.push((
        "metadata/claims.csv",
        csv_of(
            crate::claims::bag::CSV_COLUMNS.into_iter(),
            crate::claims::bag::csv_rows(records).into_iter(),
        )?,
    ));
    Ok(files)
}

fn csv_of<'a>(
    header: impl Iterator<Item = &'a str>,
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Failed(format!("cannot write CSV metadata: {e}"));
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(
            r.iter()
                .map(|c| output::escape::spreadsheet(c).into_owned()),
        )
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Failed(format!("cannot write CSV metadata: {e}")))
}

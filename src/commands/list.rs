//! `custos list`: the items of the archive, one row each.

use std::path::Path;

use crate::archive::Mode;
use crate::catalogue::items::{self, ListOptions};
use crate::cli::ListArgs;
use crate::error::Result;
use crate::output::{self, bytes_col, col, Column};
use crate::policy::{self, present};

pub const LIST_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("title", "Title"),
    col("kind", "Kind"),
    col("date", "Date"),
    bytes_col("size", "Size"),
    col("origin", "Origin"),
    col("access", "Access"),
];

/// csv/tsv carry every documented field, as JSON does.
pub const ALL_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("title", "Title"),
    col("kind", "Kind"),
    col("date", "Date"),
    col("sha256", "SHA-256"),
    bytes_col("size", "Size"),
    col("media_type", "Media type"),
    col("original_name", "Original name"),
    col("origin", "Origin"),
    col("ingested_at", "Ingested at"),
    col("ingested_by", "Ingested by"),
    col("language", "Language"),
    col("collection", "Collection"),
    col("creator", "Creator"),
    col("description", "Description"),
    col("access", "Access"),
];

pub fn run(archive_arg: Option<&Path>, a: ListArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let today = crate::clock::today();
    let filter = policy::sql::listed(access);
    let records = items::list(
        archive.conn(),
        &ListOptions {
            sort: &a.sort,
            limit: a.limit,
            offset: a.offset,
            filter: &filter,
        },
    )?;
    let mut rows = Vec::with_capacity(records.len());
    for (record, facts) in &records {
        let decision = policy::decide(access, facts, today);
        let redacted = if facts.redacted {
            items::redacted_copy(archive.conn(), record.id)?
        } else {
            None
        };
        let class = policy::access_class(facts, today);
        if let Some(v) = present::item(
            &decision,
            class,
            output::to_value(record)?,
            redacted.as_ref(),
        ) {
            rows.push(v);
        }
    }
    let cols = match a.output.format {
        output::Format::Table => LIST_COLUMNS,
        _ => ALL_COLUMNS,
    };
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, cols, &rows)?;
    out.finish()
}

//! `custos list`: the items of the archive the reader may see, one row
//! each, shaped by the access policy.

use std::path::Path;

use crate::archive::Mode;
use crate::cli::ListArgs;
use crate::error::Result;
use crate::output::{self, bytes_col, col, Column};
use crate::query;

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
    // The same path as `custos query` with no terms: the policy filters in
    // SQL and shapes every row.
    let opts = query::Options {
        access: super::access(&archive, &a.access)?,
        today: crate::clock::today(),
        sort: Some(&a.sort),
        limit: a.limit,
        offset: a.offset,
        extra: &[],
        dates: Default::default(),
    };
    let rows = output::to_values(&query::run(
        archive.conn(),
        &query::Query::default(),
        &opts,
    )?)?;
    let cols = match a.output.format {
        output::Format::Table => LIST_COLUMNS,
        _ => ALL_COLUMNS,
    };
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, cols, &rows)?;
    out.finish()
}

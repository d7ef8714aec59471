//! `custos list`: the items of the archive the reader may see, one row
//! each, shaped by the access policy.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::ListArgs;
use custos::error::Result;
use custos::fields;
use custos::output;
use custos::query;

pub fn run(archive_arg: Option<&Path>, a: ListArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    // The same path as `custos query` with no terms: the policy filters in
    // SQL and shapes every row.
    let opts = query::Options {
        access: super::access(&archive, &a.access)?,
        today: custos::clock::today(),
        sort: Some(&a.sort),
        limit: a.limit,
        offset: a.offset,
        extra: &[],
        dates: Default::default(),
    };
    let rows = output::to_values(&query::run(&archive, &query::Query::default(), &opts)?)?;
    let cols = match a.output.format {
        output::Format::Table => fields::table_columns(),
        _ => fields::all_columns(),
    };
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, &cols, &rows)?;
    out.finish()?;
    if a.output.format == output::Format::Table {
        hidden_note(&archive, &opts, rows.is_empty())?;
    }
    Ok(())
}

/// Tells the person at the terminal (stderr) that a table is empty, and
/// how many items this level does not list: the archivist reading at the
/// default research level should not take a short list for the archive.
/// Only the count, never which items; `--access custodian` lists them.
fn hidden_note(
    archive: &custos::archive::Archive,
    opts: &query::Options<'_>,
    empty: bool,
) -> Result<()> {
    let q = query::Query::default();
    // What a write selects from is every item there is.
    let everything = query::Options {
        access: custos::policy::WRITER_LEVEL,
        ..*opts
    };
    // Deaccessioned items left the collection: not "not listed".
    let gone = query::parse_line("access:deaccessioned")?;
    let hidden = if custos::policy::sees_everything(opts.access) {
        0
    } else {
        query::count(archive, &q, &everything)?
            - query::count(archive, &gone, &everything)?
            - query::count(archive, &q, opts)?
    };
    if empty && opts.offset == 0 {
        super::note("no items match");
    }
    if hidden > 0 {
        super::note(format!(
            "{hidden} item(s) not listed at {} level (closed, restricted or not yet open); `--access custodian` lists them",
            opts.access
        ));
    }
    Ok(())
}

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
    out.finish()
}

//! `custos sql "SELECT ..."`: one read-only statement; below custodian only
//! over the policy-filtered tables (see `query::raw`).

use std::path::Path;
use std::time::Duration;

use custos::archive::Mode;
use custos::cli::SqlArgs;
use custos::error::Result;
use custos::output::{self, Column};
use custos::query::raw;

pub fn run(archive_arg: Option<&Path>, a: SqlArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let res = raw::run_sql(
        archive.conn_mut(),
        &a.statement,
        access,
        custos::clock::today(),
        Duration::from_secs(a.timeout.max(1)),
    )?;
    // Column names are the user's, known only now; the renderer takes
    // static keys, and this process renders once and exits.
    let cols: Vec<Column> = res
        .columns
        .iter()
        .map(|c| {
            let k: &'static str = Box::leak(c.clone().into_boxed_str());
            output::col(k, k)
        })
        .collect();
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, &cols, &res.rows)?;
    out.finish()
}

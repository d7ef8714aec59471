//! `custos report NAME`: placeholder
use crate::cli::ReportArgs;
use crate::error::Result;
use std::path::Path;
pub fn run(_archive_arg: Option<&Path>, _a: ReportArgs) -> Result<()> {
    Ok(())
}

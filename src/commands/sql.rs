//! `custos sql`: placeholder
use crate::cli::SqlArgs;
use crate::error::Result;
use std::path::Path;
pub fn run(_archive_arg: Option<&Path>, _a: SqlArgs) -> Result<()> {
    Ok(())
}

//! Finding the archive a command works on: `--archive DIR`, else
//! `CUSTOS_ARCHIVE` (both arrive here as `explicit`), else the nearest
//! enclosing folder holding `custos.db`, as git finds `.git`.
//!
//! It only looks; it never creates anything.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const DB_FILE: &str = "custos.db";

pub fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        if dir.join(DB_FILE).is_file() {
            return Ok(dir.to_path_buf());
        }
        return Err(Error::NoArchive(format!(
            "no archive at {}; create one with `custos init {}`",
            dir.display(),
            dir.display()
        )));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    cwd.ancestors()
        .find(|d| d.join(DB_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Error::NoArchive(
                "no archive here; create one with `custos init`, or name one with --archive DIR"
                    .into(),
            )
        })
}

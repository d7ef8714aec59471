//! `custos init`: create an archive folder.

use std::path::Path;

use custos::archive::{Archive, InitOptions};
use custos::cli::InitArgs;
use custos::error::{Error, Result};

pub fn run(archive_arg: Option<&Path>, a: InitArgs) -> Result<()> {
    let dir = match (a.dir, archive_arg) {
        (Some(d), _) => d,
        (None, Some(d)) => d.to_path_buf(),
        (None, None) => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    Archive::init(
        &dir,
        &InitOptions {
            default_access: a.default_access,
            intake: a.intake,
        },
    )?;
    super::note(format!(
        "created archive in {} (default access: {}; intake: {})",
        dir.display(),
        a.default_access,
        a.intake
    ));
    if a.intake == custos::model::Intake::Closed {
        super::note(
            "new imports are closed below custodian until opened with `custos access ID --open` (or import with --intake open; change the default with `custos settings intake open`)",
        );
    }
    Ok(())
}

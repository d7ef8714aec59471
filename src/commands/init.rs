//! `custos init`: create an archive folder.

use std::path::Path;

use custos::archive::{Archive, InitOptions};
use custos::cli::InitArgs;
use custos::error::{Error, Result};
use custos::ops::site::{init_with_primary, AddSite};

pub fn run(archive_arg: Option<&Path>, a: InitArgs) -> Result<()> {
    let dir = match (a.dir, archive_arg) {
        (Some(d), _) => d,
        (None, Some(d)) => d.to_path_buf(),
        (None, None) => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let init = InitOptions {
        default_access: a.default_access,
        intake: a.intake,
    };
    let on_store = a.store.url.is_some();
    match a.store.url {
        None => drop(Archive::init(&dir, &init)?),
        Some(url) => {
            let store = AddSite {
                name: a.store.name.clone(),
                url,
                endpoint: a.store.endpoint,
                region: a.store.region,
                credentials_file: a.store.credentials_file,
                profile: a.store.profile,
                check: true,
                agent: super::agent(None),
            };
            drop(init_with_primary(&dir, &init, &store)?);
        }
    }
    super::note(format!(
        "created archive in {} (default access: {}; intake: {})",
        dir.display(),
        a.default_access,
        a.intake
    ));
    if on_store {
        super::note(format!(
            "originals are kept only on the store {} (site {}); objects/ stays empty",
            a.store.name, a.store.name
        ));
    }
    if a.intake == custos::model::Intake::Closed {
        super::note(
            "new imports are closed below custodian until opened with `custos access ID --open` (or import with --intake open; change the default with `custos settings intake open`)",
        );
    }
    Ok(())
}

//! `site add`: record a site after checking its URL, its credentials file
//! (mode 0600) and, unless told not to, that it can be listed with the
//! credentials found now; and `init --objects`, which makes an archive
//! whose originals are kept only at such a site (its primary store). Only where credentials come from is stored (a
//! path, a profile name), never what they are; the event names the site,
//! not its URL.

use std::path::PathBuf;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::sites::{self, SiteRow};
use crate::error::{Error, Result};
use crate::sites::{credentials, SiteUrl};

pub struct AddSite {
    pub name: String,
    pub url: SiteUrl,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub credentials_file: Option<PathBuf>,
    pub profile: Option<String>,
    /// Contact the site before recording it.
    pub check: bool,
    pub agent: String,
}

pub fn add_site(archive: &mut Archive, a: &AddSite) -> Result<()> {
    crate::sites::check_name(&a.name)?;
    if let Some(e) = &a.endpoint {
        if !(e.starts_with("http://") || e.starts_with("https://")) {
            return Err(Error::usage(format!(
                "--endpoint {e}: give the store's URL, e.g. https://s3.example.org"
            )));
        }
    }
    if matches!(a.url, SiteUrl::File(_))
        && (a.endpoint.is_some() || a.credentials_file.is_some() || a.profile.is_some())
    {
        return Err(Error::usage(
            "a file:// site takes no --endpoint, --credentials-file or --profile",
        ));
    }
    let credentials_file = match &a.credentials_file {
        Some(p) => {
            let abs = std::path::absolute(p).map_err(|e| Error::io(p, e))?;
            credentials::check_private(&abs)?;
            Some(abs)
        }
        None => None,
    };
    if let SiteUrl::File(dir) = &a.url {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "{}: no such folder; create it (or mount the disk) first",
                dir.display()
            )));
        }
    }
    let row = SiteRow {
        id: 0,
        name: a.name.clone(),
        url: a.url.to_string(),
        endpoint: a.endpoint.clone(),
        region: a.region.clone(),
        credentials_file: credentials_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        profile: a.profile.clone(),
        added_at: crate::clock::now_rfc3339(),
    };
    if a.check {
        crate::sites::connect(&row)?.probe()?;
    }
    archive.write(|tx| {
        sites::insert(tx, &row)?;
        let detail = serde_json::json!({ "site": row.name, "change": "added" });
        EventLog::new(tx)?.append(
            EventType::MetadataModification,
            None,
            &a.agent,
            "success",
            Some(&detail),
            &row.added_at,
        )?;
        Ok(())
    })
}

/// Creates an archive in `dir` whose originals are kept only at `store`
/// (contacted first: a store that cannot be listed leaves no archive).
pub fn init_with_primary(
    dir: &std::path::Path,
    init: &crate::archive::InitOptions,
    store: &AddSite,
) -> Result<Archive> {
    let mut archive = Archive::init(dir, init)?;
    let made = add_site(&mut archive, store).and_then(|()| {
        archive.write(|tx| {
            crate::sites::primary::set(tx, &store.name)?;
            let detail = serde_json::json!({ "site": store.name, "change": "primary store" });
            EventLog::new(tx)?.append(
                EventType::MetadataModification,
                None,
                &store.agent,
                "success",
                Some(&detail),
                &crate::clock::now_rfc3339(),
            )?;
            Ok(())
        })
    });
    match made {
        Ok(()) => Ok(archive),
        Err(e) => {
            drop(archive);
            Archive::undo_init(dir);
            Err(e)
        }
    }
}

//! What `site list` and `show` say about sites and copies, for the
//! custodian alone (`policy::sees_copies`): a site's URL or bucket can say
//! where a collection is kept. It reads the catalogue only; it never
//! contacts a site.

use serde::Serialize;

use crate::archive::Archive;
use crate::catalogue::{copies, sites};
use crate::error::{Error, Result};
use crate::model::{Access, ItemId};
use crate::policy;

/// One site as `site list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SiteSummary {
    pub name: String,
    pub url: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// The archive's originals are kept here (`init --objects`), not under
    /// its objects/ folder.
    pub primary: bool,
    /// Good copies held (last check ok).
    pub copies: u64,
    /// Copies whose last check found them changed, missing or unreadable.
    pub damaged: u64,
    /// Objects that have no good copy here.
    pub lacking: u64,
    pub pending_purges: u64,
    pub last_verified: Option<String>,
}

/// The sites, and how many objects have fewer good copies than wanted.
#[derive(Debug, Clone, Serialize)]
pub struct SiteList {
    pub sites: Vec<SiteSummary>,
    pub wanted_copies: Option<u64>,
    pub under_wanted: Option<u64>,
}

fn refuse() -> Error {
    Error::Refused("sites and copies are shown to the custodian only (--access custodian)".into())
}

pub fn list(archive: &Archive, access: Access) -> Result<SiteList> {
    if !policy::sees_copies(access) {
        return Err(refuse());
    }
    let conn = archive.conn();
    let objects = copies::wanted(conn)?.len() as u64;
    let mut out = Vec::new();
    let primary = super::primary::site(conn)?.map(|p| p.id);
    for s in sites::all(conn)? {
        let t = copies::tally(conn, s.id)?;
        out.push(SiteSummary {
            name: s.name,
            url: s.url,
            endpoint: s.endpoint,
            region: s.region,
            primary: primary == Some(s.id),
            copies: t.ok,
            damaged: t.damaged,
            lacking: objects.saturating_sub(t.ok),
            pending_purges: t.pending_purges,
            last_verified: t.last_verified,
        });
    }
    let wanted = copies::wanted_copies(conn)?;
    let under = wanted.map(|w| copies::under_wanted(conn, w)).transpose()?;
    Ok(SiteList {
        sites: out,
        wanted_copies: wanted,
        under_wanted: under,
    })
}

/// One copy of an item, as `show` lists it to the custodian.
#[derive(Debug, Clone, Serialize)]
pub struct CopyView {
    pub site: String,
    pub size: u64,
    pub copied_at: String,
    pub verified_at: String,
    pub outcome: String,
}

/// The item's copies at sites: None below custodian (not even that there
/// are any).
pub fn copies_of(archive: &Archive, access: Access, item: ItemId) -> Result<Option<Vec<CopyView>>> {
    if !policy::sees_copies(access) {
        return Ok(None);
    }
    let conn = archive.conn();
    let names: std::collections::BTreeMap<i64, String> = sites::all(conn)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let rows = copies::of_item(conn, item)?;
    Ok(Some(
        rows.into_iter()
            .map(|c| {
                let copies::CopyRow {
                    site_id,
                    object_id: _,
                    sha256: _,
                    size,
                    item_id: _,
                    copied_at,
                    verified_at,
                    outcome,
                } = c;
                CopyView {
                    site: names.get(&site_id).cloned().unwrap_or_default(),
                    size,
                    copied_at,
                    verified_at,
                    outcome,
                }
            })
            .collect(),
    ))
}

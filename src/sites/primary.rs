//! The primary store: an archive made with `init --objects URL` keeps its
//! originals only at that site, not under its own `objects/`. This module
//! knows which site that is, sends an import's new objects there (each
//! confirmed by reading it back before the rows naming it may commit), and
//! hands every reader of originals a local file: the object under
//! `objects/` where one is there, else a copy fetched from the primary and
//! hashed as it comes, removed again when the reader drops it.
//!
//! It never decides whether bytes may leave (the policy's readers do that
//! before asking for a file), never keeps a fetched copy past its use, and
//! never records a copy it has not read back.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use futures_util::StreamExt;
use rusqlite::Connection;

use crate::archive::Archive;
use crate::catalogue::sites::{self, SiteRow};
use crate::catalogue::{copies, settings};
use crate::error::{Error, Result};
use crate::model::Sha256;
use crate::store::{self, Staging};

use super::{key_of, Remote};

/// The settings key naming the primary site.
pub const SETTING: &str = "objects.primary";

/// Objects sent to the primary at once during an import.
const IN_FLIGHT: usize = 8;

/// The primary site, when this archive keeps its originals on one.
pub fn site(conn: &Connection) -> Result<Option<SiteRow>> {
    match settings::get(conn, SETTING)? {
        Some(name) => Ok(Some(sites::require(conn, &name)?)),
        None => Ok(None),
    }
}

/// The archive's primary site, if it keeps its originals on one.
pub fn of(archive: &Archive) -> Result<Option<SiteRow>> {
    site(archive.conn())
}

/// Names `name` (an existing site) as the primary store.
pub fn set(conn: &Connection, name: &str) -> Result<()> {
    sites::require(conn, name)?;
    settings::set(conn, SETTING, name)
}

/// Where originals are read from.
pub struct Objects {
    dir: PathBuf,
    staging_root: PathBuf,
    primary: Option<(SiteRow, OnceLock<Remote>)>,
}

/// A stored original as a local file, for as long as this value lives.
pub struct ObjectFile {
    path: PathBuf,
    _hold: Hold,
}

/// What keeps a fetched copy's folder alive (and removes it on drop).
enum Hold {
    Local,
    Staging(#[allow(dead_code)] Staging),
    Temp(#[allow(dead_code)] tempfile::TempDir),
}

impl ObjectFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Objects {
    /// The archive's originals: its `objects/` folder, and its primary
    /// site if it has one (contacted only when an object is not local).
    pub fn of(archive: &Archive) -> Result<Objects> {
        Ok(Objects {
            dir: archive.objects_dir(),
            staging_root: archive.staging_dir(),
            primary: site(archive.conn())?.map(|s| (s, OnceLock::new())),
        })
    }

    pub fn primary(&self) -> Option<&SiteRow> {
        self.primary.as_ref().map(|(s, _)| s)
    }

    fn remote(&self) -> Result<Option<(&SiteRow, &Remote)>> {
        let Some((site, cell)) = &self.primary else {
            return Ok(None);
        };
        if cell.get().is_none() {
            let _ = cell.set(super::connect(site)?);
        }
        Ok(cell.get().map(|r| (site, r)))
    }

    /// The object with digest `sha` as a local file: the one under
    /// `objects/` if it is there, else a copy fetched from the primary
    /// whose digest was checked as it came.
    pub fn fetch(&self, sha: &Sha256) -> Result<ObjectFile> {
        super::runtime()?.block_on(self.fetch_async(sha))
    }

    /// [`Objects::fetch`] for a task on the site runtime.
    pub(crate) async fn fetch_async(&self, sha: &Sha256) -> Result<ObjectFile> {
        let local = store::object_path(&self.dir, sha);
        let Some((site, remote)) = self.remote()? else {
            return Ok(ObjectFile {
                path: local,
                _hold: Hold::Local,
            });
        };
        if local.is_file() {
            return Ok(ObjectFile {
                path: local,
                _hold: Hold::Local,
            });
        }
        // A writable archive fetches into a staging folder of its own (a
        // crash leaves it for the next write command to remove); a
        // read-only one into the system's temporary folder.
        let (dir, hold) = match Staging::new(&self.staging_root) {
            Ok(s) => (s.dir().to_path_buf(), Hold::Staging(s)),
            Err(_) => {
                let t = tempfile::Builder::new()
                    .prefix("custos-fetch-")
                    .tempdir()
                    .map_err(|e| Error::io(std::env::temp_dir(), e))?;
                (t.path().to_path_buf(), Hold::Temp(t))
            }
        };
        let path = dir.join(sha.as_str());
        let mut f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let key = key_of(sha);
        match remote.download(&key, &mut f).await? {
            Some((got, _)) if got == *sha => Ok(ObjectFile { path, _hold: hold }),
            Some(_) => Err(Error::Failed(format!(
                "site {}: the original there does not match its digest; `custos verify` finds which, `custos repair` puts it back from another copy",
                site.name
            ))),
            None => Err(Error::Failed(format!(
                "site {}: an original is not there; `custos verify` finds which, `custos repair` puts it back from another copy",
                site.name
            ))),
        }
    }
}

/// One object of an archive, to be opened when its bytes are needed (an
/// export decides what it holds before it copies anything).
#[derive(Clone)]
pub struct ObjectRef {
    objects: std::sync::Arc<Objects>,
    sha: Sha256,
}

impl ObjectRef {
    pub fn new(objects: std::sync::Arc<Objects>, sha: Sha256) -> ObjectRef {
        ObjectRef { objects, sha }
    }

    pub fn open(&self) -> Result<ObjectFile> {
        self.objects.fetch(&self.sha)
    }
}

impl std::fmt::Debug for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ObjectRef({})", self.sha)
    }
}

/// An import's way to the primary store.
pub(crate) struct Sender {
    site: SiteRow,
    remote: Remote,
}

impl Sender {
    /// None when the archive keeps its originals locally. Aborts first
    /// the uploads a killed import (or replicate) left open at the store.
    pub(crate) fn of(archive: &mut Archive) -> Result<Option<Sender>> {
        let Some(site) = site(archive.conn())? else {
            return Ok(None);
        };
        let remote = super::connect(&site)?;
        super::replicate::abort_left_uploads(archive, site.id, &remote)?;
        Ok(Some(Sender { site, remote }))
    }

    pub(crate) fn site_id(&self) -> i64 {
        self.site.id
    }

    /// The digests among `staged` the primary does not hold a good copy of.
    pub(crate) fn unsent(&self, conn: &Connection, staged: &[PathBuf]) -> Result<Vec<PathBuf>> {
        let held: BTreeSet<Sha256> = copies::good_at(conn, self.site.id, &digests(staged))?;
        Ok(staged
            .iter()
            .filter(|p| digest_of(p).is_some_and(|sha| !held.contains(&sha)))
            .cloned()
            .collect())
    }

    /// Sends each staged object (named by its digest) to the primary, a
    /// few at a time, and reads each back: Ok only when every one is there
    /// with its digest. The upload id of a large one is recorded (in its
    /// own transaction) before its first part, so a killed import's
    /// upload is aborted by the next `replicate` or `repair`.
    pub(crate) fn send(&self, archive: &mut Archive, staged: &[PathBuf]) -> Result<()> {
        if staged.is_empty() {
            return Ok(());
        }
        let archive = std::cell::RefCell::new(archive);
        let results: Vec<Result<()>> = super::runtime()?.block_on(
            futures_util::stream::iter(staged.iter().map(|p| {
                let archive = &archive;
                async move {
                    let sha = digest_of(p).ok_or_else(|| {
                        Error::Failed(format!("{} is not named by its digest", p.display()))
                    })?;
                    self.send_one(archive, p, &sha).await
                }
            }))
            .buffer_unordered(IN_FLIGHT)
            .collect(),
        );
        results.into_iter().collect()
    }

    async fn send_one(
        &self,
        archive: &std::cell::RefCell<&mut Archive>,
        path: &Path,
        sha: &Sha256,
    ) -> Result<()> {
        let key = key_of(sha);
        // No request to ask whether the store has it already: for an
        // import nearly every object is new, and sending the same bytes
        // under the same key again is harmless (then read back as always).
        self.remote
            .upload(
                path,
                &key,
                sha,
                &mut super::replicate::record_uploads(archive, self.site.id, &key),
            )
            .await?;
        match self.remote.hash(&key).await? {
            Some((s, _)) if s == *sha => Ok(()),
            _ => Err(Error::Site(format!(
                "site {}: an original read back after its upload does not match its digest; nothing of this batch was recorded",
                self.site.name
            ))),
        }
    }
}

/// The digest an outbox file is named by.
pub(crate) fn digest_of(p: &Path) -> Option<Sha256> {
    p.file_name()?.to_str()?.parse().ok()
}

fn digests(paths: &[PathBuf]) -> Vec<Sha256> {
    paths.iter().filter_map(|p| digest_of(p)).collect()
}

//! The nouns of an import: what a source gives for each file (a [`Job`]
//! with its [`ItemMeta`] and [`Describer`]), how the import runs
//! ([`ImportOptions`], an all-or-nothing [`Finish`]), and what it reports
//! for each file ([`FileOutcome`], [`Report`]). Types only: the work is in
//! the parent module.

use std::path::PathBuf;

use rusqlite::Connection;
use serde::Serialize;

use super::Found;
use crate::catalogue::events::EventLog;
use crate::edtf::Edtf;
use crate::error::Result;
use crate::model::{ItemId, Kind, Method, Sha256};

/// Descriptive metadata given for the files of an import (or a manifest row).
#[derive(Debug, Clone, Default)]
pub struct ItemMeta {
    pub title: Option<String>,
    pub kind: Option<Kind>,
    pub date: Option<Edtf>,
    pub language: Option<String>,
    pub creator: Option<String>,
    pub description: Option<String>,
    pub collection: Option<String>,
    /// What the item is about in time (EDTF), apart from when it was made.
    pub coverage: Option<Edtf>,
    /// A rights statement, checked by `crate::rights::check`.
    pub rights: Option<String>,
    /// Where the physical original is held (box, folder, shelf).
    pub location: Option<String>,
    /// Controlled-vocabulary terms to link the new item to (not applied to
    /// duplicates: the existing item keeps its own description).
    pub terms: Vec<(crate::model::Vocab, String)>,
    /// The accession number the new item came in (not applied to
    /// duplicates, like the terms).
    pub accession: Option<String>,
    /// Notes on the new item (a manifest's `public_note` and
    /// `custodial_note`; not applied to duplicates, like the terms).
    pub notes: Vec<(crate::model::NoteAudience, String)>,
}

/// Runs once, after every job of an [`import_atomic`] has its rows and
/// before the one transaction commits: how a bag restores state that links
/// items to each other (consent evidence, narrators) once all have ids.
/// Gets the outcomes in job order; an error rolls everything back.
pub type Finish =
    Box<dyn FnOnce(&Connection, &mut EventLog<'_>, &[FileOutcome], &str) -> Result<()> + Send>;

/// What an import says about the item a file becomes — beyond the
/// descriptive `ItemMeta` every source gives — whether the file's bytes are
/// new or already in the archive: how testimonies and consent join an
/// import without it knowing them. One describer serves both cases, so a
/// duplicate never silently drops what would close its item (`import
/// --narrator N` of bytes already imported makes the existing item the
/// narrator's testimony, or fails with the reason).
pub trait Describer: Send + Sync {
    /// After a new item's rows are inserted, in the same transaction.
    fn new_item(
        &self,
        _conn: &Connection,
        _id: ItemId,
        _log: &mut EventLog<'_>,
        _now: &str,
    ) -> Result<()> {
        Ok(())
    }
    /// Why the description cannot be applied to `item`, the existing item
    /// of a duplicate (the file is then reported failed and nothing is
    /// written for it); None if it can.
    fn conflict(&self, _conn: &Connection, _item: ItemId) -> Result<Option<String>> {
        Ok(None)
    }
    /// Applies it to the existing item of a duplicate, in the chunk's
    /// transaction, with its own event; returns what changed, or None when
    /// the item already said so.
    fn duplicate(
        &self,
        _conn: &Connection,
        _item: ItemId,
        _log: &mut EventLog<'_>,
        _now: &str,
    ) -> Result<Option<String>> {
        Ok(None)
    }
}

/// One file to ingest.
pub struct Job {
    pub path: PathBuf,
    pub found: Found,
    pub meta: ItemMeta,
    /// None: the file's absolute path as a `file://` URI.
    pub origin: Option<String>,
    pub provenance_detail: Option<serde_json::Value>,
    pub describer: Option<std::sync::Arc<dyn Describer>>,
}

pub struct ImportOptions {
    pub agent: String,
    pub method: Method,
    pub dry_run: bool,
    /// The access a new item starts with (`ops::access::intake`).
    pub intake: crate::model::Intake,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Imported,
    Duplicate,
    Skipped,
    Failed,
}

/// What happened to one input file: the documented `import --format json` shape.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    pub path: String,
    pub status: Status,
    pub id: Option<ItemId>,
    pub sha256: Option<Sha256>,
    pub reason: Option<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<FileOutcome>,
    /// Stopped early on Ctrl-C or SIGTERM (see `interrupt`): what was
    /// stored is committed, later files were not looked at.
    pub interrupted: bool,
}

impl Report {
    pub fn count(&self, s: Status) -> usize {
        self.outcomes.iter().filter(|o| o.status == s).count()
    }
}

//! Import sources behind one trait: files and folders, a manifest, a
//! BagIt bag, an OCFL storage root. A source checks its whole input before anything is written
//! and gives the jobs — one per file, each with its descriptive metadata
//! and its [`Describer`] (what it says of the item, new or duplicate) —
//! and whether the import is all or nothing. [`import_from`] runs any
//! source the same way: chunked, or in one transaction with the source's
//! finishing step.
//!
//! A source never writes and never prints; the archive's own folder is
//! never a source's input (the fence refuses it).

use std::path::PathBuf;
use std::sync::Arc;

use super::{ArchiveFence, Describer, Finish, Found, ImportOptions, ItemMeta, Job, Report};
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::model::Method;

/// What an import will do: the jobs in order (streamed: a manifest of a
/// million rows is never held whole, and folders are walked while the
/// first files are imported), the bytes they hold where known (for the
/// progress bar), and for an all-or-nothing source (a bag) what runs
/// before its one transaction commits.
pub struct Plan {
    pub jobs: Box<dyn Iterator<Item = Job>>,
    /// The bytes of the jobs, known before they run; `None` when the
    /// source tells them as it finds them (see [`Files::found`]).
    pub bytes: Option<u64>,
    pub whole: Option<Finish>,
    /// What the person importing should know before it runs (what the
    /// source leaves out, say).
    pub notes: Vec<String>,
}

impl Plan {
    /// A plan of jobs known in advance.
    pub fn of(jobs: Vec<Job>, whole: Option<Finish>) -> Plan {
        let bytes = jobs
            .iter()
            .map(|j| match j.found {
                Found::File { size } => size,
                _ => 0,
            })
            .sum();
        Plan {
            jobs: Box::new(jobs.into_iter()),
            bytes: Some(bytes),
            whole,
            notes: Vec::new(),
        }
    }
}

pub trait Source {
    /// The method provenance records for the files of this source.
    fn method(&self) -> Method;
    /// Checks the input and builds the plan; nothing is written.
    fn plan(self: Box<Self>, archive: &Archive) -> Result<Plan>;
}

/// Plain files and folders sharing one description.
pub struct Files {
    pub paths: Vec<PathBuf>,
    pub meta: ItemMeta,
    pub origin: Option<String>,
    pub describer: Option<Arc<dyn Describer>>,
    /// Told the size of each file the walk finds, as it finds it.
    pub found: Box<dyn Fn(u64) + Send>,
}

impl Source for Files {
    fn method(&self) -> Method {
        Method::File
    }

    fn plan(self: Box<Self>, archive: &Archive) -> Result<Plan> {
        // Before anything is read: the archive never imports itself.
        let fence = ArchiveFence::new(archive.root())?;
        fence.refuse_inside(&self.paths)?;
        if self.meta.title.is_none() {
            // The common case walks while the import runs: the files are
            // known one by one, and the first are hashed meanwhile.
            let (meta, origin, describer) = (self.meta, self.origin, self.describer);
            let jobs =
                super::walk::stream_fenced(self.paths, fence, self.found).map(move |e| Job {
                    path: e.path,
                    found: e.found,
                    meta: meta.clone(),
                    origin: origin.clone(),
                    provenance_detail: None,
                    describer: describer.clone(),
                });
            return Ok(Plan {
                jobs: Box::new(jobs),
                bytes: None,
                whole: None,
                notes: Vec::new(),
            });
        }
        // --title must name one file, which needs the whole walk first.
        let mut jobs =
            super::jobs_for_paths(&self.paths, &self.meta, self.origin.as_deref(), &fence);
        let files = jobs
            .iter()
            .filter(|j| matches!(j.found, Found::File { .. }))
            .count();
        if self.meta.title.is_some() && files > 1 {
            return Err(Error::usage(format!(
                "--title names one item, but {files} files were given; leave it out to take each title from its document"
            )));
        }
        for j in &mut jobs {
            j.describer = self.describer.clone();
        }
        Ok(Plan::of(jobs, None))
    }
}

/// A validated bag (`bagit::validate` found it valid and complete):
/// imported whole, with its items' exported state restored.
pub struct Bag {
    pub dir: PathBuf,
    pub report: crate::bagit::Report,
    pub agent: String,
}

impl Source for Bag {
    fn method(&self) -> Method {
        Method::Bag
    }

    fn plan(self: Box<Self>, _archive: &Archive) -> Result<Plan> {
        let b = super::bag::plan(&self.dir, &self.report, &self.agent)?;
        Ok(Plan::of(b.jobs, Some(b.finish)))
    }
}

/// The rows of a checked manifest (`ingest::manifest::validate`), each
/// file described by its row; the rows' testimony, narrator and consent
/// columns are applied after the files are in (`manifest::describe`).
pub struct Manifest {
    pub path: PathBuf,
    pub opts: crate::manifest::Options,
}

impl Source for Manifest {
    fn method(&self) -> Method {
        Method::Manifest
    }

    fn plan(self: Box<Self>, _archive: &Archive) -> Result<Plan> {
        Ok(Plan {
            jobs: Box::new(super::manifest::jobs(&self.path, &self.opts)?),
            bytes: Some(0),
            whole: None,
            notes: Vec::new(),
        })
    }
}

/// An OCFL storage root written by `custos export --ocfl`: every object
/// checked whole (`ocfl::plan`), then imported like a bag, all or nothing.
pub struct Ocfl {
    pub root: PathBuf,
    pub agent: String,
}

impl Source for Ocfl {
    fn method(&self) -> Method {
        // The catalogue knows file, manifest and bag; an OCFL object is a
        // package like a bag, and its provenance detail names the object.
        Method::Bag
    }

    fn plan(self: Box<Self>, _archive: &Archive) -> Result<Plan> {
        let o = crate::ocfl::plan(&self.root, &self.agent)?;
        let mut plan = Plan::of(o.jobs, Some(o.finish));
        if o.metadata_only > 0 {
            plan.notes.push(format!(
                "{} object(s) hold metadata only (a redacted item without text) and are not imported",
                o.metadata_only
            ));
        }
        Ok(plan)
    }
}

/// Runs the plan: in chunks, or in one transaction with its finishing step
/// (a dry run of an all-or-nothing plan only reports, in chunks).
pub fn import_from(
    archive: &mut Archive,
    plan: Plan,
    opts: &ImportOptions,
    progress: &indicatif::ProgressBar,
) -> Result<Report> {
    if let Some(bytes) = plan.bytes {
        progress.set_length(bytes);
    }
    match plan.whole {
        Some(finish) if !opts.dry_run => {
            super::import_atomic(archive, plan.jobs, opts, progress, finish)
        }
        _ => super::import(archive, plan.jobs, opts, progress),
    }
}

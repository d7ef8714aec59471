//! A backup: a consistent, verified copy of the archive in a new folder.
//!
//! The catalogue is copied first as one snapshot (`VACUUM INTO`, a single
//! read transaction, so writers may go on), then exactly the objects that
//! snapshot describes, each re-hashed as it is copied, then the copy is
//! verified from disk. The latest signed head kept in the archive folder
//! (`log --head --sign`) is copied to the same place in the copy. It never
//! writes into the source archive except one `export` event naming the
//! backup, never overwrites an existing folder, and never prints.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::archive::{Archive, Mode, DB_FILE};
use crate::catalogue::events;
use crate::catalogue::fixity as rows;
use crate::error::{Error, Result};
use crate::fixity::{self, VerifyOptions};
use crate::head;
use crate::store::{self, Staging};

/// The file in a backup holding the event-log head of its snapshot.
pub const HEAD_FILE: &str = "custos-head.txt";

/// What a backup is asked to do.
pub struct BackupOptions {
    pub dest: PathBuf,
    /// Copying and hashing threads (None: one per core).
    pub jobs: Option<usize>,
    pub agent: String,
}

/// What a backup did: the head of its snapshot, what it copied, and what
/// went wrong (a backup with failures or damage is not a good copy).
pub struct Backup {
    pub dest: PathBuf,
    pub head: String,
    pub head_id: i64,
    pub head_file: PathBuf,
    pub objects: usize,
    pub bytes: u64,
    /// Objects that could not be copied, each with its reason.
    pub failures: Vec<String>,
    /// What verifying the copy found damaged.
    pub damage: Vec<String>,
    /// Where the latest signed head was copied, if one is kept.
    pub signed_head: Option<PathBuf>,
    /// Why the backup could not be noted in the source's log, if so.
    pub not_logged: Option<String>,
}

impl Backup {
    pub fn is_good(&self) -> bool {
        self.failures.is_empty() && self.damage.is_empty()
    }
}

/// Backs up the archive at `root` into `opts.dest`.
pub fn backup(root: &Path, opts: &BackupOptions) -> Result<Backup> {
    let source = Archive::open(root, Mode::Read)?;
    let dest = prepare_dest(root, &opts.dest)?;
    let db = dest.join(DB_FILE);
    // Made by us first, empty and 0600: VACUUM INTO accepts an empty file
    // and keeps its mode, so the copy is private like the original.
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&db)
        .map_err(|e| Error::io(&db, e))?;
    source.vacuum_into(&db)?;
    let copy = Archive::open(&dest, Mode::Read)?;
    let (head_id, head) = events::head_with_id(copy.conn())?;
    let expected = rows::expected(copy.conn())?;
    drop(copy);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Failed(format!("cannot start copying threads: {e}")))?;
    let staging = Staging::new(&dest.join("staging"))?;
    // Fetched from the primary store where the originals are kept there.
    let src_objects = crate::sites::primary::Objects::of(&source)?;
    let dst_objects = dest.join("objects");
    let results: Vec<Result<PathBuf>> = pool.install(|| {
        expected
            .par_iter()
            .map(|e| copy_object(&src_objects, &dst_objects, &staging, &e.sha256))
            .collect()
    });
    drop(staging);
    let mut written = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(p) => written.push(p),
            Err(e) => failures.push(e.to_string()),
        }
    }
    store::sync_batch(&dst_objects, &written)?;
    let head_file = dest.join(HEAD_FILE);
    write_private(&head_file, format!("{head}\n").as_bytes())?;
    // The latest signed head travels with the copy, in the same place, so
    // the copy can be checked against it like the archive.
    let signed_head = match head::kept(root)? {
        Some((text, sig)) => {
            let file = dest.join(head::KEPT);
            write_private(&file, &text)?;
            write_private(&head::signature_path(&file), &sig)?;
            Some(file)
        }
        None => None,
    };

    let mut copy = Archive::open(&dest, Mode::Read)?;
    let check = fixity::verify(
        &mut copy,
        &VerifyOptions {
            items: vec![],
            sample: None,
            jobs: opts.jobs,
            // An empty log has no event for a head to name.
            head: (head_id > 0).then(|| head.clone()),
            record: false,
            agent: String::new(),
            // A fresh copy is checked once, thoroughly.
            depth: fixity::Depth::ArchiveFull,
        },
        &indicatif::ProgressBar::hidden(),
    )?;
    let damage = check
        .findings
        .iter()
        .filter(|f| f.damage)
        .map(|f| {
            format!(
                "{}: {} {}",
                f.kind.as_str(),
                f.path.as_deref().unwrap_or(""),
                f.detail
            )
        })
        .collect();
    let not_logged = record_export(root, &dest, &head, head_id, &opts.agent)
        .err()
        .map(|e| e.to_string());
    Ok(Backup {
        objects: expected.len(),
        bytes: expected.iter().map(|e| e.size).sum(),
        dest,
        head,
        head_id,
        head_file,
        failures,
        damage,
        signed_head,
        not_logged,
    })
}

/// DEST must be new or empty and outside the archive, so a backup never
/// mixes with other files or copies itself.
fn prepare_dest(root: &Path, dest: &Path) -> Result<PathBuf> {
    if dest.exists() {
        let mut entries = fs::read_dir(dest).map_err(|e| Error::io(dest, e))?;
        if entries.next().is_some() {
            return Err(Error::usage(format!(
                "{} is not empty; back up into a new or empty folder",
                dest.display()
            )));
        }
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true).mode(0o700);
    for sub in ["", "objects", "staging"] {
        let p = dest.join(sub);
        b.create(&p).map_err(|e| Error::io(&p, e))?;
    }
    let dest = fs::canonicalize(dest).map_err(|e| Error::io(dest, e))?;
    let root = fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    if dest.starts_with(&root) {
        let _ = fs::remove_dir_all(&dest);
        return Err(Error::usage(format!(
            "{} is inside the archive; back up to a folder outside it",
            dest.display()
        )));
    }
    Ok(dest)
}

/// Copies one object through the copy's staging folder, hashing as it
/// goes; bytes that do not match their name are not copied.
fn copy_object(
    src_objects: &crate::sites::primary::Objects,
    dst_objects: &Path,
    staging: &Staging,
    sha: &crate::model::Sha256,
) -> Result<PathBuf> {
    let fetched = src_objects.fetch(sha)?;
    let src = fetched.path();
    let f = fs::File::open(src).map_err(|e| Error::io(src, e))?;
    let staged = staging.copy_in(f)?;
    if &staged.sha != sha {
        return Err(Error::Failed(format!(
            "{}: its bytes no longer match their hash (actual {}); run `custos verify`",
            src.display(),
            staged.sha
        )));
    }
    staged.persist(dst_objects)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Notes the backup in the source's history when the source can be
/// written; a read-only source is backed up all the same.
fn record_export(root: &Path, dest: &Path, head: &str, head_id: i64, agent: &str) -> Result<()> {
    let detail = serde_json::json!({
        "backup": dest.display().to_string(),
        "head": head,
        "head_event_id": head_id,
    });
    let mut archive = Archive::open(root, Mode::Write)?;
    crate::export::log_export(&mut archive, agent, &detail)
}

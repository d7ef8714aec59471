//! Which source paths an import may read: never the archive itself.
//!
//! Importing the archive's own folder would turn `custos.db`, its WAL and
//! every object (closed testimonies included) into open items, so any
//! source inside the archive is refused before anything is written, with
//! paths compared after resolving symbolic links. A source folder that
//! *contains* the archive is imported without it: the walk recognises the
//! archive folder by its device and inode (so a bind mount or a second name
//! is caught too) and reports it as skipped. This module only looks at
//! paths and folder identities; it reads no contents and writes nothing.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The archive folder as the import sees it: its resolved path and the
/// identity (device, inode) of the folder.
#[derive(Debug, Clone)]
pub struct ArchiveFence {
    root: PathBuf,
    id: (u64, u64),
}

/// Why the archive's folder is left out of a walk that reaches it.
pub const SKIPPED_ARCHIVE: &str = "this is the archive's own folder (its catalogue and objects are never imported into itself); skipped with everything in it";

impl ArchiveFence {
    pub fn new(root: &Path) -> Result<ArchiveFence> {
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let m = std::fs::metadata(&root).map_err(|e| Error::io(&root, e))?;
        Ok(ArchiveFence {
            root,
            id: (m.dev(), m.ino()),
        })
    }

    /// True when `path` is the archive folder or anything inside it, after
    /// resolving symbolic links (of the part of the path that exists).
    pub fn contains(&self, path: &Path) -> bool {
        resolve(path).is_some_and(|p| p.starts_with(&self.root))
    }

    /// True for the archive folder itself, whatever name reached it.
    pub fn is_archive_dir(&self, meta: &std::fs::Metadata) -> bool {
        meta.is_dir() && (meta.dev(), meta.ino()) == self.id
    }

    /// Refuses the import (exit 2) if any input lies inside the archive.
    pub fn refuse_inside(&self, inputs: &[PathBuf]) -> Result<()> {
        if let Some(p) = inputs.iter().find(|p| self.contains(p)) {
            return Err(Error::usage(format!(
                "{} is inside the archive {}: custos never imports its own catalogue or objects; import the original files from outside it (nothing was imported)",
                p.display(),
                self.root.display()
            )));
        }
        Ok(())
    }

    /// The reason a manifest row naming `path` is refused, if it is.
    pub fn row_problem(&self, path: &Path) -> Option<String> {
        self.contains(path).then(|| {
            format!(
                "{} is inside the archive {}; custos never imports its own catalogue or objects",
                path.display(),
                self.root.display()
            )
        })
    }
}

/// The absolute path with symbolic links resolved: wholly when it exists,
/// else for its longest existing ancestor (the rest are plain names).
fn resolve(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    if let Ok(p) = abs.canonicalize() {
        return Some(p);
    }
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while existing.symlink_metadata().is_err() {
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
    let mut resolved = existing.canonicalize().ok()?;
    for n in rest.iter().rev() {
        resolved.push(n);
    }
    Some(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_archive_are_caught_through_links_and_dots() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("archive");
        std::fs::create_dir_all(root.join("objects/ab")).unwrap();
        std::fs::write(root.join("custos.db"), b"x").unwrap();
        std::os::unix::fs::symlink(&root, d.path().join("alias")).unwrap();
        let fence = ArchiveFence::new(&root).unwrap();
        for inside in [
            root.clone(),
            root.join("custos.db"),
            root.join("objects/ab"),
            root.join("custos.db-wal"), // not there (yet): still inside
            d.path().join("alias"),
            d.path().join("alias/custos.db"),
            d.path().join("archive/objects/../custos.db"),
        ] {
            assert!(fence.contains(&inside), "{}", inside.display());
        }
        for outside in [d.path().to_path_buf(), d.path().join("archive-notes.txt")] {
            assert!(!fence.contains(&outside), "{}", outside.display());
        }
        let alias_meta = std::fs::metadata(d.path().join("alias")).unwrap();
        assert!(fence.is_archive_dir(&alias_meta));
        assert!(!fence.is_archive_dir(&std::fs::metadata(d.path()).unwrap()));
        assert!(fence
            .refuse_inside(&[d.path().join("alias/objects")])
            .is_err());
    }
}

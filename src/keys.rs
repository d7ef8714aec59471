//! Finding the custodian's secret key: the file the user named (`--key
//! FILE`), else the per-archive file `custos key init` writes by default.
//! A key is checked against the archive's recorded recipient before use.
//!
//! A [`KeyFile`] is only a place; the key is read when an operation needs
//! it (a redacted item's new values, a reveal), so commands never decide
//! beforehand whether a key will be needed. Never prints the key and never
//! writes it.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::catalogue::settings;
use crate::error::{Error, Result};
use crate::seal::{self, Key};

/// Where to look for the custodian key: the given file, else the default.
#[derive(Debug, Clone, Default)]
pub struct KeyFile(Option<PathBuf>);

impl KeyFile {
    pub fn new(given: Option<&Path>) -> KeyFile {
        KeyFile(given.map(Path::to_path_buf))
    }

    /// The key, checked against the archive's recipient; None when no file
    /// was given and the default file does not exist.
    pub fn find(&self, conn: &Connection) -> Result<Option<Key>> {
        let path = match &self.0 {
            Some(p) => p.clone(),
            None => match default_path(conn)? {
                Some(p) if p.exists() => p,
                _ => return Ok(None),
            },
        };
        let key = Key::read(&path)?;
        let recipient = settings::require_recipient(conn, "unsealing")?;
        key.check(&recipient)?;
        Ok(Some(key))
    }
}

/// Where `key init` writes the key when not told: one file per archive in
/// the user's config folder.
pub fn default_path(conn: &Connection) -> Result<Option<PathBuf>> {
    let id = settings::get(conn, settings::ARCHIVE_ID)?
        .ok_or_else(|| Error::Failed("the archive has no archive_id setting".into()))?;
    Ok(seal::default_key_path(&id))
}

/// Refuses a key path inside the archive folder: whoever copies the archive
/// would copy the key with it.
pub fn refuse_inside(out: &Path, root: &Path) -> Result<()> {
    let abs = std::path::absolute(out).map_err(|e| Error::io(out, e))?;
    // Resolve symlinks of the part that exists; the rest is plain names.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                rest.push(n.to_os_string());
                existing = p;
            }
            _ => break,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .map_err(|e| Error::io(existing, e))?;
    for n in rest.iter().rev() {
        resolved.push(n);
    }
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    if resolved.starts_with(&root) {
        return Err(Error::usage(format!(
            "{} is inside the archive folder; the secret key must live elsewhere, or whoever copies the archive has the key too",
            out.display()
        )));
    }
    Ok(())
}

//! Personal and per-archive defaults: `custos.toml` in the archive folder,
//! then `~/.config/custos/config.toml` (the archive's file wins; an option
//! given on the command line wins over both). Keys: `by` (who does the
//! work), `organization` (a bag's Source-Organization), `access` (the level
//! read commands use when `--access` is not given) and `intake` (the
//! access of new imports when `--intake` is not given).
//!
//! It reads and writes these files and validates them, naming the file and
//! the line at fault; it decides nothing about what a reader may see (the
//! `access` default only chooses a level, which the policy then applies)
//! and never prints.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Access, Intake};

/// The name of the archive's own file.
pub const ARCHIVE_FILE: &str = "custos.toml";

/// The defaults one file gives (every key optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake: Option<Intake>,
}

impl Defaults {
    /// `self`, with what it leaves unset taken from `below`.
    fn over(self, below: Defaults) -> Defaults {
        Defaults {
            by: self.by.or(below.by),
            organization: self.organization.or(below.organization),
            access: self.access.or(below.access),
            intake: self.intake.or(below.intake),
        }
    }
}

/// Where a key's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Archive,
    User,
}

/// The two files, read.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub archive: Defaults,
    pub user: Defaults,
}

impl Config {
    /// Reads the user's file and, when the archive is known, its file.
    pub fn load(archive_root: Option<&Path>) -> Result<Config> {
        Ok(Config {
            archive: match archive_root {
                Some(r) => read(&r.join(ARCHIVE_FILE))?,
                None => Defaults::default(),
            },
            user: match user_file() {
                Some(p) => read(&p)?,
                None => Defaults::default(),
            },
        })
    }

    /// What applies: the archive's file over the user's.
    pub fn effective(&self) -> Defaults {
        self.archive.clone().over(self.user.clone())
    }

    /// Where the value of a key came from, if any file sets it.
    pub fn origin(&self, get: impl Fn(&Defaults) -> bool) -> Option<Origin> {
        if get(&self.archive) {
            Some(Origin::Archive)
        } else if get(&self.user) {
            Some(Origin::User)
        } else {
            None
        }
    }
}

/// `~/.config/custos/config.toml` (the platform's config folder).
pub fn user_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("custos").join("config.toml"))
}

/// One file's defaults; a missing file sets none.
pub fn read(path: &Path) -> Result<Defaults> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Defaults::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(", line {}", text[..s.start].lines().count().max(1)))
            .unwrap_or_default();
        Error::usage(format!(
            "{}{at}: {}; keys: by, organization, access (public|research|custodian), intake (open|closed)",
            path.display(),
            e.message()
        ))
    })
}

/// Writes `d` to `path` atomically (a temporary file beside it, renamed).
pub fn write(path: &Path, d: &Defaults) -> Result<()> {
    let text =
        toml::to_string(d).map_err(|e| Error::Failed(format!("cannot write settings: {e}")))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = dir.join(format!(".{ARCHIVE_FILE}.tmp"));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_file_wins_key_by_key() {
        let a = Defaults {
            by: Some("A".into()),
            ..Default::default()
        };
        let u = Defaults {
            by: Some("U".into()),
            access: Some(Access::Public),
            ..Default::default()
        };
        let e = a.over(u);
        assert_eq!(e.by.as_deref(), Some("A"));
        assert_eq!(e.access, Some(Access::Public));
    }

    #[test]
    fn a_bad_file_names_itself_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("custos.toml");
        std::fs::write(&p, "by = \"M. Archivist\"\naccess = \"everyone\"\n").unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("custos.toml") && e.contains("line 2"), "{e}");
        std::fs::write(&p, "colour = \"blue\"\n").unwrap();
        assert!(read(&p).unwrap_err().to_string().contains("colour"));
        assert_eq!(
            read(&dir.path().join("none.toml")).unwrap(),
            Defaults::default()
        );
    }

    #[test]
    fn written_files_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("custos.toml");
        let d = Defaults {
            by: Some("M. Archivist".into()),
            organization: Some("Harrow Valley Memory Project".into()),
            access: Some(Access::Research),
            intake: Some(Intake::Closed),
        };
        write(&p, &d).unwrap();
        assert_eq!(read(&p).unwrap(), d);
    }
}

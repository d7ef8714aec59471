//! The one error type of the library and the exit code each variant maps to.
//!
//! Every failure a user can meet is a variant here, with enough context (the
//! file, row, field or term at fault) to act on. Messages must never carry a
//! sealed or restricted value: they name ids and fields, not contents.
//! This module does not print; `main` does.

use std::path::PathBuf;

/// Exit codes, documented in the README. Never renumber: scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    Ok = 0,
    Failed = 1,
    Usage = 2,
    NoArchive = 3,
    Busy = 11,
    WrongKey = 12,
    Refused = 13,
    /// A site (an S3 store, a folder on another disk) failed: unreachable,
    /// credentials refused, bucket missing, throttling, out of space.
    Site = 14,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something malformed: a bad date, an unknown kind, a
    /// missing argument. Nothing was written.
    #[error("{0}")]
    Usage(String),

    /// No archive could be found where the user pointed, or where we looked.
    #[error("{0}")]
    NoArchive(String),

    /// The archive exists but is not one custos can trust to open.
    #[error("{path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },

    /// Another process holds the write lock beyond the busy timeout.
    #[error("archive busy: another custos process is writing; try again in a moment")]
    Busy,

    /// The archive (or its medium) cannot be written.
    #[error("{0}: the archive is read-only; read commands still work")]
    ReadOnly(PathBuf),

    #[error("wrong key: it does not decrypt this archive's sealed identities")]
    WrongKey,

    /// The consent policy forbids what was asked at this access level.
    #[error("{0}")]
    Refused(String),

    /// I/O on a named file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("catalogue: {0}")]
    Sqlite(#[source] rusqlite::Error),

    /// An operation ran to the end but found problems (failed files, damage).
    #[error("{0}")]
    Failed(String),

    /// A site failed; the message names it and says what happened. The
    /// local archive is unchanged but for rows recording what was done.
    #[error("{0}")]
    Site(String),

    /// stdout was closed by the reader (`custos list | head`); not a failure.
    #[error("broken pipe")]
    BrokenPipe,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(_) => ExitCode::Usage,
            Error::NoArchive(_) | Error::Corrupt { .. } => ExitCode::NoArchive,
            Error::Busy => ExitCode::Busy,
            Error::WrongKey => ExitCode::WrongKey,
            Error::Refused(_) => ExitCode::Refused,
            Error::BrokenPipe => ExitCode::Ok,
            Error::Site(_) => ExitCode::Site,
            Error::ReadOnly(_) | Error::Io { .. } | Error::Sqlite(_) | Error::Failed(_) => {
                ExitCode::Failed
            }
        }
    }

    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Writing to stdout: a closed pipe is the reader's choice, not our failure.
    pub fn stdout(source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            Error::BrokenPipe
        } else {
            Error::io("<stdout>", source)
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Busy,
            Some(ErrorCode::ReadOnly) => Error::ReadOnly(PathBuf::from("custos.db")),
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt {
                path: PathBuf::from("custos.db"),
                reason: "not a custos catalogue, or damaged".into(),
            },
            _ => match guard_message(&e) {
                Some(msg) => Error::Usage(msg),
                None => Error::Sqlite(e),
            },
        }
    }
}

/// The reason a catalogue guard (a trigger of migration 0007) gave for
/// refusing a write: such a refusal is rejected input, not a failure.
fn guard_message(e: &rusqlite::Error) -> Option<String> {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER =>
        {
            msg.strip_prefix("custos: ").map(str::to_string)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_ones() {
        let cases: Vec<(Error, u8)> = vec![
            (Error::usage("x"), 2),
            (Error::NoArchive("x".into()), 3),
            (
                Error::Corrupt {
                    path: "a".into(),
                    reason: "b".into(),
                },
                3,
            ),
            (Error::Busy, 11),
            (Error::WrongKey, 12),
            (Error::Refused("x".into()), 13),
            (Error::BrokenPipe, 0),
            (Error::Site("x".into()), 14),
            (Error::Failed("x".into()), 1),
            (Error::ReadOnly("a".into()), 1),
        ];
        for (e, code) in cases {
            assert_eq!(e.exit_code() as u8, code, "{e:?}");
        }
    }

    #[test]
    fn closed_stdout_is_not_a_failure() {
        let e = Error::stdout(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(e.exit_code(), ExitCode::Ok);
    }
}

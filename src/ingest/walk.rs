//! Turns the paths given to `import` into the list of files to ingest, and
//! of what is skipped and why.
//!
//! Symbolic links are never followed (a link could lead anywhere, and its
//! target is not what the donor handed over); special files are skipped.
//! The archive's own folder is never walked into (see `sources`). It only
//! looks at the file system; it reads no contents.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::sources::{ArchiveFence, SKIPPED_ARCHIVE};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A regular file to ingest.
    File { size: u64 },
    /// Passed over on purpose, with the reason.
    Skipped(String),
    /// Could not be looked at.
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub found: Found,
}

/// Every entry under `inputs`, files in name order, folders descended.
pub fn walk(inputs: &[PathBuf]) -> Vec<Entry> {
    walk_fenced(inputs, None)
}

/// As [`walk`], leaving out the archive's folder (reported as skipped)
/// wherever it sits below an input.
pub fn walk_fenced(inputs: &[PathBuf], fence: Option<&ArchiveFence>) -> Vec<Entry> {
    let mut out = Vec::new();
    for input in inputs {
        walk_one(input, fence, &mut out);
    }
    out
}

fn walk_one(input: &Path, fence: Option<&ArchiveFence>, out: &mut Vec<Entry>) {
    let mut walker = WalkDir::new(input)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(item) = walker.next() {
        match item {
            Ok(e) => {
                let ft = e.file_type();
                let found = if ft.is_dir() {
                    let fenced =
                        fence.is_some_and(|f| e.metadata().is_ok_and(|m| f.is_archive_dir(&m)));
                    if !fenced {
                        continue;
                    }
                    walker.skip_current_dir();
                    Found::Skipped(SKIPPED_ARCHIVE.into())
                } else if ft.is_symlink() {
                    Found::Skipped("symbolic link (not followed)".into())
                } else if ft.is_file() {
                    match e.metadata() {
                        Ok(m) => Found::File { size: m.len() },
                        Err(err) => Found::Failed(io_reason(err.io_error(), &err.to_string())),
                    }
                } else {
                    Found::Skipped(format!("special file ({})", special_kind(&ft)))
                };
                out.push(Entry {
                    path: e.into_path(),
                    found,
                });
            }
            Err(err) => {
                let path = err.path().unwrap_or(input).to_path_buf();
                let reason = io_reason(err.io_error(), &err.to_string());
                out.push(Entry {
                    path,
                    found: Found::Failed(reason),
                });
            }
        }
    }
}

fn io_reason(io: Option<&std::io::Error>, fallback: &str) -> String {
    match io.map(|e| e.kind()) {
        Some(std::io::ErrorKind::NotFound) => "no such file or folder".into(),
        Some(std::io::ErrorKind::PermissionDenied) => "permission denied".into(),
        _ => fallback.to_string(),
    }
}

fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "named pipe"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "device"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn files_are_found_links_and_fifos_skipped() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("a/b")).unwrap();
        fs::write(d.path().join("a/b/one.txt"), "1").unwrap();
        fs::write(d.path().join("two.txt"), "22").unwrap();
        std::os::unix::fs::symlink(d.path().join("two.txt"), d.path().join("link")).unwrap();
        let fifo = std::ffi::CString::new(d.path().join("pipe").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let found = walk(&[d.path().to_path_buf(), d.path().join("missing")]);
        let by_name = |n: &str| {
            found
                .iter()
                .find(|e| e.path.file_name().unwrap() == n)
                .unwrap()
                .found
                .clone()
        };
        assert_eq!(by_name("one.txt"), Found::File { size: 1 });
        assert_eq!(by_name("two.txt"), Found::File { size: 2 });
        assert!(matches!(by_name("link"), Found::Skipped(r) if r.contains("symbolic link")));
        assert!(matches!(by_name("pipe"), Found::Skipped(r) if r.contains("named pipe")));
        assert!(matches!(by_name("missing"), Found::Failed(r) if r.contains("no such file")));
    }
}

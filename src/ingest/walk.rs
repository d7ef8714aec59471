//! Turns the paths given to `import` into the list of files to ingest, and
//! of what is skipped and why.
//!
//! Symbolic links are never followed (a link could lead anywhere, and its
//! target is not what the donor handed over); special files are skipped.
//! The archive's own folder is never walked into (see `sources`). It only
//! looks at the file system; it reads no contents.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

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
        walk_one(input, fence, &mut |e| {
            out.push(e);
            true
        });
    }
    out
}

/// As [`walk_fenced`], on a thread of its own: entries arrive in the same
/// order while the walk goes on, so an import hashes the first files while
/// the last folders are still being listed. `found` is told each file's
/// size as it is found (a progress bar's length grows with it).
pub fn stream_fenced(
    inputs: Vec<PathBuf>,
    fence: ArchiveFence,
    found: Box<dyn Fn(u64) + Send>,
) -> Streamed {
    let (tx, rx) = mpsc::channel();
    let first = inputs.first().cloned().unwrap_or_default();
    let spawned = std::thread::Builder::new()
        .name("custos-walk".into())
        .spawn(move || {
            for input in &inputs {
                let whole = walk_one(input, Some(&fence), &mut |e| {
                    if let Found::File { size } = e.found {
                        found(size);
                    }
                    tx.send(Walked::Entry(e)).is_ok()
                });
                if !whole {
                    return; // the import stopped taking entries
                }
            }
            let _ = tx.send(Walked::Done);
        });
    Streamed {
        rx: spawned.is_ok().then_some(rx),
        first,
        ended: false,
    }
}

enum Walked {
    Entry(Entry),
    Done,
}

/// The entries of [`stream_fenced`], in walk order. A walk that ends
/// without saying so (its thread could not start, or died) ends with a
/// failed entry, never silently short.
pub struct Streamed {
    rx: Option<mpsc::Receiver<Walked>>,
    first: PathBuf,
    ended: bool,
}

impl Iterator for Streamed {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        if self.ended {
            return None;
        }
        match self.rx.as_ref().map(|rx| rx.recv()) {
            Some(Ok(Walked::Entry(e))) => Some(e),
            Some(Ok(Walked::Done)) => {
                self.ended = true;
                None
            }
            Some(Err(_)) | None => {
                self.ended = true;
                Some(Entry {
                    path: self.first.clone(),
                    found: Found::Failed(
                        "the walk of the folders stopped before its end (an internal error); files after those listed were not imported — run the import again".into(),
                    ),
                })
            }
        }
    }
}

/// Walks one input, giving each entry to `sink`; false once `sink` wants
/// no more (then the walk stops there).
fn walk_one(
    input: &Path,
    fence: Option<&ArchiveFence>,
    sink: &mut dyn FnMut(Entry) -> bool,
) -> bool {
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
                let entry = Entry {
                    path: e.into_path(),
                    found,
                };
                if !sink(entry) {
                    return false;
                }
            }
            Err(err) => {
                let path = err.path().unwrap_or(input).to_path_buf();
                let reason = io_reason(err.io_error(), &err.to_string());
                if !sink(Entry {
                    path,
                    found: Found::Failed(reason),
                }) {
                    return false;
                }
            }
        }
    }
    true
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

    #[test]
    fn a_streamed_walk_gives_what_the_whole_walk_gives_in_the_same_order() {
        let d = tempfile::tempdir().unwrap();
        for dir in ["b/z", "b/a", "a"] {
            fs::create_dir_all(d.path().join(dir)).unwrap();
        }
        for f in ["b/z/2.txt", "b/a/1.txt", "b/10.txt", "a/3.txt", "c.txt"] {
            fs::write(d.path().join(f), f).unwrap();
        }
        let archive = d.path().join("b/archive");
        fs::create_dir_all(&archive).unwrap();
        fs::write(archive.join("custos.db"), "x").unwrap();
        let fence = ArchiveFence::new(&archive).unwrap();
        let inputs = vec![
            d.path().join("b"),
            d.path().join("c.txt"),
            d.path().join("a"),
        ];
        let whole = walk_fenced(&inputs, Some(&fence));
        let found = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counted = found.clone();
        let streamed: Vec<Entry> = stream_fenced(
            inputs,
            fence,
            Box::new(move |n| {
                counted.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }),
        )
        .collect();
        let pairs = |v: &[Entry]| -> Vec<(PathBuf, Found)> {
            v.iter()
                .map(|e| (e.path.clone(), e.found.clone()))
                .collect()
        };
        assert_eq!(pairs(&streamed), pairs(&whole));
        assert_eq!(
            whole.len(),
            6,
            "five files and the fenced archive: {whole:?}"
        );
        let bytes: u64 = ["b/z/2.txt", "b/a/1.txt", "b/10.txt", "a/3.txt", "c.txt"]
            .iter()
            .map(|f| f.len() as u64)
            .sum();
        assert_eq!(found.load(std::sync::atomic::Ordering::Relaxed), bytes);
    }

    #[test]
    fn a_walk_that_ends_without_saying_so_ends_in_a_failed_entry() {
        let (tx, rx) = mpsc::channel();
        tx.send(Walked::Entry(Entry {
            path: "in/one.txt".into(),
            found: Found::File { size: 1 },
        }))
        .unwrap();
        drop(tx); // the walk's thread died before its Done
        let got: Vec<Entry> = Streamed {
            rx: Some(rx),
            first: "in".into(),
            ended: false,
        }
        .collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1].path, PathBuf::from("in"));
        assert!(matches!(&got[1].found, Found::Failed(r) if r.contains("stopped before its end")));
    }
}

//! Content-addressed originals under `objects/ab/cd/<sha256>`, and the
//! staging area imports write through.
//!
//! Write protocol: copy into a temp file in this process's staging folder
//! while hashing → rename to the hash name → make the batch durable (one
//! `syncfs`, or fsync of each file and folder) → only then may the caller
//! commit catalogue rows. Objects are made read-only and never modified;
//! this module never touches the catalogue.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256 as Hasher};

use crate::error::{Error, Result};
use crate::model::Sha256;

const BUF: usize = 256 * 1024;
const LOCK_FILE: &str = ".lock";
/// Held while a staging folder is being set up or leftovers are cleaned, so
/// a cleaner never mistakes a folder not yet locked for a crashed one.
const ROOT_LOCK: &str = ".staging.lock";

thread_local! {
    /// One read buffer per thread, reused for every file: allocating and
    /// zeroing 256 KiB per file cost more than hashing a typical 4 KiB one.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's read buffer (`BUF` bytes), or with a fresh
/// one if the buffer is already in use further up the stack.
pub(crate) fn with_buffer<R>(f: impl FnOnce(&mut [u8]) -> R) -> R {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < BUF {
                buf.resize(BUF, 0);
            }
            f(&mut buf[..BUF])
        }
        Err(_) => f(&mut vec![0u8; BUF]),
    })
}

/// Where the object with this digest lives.
pub fn object_path(objects: &Path, sha: &Sha256) -> PathBuf {
    let s = sha.as_str();
    objects.join(&s[0..2]).join(&s[2..4]).join(s)
}

/// How objects lie under a folder: the archive's `objects/ab/cd/<sha256>`
/// tree, or flat `<sha256>` files (an import's outbox for a primary store,
/// where making two folders per object cost more than the object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Tree,
    Flat,
}

/// A folder of objects and how they lie in it.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub root: &'a Path,
    pub layout: Layout,
}

impl Place<'_> {
    pub fn path(&self, sha: &Sha256) -> PathBuf {
        match self.layout {
            Layout::Tree => object_path(self.root, sha),
            Layout::Flat => self.root.join(sha.as_str()),
        }
    }
}

/// Reads `r` to its end in fixed-size chunks (never the whole file in
/// memory), handing each to `on_chunk`; returns the byte count.
pub fn read_chunks(mut r: impl Read, mut on_chunk: impl FnMut(&[u8])) -> io::Result<u64> {
    with_buffer(|buf| {
        let mut n = 0u64;
        loop {
            match r.read(buf) {
                Ok(0) => return Ok(n),
                Ok(k) => {
                    on_chunk(&buf[..k]);
                    n += k as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    })
}

/// Hashes a reader to its end, returning the digest and byte count.
pub fn hash_reader(r: impl Read) -> io::Result<(Sha256, u64)> {
    let mut h = Hasher::new();
    let n = read_chunks(r, |chunk| h.update(chunk))?;
    Ok((Sha256::from_digest(&h.finalize()), n))
}

pub fn hash_file(path: &Path) -> io::Result<(Sha256, u64)> {
    hash_reader(File::open(path)?)
}

/// A per-process folder under `staging/`, locked for as long as it lives, so
/// a later command can tell a crashed import's leftovers (lock free) from a
/// running one's (lock held).
pub struct Staging {
    dir: PathBuf,
    _lock: File,
}

impl Staging {
    pub fn new(staging_root: &Path) -> Result<Staging> {
        let _setup = root_lock(staging_root, libc::LOCK_EX)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("import-{}-", std::process::id()))
            .tempdir_in(staging_root)
            .map_err(|e| Error::io(staging_root, e))?
            .keep();
        let lock_path = dir.join(LOCK_FILE);
        let lock = File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
        // SAFETY: flock on an fd we own; no memory is shared.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(Error::io(&lock_path, io::Error::last_os_error()));
        }
        Ok(Staging { dir, _lock: lock })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Copies `src` into a new temp file here, hashing as it goes. The temp
    /// file is removed if anything fails.
    pub fn copy_in(&self, src: impl Read) -> Result<Staged> {
        self.copy_in_keeping(src, None)
    }

    /// As [`Staging::copy_in`], also appending the bytes copied to `keep`
    /// when given (an import extracts text from them instead of reading the
    /// file a third time).
    pub fn copy_in_keeping(
        &self,
        mut src: impl Read,
        mut keep: Option<&mut Vec<u8>>,
    ) -> Result<Staged> {
        // Created read-only: writing goes through the descriptor opened
        // here, and the object needs no chmod before its rename.
        let mut tmp = tempfile::Builder::new()
            .permissions(fs::Permissions::from_mode(0o400))
            .tempfile_in(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))?;
        let mut h = Hasher::new();
        let mut size = 0u64;
        with_buffer(|buf| -> Result<()> {
            loop {
                let k = match src.read(buf) {
                    Ok(0) => break,
                    Ok(k) => k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::io("<source>", e)),
                };
                h.update(&buf[..k]);
                if let Some(keep) = keep.as_deref_mut() {
                    keep.extend_from_slice(&buf[..k]);
                }
                #[cfg(feature = "failpoints")]
                fail::fail_point!("store::write", |_| Err(Error::io(
                    tmp.path(),
                    io::Error::other("injected write error (fail point store::write)")
                )));
                tmp.write_all(&buf[..k])
                    .map_err(|e| Error::io(tmp.path(), e))?;
                size += k as u64;
            }
            Ok(())
        })?;
        tmp.flush().map_err(|e| Error::io(tmp.path(), e))?;
        #[cfg(feature = "failpoints")]
        fail::fail_point!("store::after_temp_write");
        Ok(Staged {
            tmp,
            sha: Sha256::from_digest(&h.finalize()),
            size,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A staged copy, not yet under its hash name.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    pub sha: Sha256,
    pub size: u64,
}

impl Staged {
    /// Renames the copy to its hash name, read-only. Renaming over an
    /// existing file of the same name is safe: same name, same bytes.
    pub fn persist(self, objects: &Path) -> Result<PathBuf> {
        self.persist_at(Place {
            root: objects,
            layout: Layout::Tree,
        })
    }

    /// [`Staged::persist`] into `place`.
    pub fn persist_at(self, place: Place<'_>) -> Result<PathBuf> {
        let dest = place.path(&self.sha);
        if let Some(parent) = dest.parent() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| Error::io(parent, e))?;
        }
        self.tmp
            .persist(&dest)
            .map_err(|e| Error::io(&dest, e.error))?;
        #[cfg(feature = "failpoints")]
        fail::fail_point!("store::after_rename");
        Ok(dest)
    }
}

/// Makes every file written so far durable, with the folders that name
/// them. On Linux one `syncfs` covers the whole batch; elsewhere each file
/// and its folder is fsynced.
pub fn sync_batch(objects: &Path, written: &[PathBuf]) -> Result<()> {
    if written.is_empty() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        let dir = File::open(objects).map_err(|e| Error::io(objects, e))?;
        // SAFETY: syncfs on an fd we own.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
            #[cfg(feature = "failpoints")]
            fail::fail_point!("store::after_sync");
            return Ok(());
        }
    }
    let mut dirs = std::collections::BTreeSet::new();
    for p in written {
        File::open(p)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(p, e))?;
        let mut d = p.parent();
        while let Some(dir) = d {
            dirs.insert(dir.to_path_buf());
            if dir == objects {
                break;
            }
            d = dir.parent();
        }
    }
    for d in dirs {
        File::open(&d)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&d, e))?;
    }
    #[cfg(feature = "failpoints")]
    fail::fail_point!("store::after_sync");
    Ok(())
}

/// Removes staging folders left by crashed imports (their lock is free) and
/// returns their names. Running imports keep theirs.
pub fn clean_staging(staging_root: &Path) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    if !staging_root.is_dir() {
        return Ok(removed);
    }
    let _cleaning = root_lock(staging_root, libc::LOCK_EX)?;
    let entries = fs::read_dir(staging_root).map_err(|e| Error::io(staging_root, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !is_lock_name(&path) && stale(&path) {
            if path.is_dir() {
                let _ = fs::remove_dir_all(&path);
            } else {
                let _ = fs::remove_file(&path);
            }
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Removes objects an import wrote for a batch that did not commit, so a
/// refused import leaves nothing behind. Only while no other import is in
/// flight (checked under the staging root's lock, which a new import needs
/// to start): another one may have the same bytes and be about to commit
/// rows naming them. Then they stay, as after a crash, for `verify` to
/// report and the next import to reuse. `claimed` says whether the
/// catalogue still names an object path; those stay too.
pub fn remove_uncommitted(
    staging_root: &Path,
    own: &Staging,
    written: &[PathBuf],
    claimed: impl Fn(&Path) -> bool,
) -> Result<()> {
    let _alone = root_lock(staging_root, libc::LOCK_EX)?;
    let others = fs::read_dir(staging_root)
        .map_err(|e| Error::io(staging_root, e))?
        .flatten()
        .map(|e| e.path())
        .any(|p| !is_lock_name(&p) && p != own.dir && p.is_dir() && !stale(&p));
    if others {
        return Ok(());
    }
    for path in written {
        if !claimed(path) {
            let _ = fs::remove_file(path);
        }
    }
    Ok(())
}

/// Lists leftovers without removing them (for `verify`).
pub fn stale_staging(staging_root: &Path) -> Vec<PathBuf> {
    // Shared: several listers may look at once, but not while one is set up.
    // A read-only archive has no lock to take and nothing being set up.
    let _looking = root_lock(staging_root, libc::LOCK_SH).ok();
    let mut found: Vec<PathBuf> = fs::read_dir(staging_root)
        .map(|es| {
            es.flatten()
                .map(|e| e.path())
                .filter(|p| !is_lock_name(p) && stale(p))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Holds off new imports while the caller works, if no import is running
/// now: returns the staging root's lock (blocking `Staging::new` until it
/// drops), or None when a live import's staging folder exists. An import
/// holds its folder from before it stores its first object until after
/// its last commit, so with none alive no stored object awaits its rows.
pub fn hold_off_imports(staging_root: &Path) -> Result<Option<File>> {
    let lock = root_lock(staging_root, libc::LOCK_EX)?;
    let entries = fs::read_dir(staging_root).map_err(|e| Error::io(staging_root, e))?;
    let running = entries
        .flatten()
        .map(|e| e.path())
        .any(|p| !is_lock_name(&p) && p.is_dir() && !stale(&p));
    Ok((!running).then_some(lock))
}

/// Deletes an object file and the folders it leaves empty, making the
/// removal durable. Only for files no catalogue row names (the caller
/// checks, under the write lock); a missing file is not an error.
pub fn remove_object(objects: &Path, sha: &Sha256) -> Result<()> {
    let path = object_path(objects, sha);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    }
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != objects) {
        // Fails (and stops) at the first folder that still holds files.
        if fs::remove_dir(d).is_err() {
            if let Ok(f) = File::open(d) {
                f.sync_all().map_err(|e| Error::io(d, e))?;
            }
            return Ok(());
        }
        dir = d.parent();
    }
    File::open(objects)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(objects, e))
}

/// Creates the staging root's lock file, so the layout `init` makes is the
/// layout every later command finds (nothing appears on first use).
pub fn init_staging(staging_root: &Path) -> Result<()> {
    root_lock(staging_root, libc::LOCK_SH).map(drop)
}

fn is_lock_name(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n == ROOT_LOCK)
}

/// Takes the staging root's lock (blocking; held until the file drops).
fn root_lock(staging_root: &Path, op: libc::c_int) -> Result<File> {
    let path = staging_root.join(ROOT_LOCK);
    let f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    loop {
        // SAFETY: flock on an fd we own; closing it releases the lock.
        if unsafe { libc::flock(f.as_raw_fd(), op) } == 0 {
            return Ok(f);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(Error::io(&path, e));
        }
    }
}

fn stale(path: &Path) -> bool {
    if !path.is_dir() {
        return true;
    }
    match File::open(path.join(LOCK_FILE)) {
        // SAFETY: flock on an fd we own; dropping it releases the lock.
        Ok(f) => unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 },
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_held_off_only_when_none_is_running() {
        let root = tempfile::tempdir().unwrap();
        let objects = root.path().join("objects");
        {
            let _live = Staging::new(root.path()).unwrap();
            assert!(hold_off_imports(root.path()).unwrap().is_none());
        }
        let dead = root.path().join("import-crashed");
        fs::create_dir(&dead).unwrap();
        assert!(hold_off_imports(root.path()).unwrap().is_some());
        // Removing an object takes its emptied folders with it.
        let staging = Staging::new(root.path()).unwrap();
        let dest = staging
            .copy_in(&b"abc"[..])
            .unwrap()
            .persist(&objects)
            .unwrap();
        let sha = hash_file(&dest).unwrap().0;
        remove_object(&objects, &sha).unwrap();
        assert!(!dest.exists());
        assert_eq!(fs::read_dir(&objects).unwrap().count(), 0);
        remove_object(&objects, &sha).unwrap();
    }

    #[test]
    fn known_sha256_vectors() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(hash_reader(*input).unwrap().0.as_str(), *want);
        }
        // A million 'a's crosses many buffer boundaries.
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hash_reader(&million[..]).unwrap(),
            (
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
                    .parse()
                    .unwrap(),
                1_000_000
            )
        );
    }

    #[test]
    fn staged_copy_lands_under_its_hash_read_only() {
        let root = tempfile::tempdir().unwrap();
        let objects = root.path().join("objects");
        let staging = Staging::new(root.path()).unwrap();
        let staged = staging.copy_in(&b"abc"[..]).unwrap();
        let dest = staged.persist(&objects).unwrap();
        assert!(dest
            .ends_with("ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assert_eq!(fs::read(&dest).unwrap(), b"abc");
        assert_eq!(
            fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
            0o400
        );
        sync_batch(&objects, &[dest]).unwrap();
    }

    #[test]
    fn live_staging_is_kept_and_dead_staging_is_cleaned() {
        let root = tempfile::tempdir().unwrap();
        let live = Staging::new(root.path()).unwrap();
        let dead = root.path().join("import-crashed");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join(LOCK_FILE), b"").unwrap();
        fs::write(dead.join("tmp123"), b"partial").unwrap();
        let removed = clean_staging(root.path()).unwrap();
        assert_eq!(removed, vec![dead.clone()]);
        assert!(live.dir().exists());
        assert!(!dead.exists());
    }
}

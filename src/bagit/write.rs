//! Writes a BagIt 1.0 bag: payload streamed into `data/` while its SHA-256
//! is computed, then `manifest-sha256.txt`, `bag-info.txt` (with the
//! computed Payload-Oxum, Bag-Size and Bagging-Date), `tagmanifest-sha256.txt`
//! and, last of all, `bagit.txt` — so an interrupted export is never
//! mistaken for a bag.
//!
//! It writes only into a new or empty folder, never overwrites a file, and
//! holds no file in memory. What goes into the bag (and under which names)
//! is the caller's decision: this module does not know the consent policy,
//! so it must only be handed what the policy has already allowed. Files are
//! created owner-only (0600, folders 0700) because a custodian-level export
//! can hold what the public must not see; loosening that is a deliberate
//! step for whoever hands the bag on.

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{check_relative, encode_path, hash_reader, Algorithm};
use crate::error::{Error, Result};
use crate::model::Sha256;

const MANIFEST: &str = "manifest-sha256.txt";
const TAGMANIFEST: &str = "tagmanifest-sha256.txt";
const BAG_INFO: &str = "bag-info.txt";
const BAGIT_TXT: &str = "bagit.txt";
const DECLARATION: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
/// bag-info.txt fields the writer computes; a caller's value is replaced.
const COMPUTED: [&str; 3] = ["Bagging-Date", "Bag-Size", "Payload-Oxum"];

/// One payload file as written.
#[derive(Debug, Clone, Serialize)]
pub struct PayloadEntry {
    /// Relative to the bag, starting `data/`.
    pub path: String,
    pub sha256: Sha256,
    pub size: u64,
}

/// What a finished bag holds.
#[derive(Debug, Clone, Serialize)]
pub struct BagSummary {
    pub bag: PathBuf,
    pub payload_files: u64,
    pub payload_bytes: u64,
    pub payload_oxum: String,
    /// `bag-info.txt` as written, in order.
    pub info: Vec<(String, String)>,
}

/// A bag being written. Call [`BagWriter::finish`]; dropped without it, the
/// folder is left without `bagit.txt` (not a bag) for the caller to remove.
pub struct BagWriter {
    root: PathBuf,
    manifest: BufWriter<File>,
    payload: HashSet<String>,
    payload_files: u64,
    payload_bytes: u64,
    /// Tag files added by the caller: (path, sha256, size).
    tags: Vec<(String, String, u64)>,
    /// Folders created, fsynced at the end so new names are durable.
    dirs: BTreeSet<PathBuf>,
}

impl BagWriter {
    /// Starts a bag at `dir`, which must not exist or be an empty folder.
    pub fn create(dir: &Path) -> Result<BagWriter> {
        match fs::read_dir(dir) {
            Ok(mut rd) => {
                if rd.next().is_some() {
                    return Err(Error::usage(format!(
                        "{}: the folder is not empty; a bag is written only into a new or empty folder",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                mkdir(dir, true)?;
            }
            Err(e) => return Err(Error::io(dir, e)),
        }
        mkdir(&dir.join("data"), false)?;
        let manifest = BufWriter::new(create_file(&dir.join(MANIFEST))?);
        let mut dirs = BTreeSet::new();
        dirs.insert(dir.to_path_buf());
        dirs.insert(dir.join("data"));
        Ok(BagWriter {
            root: dir.to_path_buf(),
            manifest,
            payload: HashSet::new(),
            payload_files: 0,
            payload_bytes: 0,
            tags: Vec::new(),
            dirs,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Streams `reader` into `data/<rel_path>`, hashing as it copies, and
    /// records it in the payload manifest.
    pub fn add_payload(&mut self, rel_path: &str, mut reader: impl Read) -> Result<PayloadEntry> {
        check_relative(rel_path).map_err(|e| Error::usage(format!("{rel_path:?}: {e}")))?;
        let path = format!("data/{rel_path}");
        if !self.payload.insert(path.clone()) {
            return Err(Error::usage(format!("{path:?} is already in the bag")));
        }
        let dest = self.root.join(&path);
        self.make_parents(&dest)?;
        let mut out = BufWriter::new(create_file(&dest)?);
        let (sha, size) = copy_hashing(&mut reader, &mut out).map_err(|e| Error::io(&dest, e))?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&dest, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&dest, e))?;
        writeln!(self.manifest, "{sha}  {}", encode_path(&path))
            .map_err(|e| Error::io(self.root.join(MANIFEST), e))?;
        self.payload_files += 1;
        self.payload_bytes += size;
        Ok(PayloadEntry {
            path,
            sha256: sha
                .parse()
                .map_err(|e: String| Error::Failed(format!("internal: {e}")))?,
            size,
        })
    }

    /// Writes a tag file (e.g. `metadata/items.json`) outside `data/`; it is
    /// covered by the tag manifest.
    pub fn add_tag_file(&mut self, rel_path: &str, bytes: &[u8]) -> Result<()> {
        check_relative(rel_path).map_err(|e| Error::usage(format!("{rel_path:?}: {e}")))?;
        let reserved = rel_path == "data"
            || rel_path.starts_with("data/")
            || [BAGIT_TXT, BAG_INFO, "fetch.txt"].contains(&rel_path)
            || (!rel_path.contains('/')
                && (rel_path.starts_with("manifest-") || rel_path.starts_with("tagmanifest-")));
        if reserved || self.tags.iter().any(|(p, _, _)| p == rel_path) {
            return Err(Error::usage(format!(
                "{rel_path:?} cannot be a tag file: the name is taken or reserved by BagIt"
            )));
        }
        let dest = self.root.join(rel_path);
        self.make_parents(&dest)?;
        let sha = write_new(&dest, bytes)?;
        self.tags
            .push((rel_path.to_string(), sha, bytes.len() as u64));
        Ok(())
    }

    /// Writes the manifests, `bag-info.txt` (the given fields, in order, then
    /// Bagging-Date, Bag-Size and Payload-Oxum) and `bagit.txt`.
    pub fn finish(mut self, info: &[(String, String)]) -> Result<BagSummary> {
        let manifest_path = self.root.join(MANIFEST);
        self.manifest
            .flush()
            .and_then(|_| self.manifest.get_ref().sync_all())
            .map_err(|e| Error::io(&manifest_path, e))?;
        let manifest_sum = File::open(&manifest_path)
            .and_then(|f| hash_reader(f, &[Algorithm::Sha256]))
            .map_err(|e| Error::io(&manifest_path, e))?;

        let mut fields: Vec<(String, String)> = Vec::new();
        for (label, value) in info {
            check_label(label)?;
            if !COMPUTED.iter().any(|c| c.eq_ignore_ascii_case(label)) {
                fields.push((label.clone(), value.clone()));
            }
        }
        let tag_bytes: u64 = self.tags.iter().map(|t| t.2).sum();
        let oxum = format!("{}.{}", self.payload_bytes, self.payload_files);
        fields.push((
            "Bagging-Date".into(),
            crate::clock::today().format("%Y-%m-%d").to_string(),
        ));
        fields.push((
            "Bag-Size".into(),
            crate::output::human_bytes(self.payload_bytes + tag_bytes + manifest_sum.1),
        ));
        fields.push(("Payload-Oxum".into(), oxum.clone()));
        let bag_info = render_tags(&fields);

        let mut covered: Vec<(String, String)> = vec![
            (BAGIT_TXT.into(), sha256_hex(DECLARATION.as_bytes())),
            (
                BAG_INFO.into(),
                write_new(&self.root.join(BAG_INFO), bag_info.as_bytes())?,
            ),
            (MANIFEST.into(), manifest_sum.0[0].clone()),
        ];
        covered.extend(self.tags.iter().map(|(p, s, _)| (p.clone(), s.clone())));
        covered.sort();
        let tagmanifest: String = covered
            .iter()
            .map(|(p, s)| format!("{s}  {}\n", encode_path(p)))
            .collect();
        write_new(&self.root.join(TAGMANIFEST), tagmanifest.as_bytes())?;
        write_new(&self.root.join(BAGIT_TXT), DECLARATION.as_bytes())?;
        for d in &self.dirs {
            File::open(d)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(d, e))?;
        }
        Ok(BagSummary {
            bag: self.root,
            payload_files: self.payload_files,
            payload_bytes: self.payload_bytes,
            payload_oxum: oxum,
            info: fields,
        })
    }

    fn make_parents(&mut self, dest: &Path) -> Result<()> {
        let Some(parent) = dest.parent() else {
            return Ok(());
        };
        if self.dirs.contains(parent) {
            return Ok(());
        }
        let mut chain = Vec::new();
        let mut d = Some(parent);
        while let Some(p) = d {
            if self.dirs.contains(p) || p == self.root {
                break;
            }
            chain.push(p.to_path_buf());
            d = p.parent();
        }
        for p in chain.into_iter().rev() {
            if !p.is_dir() {
                mkdir(&p, false)?;
            }
            self.dirs.insert(p);
        }
        Ok(())
    }
}

/// `Label: value` lines; a multi-line value continues on lines indented by
/// two spaces (RFC 8493 §2.2.2), which `parse_tags` reads back unchanged.
pub(crate) fn render_tags(fields: &[(String, String)]) -> String {
    let mut out = String::new();
    for (label, value) in fields {
        out.push_str(label);
        out.push(':');
        for (i, line) in value.replace("\r\n", "\n").split(['\n', '\r']).enumerate() {
            out.push_str(if i == 0 { " " } else { "\n  " });
            out.push_str(line.trim());
        }
        out.push('\n');
    }
    out
}

fn check_label(label: &str) -> Result<()> {
    let ok = !label.is_empty()
        && label.trim() == label
        && !label.contains([':', '\n', '\r'])
        && !label.starts_with([' ', '\t']);
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "bag-info label {label:?}: a label is one line, without ':' or surrounding spaces"
        )))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    super::hex(&sha2::Sha256::digest(bytes))
}

fn mkdir(dir: &Path, recursive: bool) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(recursive)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))
}

fn create_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// Writes a new small file durably and returns its SHA-256.
fn write_new(path: &Path, bytes: &[u8]) -> Result<String> {
    let mut f = create_file(path)?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(path, e))?;
    Ok(sha256_hex(bytes))
}

/// Copies `r` into `w` in chunks while computing SHA-256.
fn copy_hashing(r: &mut impl Read, w: &mut impl Write) -> std::io::Result<(String, u64)> {
    let tee = TeeReader {
        inner: r,
        out: &mut *w,
    };
    let (sums, n) = hash_reader(tee, &[Algorithm::Sha256])?;
    w.flush()?;
    Ok((sums.into_iter().next().unwrap_or_default(), n))
}

/// A reader that writes everything it reads to `out`: hashing and copying
/// in one pass over the source.
struct TeeReader<'a, R: Read, W: Write> {
    inner: &'a mut R,
    out: &'a mut W,
}

impl<R: Read, W: Write> Read for TeeReader<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}

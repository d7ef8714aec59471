//! The parallel half of an import: for one file, hash it, detect its media
//! type, copy it into the store if its bytes are new, and extract its text.
//!
//! Runs on worker threads, so it must not touch the catalogue: whether the
//! bytes are really new is settled later by the committer. A file that
//! changes while being read is caught because it is read twice (hash, then
//! copy-and-hash) and the two digests must agree, as must its size and
//! modification time before and after.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256 as Hasher};

use super::{extract, mediatype};
use crate::error::Error;
use crate::model::Sha256;
use crate::store::{self, Staging};

/// Text is extracted only from files up to this size: larger "text" is
/// almost always data, and would bloat the index.
pub const EXTRACT_LIMIT: u64 = 16 * 1024 * 1024;
/// HTML parsing slows down sharply on deeply nested (or hostile) markup;
/// real pages are far below this.
const HTML_EXTRACT_LIMIT: u64 = 4 * 1024 * 1024;
/// A PDF's bytes are mostly images and fonts, not text, so an ordinary
/// illustrated report is often larger than EXTRACT_LIMIT. The PDF reader
/// caps what it decompresses and the text it returns on its own.
const PDF_EXTRACT_LIMIT: u64 = 64 * 1024 * 1024;
const HEAD: usize = 8 * 1024;

/// What the worker learned about one file.
#[derive(Debug)]
pub struct Prepared {
    pub sha: Sha256,
    pub size: u64,
    pub media_type: String,
    /// True when the object file was already in the store before this file
    /// was read (probably a duplicate; the committer decides).
    pub already_stored: bool,
    /// The object path written by this import, to be synced before commit.
    pub written: Option<PathBuf>,
    pub extracted: extract::Extracted,
    /// A recording's technical metadata, read from the stored copy.
    pub technical: Option<crate::media::Technical>,
}

pub struct Context<'a> {
    pub objects: store::Place<'a>,
    /// None for a dry run: nothing is copied.
    pub staging: Option<&'a Staging>,
}

pub fn prepare(path: &Path, ctx: &Context<'_>) -> Result<Prepared, String> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| reason(&e))?;
    let before = stamp(&file)?;
    let mut head = Vec::with_capacity(HEAD);
    let (sha, size) = hash_keeping_head(&mut file, &mut head).map_err(|e| reason(&e))?;
    let media_type = mediatype::detect(path.file_name().unwrap_or_default(), &head);
    let dest = ctx.objects.path(&sha);
    let already_stored = dest.is_file();
    let mut written = None;
    let wants_text = !already_stored && extractable(&media_type, size);
    // The copy's bytes, kept for text extraction (at most PDF_EXTRACT_LIMIT).
    let mut kept = Vec::new();
    if let (Some(staging), false) = (ctx.staging, already_stored) {
        if super::interrupt::requested() {
            return Err(super::interrupt::NOT_REACHED.into());
        }
        file.seek(SeekFrom::Start(0)).map_err(|e| reason(&e))?;
        if wants_text {
            kept.reserve_exact(size as usize);
        }
        let staged = staging
            .copy_in_keeping(&mut file, wants_text.then_some(&mut kept))
            .map_err(|e| error_reason(&e))?;
        if staged.sha != sha || staged.size != size {
            return Err("changed while being read (its hash differs between two reads); import it again when it is stable".into());
        }
        // Last moment to stop: the staged copy is dropped (removed) here;
        // once renamed, the object must be committed by the writer.
        if super::interrupt::requested() {
            return Err(super::interrupt::NOT_REACHED.into());
        }
        written = Some(
            staged
                .persist_at(ctx.objects)
                .map_err(|e| error_reason(&e))?,
        );
    }
    if stamp(&file)? != before || before.0 != size {
        return Err("changed while being read (size or modification time moved); import it again when it is stable".into());
    }
    let extracted = if wants_text && written.is_some() {
        // Exactly the bytes stored (their digest was just checked).
        extract::extract(&media_type, &kept)
    } else if wants_text {
        // A dry run copies nothing: read the file itself.
        std::fs::read(path)
            .map(|bytes| extract::extract(&media_type, &bytes))
            .unwrap_or_default()
    } else {
        extract::Extracted::default()
    };
    // Read from exactly the bytes stored; a dry run reads the file itself.
    let technical = match (&written, already_stored) {
        (Some(object), _) => crate::media::probe::characterise(object, &media_type),
        (None, false) => crate::media::probe::characterise(path, &media_type),
        (None, true) => None,
    };
    Ok(Prepared {
        sha,
        size,
        media_type,
        already_stored,
        written,
        extracted,
        technical,
    })
}

/// Text for an item whose object was found already stored but had no row
/// (a crashed import's leftover): read from the stored copy.
pub fn extract_stored(object: &Path, media_type: &str, size: u64) -> extract::Extracted {
    if extractable(media_type, size) {
        std::fs::read(object)
            .map(|b| extract::extract(media_type, &b))
            .unwrap_or_default()
    } else {
        extract::Extracted::default()
    }
}

fn extractable(media_type: &str, size: u64) -> bool {
    let limit = match media_type {
        "text/html" => HTML_EXTRACT_LIMIT,
        "application/pdf" => PDF_EXTRACT_LIMIT,
        _ if media_type.starts_with("text/") => EXTRACT_LIMIT,
        _ => return false,
    };
    size <= limit
}

fn hash_keeping_head(file: &mut File, head: &mut Vec<u8>) -> std::io::Result<(Sha256, u64)> {
    let mut h = Hasher::new();
    let n = store::read_chunks(file, |chunk| {
        if head.len() < HEAD {
            let take = (HEAD - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        h.update(chunk);
    })?;
    Ok((Sha256::from_digest(&h.finalize()), n))
}

fn stamp(file: &File) -> Result<(u64, Option<SystemTime>), String> {
    let m = file.metadata().map_err(|e| reason(&e))?;
    Ok((m.len(), m.modified().ok()))
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "cannot be read: permission denied".into(),
        std::io::ErrorKind::NotFound => "vanished before it could be read".into(),
        _ => format!("cannot be read: {e}"),
    }
}

fn error_reason(e: &Error) -> String {
    format!("could not be stored: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_html_and_pdf_are_extracted_up_to_their_own_caps() {
        let cases = [
            ("text/plain", EXTRACT_LIMIT, true),
            ("text/plain", EXTRACT_LIMIT + 1, false),
            ("text/html", HTML_EXTRACT_LIMIT, true),
            ("text/html", HTML_EXTRACT_LIMIT + 1, false),
            ("application/pdf", PDF_EXTRACT_LIMIT, true),
            ("application/pdf", PDF_EXTRACT_LIMIT + 1, false),
            ("image/png", 10, false),
            ("application/octet-stream", 10, false),
        ];
        for (media_type, size, want) in cases {
            assert_eq!(extractable(media_type, size), want, "{media_type} {size}");
        }
    }
}

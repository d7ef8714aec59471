//! The synthetic file corpus that imports are measured on, and the single
//! large file for the peak-memory measurement.
//!
//! Everything is derived from the seed: text files of invented prose with
//! log-normal sizes around 4 KiB (a few of 1 MiB), 1% exact duplicates of
//! earlier files, five 20 MiB binary files, in nested folders, plus a
//! manifest CSV (path,title,kind,date,language,collection). Generation may
//! write only under the folder it is given; it must never read real
//! documents or the network, and never leave a half-written corpus looking
//! complete (the `.done` marker is written last).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::rng::{Prose, Rng};
use crate::{ctx, Res};

const MEDIA_FILES: usize = 5;
const MEDIA_BYTES: usize = 20 * 1024 * 1024;
const MIB: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Corpus {
    /// The folder `custos import` is given (holds text/ and media/).
    pub files: PathBuf,
    pub manifest: PathBuf,
    pub count: usize,
    pub bytes: u64,
}

struct Doc {
    rel: String,
    title: String,
    kind: &'static str,
    date: String,
    language: &'static str,
    collection: String,
}

const KINDS: &[&str] = &["article", "report", "letter", "testimony", "other"];
const KIND_W: &[u32] = &[30, 20, 25, 15, 10];
const LANGS: &[&str] = &["en", "hy", "az", "ru", "de"];
const LANG_W: &[u32] = &[50, 15, 15, 15, 5];

/// Generates the corpus under `dir` unless a complete one with the same
/// parameters is already there.
pub fn generate(dir: &Path, seed: u64, files: usize) -> Res<Corpus> {
    let marker = dir.join(".done");
    let params = format!("seed={seed} files={files} media={MEDIA_FILES}x{MEDIA_BYTES}\n");
    let root = dir.join("files");
    let manifest = dir.join("manifest.csv");
    if fs::read_to_string(&marker).ok().as_deref() == Some(params.as_str()) {
        let bytes = dir_bytes(&root)?;
        return Ok(Corpus {
            files: root,
            manifest,
            count: files + MEDIA_FILES,
            bytes,
        });
    }
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(ctx(dir, "removing an incomplete corpus"))?;
    }
    let prose = Prose::new();
    let collections = crate::rng::names(12, 7);
    // Which earlier file each duplicate copies, decided up front so the
    // parallel writers need no shared state.
    let mut plan = Rng::new(seed ^ 0xD0C5);
    let source: Vec<usize> = (0..files)
        .map(|i| {
            if i > 10 && plan.chance(0.01) {
                plan.below(i as u64) as usize
            } else {
                i
            }
        })
        .collect();
    let source: Vec<usize> = source
        .iter()
        .map(|&s| {
            // A duplicate of a duplicate copies the original.
            let mut s = s;
            while source[s] != s {
                s = source[s];
            }
            s
        })
        .collect();
    let docs: Vec<Res<(Doc, u64)>> = (0..files)
        .into_par_iter()
        .map(|i| {
            let (doc, body) = text_file(seed, i, source[i], &prose, &collections);
            let path = root.join(&doc.rel);
            if let Some(p) = path.parent() {
                fs::create_dir_all(p).map_err(ctx(p, "creating a corpus folder"))?;
            }
            fs::write(&path, &body).map_err(ctx(&path, "writing a corpus file"))?;
            Ok((doc, body.len() as u64))
        })
        .collect();
    let mut rows = Vec::with_capacity(files);
    let mut bytes = 0;
    for d in docs {
        let (doc, n) = d?;
        bytes += n;
        rows.push(doc);
    }
    let media = root.join("media");
    fs::create_dir_all(&media).map_err(ctx(&media, "creating the media folder"))?;
    for m in 0..MEDIA_FILES {
        let path = media.join(format!("tape-{m:02}.bin"));
        write_random(&path, seed ^ (0xA0D1_0000 + m as u64), MEDIA_BYTES as u64)?;
        bytes += MEDIA_BYTES as u64;
        let mut r = Rng::for_item(seed, 3, m as u64);
        rows.push(Doc {
            rel: format!("media/tape-{m:02}.bin"),
            title: format!("Tape {m}: {}", prose.phrase(&mut r, 3)),
            kind: "audio",
            date: format!("{}", r.range(1985, 2020)),
            language: "en",
            collection: collections[0].clone(),
        });
    }
    write_manifest(&manifest, &rows)?;
    fs::write(&marker, params).map_err(ctx(&marker, "writing the corpus marker"))?;
    Ok(Corpus {
        files: root,
        manifest,
        count: files + MEDIA_FILES,
        bytes,
    })
}

/// File `i`'s description, and the bytes of file `src` (itself unless it is
/// a duplicate): a duplicate has its own name but another file's bytes.
fn text_file(
    seed: u64,
    i: usize,
    src: usize,
    prose: &Prose,
    collections: &[String],
) -> (Doc, Vec<u8>) {
    let mut meta = Rng::for_item(seed, 1, i as u64);
    let mut body = Rng::for_item(seed, 2, src as u64);
    let ext = [
        "txt", "txt", "txt", "txt", "txt", "txt", "md", "md", "md", "html",
    ][Rng::for_item(seed, 4, src as u64).below(10) as usize];
    let size = if src % 4000 == 1999 {
        MIB
    } else {
        (body.lognormal(4096.0, 1.0) as usize).clamp(200, MIB)
    };
    let title = prose.phrase(&mut body, 4);
    let mut text = String::with_capacity(size + 200);
    match ext {
        "md" => {
            text.push_str("# ");
            text.push_str(&title);
            text.push_str("\n\n");
            prose.write(&mut body, &mut text, size);
        }
        "html" => {
            text.push_str("<!doctype html>\n<html><head><title>");
            text.push_str(&title);
            text.push_str("</title></head><body>\n<p>");
            prose.write(&mut body, &mut text, size);
            text.push_str("</p>\n</body></html>\n");
        }
        _ => prose.write(&mut body, &mut text, size),
    }
    let rel = format!(
        "text/c{:02}/b{:02}/f{}/doc-{i:05}.{ext}",
        i % 8,
        (i / 8) % 10,
        (i / 80) % 5
    );
    let kind = KINDS[meta.weighted(KIND_W)];
    let year = meta.range(1940, 2024);
    let date = match meta.below(6) {
        0 => format!("{year}"),
        1 => format!("{year}-{:02}", meta.range(1, 12)),
        2 => format!("{year}~"),
        _ => format!("{year}-{:02}-{:02}", meta.range(1, 12), meta.range(1, 28)),
    };
    let doc = Doc {
        rel,
        title: prose.phrase(&mut meta, 5),
        kind,
        date,
        language: LANGS[meta.weighted(LANG_W)],
        collection: collections[meta.below(collections.len() as u64) as usize].clone(),
    };
    (doc, text.into_bytes())
}

fn write_manifest(path: &Path, rows: &[Doc]) -> Res<()> {
    let file = File::create(path).map_err(ctx(path, "creating the manifest"))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    w.write_record(["path", "title", "kind", "date", "language", "collection"])?;
    for d in rows {
        w.write_record([
            format!("files/{}", d.rel).as_str(),
            &d.title,
            d.kind,
            &d.date,
            d.language,
            &d.collection,
        ])?;
    }
    w.flush().map_err(ctx(path, "writing the manifest"))?;
    Ok(())
}

/// Streams `len` pseudo-random bytes to `path` (real blocks, not sparse,
/// and incompressible), in 1 MiB writes so memory stays flat.
pub fn write_random(path: &Path, seed: u64, len: u64) -> Res<()> {
    let file = File::create(path).map_err(ctx(path, "creating a binary file"))?;
    let mut w = BufWriter::with_capacity(MIB, file);
    let mut rng = Rng::new(seed);
    let mut buf = vec![0u8; MIB];
    let mut left = len;
    while left > 0 {
        let n = left.min(MIB as u64) as usize;
        rng.fill(&mut buf[..n]);
        w.write_all(&buf[..n])
            .map_err(ctx(path, "writing a binary file"))?;
        left -= n as u64;
    }
    let f = w
        .into_inner()
        .map_err(|e| format!("{}: flushing: {}", path.display(), e.error()))?;
    f.sync_all().map_err(ctx(path, "syncing a binary file"))?;
    Ok(())
}

pub fn dir_bytes(dir: &Path) -> Res<u64> {
    let mut n = 0;
    for e in walkdir::WalkDir::new(dir) {
        let e = e?;
        if e.file_type().is_file() {
            n += e.metadata()?.len();
        }
    }
    Ok(n)
}

/// Every regular file under `dir`, sorted (the input of the hashing floor).
pub fn list_files(dir: &Path) -> Res<Vec<PathBuf>> {
    let mut v = Vec::new();
    for e in walkdir::WalkDir::new(dir) {
        let e = e?;
        if e.file_type().is_file() {
            v.push(e.into_path());
        }
    }
    v.sort();
    Ok(v)
}

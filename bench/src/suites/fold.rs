//! The cross-script full-text suite (issue 13): what the folded twins of
//! the full-text indexes cost at import and on disk. The text files of the
//! corpus are imported as they are (ASCII: no twin rows) and rendered
//! letter by letter in Cyrillic (every row twinned), each by the custos
//! under test and, side by side in the same run, by a baseline binary built
//! before the twins (`--baseline`). Like every suite it measures and
//! records rows; it does not format the report.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::Bench;
use crate::corpus::Corpus;
use crate::report::Row;
use crate::{ctx, Res};

/// Latin letters to Cyrillic ones (ASCII text only; everything else kept),
/// so the Cyrillic corpus has the Latin one's words, lengths and layout.
fn cyrillic(text: &str) -> String {
    const MAP: [char; 26] = [
        'а', 'б', 'ц', 'д', 'е', 'ф', 'г', 'х', 'и', 'й', 'к', 'л', 'м', 'н', 'о', 'п', 'я', 'р',
        'с', 'т', 'у', 'в', 'ш', 'ж', 'ы', 'з',
    ];
    text.chars()
        .map(|c| match c {
            'a'..='z' => MAP[(c as u8 - b'a') as usize],
            'A'..='Z' => MAP[(c as u8 - b'A') as usize]
                .to_uppercase()
                .next()
                .unwrap_or(c),
            other => other,
        })
        .collect()
}

/// The corpus's text files (not its media) under `latin/`, linked, and
/// rendered in Cyrillic under `cyrillic/`.
fn scripts(corpus: &Corpus, dir: &Path) -> Res<(PathBuf, PathBuf, u64)> {
    let (latin, cyr) = (dir.join("latin"), dir.join("cyrillic"));
    let mut files = 0;
    for f in crate::corpus::list_files(&corpus.files)? {
        let rel = f.strip_prefix(&corpus.files).map_err(|e| e.to_string())?;
        if rel.starts_with("media") {
            continue;
        }
        let text = std::fs::read_to_string(&f).map_err(ctx(&f, "reading a corpus file"))?;
        for (root, body) in [(&latin, text.clone()), (&cyr, cyrillic(&text))] {
            let p = root.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(ctx(parent, "creating a folder"))?;
            }
            std::fs::write(&p, body).map_err(ctx(&p, "writing a file"))?;
        }
        files += 1;
    }
    Ok((latin, cyr, files))
}

/// Bytes of each table and index of an archive's catalogue (dbstat).
fn table_bytes(archive: &Path, prefix: &str) -> Option<u64> {
    let db = archive.join("custos.db");
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    conn.query_row(
        "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?1 || '%'",
        [prefix],
        |r| r.get::<_, Option<i64>>(0),
    )
    .ok()
    .flatten()
    .map(|n| n as u64)
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

impl Bench {
    /// Imports of the Latin and the Cyrillic text corpus by this custos and
    /// by `baseline` (one without the folded twins), and the sizes.
    pub fn fold(&mut self, corpus: &Corpus, baseline: Option<&Path>) -> Res<Vec<String>> {
        let dir = self.fresh("fold");
        eprintln!("custos-bench: rendering the corpus in Cyrillic");
        let (latin, cyr, files) = scripts(corpus, &dir)?;
        let mut sizes = Vec::new();
        let ours = self.custos.clone();
        let mut binaries = vec![("custos", ours.clone())];
        if let Some(b) = baseline {
            binaries.push(("baseline (no twins)", b.to_path_buf()));
        }
        // Side by side: both binaries on one script before the next script.
        for (script, root) in [("Latin", &latin), ("Cyrillic", &cyr)] {
            for (who, bin) in &binaries {
                let who = *who;
                self.custos = bin.clone();
                let row = Row::new(
                    "Full text across scripts",
                    format!("{who}: import {files} {script} text files (with FTS)"),
                    "custos import DIR",
                );
                let mut row = row;
                row.files = Some(files);
                let mut archives = Vec::new();
                let args: Vec<OsString> = vec!["import".into(), root.clone().into()];
                self.measure(row, self.runs, "logs/fold.log", |b| {
                    let a = b.init("fold-archive")?;
                    archives.push(a.clone());
                    Ok((b.custos(Some(&a), &args), b.io("fold")))
                });
                if let Some(a) = archives.first() {
                    // A checkpointed catalogue, so the file is the whole size.
                    if let Ok(c) = rusqlite::Connection::open(a.join("custos.db")) {
                        let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                    }
                    let db = a.join("custos.db");
                    let total = file_size(&db) + file_size(&a.join("custos.db-wal"));
                    let plain = table_bytes(a, "item_fts");
                    let twins = ["item_fts_fold", "item_fts_full_fold", "item_fts_timed_fold"]
                        .iter()
                        .filter_map(|t| table_bytes(a, t))
                        .sum::<u64>();
                    let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
                    sizes.push(format!(
                        "{who}, {script}: catalogue {:.1} MiB; full-text tables (item_fts*) {}; of which folded twins {:.1} MiB",
                        mib(total),
                        plain.map_or("n/a".into(), |n| format!("{:.1} MiB", mib(n))),
                        mib(twins)
                    ));
                }
                for a in archives {
                    crate::remove_tree(&a)?;
                }
            }
        }
        self.custos = ours;
        crate::remove_tree(&dir)?;
        Ok(sizes)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cyrillic_rendering_keeps_layout() {
        let s = super::cyrillic("Fictional note 12, Velmora.\n");
        assert_eq!(
            s.chars().count(),
            "Fictional note 12, Velmora.\n".chars().count()
        );
        assert!(s.starts_with('Ф') && s.contains("12,") && !s.contains('o'));
    }
}

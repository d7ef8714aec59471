//! The memory suite: peak resident memory importing one large file and
//! long manifests, with the data generated for the run and removed after.
//! Like every suite it measures and records rows; it does not format the
//! report.

use super::Bench;
use crate::report::{Row, Target};
use crate::{ctx, Res};

impl Bench {
    /// Peak memory importing one large file (generated, then deleted).
    pub fn big_file(&mut self, mib: u64, seed: u64) -> Res<()> {
        let dir = self.fresh("big");
        std::fs::create_dir_all(&dir).map_err(ctx(&dir, "creating a folder"))?;
        let file = dir.join("big.bin");
        eprintln!("custos-bench: writing a {mib} MiB file");
        crate::corpus::write_random(&file, seed ^ 0xB16, mib * 1024 * 1024)?;
        let mut row = Row::new(
            "Memory",
            format!("import one {mib} MiB file: peak memory"),
            "custos import big.bin",
        )
        .with_target(Target::Rss(64));
        row.bytes = Some(mib * 1024 * 1024);
        let mut archives = Vec::new();
        self.measure(row, 1, "logs/big.log", |b| {
            let a = b.init("big-archive")?;
            archives.push(a.clone());
            let args = ["import".into(), file.clone().into()];
            Ok((b.custos(Some(&a), &args), b.io("big")))
        });
        // Only this one large file is removed now; it is what would fill
        // the disk if many runs kept it.
        std::fs::remove_file(&file).map_err(ctx(&file, "removing the large file"))?;
        for a in archives {
            crate::remove_tree(&a)?;
        }
        Ok(())
    }

    /// Peak memory importing manifests of 10,000 and 100,000 rows (tiny
    /// generated files, then deleted): a manifest streams, so memory must
    /// not grow with its length beyond the per-file outcomes kept for the
    /// final report.
    pub fn big_manifest(&mut self) -> Res<()> {
        let dir = self.fresh("manifest-rows");
        let files = dir.join("files");
        let mut peaks = Vec::new();
        for rows in [10_000u64, 100_000] {
            let manifest = dir.join(format!("manifest-{rows}.csv"));
            let mut csv = String::from("path,title,kind,date,places\n");
            for i in 0..rows {
                let rel = format!("files/{:03}/note-{i}.txt", i / 1000);
                let path = dir.join(&rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(ctx(parent, "creating a folder"))?;
                }
                if !path.exists() {
                    let text = format!("Fictional note {i} from the invented town of Velmora.\n");
                    std::fs::write(&path, text).map_err(ctx(&path, "writing a file"))?;
                }
                let places = if i % 3 == 0 { "" } else { "Velmora;Oster" };
                csv.push_str(&format!(
                    "{rel},Note {i} (fictional),other,{},{places}\n",
                    1950 + i % 60
                ));
            }
            std::fs::write(&manifest, csv).map_err(ctx(&manifest, "writing the manifest"))?;
            let row = Row::new(
                "Memory",
                format!("import --manifest of {rows} rows: peak memory"),
                format!("custos import --manifest manifest-{rows}.csv"),
            )
            .with_target(Target::Rss(256));
            let mut archives = Vec::new();
            self.measure(row, 1, "logs/manifest-rows.log", |b| {
                let a = b.init(&format!("manifest-{rows}-archive"))?;
                archives.push(a.clone());
                let args = [
                    "import".into(),
                    "--manifest".into(),
                    manifest.clone().into(),
                ];
                Ok((b.custos(Some(&a), &args), b.io("manifest-rows")))
            });
            if let Some(s) = self.rows.last().and_then(|r| r.summary()) {
                peaks.push(s.maxrss_kib);
            }
            for a in archives {
                crate::remove_tree(&a)?;
            }
        }
        if let [small, large] = peaks[..] {
            self.ratios.push(format!(
                "peak RSS, manifest of 100,000 rows ÷ 10,000 rows: {:.1} ({} ÷ {} MiB)",
                large as f64 / small.max(1) as f64,
                large / 1024,
                small / 1024
            ));
        }
        crate::remove_tree(&files)?;
        Ok(())
    }
}

//! The sites suite (issue 14): `replicate` to one S3 site and `verify
//! --site` of it, on the corpus, and the peak memory of both for one large
//! object, against a real SeaweedFS (`weed mini`) that this suite starts on
//! loopback ports and stops at the end; and the primary suite: import of
//! the corpus with an S3 primary store beside a local import. Without
//! `weed` the rows say they were skipped. Like every suite it measures and
//! records rows; it does not format the report, and it never touches a
//! store it did not start.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Bench;
use crate::corpus::Corpus;
use crate::report::{Row, Target};
use crate::{ctx, Res};

/// A fictional identity for the store this suite starts and throws away.
const KEY: &str = "AKCUSTOSBENCH001";
const SECRET: &str = "custos-bench-secret-not-a-real-one";
const BUCKET: &str = "custos-bench";

struct Weed {
    child: Child,
    endpoint: String,
    s3_port: u16,
}

fn free_port(taken: &mut Vec<u16>, plus: u16) -> Res<u16> {
    for _ in 0..200 {
        let p = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let Some(q) = p.checked_add(plus) else {
            continue;
        };
        if taken.contains(&p) || taken.contains(&q) || TcpListener::bind(("127.0.0.1", q)).is_err()
        {
            continue;
        }
        taken.extend([p, q]);
        return Ok(p);
    }
    Err("no free loopback port".into())
}

impl Weed {
    fn start(dir: &Path) -> Res<Weed> {
        std::fs::create_dir_all(dir.join("data")).map_err(ctx(dir, "creating a folder"))?;
        let config = dir.join("s3.json");
        std::fs::write(
            &config,
            format!(
                r#"{{"identities":[{{"name":"bench","credentials":[{{"accessKey":"{KEY}","secretKey":"{SECRET}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}]}}"#
            ),
        )
        .map_err(ctx(&config, "writing"))?;
        let mut taken = Vec::new();
        // weed puts each server's gRPC port (and the admin worker) 10000 up.
        let mut ports = Vec::new();
        for _ in 0..5 {
            ports.push(free_port(&mut taken, 10000)?);
        }
        let (iceberg, lance) = (free_port(&mut taken, 1)?, free_port(&mut taken, 1)?);
        let log = std::fs::File::create(dir.join("weed.log")).map_err(ctx(dir, "log"))?;
        let child = Command::new("weed")
            .arg("mini")
            .arg(format!("-dir={}", dir.join("data").display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-bucket={BUCKET}"))
            .arg(format!("-s3.config={}", config.display()))
            .arg(format!("-master.port={}", ports[0]))
            .arg(format!("-volume.port={}", ports[1]))
            .arg(format!("-filer.port={}", ports[2]))
            .arg(format!("-s3.port={}", ports[3]))
            .arg(format!("-admin.port={}", ports[4]))
            .arg(format!("-s3.port.iceberg={iceberg}"))
            .arg(format!("-s3.port.lance={lance}"))
            .args(["-webdav=false", "-admin.ui=false"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let w = Weed {
            child,
            endpoint: format!("http://127.0.0.1:{}", ports[3]),
            s3_port: ports[3],
        };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", w.s3_port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!("GET /{BUCKET} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut buf = [0u8; 8];
                if s.write_all(req.as_bytes()).is_ok() && s.read_exact(&mut buf).is_ok() {
                    std::thread::sleep(Duration::from_millis(1500));
                    return Ok(w);
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err("weed mini did not start within 60 s (see its weed.log)".into())
    }
}

impl Drop for Weed {
    fn drop(&mut self) {
        // SAFETY: signalling our own child by its pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(8) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(format!("/tmp/seaweedfs-s3-{}.sock", self.s3_port));
    }
}

impl Bench {
    /// The credentials of the suite's store on a custos command.
    fn keyed(&self, archive: &Path, args: &[OsString]) -> Command {
        let mut c = self.custos(Some(archive), args);
        c.env("AWS_ACCESS_KEY_ID", KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET);
        c
    }

    fn untimed(&self, archive: &Path, args: &[&str]) -> Res<()> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let out = self.keyed(archive, &args).stdout(Stdio::null()).output()?;
        if !out.status.success() {
            return Err(format!(
                "custos {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(())
    }

    /// The `primary` suite: a SeaweedFS of its own for [`Bench::primary_import`].
    pub fn primary(&mut self, corpus: &Corpus) -> Res<()> {
        if !crate::run::on_path("weed") || !self.has(&["init"]) {
            let row = Row::new(
                "Sites",
                "import with an S3 primary store",
                "custos init --objects",
            );
            self.skip(row, "`weed` (SeaweedFS) not installed".into());
            return Ok(());
        }
        let store = self.fresh("seaweedfs");
        let weed = Weed::start(&store)?;
        eprintln!("custos-bench: SeaweedFS at {}", weed.endpoint);
        let endpoint = weed.endpoint.clone();
        self.primary_import(corpus, &endpoint);
        drop(weed);
        crate::remove_tree(&store)
    }

    /// Import of the corpus into a new archive whose originals go to the
    /// store (`init --objects`, each run to a new prefix), beside the same
    /// import into a new local archive, in the same run.
    fn primary_import(&mut self, c: &Corpus, endpoint: &str) {
        let files = c.files.to_string_lossy().into_owned();
        let mut local = Row::new(
            "Sites",
            format!("import the corpus into a local archive ({} files)", c.count),
            "custos import (objects/ on this disk)",
        );
        local.bytes = Some(c.bytes);
        local.files = Some(c.count as u64);
        let mut primary = Row::new(
            "Sites",
            format!(
                "import the corpus with an S3 primary store ({} files)",
                c.count
            ),
            "custos init --objects s3://… ; custos import",
        );
        primary.bytes = Some(c.bytes);
        primary.files = Some(c.count as u64);
        // Archives stay until the suite ends: deleting one just before the
        // next import would slow it (ext4 skips recently freed inodes).
        let mut made = Vec::new();
        let mut n = 0;
        self.measure(local, self.runs, "logs/sites.log", |b| {
            let archive = b.init("primary-local")?;
            made.push(archive.clone());
            Ok((
                b.custos(Some(&archive), &["import".into(), files.clone().into()]),
                b.io("sites"),
            ))
        });
        self.measure(primary, self.runs, "logs/sites.log", |b| {
            n += 1;
            let archive = b.fresh("primary-s3");
            made.push(archive.clone());
            let url = format!("s3://{BUCKET}/primary{n}");
            let init: Vec<OsString> = [
                "init",
                "--intake",
                "open",
                "--objects",
                &url,
                "--endpoint",
                endpoint,
            ]
            .iter()
            .map(OsString::from)
            .collect();
            let out = b.keyed(&archive, &init).stdout(Stdio::null()).output()?;
            if !out.status.success() {
                return Err(format!(
                    "custos init --objects failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
            Ok((
                b.keyed(&archive, &["import".into(), files.clone().into()]),
                b.io("sites"),
            ))
        });
        for a in made {
            let _ = crate::remove_tree(&a);
        }
    }

    /// Replicate and verify --site throughput on the corpus (each run to a
    /// new site, so every run uploads everything), then peak memory of both
    /// for one `big_mib` object.
    pub fn sites(&mut self, corpus: Option<&Corpus>, big_mib: u64, seed: u64) -> Res<()> {
        let rows = [
            "replicate the corpus to one S3 site",
            "verify --site of the corpus",
            "replicate one large object: peak memory",
            "verify --site of one large object: peak memory",
        ];
        if !crate::run::on_path("weed") || !self.has(&["replicate"]) {
            for what in rows {
                let row = Row::new("Sites", what, "custos replicate / verify --site");
                self.skip(
                    row,
                    "`weed` (SeaweedFS) not installed, or no `custos replicate`".into(),
                );
            }
            return Ok(());
        }
        let store = self.fresh("seaweedfs");
        let weed = Weed::start(&store)?;
        eprintln!("custos-bench: SeaweedFS at {}", weed.endpoint);
        if let Some(c) = corpus {
            let archive = self.init("sites-corpus")?;
            eprintln!("custos-bench: importing the corpus for the sites suite");
            let files = c.files.to_string_lossy().into_owned();
            self.untimed(&archive, &["import", &files])?;
            let mut row = Row::new(
                "Sites",
                format!("{} ({} files)", rows[0], c.count),
                "custos replicate --copies N (a new site each run)",
            );
            row.bytes = Some(c.bytes);
            row.files = Some(c.count as u64);
            let mut n = 0;
            let endpoint = weed.endpoint.clone();
            self.measure(row, self.runs, "logs/sites.log", |b| {
                n += 1;
                let url = format!("s3://{BUCKET}/run{n}");
                b.untimed(
                    &archive,
                    &[
                        "site",
                        "add",
                        &format!("run{n}"),
                        &url,
                        "--endpoint",
                        &endpoint,
                    ],
                )?;
                let args = [
                    "replicate".into(),
                    "--copies".into(),
                    (n + 1).to_string().into(),
                ];
                Ok((b.keyed(&archive, &args), b.io("sites")))
            });
            let mut row = Row::new(
                "Sites",
                format!("{} ({} files)", rows[1], c.count),
                "custos verify --site run1",
            );
            row.bytes = Some(c.bytes);
            row.files = Some(c.count as u64);
            self.measure(row, self.runs, "logs/sites.log", |b| {
                let args = ["verify".into(), "--site".into(), "run1".into()];
                Ok((b.keyed(&archive, &args), b.io("sites")))
            });
            crate::remove_tree(&archive)?;
        }
        let dir = self.fresh("sites-big");
        std::fs::create_dir_all(&dir).map_err(ctx(&dir, "creating a folder"))?;
        let file = dir.join("big.bin");
        eprintln!("custos-bench: writing a {big_mib} MiB file");
        crate::corpus::write_random(&file, seed ^ 0x5173, big_mib * 1024 * 1024)?;
        let archive = self.init("sites-big-archive")?;
        self.untimed(&archive, &["import", &file.to_string_lossy()])?;
        std::fs::remove_file(&file).map_err(ctx(&file, "removing the large file"))?;
        let url = format!("s3://{BUCKET}/big");
        self.untimed(
            &archive,
            &["site", "add", "big", &url, "--endpoint", &weed.endpoint],
        )?;
        let mut row = Row::new(
            "Sites",
            format!("replicate one {big_mib} MiB object: peak memory"),
            "custos replicate --copies 2",
        )
        .with_target(Target::Rss(64));
        row.bytes = Some(big_mib * 1024 * 1024);
        self.measure(row, 1, "logs/sites.log", |b| {
            let args = ["replicate".into(), "--copies".into(), "2".into()];
            Ok((b.keyed(&archive, &args), b.io("sites")))
        });
        let mut row = Row::new(
            "Sites",
            format!("verify --site of one {big_mib} MiB object: peak memory"),
            "custos verify --site big",
        )
        .with_target(Target::Rss(64));
        row.bytes = Some(big_mib * 1024 * 1024);
        self.measure(row, self.runs, "logs/sites.log", |b| {
            let args = ["verify".into(), "--site".into(), "big".into()];
            Ok((b.keyed(&archive, &args), b.io("sites")))
        });
        drop(weed);
        crate::remove_tree(&archive)?;
        crate::remove_tree(&store)?;
        Ok(())
    }
}

//! A real SeaweedFS cluster for the site tests: one master that writes
//! every object to two volume servers (`-defaultReplication=001`), three
//! volume servers, a filer and the S3 gateway, each its own process on
//! loopback ports chosen here, with the canary identity of `seaweed.rs`.
//! A test may SIGKILL one volume server to see custos survive it. Drop
//! kills every process and removes the sockets weed leaves in /tmp.
//! Without `weed`, `Cluster::start` says so and returns None.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::seaweed::{free_port, prepare, BUCKET};

pub struct Cluster {
    /// master, volume 1..3, filer, s3 (in that order).
    children: Vec<Option<Child>>,
    ports: Vec<u16>,
    /// The gateway's arguments but its Iceberg and Lance ports, which a
    /// restart chooses again (see `wait_gateway`).
    s3_args: Vec<String>,
    pub endpoint: String,
    dir: tempfile::TempDir,
}

/// Index of the first volume server in `children`.
const VOLUME: usize = 1;
/// Index of the S3 gateway in `children`.
const S3: usize = 5;

impl Cluster {
    pub fn start(test: &str) -> Option<Cluster> {
        let (dir, config) = prepare(test)?;
        let mut taken = Vec::new();
        // Each server's gRPC port is its port + 10000, which is how the
        // others find it (an address names the HTTP port only), so both
        // must be free.
        let mut port = |plus| free_port(&mut taken, plus);
        let master = port(Some(10000));
        let volumes = [port(Some(10000)), port(Some(10000)), port(Some(10000))];
        let filer = port(Some(10000));
        let s3 = port(Some(10000));
        let grpc: Vec<u16> = [master, volumes[0], volumes[1], volumes[2], filer, s3]
            .iter()
            .map(|p| p + 10000)
            .collect();
        let mut c = Cluster {
            children: Vec::new(),
            ports: vec![master, volumes[0], volumes[1], volumes[2], filer, s3],
            s3_args: Vec::new(),
            endpoint: format!("http://127.0.0.1:{s3}"),
            dir,
        };
        c.ports.extend(&grpc);
        let loopback = ["-ip=127.0.0.1", "-ip.bind=127.0.0.1"];
        let m = c.sub("master");
        c.spawn(
            "master",
            &[
                &loopback[..],
                &[
                    &format!("-port={master}"),
                    &format!("-port.grpc={}", grpc[0]),
                    &format!("-mdir={}", m.display()),
                    "-defaultReplication=001",
                    "-volumeSizeLimitMB=64",
                    "-peers=none",
                ],
            ]
            .concat(),
        );
        for (i, v) in volumes.iter().enumerate() {
            let d = c.sub(&format!("volume{}", i + 1));
            c.spawn(
                &format!("volume{}", i + 1),
                &[
                    &loopback[..],
                    &[
                        &format!("-port={v}"),
                        &format!("-port.grpc={}", grpc[1 + i]),
                        &format!("-dir={}", d.display()),
                        "-max=20",
                        &format!("-master=127.0.0.1:{master}"),
                    ],
                ]
                .concat(),
            );
        }
        let f = c.sub("filer");
        c.spawn(
            "filer",
            &[
                &loopback[..],
                &[
                    &format!("-port={filer}"),
                    &format!("-port.grpc={}", grpc[4]),
                    &format!("-master=127.0.0.1:{master}"),
                    &format!("-defaultStoreDir={}", f.display()),
                ],
            ]
            .concat(),
        );
        c.s3_args = vec![
            "-ip.bind=127.0.0.1".into(),
            format!("-port={s3}"),
            format!("-port.grpc={}", grpc[5]),
            format!("-filer=127.0.0.1:{filer}"),
            format!("-config={}", config.display()),
        ];
        c.spawn_s3();
        c.make_bucket(master, filer);
        Some(c)
    }

    /// Starts the gateway (again, in place of one that exited) with
    /// Iceberg and Lance ports of its own: a port chosen free here can be
    /// taken by another process before weed binds it, and the gateway
    /// then exits at once ("address already in use").
    fn spawn_s3(&mut self) {
        let mut taken = self.ports.clone();
        let (iceberg, lance) = (free_port(&mut taken, None), free_port(&mut taken, None));
        self.ports.extend([iceberg, lance]);
        let mut args = self.s3_args.clone();
        args.push(format!("-port.iceberg={iceberg}"));
        args.push(format!("-port.lance={lance}"));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        if let Some(old) = self.children.get_mut(S3).and_then(Option::take) {
            drop(old);
        }
        self.spawn("s3", &refs);
        if self.children.len() > S3 + 1 {
            let new = self.children.pop().flatten();
            self.children[S3] = new;
        }
    }

    fn sub(&self, name: &str) -> PathBuf {
        let d = self.dir.path().join(name);
        std::fs::create_dir_all(&d).expect("dir");
        d
    }

    fn spawn(&mut self, what: &str, args: &[&str]) {
        let log = std::fs::File::create(self.dir.path().join(format!("{what}.log"))).expect("log");
        let cmd = if what.starts_with("volume") {
            "volume"
        } else {
            what
        };
        let child = Command::new("weed")
            .arg(cmd)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn weed");
        self.children.push(Some(child));
    }

    /// `weed shell` makes the bucket once the master, the filer and at
    /// least two volume servers are up (it retries until then).
    fn make_bucket(&mut self, master: u16, filer: u16) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "echo 's3.bucket.create -name {BUCKET}' | timeout 20 weed shell -master=127.0.0.1:{master} -filer=127.0.0.1:{filer}"
                ))
                .current_dir(self.dir.path())
                .output()
                .expect("weed shell");
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            if text.contains("created bucket") || text.contains("already exist") {
                self.wait_gateway();
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!("the cluster did not come up within 60 s:\n{}", self.logs());
    }

    /// Until the S3 gateway answers HTTP.
    fn wait_gateway(&mut self) {
        use std::io::{Read, Write};
        let start = Instant::now();
        let mut restarts = 0;
        while start.elapsed() < Duration::from_secs(30) {
            let exited = self.children[S3]
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited && restarts < 2 {
                restarts += 1;
                self.spawn_s3();
            }
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.ports[5])) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!("GET /{BUCKET} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut buf = [0u8; 8];
                if s.write_all(req.as_bytes()).is_ok() && s.read_exact(&mut buf).is_ok() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("the S3 gateway did not answer:\n{}", self.logs());
    }

    /// SIGKILLs volume server `n` (1..=3): no shutdown, as in a crash.
    pub fn kill_volume(&mut self, n: usize) {
        if let Some(mut c) = self.children[VOLUME + n - 1].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The data folder of volume server `n`.
    pub fn volume_dir(&self, n: usize) -> PathBuf {
        self.dir.path().join(format!("volume{n}"))
    }

    pub fn logs(&self) -> String {
        let mut out = String::new();
        for what in ["master", "volume1", "volume2", "volume3", "filer", "s3"] {
            let log = std::fs::read_to_string(self.dir.path().join(format!("{what}.log")))
                .unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            out.push_str(&format!("== {what}\n"));
            for l in tail.into_iter().rev() {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // SIGKILL: a clean shutdown takes seconds per server and a test's
        // data is thrown away anyway. The gateway first, the master last.
        for c in self.children.iter_mut().rev().flatten() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // weed names its unix sockets by a server's port.
        if let Ok(rd) = std::fs::read_dir("/tmp") {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let ours = name.starts_with("seaweedfs-")
                    && self
                        .ports
                        .iter()
                        .any(|p| name.ends_with(&format!("-{p}.sock")));
                if ours {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

//! The load benchmark of the web portal (issue 15): `custos serve` over
//! the generated catalogue on a loopback port, 64 concurrent clients for a
//! fixed time, each a keep-alive HTTP/1.1 connection sending a mix of
//! searches, item pages and facet pages; latency percentiles per kind,
//! throughput, errors, and the server's resident memory sampled every
//! second (flat memory is one of the issue's targets). The load starts
//! once the server has counted its holdings (the home page no longer says
//! it is counting); the wait is reported as the warm-up.
//!
//! An error is a connection failure, a timeout or a 5xx; a 404 is the
//! answer for an item hidden at public level and is counted apart. It
//! reads the server only over HTTP and must not write to the catalogue.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::rng::{self, Rng};
use crate::{ctx, Res};

/// Concurrent clients (the issue's figure).
pub const CLIENTS: usize = 64;

/// What a request asks for: the targets of the issue are per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Item,
    /// The planted words: the same few searches again and again.
    Search,
    /// A word drawn from the whole vocabulary: mostly searches not made
    /// before, so the server's page cache rarely has them.
    Varied,
    Facet,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Item => "item page",
            Kind::Search => "search",
            Kind::Varied => "search, varied words",
            Kind::Facet => "facet",
        }
    }
    /// The issue's p99 target, where it sets one.
    fn target_ms(self) -> Option<u64> {
        match self {
            Kind::Item => Some(100),
            Kind::Search | Kind::Varied | Kind::Facet => Some(300),
        }
    }
}

const KINDS: [Kind; 4] = [Kind::Item, Kind::Search, Kind::Varied, Kind::Facet];

/// The catalogue's planted words (rare, medium, in every item) and facet
/// values it is known to hold (see catalogue.rs).
const WORDS: &[&str] = &[rng::WORD_RARE, rng::WORD_MEDIUM, rng::WORD_EVERY];
const FACETS: &[&str] = &[
    "kind:letter",
    "kind:testimony",
    "kind:photo",
    "date:1980..1989",
];

fn path(kind: Kind, rng: &mut Rng, items: i64, place: &str, words: &[String]) -> String {
    match kind {
        Kind::Varied => format!(
            "/search?q={}",
            encode(&words[rng.below(words.len() as u64) as usize])
        ),
        Kind::Item => format!("/items/{}", 1 + rng.below(items.max(1) as u64)),
        Kind::Search => format!(
            "/search?q={}",
            WORDS[rng.below(WORDS.len() as u64) as usize]
        ),
        Kind::Facet => {
            let i = rng.below(FACETS.len() as u64 + 1) as usize;
            let f = if i == FACETS.len() {
                format!("place:{place}")
            } else {
                FACETS[i].to_string()
            };
            format!("/search?q={}", encode(&f))
        }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(custos: &Path, archive: &Path, log: &Path) -> Res<Server> {
    let mut child = Command::new(custos)
        .arg("--archive")
        .arg(archive)
        .args(["serve", "--listen", "127.0.0.1:0", "--access", "public"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line?;
        seen.push_str(&line);
        seen.push('\n');
        if let Some(addr) = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|a| a.parse().ok())
        {
            // Keep draining stderr into the log so the server never blocks.
            let log = log.to_path_buf();
            std::thread::spawn(move || {
                let mut f = std::fs::File::create(&log).ok();
                for l in lines.map_while(Result::ok) {
                    if let Some(f) = f.as_mut() {
                        let _ = writeln!(f, "{l}");
                    }
                }
            });
            return Ok(Server { child, addr });
        }
    }
    let _ = child.kill();
    Err(format!("custos serve did not start: {seen}").into())
}

/// Waits until the home page no longer says the holdings are being
/// counted (at most ten minutes).
fn wait_counted(addr: SocketAddr) -> Res<()> {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(600) {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            s,
            "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: custos-bench\r\n\r\n"
        )?;
        let mut body = String::new();
        s.read_to_string(&mut body)?;
        if body.starts_with("HTTP/1.1 200") && !body.contains("being counted") {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err("the server did not finish counting its holdings in ten minutes".into())
}

/// One keep-alive connection.
struct Conn {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    /// GET `path`: the status, or an error (connection, timeout, framing).
    fn get(&mut self, path: &str) -> Result<u16, String> {
        if self.stream.is_none() {
            let s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))
                .map_err(|e| e.to_string())?;
            s.set_read_timeout(Some(Duration::from_secs(10)))
                .map_err(|e| e.to_string())?;
            s.set_nodelay(true).map_err(|e| e.to_string())?;
            self.stream = Some(BufReader::new(s));
        }
        let r = self.exchange(path);
        if r.is_err() {
            self.stream = None;
        }
        r
    }

    fn exchange(&mut self, path: &str) -> Result<u16, String> {
        let s = self.stream.as_mut().ok_or("no connection")?;
        write!(
            s.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: custos-bench\r\n\r\n",
            self.addr
        )
        .map_err(|e| e.to_string())?;
        let mut line = String::new();
        s.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            s.read_line(&mut line).map_err(|e| e.to_string())?;
            let l = line.trim_end().to_ascii_lowercase();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            } else if l.starts_with("transfer-encoding:") && l.contains("chunked") {
                chunked = true;
            } else if l.starts_with("connection:") && l.contains("close") {
                close = true;
            }
        }
        if chunked {
            loop {
                line.clear();
                s.read_line(&mut line).map_err(|e| e.to_string())?;
                let n = usize::from_str_radix(line.trim(), 16).map_err(|e| e.to_string())?;
                let mut buf = vec![0; n + 2];
                s.read_exact(&mut buf).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            let mut buf = vec![0; n];
            s.read_exact(&mut buf).map_err(|e| e.to_string())?;
        } else {
            let mut rest = Vec::new();
            s.read_to_end(&mut rest).map_err(|e| e.to_string())?;
            close = true;
        }
        if close {
            self.stream = None;
        }
        Ok(status)
    }
}

#[derive(Default)]
struct Tally {
    micros: Vec<u64>,
    not_found: u64,
    errors: u64,
    first_error: Option<String>,
}

/// The server's resident set size in KiB, from /proc.
fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Serves `archive` (of `items` items) and loads it for `secs` seconds;
/// returns the Markdown section.
pub fn run(
    custos: &Path,
    archive: &Path,
    items: i64,
    place: &str,
    secs: u64,
    seed: u64,
    out: &Path,
) -> Res<String> {
    let load_before = crate::run::load();
    let commit = crate::run::output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let server = start(custos, archive, &out.join("logs").join("serve.log"))?;
    let pid = server.child.id();
    let addr = server.addr;
    let warm = Instant::now();
    wait_counted(addr)?;
    let warm_secs = warm.elapsed().as_secs_f64();
    let words = rng::vocabulary(8000);
    let words = &words;
    let stop = Arc::new(AtomicBool::new(false));
    let tallies: Vec<Arc<Mutex<[Tally; 4]>>> = (0..CLIENTS)
        .map(|_| Arc::new(Mutex::new(Default::default())))
        .collect();
    let rss: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    let t0 = Instant::now();
    std::thread::scope(|s| {
        {
            let (stop, rss) = (Arc::clone(&stop), Arc::clone(&rss));
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let (Some(k), Ok(mut v)) = (rss_kib(pid), rss.lock()) {
                        v.push((t0.elapsed().as_secs_f64(), k));
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
        }
        for (c, tally) in tallies.iter().enumerate() {
            let (stop, tally) = (Arc::clone(&stop), Arc::clone(tally));
            s.spawn(move || {
                let mut rng = Rng::new(seed ^ (c as u64 + 1).wrapping_mul(0x9e37_79b9));
                let mut conn = Conn { addr, stream: None };
                let mut local: [Tally; 4] = Default::default();
                while !stop.load(Ordering::Relaxed) {
                    // Half item pages, a sixth each of planted-word
                    // searches, varied-word searches and facets.
                    let k = match rng.below(6) {
                        0..=2 => 0,
                        3 => 1,
                        4 => 2,
                        _ => 3,
                    };
                    let p = path(KINDS[k], &mut rng, items, place, words);
                    let started = Instant::now();
                    let r = conn.get(&p);
                    let t = &mut local[k];
                    t.micros.push(started.elapsed().as_micros() as u64);
                    match r {
                        Ok(404) => t.not_found += 1,
                        Ok(s) if s < 400 => {}
                        Ok(s) => {
                            t.errors += 1;
                            t.first_error.get_or_insert(format!("{p}: HTTP {s}"));
                        }
                        Err(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert(format!("{p}: {e}"));
                        }
                    }
                }
                if let Ok(mut g) = tally.lock() {
                    *g = local;
                }
            });
        }
        std::thread::sleep(Duration::from_secs(secs.max(1)));
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = t0.elapsed().as_secs_f64();
    let load_after = crate::run::load();
    drop(server);
    let mut merged: [Tally; 4] = Default::default();
    for t in &tallies {
        let t = t.lock().map_err(|_| "a client panicked")?;
        for (m, x) in merged.iter_mut().zip(t.iter()) {
            m.micros.extend_from_slice(&x.micros);
            m.not_found += x.not_found;
            m.errors += x.errors;
            if m.first_error.is_none() {
                m.first_error.clone_from(&x.first_error);
            }
        }
    }
    let mut md = format!(
        "## Web portal under load\n\n`custos serve --access public` over the {items}-item catalogue, {CLIENTS} keep-alive clients on loopback for {elapsed:.0} s (half item pages of random ids, a sixth each: searches for the three planted words, searches for a word drawn from the 8,000-word vocabulary, facet searches), after a warm-up of {warm_secs:.1} s (the server counting its holdings).\n\n| request | requests | req/s | p50 ms | p99 ms | max ms | 404 | errors | p99 target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n"
    );
    let mut total = 0usize;
    for (k, t) in KINDS.iter().zip(merged.iter_mut()) {
        t.micros.sort_unstable();
        total += t.micros.len();
        let p99 = pct(&t.micros, 0.99);
        let verdict = match k.target_ms() {
            Some(ms) if t.errors == 0 && p99 <= ms as f64 => format!("≤ {ms} ms: met"),
            Some(ms) => format!("≤ {ms} ms: MISSED"),
            None => String::new(),
        };
        md.push_str(&format!(
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} | {verdict} |\n",
            k.name(),
            t.micros.len(),
            t.micros.len() as f64 / elapsed,
            pct(&t.micros, 0.5),
            p99,
            pct(&t.micros, 1.0),
            t.not_found,
            t.errors,
        ));
    }
    md.push_str(&format!(
        "| all | {total} | {:.0} | | | | | | |\n",
        total as f64 / elapsed
    ));
    md.push_str(&format!(
        "\n1-minute load average {load_before} before the run, {load_after} at its end; server `{}` (the working tree is at commit {}; a binary from elsewhere may be another).\n",
        custos.display(),
        match commit.trim() {
            "" => "(none: not in a git checkout)",
            c => c,
        }
    ));
    for (k, t) in KINDS.iter().zip(merged.iter()) {
        if let Some(e) = &t.first_error {
            md.push_str(&format!("\nFirst {} error: `{e}`\n", k.name()));
        }
    }
    let rss = rss.lock().map_err(|_| "the memory sampler panicked")?;
    if let (Some(first), Some(last)) = (rss.first(), rss.last()) {
        let peak = rss.iter().map(|(_, k)| *k).max().unwrap_or(0);
        md.push_str(&format!(
            "\nServer RSS: {:.1} MiB at {:.0} s, {:.1} MiB at {:.0} s, peak {:.1} MiB. Every second:\n\n```text\n",
            first.1 as f64 / 1024.0,
            first.0,
            last.1 as f64 / 1024.0,
            last.0,
            peak as f64 / 1024.0
        ));
        for (t, k) in rss.iter() {
            md.push_str(&format!("{t:5.0} s  {:8.1} MiB\n", *k as f64 / 1024.0));
        }
        md.push_str("```\n");
    }
    let file = out.join("web.md");
    std::fs::write(&file, &md).map_err(ctx(&file, "writing the web results"))?;
    Ok(md)
}

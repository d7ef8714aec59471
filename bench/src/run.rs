//! Timing whole processes: wall time from spawn to exit, and the child's
//! peak resident memory from `wait4`, over several runs summarised by the
//! median.
//!
//! The measured process writes its stdout to /dev/null (or a file) and its
//! stderr to a log under the output folder, so a terminal or a pipe never
//! slows it and a failure can be shown. This module must not decide what is
//! measured or interpret results beyond success, time and memory.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{ctx, Res};

#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    /// Peak resident set of the child (and its waited-for descendants), KiB.
    pub maxrss_kib: u64,
    /// CPU time of the child, user and system together: on a shared
    /// machine it moves less than the wall time, so it is shown beside it.
    pub cpu: Duration,
}

/// Median wall time and the largest peak memory of several runs.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    pub maxrss_kib: u64,
    pub runs: usize,
}

pub fn summarise(samples: &[Sample]) -> Option<Summary> {
    let walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    Some(Summary {
        median: median(&walls)?,
        min: walls.iter().min().copied()?,
        max: walls.iter().max().copied()?,
        maxrss_kib: samples.iter().map(|s| s.maxrss_kib).max().unwrap_or(0),
        runs: samples.len(),
    })
}

/// The median of some durations (the mean of the middle two for an even
/// count); None for none.
pub fn median(v: &[Duration]) -> Option<Duration> {
    let mut v = v.to_vec();
    v.sort();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
    }
}

/// Where a measured process's output goes.
pub struct Io {
    pub stdin: Option<PathBuf>,
    pub stdout: Option<PathBuf>,
    pub stderr_log: PathBuf,
}

/// Runs `cmd` once and times it. A non-zero exit is an error that quotes
/// the end of its stderr.
///
/// The command is started by a small helper (this binary re-run with
/// `--measure-child`), which times it and reads its peak memory with
/// `wait4`. Spawning it from here directly would report our own peak: Linux
/// carries the parent's high-water mark into a child started with
/// vfork/posix_spawn, and this process holds hundreds of MiB after
/// generating a catalogue.
pub fn time(cmd: &mut Command, io: &Io) -> Res<Sample> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&io.stderr_log)
        .map_err(ctx(&io.stderr_log, "opening the log"))?;
    let start_len = log.metadata().map(|m| m.len()).unwrap_or(0);
    let stdout = match &io.stdout {
        Some(p) => Stdio::from(File::create(p).map_err(ctx(p, "creating an output file"))?),
        None => Stdio::null(),
    };
    let stdin = match &io.stdin {
        Some(p) => Stdio::from(File::open(p).map_err(ctx(p, "opening an input file"))?),
        None => Stdio::null(),
    };
    let result = io.stderr_log.with_extension("measure");
    let mut helper = Command::new(std::env::current_exe()?);
    helper
        .arg(MEASURE_FLAG)
        .arg(&result)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => helper.env(k, v),
            None => helper.env_remove(k),
        };
    }
    if let Some(d) = cmd.get_current_dir() {
        helper.current_dir(d);
    }
    helper.stdin(stdin).stdout(stdout).stderr(log);
    let status = helper
        .status()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        let tail = log_tail(&io.stderr_log, start_len);
        return Err(format!("{cmd:?} failed with {status}:\n{tail}").into());
    }
    let text = std::fs::read_to_string(&result).map_err(ctx(&result, "reading a measurement"))?;
    let mut parts = text.split_whitespace().map(str::parse::<u64>);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(ns)), Some(Ok(kib)), Some(Ok(cpu_us))) => Ok(Sample {
            wall: Duration::from_nanos(ns),
            maxrss_kib: kib,
            cpu: Duration::from_micros(cpu_us),
        }),
        _ => Err(format!("{}: malformed measurement {text:?}", result.display()).into()),
    }
}

pub const MEASURE_FLAG: &str = "--measure-child";

/// The helper's side: `--measure-child RESULT PROGRAM ARGS...`. Starts the
/// program with our stdio, waits for it with `wait4`, writes "wall-ns
/// maxrss-kib cpu-us" to RESULT and exits with the program's status.
pub fn measure_child(args: &[std::ffi::OsString]) -> i32 {
    let [result, program, rest @ ..] = args else {
        eprintln!("custos-bench: usage: {MEASURE_FLAG} RESULT PROGRAM [ARGS...]");
        return 2;
    };
    let start = Instant::now();
    let child = match Command::new(program).args(rest).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("custos-bench: cannot start {program:?}: {e}");
            return 127;
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = loop {
        // SAFETY: waiting for a child we spawned; `status`/`usage` are ours.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = start.elapsed();
    // The child is reaped; dropping the handle does not wait again.
    drop(child);
    if r != pid {
        eprintln!(
            "custos-bench: wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        return 125;
    }
    let micros = |t: libc::timeval| (t.tv_sec * 1_000_000 + t.tv_usec).max(0);
    let cpu_us = micros(usage.ru_utime) + micros(usage.ru_stime);
    let line = format!("{} {} {cpu_us}\n", wall.as_nanos(), usage.ru_maxrss);
    if let Err(e) = std::fs::write(result, line) {
        eprintln!("custos-bench: {result:?}: {e}");
        return 125;
    }
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    }
}

fn log_tail(path: &Path, from: u64) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text[(from as usize).min(text.len())..]).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// True when `program args...` exits 0 (used with `--help` to ask whether
/// a subcommand exists). Output is discarded.
pub fn succeeds(program: &Path, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The stdout of a quick helper command, if it ran.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Whether a program is on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// The 1-minute load average, for noting next to figures.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .map(std::string::ToString::to_string)
        })
        .unwrap_or_else(|| "?".into())
}

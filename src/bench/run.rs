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
    if samples.is_empty() {
        return None;
    }
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    walls.sort();
    let mid = walls.len() / 2;
    let median = if walls.len() % 2 == 1 {
        walls[mid]
    } else {
        (walls[mid - 1] + walls[mid]) / 2
    };
    Some(Summary {
        median,
        min: walls[0],
        max: walls[walls.len() - 1],
        maxrss_kib: samples.iter().map(|s| s.maxrss_kib).max().unwrap_or(0),
        runs: samples.len(),
    })
}

/// Where a measured process's output goes.
pub struct Io {
    pub stdin: Option<PathBuf>,
    pub stdout: Option<PathBuf>,
    pub stderr_log: PathBuf,
}

/// Runs `cmd` once and times it. A non-zero exit is an error that quotes
/// the end of its stderr.
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
    cmd.stdin(stdin).stdout(stdout).stderr(log);
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
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
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()).into());
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !ok {
        let tail = log_tail(&io.stderr_log, start_len);
        let how = if libc::WIFEXITED(status) {
            format!("exit status {}", libc::WEXITSTATUS(status))
        } else {
            format!("signal {}", libc::WTERMSIG(status))
        };
        return Err(format!("{cmd:?} failed with {how}:\n{tail}").into());
    }
    Ok(Sample {
        wall,
        maxrss_kib: usage.ru_maxrss as u64,
    })
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

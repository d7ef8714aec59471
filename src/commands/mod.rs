//! One module per command: read the parsed arguments, call the library,
//! render the result. Commands never write SQL and never decide visibility;
//! data goes to stdout, everything else to stderr prefixed `custos: `.

mod backup;
mod completions;
mod edit;
mod import;
mod init;
mod list;
mod log;
mod show;
mod verify;

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::archive::{self, Archive, Mode};
use crate::cli::{Cli, Command};
use crate::error::{Error, Result};

pub fn run(cli: Cli) -> Result<()> {
    let archive_arg = cli.archive.as_deref();
    match cli.command {
        Command::Init(a) => init::run(archive_arg, a),
        Command::Import(a) => import::run(archive_arg, a),
        Command::List(a) => list::run(archive_arg, a),
        Command::Show(a) => show::run(archive_arg, a),
        Command::Edit(a) => edit::run(archive_arg, a),
        Command::Verify(a) => verify::run(archive_arg, a),
        Command::Log(a) => log::run(archive_arg, a),
        Command::Backup(a) => backup::run(archive_arg, a),
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
    }
}

/// Opens the archive. A write command first removes what crashed imports
/// left in staging/, so leftovers never outlive the next write.
pub(crate) fn open(archive_arg: Option<&Path>, mode: Mode) -> Result<Archive> {
    let root = archive::locate(archive_arg)?;
    let archive = Archive::open(&root, mode)?;
    if mode == Mode::Write {
        let removed = crate::store::clean_staging(&archive.staging_dir())?;
        if !removed.is_empty() {
            note(format!(
                "removed {} leftover(s) of an interrupted import from staging/",
                removed.len()
            ));
        }
    }
    Ok(archive)
}

/// A message for the person at the terminal, never for the data stream.
pub(crate) fn note(msg: impl std::fmt::Display) {
    eprintln!("custos: {msg}");
}

/// Buffered stdout; call `finish` so a closed pipe is noticed and a write
/// error is reported rather than lost.
pub(crate) struct Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>);

impl Stdout {
    pub fn new() -> Self {
        Stdout(std::io::BufWriter::new(std::io::stdout().lock()))
    }
    pub fn w(&mut self) -> &mut dyn Write {
        &mut self.0
    }
    pub fn finish(mut self) -> Result<()> {
        self.0.flush().map_err(Error::stdout)
    }
}

/// The agent recorded on events: given, else the login name.
pub(crate) fn agent(given: Option<&str>) -> String {
    if let Some(a) = given.map(str::trim).filter(|a| !a.is_empty()) {
        return a.to_string();
    }
    whoami::username()
        .ok()
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// A progress bar on stderr, only for a person watching a long job.
pub(crate) fn progress(total_hint: u64) -> indicatif::ProgressBar {
    const LONG: u64 = 64 * 1024 * 1024;
    if !std::io::stderr().is_terminal() || total_hint < LONG {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total_hint);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "custos: {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

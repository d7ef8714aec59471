//! One module per command: read the parsed arguments, call the library,
//! render the result. Commands never write SQL and never decide visibility;
//! data goes to stdout, everything else to stderr prefixed `custos: `.

mod access;
mod access_copy;
mod accession;
mod backup;
mod bag;
mod batch;
mod claim;
mod completions;
mod consent;
mod deaccession;
mod edit;
mod export;
mod import;
mod import_manifest;
mod init;
mod input;
mod key;
mod list;
mod log;
mod names;
mod narrator;
mod note;
mod ocfl;
mod purge;
pub(crate) mod query;
mod redact;
mod repair;
mod replicate;
mod report;
mod restore_site;
mod restrict;
mod segment;
mod settings;
pub(crate) mod show;
mod site;
mod sql;
mod tag;
mod terms;
mod testimony;
mod token;
mod transcript;
mod verify;

use std::io::{IsTerminal, Write};
use std::path::Path;

use custos::archive::{self, Archive, Mode};
use custos::cli::{Cli, Command};
use custos::error::{Error, Result};

/// The defaults of `custos.toml` and the user's config file, read once at
/// the start of a command (a broken file stops every command, naming it).
static DEFAULTS: std::sync::OnceLock<custos::config::Defaults> = std::sync::OnceLock::new();

pub(crate) fn defaults() -> &'static custos::config::Defaults {
    DEFAULTS.get_or_init(Default::default)
}

pub fn run(cli: Cli) -> Result<()> {
    let archive_arg = cli.archive.as_deref();
    let standalone = matches!(
        cli.command,
        Command::Init(_) | Command::Completions(_) | Command::Man(_) | Command::Bag(_)
    );
    if !standalone {
        let root = archive::locate(archive_arg).ok();
        let config = custos::config::Config::load(root.as_deref())?;
        let _ = DEFAULTS.set(config.effective());
    }
    match cli.command {
        Command::Init(a) => init::run(archive_arg, a),
        Command::Access(a) => access::run(archive_arg, a),
        Command::Settings(a) => settings::run(archive_arg, a),
        Command::Accession(a) => accession::run(archive_arg, a),
        Command::Transcript(a) => transcript::run(archive_arg, a.command),
        Command::Segment(a) => segment::run(archive_arg, a.command),
        Command::Restrict(a) => restrict::run(archive_arg, a),
        Command::AccessCopy(a) => access_copy::run(archive_arg, a),
        Command::Import(a) => import::run(archive_arg, *a),
        Command::List(a) => list::run(archive_arg, a),
        Command::Show(a) => show::run(archive_arg, a),
        Command::Edit(a) => edit::run(archive_arg, a),
        Command::Key(a) => key::run(archive_arg, a),
        Command::Narrator(a) => narrator::run(archive_arg, a),
        Command::Testimony(a) => testimony::run(archive_arg, a),
        Command::Redact(a) => redact::run(archive_arg, a),
        Command::Purge(a) => purge::run(archive_arg, a),
        Command::Deaccession(a) => deaccession::run(archive_arg, a),
        Command::Note(a) => note::run(archive_arg, a),
        Command::Consent(a) => consent::run(archive_arg, a),
        Command::Export(a) => export::run(archive_arg, a),
        Command::Bag(b) => bag::run(b),
        Command::Tag(a) => tag::run(archive_arg, a, false),
        Command::Untag(a) => tag::run(archive_arg, a, true),
        Command::Terms(a) => terms::run(archive_arg, a),
        Command::Query(a) => query::run(archive_arg, a),
        Command::Fields(a) => query::fields(a),
        Command::Report(a) => report::run(archive_arg, a),
        Command::Sql(a) => sql::run(archive_arg, a),
        Command::Verify(a) => verify::run(archive_arg, a),
        Command::Log(a) => log::run(archive_arg, a),
        Command::Backup(a) => backup::run(archive_arg, a),
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
        Command::Claim(a) => claim::run(archive_arg, a),
        Command::Site(a) => site::run(archive_arg, a),
        Command::Replicate(a) => replicate::run(archive_arg, a),
        Command::Repair(a) => repair::run(archive_arg, a),
        Command::Restore(a) => restore_site::run(archive_arg, a),
        Command::Serve(a) => crate::web::serve(archive_arg, a),
        Command::Token(a) => token::run(archive_arg, a.command),
    }
}

/// Opens the archive. A write command first removes what crashed imports
/// left in staging/, so leftovers never outlive the next write.
pub(crate) fn open(archive_arg: Option<&Path>, mode: Mode) -> Result<Archive> {
    let root = archive::locate(archive_arg)?;
    let archive = Archive::open(&root, mode)?;
    if mode == Mode::Write {
        let removed = custos::store::clean_staging(&archive.staging_dir())?;
        if !removed.is_empty() {
            note(format!(
                "removed {} leftover(s) of an interrupted import from staging/",
                removed.len()
            ));
        }
    }
    Ok(archive)
}

/// The reader's access level: given, else the archive's default.
pub(crate) fn access(
    archive: &Archive,
    a: &custos::cli::AccessArgs,
) -> Result<custos::model::Access> {
    match a.access.or(defaults().access) {
        Some(level) => Ok(level),
        None => archive.default_access(),
    }
}

/// A message for the person at the terminal, never for the data stream;
/// control characters in it (a quoted title, a file name) are escaped.
pub(crate) fn note(msg: impl std::fmt::Display) {
    let msg = msg.to_string();
    eprintln!("custos: {}", custos::output::escape::terminal_line(&msg));
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
    if let Some(by) = defaults()
        .by
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        return by.to_string();
    }
    // The shell's idea of the login name first (sudo and su keep it
    // meaningful), then the account the process runs as.
    ["LOGNAME", "USER"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .chain(whoami::username().ok())
        .find(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// A progress bar on stderr, only for a person watching a long job.
pub(crate) fn progress(total_hint: u64) -> indicatif::ProgressBar {
    let bar = progress_growing();
    bar.set_length(total_hint);
    show_progress_if_long(&bar, total_hint);
    bar
}

/// Work this long (in bytes) shows a progress bar on a terminal; shorter
/// work would only flash one.
const LONG_WORK: u64 = 64 * 1024 * 1024;

/// A progress bar that stays hidden until [`show_progress_if_long`] finds
/// the work long enough (and stderr a terminal).
pub(crate) fn progress_growing() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::hidden();
    // A hidden bar starts without a length, and inc_length leaves none.
    bar.set_length(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "custos: {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

pub(crate) fn show_progress_if_long(bar: &indicatif::ProgressBar, total: u64) {
    if total >= LONG_WORK && bar.is_hidden() && std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
}

/// For a walk that finds files while the import runs: each file found
/// lengthens the bar, which shows once the work found is long.
pub(crate) fn grow_progress(bar: &indicatif::ProgressBar) -> Box<dyn Fn(u64) + Send> {
    let bar = bar.clone();
    let terminal = std::io::stderr().is_terminal();
    Box::new(move |size| {
        bar.inc_length(size);
        if terminal && bar.is_hidden() {
            show_progress_if_long(&bar, bar.length().unwrap_or(0));
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_growing_bar_counts_every_file_the_walk_finds() {
        let bar = super::progress_growing();
        let found = super::grow_progress(&bar);
        for size in [10, 20, 30] {
            found(size);
        }
        assert_eq!(bar.length(), Some(60));
        // Not a terminal here: the bar stays hidden however long the work.
        found(super::LONG_WORK);
        assert!(bar.is_hidden());
    }
}

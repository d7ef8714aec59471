//! The `custos` binary: parse, run, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

mod commands;
mod web;

use custos::error::Error;

use custos::output::escape;

fn main() -> ExitCode {
    custos::archive::configure_sqlite();
    let cli = match custos::cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    for warning in custos::cli::deprecations(&cli) {
        eprintln!("custos: {warning}");
    }
    // Crash tests only: FAILPOINTS="store::after_rename=panic" makes that
    // step die at once, without unwinding, as a kill or power cut would.
    #[cfg(feature = "failpoints")]
    let _failpoints = {
        if std::env::var_os("FAILPOINTS").is_some() {
            std::panic::set_hook(Box::new(|info| {
                eprintln!("custos: fail point: {info}");
                std::process::abort();
            }));
        }
        fail::FailScenario::setup()
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(e: Error) -> ExitCode {
    if !matches!(e, Error::BrokenPipe) {
        // Messages quote titles, file names and typed values.
        let msg = e.to_string();
        eprintln!("custos: {}", escape::terminal_line(&msg));
    }
    ExitCode::from(e.exit_code() as u8)
}

/// What clap would print and exit with, but with the user's values in a
/// usage error escaped (clap quotes them raw, in colour on a terminal), and
/// help or version text on a closed or full stdout handled like data.
fn clap_exit(e: clap::Error) -> ExitCode {
    if e.use_stderr() {
        let text = e.render().to_string();
        eprint!("{}", escape::terminal(&text, true));
    } else {
        let text = if std::io::stdout().is_terminal() {
            e.render().ansi().to_string()
        } else {
            e.render().to_string()
        };
        let mut out = std::io::stdout().lock();
        if let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            return fail(Error::stdout(err));
        }
    }
    ExitCode::from(e.exit_code() as u8)
}

//! The `custos` binary: parse, run, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    let cli = custos::cli::parse();
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
    match custos::commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            if !matches!(e, custos::error::Error::BrokenPipe) {
                // Messages quote titles, file names and typed values.
                let msg = e.to_string();
                eprintln!("custos: {}", custos::output::escape::terminal_line(&msg));
            }
            std::process::ExitCode::from(code as u8)
        }
    }
}

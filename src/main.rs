//! The `custos` binary: parse, run, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    let cli = custos::cli::parse();
    match custos::commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            if !matches!(e, custos::error::Error::BrokenPipe) {
                eprintln!("custos: {e}");
            }
            std::process::ExitCode::from(code as u8)
        }
    }
}

//! `custos completions SHELL` and `custos man`: generated from the clap
//! definitions, so they never drift from the real options.

use std::fs;

use clap::CommandFactory;

use custos::cli::{Cli, CompletionsArgs, ManArgs};
use custos::error::{Error, Result};

pub fn completions(a: CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    // clap_complete panics when its writer fails (a closed pipe, a full
    // disk): it writes into memory here, and only this writes to stdout.
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "custos", &mut script);
    let mut out = super::Stdout::new();
    out.w().write_all(&script).map_err(Error::stdout)?;
    out.finish()
}

pub fn man(a: ManArgs) -> Result<()> {
    let cmd = Cli::command();
    match a.out_dir {
        None => {
            let mut out = super::Stdout::new();
            clap_mangen::Man::new(cmd)
                .render(out.w())
                .map_err(Error::stdout)?;
            out.finish()
        }
        Some(dir) => {
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            let mut pages = vec![("custos".to_string(), cmd.clone())];
            for sub in cmd.get_subcommands() {
                let name = format!("custos-{}", sub.get_name());
                pages.push((name.clone(), sub.clone().name(name)));
            }
            for (name, page) in pages {
                let path = dir.join(format!("{name}.1"));
                let mut buf = Vec::new();
                clap_mangen::Man::new(page)
                    .render(&mut buf)
                    .map_err(|e| Error::io(&path, e))?;
                fs::write(&path, buf).map_err(|e| Error::io(&path, e))?;
            }
            super::note(format!("man pages written to {}", dir.display()));
            Ok(())
        }
    }
}

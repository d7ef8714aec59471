//! `custos redact ID`: terms from stdin or `--terms-file`, sealed; the
//! redacted copy and index for readers below custodian.
//!
//! Prints counts only; the terms never reach stdout, stderr or the log.

use std::io::IsTerminal;
use std::path::Path;

use custos::archive::Mode;
use custos::cli::RedactArgs;
use custos::error::Result;
use custos::keys::KeyFile;
use custos::redact::{self, RedactOptions, Terms};

pub fn run(archive_arg: Option<&Path>, a: RedactArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let raw = match &a.terms_file {
        Some(p) => super::input::secret_file(p)?,
        None => {
            if std::io::stdin().is_terminal() {
                super::note("type the terms to redact, one per line; end with Ctrl-D");
            }
            super::input::secret_stdin()?
        }
    };
    let terms = Terms::parse(&raw);
    let id = a.id;
    let outcome = redact::redact(
        &mut archive,
        RedactOptions {
            item: id,
            terms,
            key: KeyFile::new(a.key.as_deref()),
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    super::note(format!(
        "item {id}: {} term(s) sealed; {} passage(s) now read [redacted] below custodian",
        outcome.terms_added, outcome.passages
    ));
    Ok(())
}

//! `custos token create|list|revoke|log`: web tokens for researchers and
//! the research access log (issue 15). The secret is printed once, on
//! stdout, and kept nowhere.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::TokenCommand;
use custos::error::{Error, Result};
use custos::ops::token;
use custos::output::{self, col, Column};

const TOKEN_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("label", "Label"),
    col("access", "Level"),
    col("created_at", "Created"),
    col("expires", "Expires"),
    col("revoked_at", "Revoked"),
];

const LOG_COLUMNS: &[Column] = &[
    col("at", "At"),
    col("token", "Token"),
    col("label", "Label"),
    col("item", "Item"),
    col("what", "What"),
];

pub fn run(archive_arg: Option<&Path>, cmd: TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Create(a) => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let by = super::agent(a.by.as_deref());
            let t = token::create(
                &mut archive,
                a.access,
                &a.label,
                a.expires,
                custos::clock::today(),
                &by,
            )?;
            let mut out = super::Stdout::new();
            writeln!(out.w(), "{}", t.secret).map_err(Error::stdout)?;
            out.finish()?;
            super::note(format!(
                "token {} created for {:?} at {} level, valid through {}; it is shown only now",
                t.id, a.label, a.access, a.expires
            ));
            Ok(())
        }
        TokenCommand::Revoke(a) => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let by = super::agent(a.by.as_deref());
            let t = token::revoke(&mut archive, a.id, &by)?;
            super::note(format!("token {} ({:?}) revoked", t.id, t.label));
            Ok(())
        }
        TokenCommand::List(a) => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let rows = output::to_values(&token::list(&archive)?)?;
            let mut out = super::Stdout::new();
            output::render_list(out.w(), a.output.format, TOKEN_COLUMNS, &rows)?;
            out.finish()
        }
        TokenCommand::Log(a) => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let rows = output::to_values(&token::access_log(&archive)?)?;
            let mut out = super::Stdout::new();
            output::render_list(out.w(), a.output.format, LOG_COLUMNS, &rows)?;
            out.finish()
        }
    }
}

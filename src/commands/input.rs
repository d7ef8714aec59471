//! Reading sealed values from the user: a file, stdin, or a hidden prompt.
//!
//! Values go straight into `secrecy` types. They are never echoed, never
//! quoted in errors, and never taken from arguments (the process list and
//! shell history would keep them).

use std::io::{IsTerminal, Read};
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use custos::cli::LegalNameArgs;
use custos::error::{Error, Result};

/// A secret text from a file; trailing white space removed.
pub(crate) fn secret_file(path: &Path) -> Result<SecretString> {
    let raw = SecretString::from(std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?);
    Ok(SecretString::from(
        raw.expose_secret().trim_end().to_string(),
    ))
}

/// A secret text from stdin to its end; trailing white space removed.
pub(crate) fn secret_stdin() -> Result<SecretString> {
    let mut raw = String::new();
    let read = std::io::stdin().read_to_string(&mut raw);
    let raw = SecretString::from(raw);
    read.map_err(|e| Error::io("<stdin>", e))?;
    Ok(SecretString::from(
        raw.expose_secret().trim_end().to_string(),
    ))
}

/// Whether the user asked to give a legal identity, or could be asked.
pub(crate) fn wants_legal_identity(a: &LegalNameArgs, may_prompt: bool) -> bool {
    a.legal_name_file.is_some() || a.legal_name_stdin || (may_prompt && prompt_possible())
}

fn prompt_possible() -> bool {
    std::io::stdin().is_terminal()
}

/// The legal identity from the source the user chose; with none chosen and
/// `may_prompt`, a hidden prompt when stdin is a terminal. None: nothing given.
pub(crate) fn legal_identity(a: &LegalNameArgs, may_prompt: bool) -> Result<Option<SecretString>> {
    let value = if let Some(p) = &a.legal_name_file {
        secret_file(p)?
    } else if a.legal_name_stdin {
        secret_stdin()?
    } else if may_prompt && prompt_possible() {
        let typed = SecretString::from(
            rpassword::prompt_password(
                "custos: legal identity (real name, contact; hidden; empty for none): ",
            )
            .map_err(|e| Error::io("<terminal>", e))?,
        );
        SecretString::from(typed.expose_secret().trim().to_string())
    } else {
        return Ok(None);
    };
    if value.expose_secret().trim().is_empty() {
        if a.legal_name_file.is_some() || a.legal_name_stdin {
            return Err(Error::usage(
                "the legal identity given is empty; nothing was recorded",
            ));
        }
        return Ok(None);
    }
    Ok(Some(value))
}

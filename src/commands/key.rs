//! `custos key init`: the custodian key pair (`ops::key`), or with
//! `--signing` a minisign key pair for signed heads; and the password of
//! an encrypted signing key, asked at the terminal.
//!
//! Never prints the secret key.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{KeyArgs, KeyCommand, KeyInitArgs};
use custos::error::{Error, Result};
use custos::head::Protection;
use custos::ops;
use secrecy::{ExposeSecret, SecretString};
use std::io::IsTerminal;

pub fn run(archive_arg: Option<&Path>, a: KeyArgs) -> Result<()> {
    match a.command {
        KeyCommand::Init(a) => init(archive_arg, a),
    }
}

fn init(archive_arg: Option<&Path>, a: KeyInitArgs) -> Result<()> {
    if a.signing {
        return init_signing(archive_arg, a);
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(a.agent.as_deref());
    let (recipient, out) = ops::key::init_custodian(&mut archive, a.out, &agent)?;
    let mut stdout = super::Stdout::new();
    writeln!(stdout.w(), "{}", recipient.as_string()).map_err(Error::stdout)?;
    stdout.finish()?;
    super::note(format!(
        "secret key written to {} (mode 0600). Keep a copy somewhere safe, away from the archive: without it, sealed identities and redaction terms cannot be read",
        out.display()
    ));
    Ok(())
}

/// The environment variable an encrypted signing key's password is read
/// from when no terminal can be asked (cron, scripts, tests).
pub const SIGNING_PASSWORD_ENV: &str = "CUSTOS_SIGNING_PASSWORD";

fn init_signing(archive_arg: Option<&Path>, a: KeyInitArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let protection = if a.no_password {
        Protection::None
    } else {
        Protection::Password(signing_password(true)?)
    };
    let agent = super::agent(a.agent.as_deref());
    let made = ops::key::init_signing(&mut archive, a.out, protection, &agent)?;
    let mut stdout = super::Stdout::new();
    writeln!(stdout.w(), "{}", made.public.base64()).map_err(Error::stdout)?;
    stdout.finish()?;
    super::note(format!(
        "signing key {} made: secret key in {} (mode 0600{}), public key in {}. Give the public key to whoever keeps your signed heads; sign with `custos log --head --sign {}`",
        made.public.key_id(),
        made.secret_file.display(),
        if a.no_password { ", NOT password-protected" } else { ", encrypted with your password" },
        made.public_file.display(),
        made.secret_file.display()
    ));
    Ok(())
}

/// The password of a signing key: from `CUSTOS_SIGNING_PASSWORD`, else
/// typed at the terminal (twice for a new key). Never an argument.
pub(crate) fn signing_password(new: bool) -> Result<SecretString> {
    if let Some(pw) = std::env::var_os(SIGNING_PASSWORD_ENV) {
        let pw = pw
            .into_string()
            .map_err(|_| Error::usage(format!("{SIGNING_PASSWORD_ENV} is not valid UTF-8")))?;
        return Ok(SecretString::from(pw));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage(format!(
            "the signing key is password-protected: set {SIGNING_PASSWORD_ENV}, or run at a terminal{}",
            if new { ", or give --no-password for a key in clear" } else { "" }
        )));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(SecretString::from)
            .map_err(|e| Error::io("<terminal>", e))
    };
    let pw = ask("custos: signing key password (hidden): ")?;
    if new && ask("custos: the same password again: ")?.expose_secret() != pw.expose_secret() {
        return Err(Error::usage(
            "the two passwords differ; nothing was written",
        ));
    }
    Ok(pw)
}

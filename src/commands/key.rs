//! `custos key init`: the custodian key pair, or with `--signing` a
//! minisign key pair for signed heads. Also finds the key for commands
//! that unseal (`--key FILE`, else the default file), and the password of
//! an encrypted signing key.
//!
//! Never prints the secret key, and never writes it inside the archive.

use std::path::{Path, PathBuf};

use crate::archive::{Archive, Mode};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::settings;
use crate::cli::{KeyArgs, KeyCommand, KeyInitArgs};
use crate::error::{Error, Result};
use crate::head::{self, Protection};
use crate::seal::{self, Key};
use secrecy::{ExposeSecret, SecretString};
use std::io::IsTerminal;

pub fn run(archive_arg: Option<&Path>, a: KeyArgs) -> Result<()> {
    match a.command {
        KeyCommand::Init(a) => init(archive_arg, a),
    }
}

fn default_path(archive: &Archive) -> Result<Option<PathBuf>> {
    crate::keys::default_path(archive.conn())
}

fn init(archive_arg: Option<&Path>, a: KeyInitArgs) -> Result<()> {
    if a.signing {
        return init_signing(archive_arg, a);
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let default = default_path(&archive)?;
    if let Some(r) = settings::custodian_recipient(archive.conn())? {
        let hint = default
            .map(|p| format!(" (by default {})", p.display()))
            .unwrap_or_default();
        return Err(Error::usage(format!(
            "this archive already has a custodian key (public key {}); its secret key is the file `custos key init` wrote{hint}: give it to commands as --key FILE. A key is never replaced: what was sealed to it would be lost",
            r.as_string()
        )));
    }
    let out = a.out.or(default).ok_or_else(|| {
        Error::usage(
            "cannot tell where your config folder is; give --out FILE (outside the archive)",
        )
    })?;
    refuse_inside(&out, archive.root())?;
    let key = Key::generate();
    key.write_new(&out)?;
    let recipient = key.recipient();
    let agent = super::agent(a.agent.as_deref());
    let now = crate::clock::now_rfc3339();
    let stored = archive.write(|tx| {
        settings::set_custodian_recipient(tx, &recipient)?;
        let detail = serde_json::json!({ "custodian_recipient": recipient.as_string() });
        EventLog::new(tx)?.append(
            EventType::Creation,
            None,
            &agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(())
    });
    if let Err(e) = stored {
        // Nothing was sealed to it yet: a key the archive does not know
        // would only mislead.
        let _ = std::fs::remove_file(&out);
        return Err(e);
    }
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
    let id = settings::get(archive.conn(), settings::ARCHIVE_ID)?
        .ok_or_else(|| Error::Failed("the archive has no archive_id setting".into()))?;
    let out = a
        .out
        .or_else(|| seal::default_key_path(&id).map(|p| p.with_extension("signing.key")))
        .ok_or_else(|| {
            Error::usage(
                "cannot tell where your config folder is; give --out FILE (outside the archive)",
            )
        })?;
    refuse_inside(&out, archive.root())?;
    let protection = if a.no_password {
        Protection::None
    } else {
        Protection::Password(signing_password(true)?)
    };
    let comment = format!("custos signing key for archive {id}");
    let public = head::keys::generate(&out, protection, &comment)?;
    let public_file = head::keys::public_path(&out)?;
    let agent = super::agent(a.agent.as_deref());
    let now = crate::clock::now_rfc3339();
    let stored = archive.write(|tx| {
        let detail = serde_json::json!({
            "signing_public_key": public.base64(),
            "signing_key_id": public.key_id(),
            "password_protected": !a.no_password,
        });
        EventLog::new(tx)?.append(
            EventType::Creation,
            None,
            &agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(())
    });
    if let Err(e) = stored {
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(&public_file);
        return Err(e);
    }
    let mut stdout = super::Stdout::new();
    writeln!(stdout.w(), "{}", public.base64()).map_err(Error::stdout)?;
    stdout.finish()?;
    super::note(format!(
        "signing key {} made: secret key in {} (mode 0600{}), public key in {}. Give the public key to whoever keeps your signed heads; sign with `custos log --head --sign {}`",
        public.key_id(),
        out.display(),
        if a.no_password { ", NOT password-protected" } else { ", encrypted with your password" },
        public_file.display(),
        out.display()
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

/// Refuses a key path inside the archive folder: whoever copies the archive
/// would copy the key with it.
fn refuse_inside(out: &Path, root: &Path) -> Result<()> {
    let abs = std::path::absolute(out).map_err(|e| Error::io(out, e))?;
    // Resolve symlinks of the part that exists; the rest is plain names.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                rest.push(n.to_os_string());
                existing = p;
            }
            _ => break,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .map_err(|e| Error::io(existing, e))?;
    for n in rest.iter().rev() {
        resolved.push(n);
    }
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    if resolved.starts_with(&root) {
        return Err(Error::usage(format!(
            "{} is inside the archive folder; the secret key must live elsewhere, or whoever copies the archive has the key too",
            out.display()
        )));
    }
    Ok(())
}

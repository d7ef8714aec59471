//! Making the archive's keys: the custodian's age key pair (legal
//! identities and redaction terms are sealed to its public key) and a
//! minisign key pair for signing the event log's head. Each is written
//! outside the archive, never over an existing file, and logged as a
//! `creation` event with the public key only; if the event cannot be
//! stored the new files are removed, so no key exists that the archive
//! does not know.
//!
//! It never prints and never asks for a password (the command does).

use std::path::PathBuf;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::settings;
use crate::error::{Error, Result};
use crate::head::{self, Protection, Public};
use crate::keys;
use crate::seal::{self, Key, Recipient};

/// The archive's id, which names its key files.
pub fn archive_id(archive: &Archive) -> Result<String> {
    settings::get(archive.conn(), settings::ARCHIVE_ID)?
        .ok_or_else(|| Error::Failed("the archive has no archive_id setting".into()))
}

/// Creates the custodian key at `out` (else the default file), once per
/// archive; returns its public key and where the secret key is.
pub fn init_custodian(
    archive: &mut Archive,
    out: Option<PathBuf>,
    agent: &str,
) -> Result<(Recipient, PathBuf)> {
    let default = keys::default_path(archive.conn())?;
    if let Some(r) = settings::custodian_recipient(archive.conn())? {
        let hint = default
            .map(|p| format!(" (by default {})", p.display()))
            .unwrap_or_default();
        return Err(Error::usage(format!(
            "this archive already has a custodian key (public key {}); its secret key is the file `custos key init` wrote{hint}: give it to commands as --key FILE. A key is never replaced: what was sealed to it would be lost",
            r.as_string()
        )));
    }
    let out = out.or(default).ok_or_else(no_config_folder)?;
    keys::refuse_inside(&out, archive.root())?;
    let key = Key::generate();
    key.write_new(&out)?;
    let recipient = key.recipient();
    let detail = serde_json::json!({ "custodian_recipient": recipient.as_string() });
    let stored = archive.write(|tx| {
        settings::set_custodian_recipient(tx, &recipient)?;
        log_creation(tx, agent, &detail)
    });
    if let Err(e) = stored {
        // Nothing was sealed to it yet: a key the archive does not know
        // would only mislead.
        let _ = std::fs::remove_file(&out);
        return Err(e);
    }
    Ok((recipient, out))
}

/// A new signing key pair: its public key and the two files.
pub struct SigningKey {
    pub public: Public,
    pub secret_file: PathBuf,
    pub public_file: PathBuf,
}

/// Creates a signing key pair at `out` (else beside the default custodian
/// key file), protected as asked.
pub fn init_signing(
    archive: &mut Archive,
    out: Option<PathBuf>,
    protection: Protection,
    agent: &str,
) -> Result<SigningKey> {
    let id = archive_id(archive)?;
    let out = out
        .or_else(|| seal::default_key_path(&id).map(|p| p.with_extension("signing.key")))
        .ok_or_else(no_config_folder)?;
    keys::refuse_inside(&out, archive.root())?;
    let protected = matches!(protection, Protection::Password(_));
    let comment = format!("custos signing key for archive {id}");
    let public = head::keys::generate(&out, protection, &comment)?;
    let public_file = head::keys::public_path(&out)?;
    let detail = serde_json::json!({
        "signing_public_key": public.base64(),
        "signing_key_id": public.key_id(),
        "password_protected": protected,
    });
    if let Err(e) = archive.write(|tx| log_creation(tx, agent, &detail)) {
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(&public_file);
        return Err(e);
    }
    Ok(SigningKey {
        public,
        secret_file: out,
        public_file,
    })
}

fn log_creation(tx: &rusqlite::Connection, agent: &str, detail: &serde_json::Value) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    EventLog::new(tx)?.append(
        EventType::Creation,
        None,
        agent,
        "success",
        Some(detail),
        &now,
    )?;
    Ok(())
}

fn no_config_folder() -> Error {
    Error::usage("cannot tell where your config folder is; give --out FILE (outside the archive)")
}

//! `custos key init`: the custodian key pair. Also finds the key for
//! commands that unseal (`--key FILE`, else the default file).
//!
//! Never prints the secret key, and never writes it inside the archive.

use std::path::{Path, PathBuf};

use crate::archive::{Archive, Mode};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::settings;
use crate::cli::{KeyArgs, KeyCommand, KeyInitArgs};
use crate::error::{Error, Result};
use crate::seal::Key;

pub fn run(archive_arg: Option<&Path>, a: KeyArgs) -> Result<()> {
    match a.command {
        KeyCommand::Init(a) => init(archive_arg, a),
    }
}

fn default_path(archive: &Archive) -> Result<Option<PathBuf>> {
    crate::keys::default_path(archive.conn())
}

fn init(archive_arg: Option<&Path>, a: KeyInitArgs) -> Result<()> {
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

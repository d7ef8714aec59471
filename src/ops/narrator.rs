//! Narrators: recording one, editing their fields or sealed legal
//! identity, and revealing that identity to the custodian. Each is one
//! transaction with its event; narrator events name the narrator's id and
//! the fields changed, never a value, because no purge can erase them.
//!
//! A new free-text value of a narrator with redacted testimonies is checked
//! against those testimonies' sealed terms (it is shown beside their
//! redacted text). It never prints and never holds a legal identity in
//! clear except the one `reveal` returns, after its event is committed.

use secrecy::SecretString;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::narrators::{self, NewNarrator};
use crate::catalogue::redactions;
use crate::error::{Error, Result};
use crate::keys::KeyFile;
use crate::model::NarratorId;
use crate::seal;

pub use crate::catalogue::narrators::NarratorChange;

/// Records a narrator; `sealed_identity` is already ciphertext.
pub fn add(archive: &mut Archive, new: &NewNarrator, agent: &str) -> Result<NarratorId> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let id = narrators::insert(tx, new, &now)?;
        let detail = serde_json::json!({
            "narrator": id,
            "legal_identity_sealed": new.sealed_identity.is_some(),
        });
        EventLog::new(tx)?.append(
            EventType::Creation,
            None,
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(id)
    })
}

/// Changes to one narrator.
pub struct EditNarrator {
    pub id: NarratorId,
    pub changes: Vec<NarratorChange>,
    /// A new legal identity, already sealed to the custodian.
    pub sealed_identity: Option<Vec<u8>>,
    pub agent: String,
    /// To check new text against redacted testimonies' sealed terms.
    pub key: KeyFile,
}

/// Applies the edit; returns the names of the fields that changed.
pub fn edit(archive: &mut Archive, op: &EditNarrator) -> Result<Vec<&'static str>> {
    let now = crate::clock::now_rfc3339();
    let id = op.id;
    let shown: Vec<(String, &str)> = op
        .changes
        .iter()
        .filter_map(|c| Some((format!("narrator {}", c.field().name()), c.text()?)))
        .collect();
    archive.write(|tx| {
        require_in(tx, id)?;
        for item in redactions::redacted_testimonies_of(tx, id.0)? {
            crate::redact::check_new_values(tx, item, &op.key, &shown)?;
        }
        let mut changed: Vec<&'static str> = Vec::new();
        for change in &op.changes {
            if narrators::set_field(tx, id, change)? {
                changed.push(change.field().name());
            }
        }
        if let Some(s) = &op.sealed_identity {
            narrators::set_sealed_identity(tx, id, s)?;
            changed.push("legal_identity");
        }
        if !changed.is_empty() {
            let detail = serde_json::json!({ "narrator": id, "fields": changed });
            EventLog::new(tx)?.append(
                EventType::MetadataModification,
                None,
                &op.agent,
                "success",
                Some(&detail),
                &now,
            )?;
        }
        Ok(changed)
    })
}

/// The custodian's public key, to seal a legal identity to; None before
/// `key init`.
pub fn custodian_recipient(archive: &Archive) -> Result<Option<seal::Recipient>> {
    crate::catalogue::settings::custodian_recipient(archive.conn())
}

/// Refuses a narrator this archive does not have.
pub fn require(archive: &Archive, id: NarratorId) -> Result<()> {
    require_in(archive.conn(), id)
}

fn require_in(conn: &rusqlite::Connection, id: NarratorId) -> Result<()> {
    if narrators::exists(conn, id)? {
        Ok(())
    } else {
        Err(Error::usage(format!("no narrator {id} in this archive")))
    }
}

/// Unseals the narrator's legal identity with the custodian key and logs a
/// `reveal` event, committed before the identity is returned. None when
/// nothing is sealed (also logged).
pub fn reveal(
    archive: &mut Archive,
    id: NarratorId,
    key: &KeyFile,
    agent: &str,
) -> Result<Option<SecretString>> {
    let key = key.find(archive.conn())?.ok_or_else(|| {
        Error::usage(
            "--reveal needs the custodian key: give --key FILE (the file `custos key init` wrote)",
        )
    })?;
    let sealed = narrators::sealed_identity(archive.conn(), id)?
        .ok_or_else(|| Error::usage(format!("no narrator {id} in this archive")))?;
    let identity = sealed
        .map(|s| seal::open_string(&key, &s, &format!("narrator {id}")))
        .transpose()?;
    let now = crate::clock::now_rfc3339();
    let outcome = if identity.is_some() {
        "success"
    } else {
        "nothing sealed"
    };
    archive.write(|tx| {
        let detail = serde_json::json!({ "narrator": id });
        EventLog::new(tx)?.append(EventType::Reveal, None, agent, outcome, Some(&detail), &now)?;
        Ok(())
    })?;
    Ok(identity)
}

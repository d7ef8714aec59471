//! Write operations on the catalogue, one function each: check the
//! preconditions, write, append a typed event, all in one transaction.
//! Commands parse their arguments into an operation's options, call it and
//! render what it returns; they never open a transaction themselves.
//!
//! An operation must not print and must not decide visibility; where a
//! write could reveal what the policy hides (a redacted name returning as a
//! term), it asks the module that guards it (`redact::check_new_values`).

use crate::catalogue::events::{EventLog, EventType};
use crate::error::Result;
use crate::model::ItemId;

pub mod access;
pub mod accession;
pub mod claims;
pub mod consent;
pub mod deaccession;
pub mod describe;
pub mod key;
pub mod names;
pub mod narrator;
pub mod notes;
pub mod passage;
pub mod segment;
pub mod site;
pub mod targets;
pub mod testimony;
pub mod token;
pub mod transcript;
pub mod vocabulary;

pub use crate::catalogue::items::Field;
pub use crate::catalogue::names::NewName;
pub use crate::catalogue::narrators::NewNarrator;
pub use crate::catalogue::terms::clean_label;
pub use crate::catalogue::testimonies::TestimonyFields;
pub use describe::{edit, edit_each, tag, Edit, EditEach, ItemEdit, ItemTags, Tag};
pub use targets::Targets;
pub use testimony::{set_testimony, SetTestimony};
pub use vocabulary::{relabel, Relabel};

/// Appends the `metadata_modification` event every description change
/// records: who changed what of which item (None: of the archive).
fn log_modification(
    log: &mut EventLog<'_>,
    item: Option<ItemId>,
    agent: &str,
    detail: &serde_json::Value,
    now: &str,
) -> Result<()> {
    log.append(
        EventType::MetadataModification,
        item,
        agent,
        "success",
        Some(detail),
        now,
    )?;
    Ok(())
}

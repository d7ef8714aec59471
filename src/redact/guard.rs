//! Names that would outlive a redaction elsewhere: redaction rewrites an
//! item's title, description and text, but not its creator, its collection,
//! the labels of the vocabulary terms linked to it, or its testimony's
//! interviewer, interview place and narrator fields, which readers who may
//! open the item see (`query agent:…`, `terms`, reports, bags).
//! So a redaction is refused while one of those holds a term being
//! redacted, and on a redacted item a new term, creator or collection is
//! taken only after it was checked against the sealed terms (which needs
//! the custodian's key).
//!
//! Messages name the field, vocabulary or term id, never a value: the
//! value may be the very name being redacted.

use crate::catalogue::redactions::{self, Linked};
use crate::catalogue::terms;
use crate::error::{Error, Result};
use crate::keys::KeyFile;
use crate::model::{ItemId, Vocab};
use rusqlite::Connection;

use super::{redact_text, Terms};

/// Whether `value` holds any of `terms` (as redaction matches them).
fn holds(value: &str, terms: &Terms) -> bool {
    redact_text(value, terms).1 > 0
}

/// Refuses a redaction of item `id` with `terms` while its creator,
/// collection or a linked term's label holds one of them.
pub(super) fn check_linked(conn: &Connection, id: ItemId, terms: &Terms) -> Result<()> {
    for l in redactions::linked(conn, id)? {
        let (value, what, fix) = match &l {
            Linked::Creator(v) => (
                v,
                "creator".to_string(),
                format!("change it (`custos edit {id} --creator ...` or `--clear creator`)"),
            ),
            Linked::Collection(v) => (
                v,
                "collection".to_string(),
                format!("change it (`custos edit {id} --collection ...` or `--clear collection`)"),
            ),
            Linked::Term {
                id: term,
                vocab,
                label,
            } => (
                label,
                format!("{vocab} term {term}"),
                format!("untag it (`custos untag {id} --{vocab} LABEL`)"),
            ),
            Linked::Testimony { field, value } => (
                value,
                format!("testimony's {field}"),
                format!(
                    "change it (`custos testimony set {id} --narrator N --{} ...`)",
                    field.replace('_', "-")
                ),
            ),
            Linked::Narrator {
                id: narrator,
                field,
                value,
            } => (
                value,
                format!("narrator's {field}"),
                format!("change it (`custos narrator edit {narrator}`)"),
            ),
        };
        if holds(value, terms) {
            return Err(Error::usage(format!(
                "item {id}: its {what} holds a term to redact, and redaction does not rewrite it, \
                 so readers below custodian would still see the name; {fix}, then redact again \
                 (nothing was redacted)"
            )));
        }
    }
    Ok(())
}

/// Checks new values about to be shown with item `id` (a term label, a
/// creator, a collection; each with what it is) against its redaction
/// terms. An item without redactions takes anything; a redacted one needs
/// the key, since its terms are sealed.
pub fn check_new_values(
    conn: &Connection,
    id: ItemId,
    key: &KeyFile,
    values: &[(String, &str)],
) -> Result<()> {
    if values.is_empty() || !redactions::is_redacted(conn, id)? {
        return Ok(());
    }
    let key = key.find(conn)?;
    let what = values
        .iter()
        .map(|(w, _)| w.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let key = key.as_ref().ok_or_else(|| {
        Error::usage(format!(
            "item {id} has redactions: a new {what} must first be checked against its sealed \
             redaction terms, so that it cannot show a redacted name below custodian; give \
             --key FILE (the custodian's key), or keep the key where `custos key init` wrote it"
        ))
    })?;
    let terms = super::sealed_terms_of(conn, id, key)?;
    for (what, value) in values {
        if holds(value, &terms) {
            return Err(Error::usage(format!(
                "item {id}: the new {what} holds one of the item's redaction terms and would show \
                 it below custodian; nothing was changed (choose a value without the name)"
            )));
        }
    }
    Ok(())
}

/// Refuses to relabel the term (rename it, or merge it into another) while
/// a redacted item is linked to it: the new label would be shown with that
/// item without being checked against its sealed terms.
pub fn check_relabel(conn: &Connection, vocab: Vocab, label: &str) -> Result<()> {
    let Some((term, _)) = terms::find(conn, vocab, label)? else {
        return Ok(());
    };
    let items = redactions::redacted_items_with_term(conn, term)?;
    if items.is_empty() {
        return Ok(());
    }
    let ids = items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::usage(format!(
        "{vocab} term {term} is linked to redacted item(s) {ids}, and its new label cannot be \
         checked against their sealed redaction terms here; untag them first \
         (`custos untag ID --{vocab} ...`), then tag them again (checked with the key)"
    )))
}

//! Recording accessions (`custos accession add`): a number unique in the
//! archive, a donor, the day received, and the donor agreement — an item
//! (which becomes the custodian's alone, like consent evidence) or a note.
//! One transaction with one `accession` event; the donor is custodial
//! detail of that event.
//!
//! Items join an accession at import (`import --accession`, a manifest's
//! `accession` column) inside the import's transaction. It never prints
//! and never decides who may see what.

use crate::archive::Archive;
use crate::catalogue::accessions::{self, AccessionRecord};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::items;
use crate::error::{Error, Result};

pub use crate::catalogue::accessions::NewAccession;

/// Records the accession; returns its row id.
pub fn add(archive: &mut Archive, a: &NewAccession, by: &str) -> Result<i64> {
    let mut a = a.clone();
    a.number = a.number.trim().to_string();
    a.donor = a.donor.trim().to_string();
    if a.number.is_empty() {
        return Err(Error::usage("--number cannot be empty"));
    }
    if a.donor.is_empty() {
        return Err(Error::usage("--donor cannot be empty"));
    }
    if a.agreement_item.is_none() && a.agreement_note.is_none() {
        return Err(Error::usage(
            "say where the donor agreement is: --agreement ITEM (an imported item) or --agreement-note TEXT",
        ));
    }
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        if let Some(item) = a.agreement_item {
            items::ensure_changeable(tx, item)?;
            // A testimony's access is its consent's; an agreement is a
            // document of the custodian's.
            if crate::policy::sql::load_facts(tx, item)?
                .is_some_and(|f| f.kind == crate::model::Kind::Testimony)
            {
                return Err(Error::usage(format!(
                    "item {item} is a testimony; a donor agreement is a document of its own (import the signed agreement and name that item)"
                )));
            }
        }
        let id = accessions::insert(tx, &a, by, &now)?;
        let detail = serde_json::json!({
            "number": a.number,
            "donor": a.donor,
            "received": a.received.format("%Y-%m-%d").to_string(),
            "agreement_item": a.agreement_item,
            "extent": a.extent,
        });
        EventLog::new(tx)?.append(
            EventType::Accession,
            None,
            by,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(id)
    })
}

/// The accession with this number, for an import to link its items to:
/// refused before anything is imported when it was never recorded.
pub fn require(archive: &Archive, number: &str) -> Result<()> {
    match accessions::find(archive.conn(), number.trim())? {
        Some(_) => Ok(()),
        None => Err(no_such(number)),
    }
}

fn no_such(number: &str) -> Error {
    Error::usage(format!(
        "no accession {number:?} in this archive; record it first with `custos accession add --number {number} --donor ... --received YYYY-MM-DD --agreement ITEM`"
    ))
}

/// Links a newly imported item to its accession, in the import's
/// transaction.
pub(crate) fn link_new_item(
    conn: &rusqlite::Connection,
    item: crate::model::ItemId,
    number: &str,
) -> Result<()> {
    let a: AccessionRecord =
        accessions::find(conn, number.trim())?.ok_or_else(|| no_such(number))?;
    accessions::link(conn, item, &a)?;
    Ok(())
}

//! Recording consent for a testimony: a grant, a restriction or a
//! withdrawal, appended to the consent history with its `consent_change`
//! event in one transaction; the current state follows from the history.
//!
//! The checks live with the rows (`catalogue::consent::record`: a
//! testimony only, not purged, a restriction only narrows); this operation
//! adds nothing to them and never prints.

use crate::archive::Archive;
use crate::catalogue::consent;
use crate::catalogue::events::EventLog;
use crate::error::Result;
use crate::model::ItemId;

pub use crate::catalogue::consent::NewConsent;

/// Appends `new` to item `id`'s consent history.
pub fn record(archive: &mut Archive, id: ItemId, new: &NewConsent, agent: &str) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let mut log = EventLog::new(tx)?;
        consent::record(tx, &mut log, id, new, agent, &now).map(|_| ())
    })
}

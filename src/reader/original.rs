//! The read path of an item's stored original, for the portal's download
//! route: whether it may leave to this reader (`policy::download`), and if
//! so where the object lies, its media type and a file name made from the
//! item id and an extension for the media type, never the original file
//! name (which may carry a person's name).
//!
//! It loads rows and asks the policy; it never decides visibility itself
//! and never prints. It asks for the object's file (fetched from a primary
//! store where the archive keeps its originals there) only once the
//! policy has let it leave.

use super::Reader;
use crate::catalogue::{items, passages};
use crate::error::Result;
use crate::model::ItemId;
use crate::policy::download::{self, Refusal};
use crate::sites::primary::{ObjectFile, Objects};

/// An original a reader may download.
pub struct Original {
    /// The stored object (content-addressed; no name of the item's in it),
    /// as a local file for as long as this value lives.
    pub file: ObjectFile,
    pub media_type: String,
    /// `item-17.wav`: the id and an extension for the media type.
    pub file_name: String,
    pub size: u64,
}

impl Reader<'_> {
    /// Whether item `id`'s original may leave to this reader: Ok, or why
    /// not (`Refusal::Hidden` for a hidden or missing item alike).
    pub fn original_may_leave(&self, id: ItemId) -> Result<std::result::Result<(), Refusal>> {
        let Some(facts) = crate::policy::sql::load_facts(self.conn, id)? else {
            return Ok(Err(Refusal::Hidden));
        };
        let passages = passages::for_item(self.conn, id)?;
        Ok(download::original_may_leave(
            self.access,
            &facts,
            &passages,
            self.today,
        ))
    }

    /// The original of item `id` in `objects`, where it may leave to this
    /// reader; else why not.
    pub fn original(
        &self,
        objects: &Objects,
        id: ItemId,
    ) -> Result<std::result::Result<Original, Refusal>> {
        if let Err(why) = self.original_may_leave(id)? {
            return Ok(Err(why));
        }
        let Some(record) = items::get(self.conn, id)? else {
            return Ok(Err(Refusal::Hidden));
        };
        let ext = crate::export::extension_for(&record.media_type);
        Ok(Ok(Original {
            file: objects.fetch(&record.sha256)?,
            file_name: format!("item-{}.{ext}", id.0),
            media_type: record.media_type,
            size: u64::try_from(record.size).unwrap_or(0),
        }))
    }
}

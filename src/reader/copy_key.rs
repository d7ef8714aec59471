//! The key of a reader's access copy, for caches of built copies (the
//! portal's `/items/N/audio`): a digest of everything the copy's bytes are
//! made from — the stored object's digest, its media type, and the ranges
//! silenced for this reader today (`policy::passage::closed`). A passage
//! added, lifted or ending, or a new object, gives a new key, so a cache
//! keyed by it never serves a copy built under other restrictions; two
//! levels with the same closed ranges share one copy.
//!
//! It refuses exactly where `access_copy` refuses (the same check). It
//! never decides visibility itself, writes nothing and never prints.

use sha2::Digest;

use super::Reader;
use crate::error::{Error, Result};
use crate::model::{ItemId, Sha256};

/// Bumped when `access_copy::write_file` changes what it writes, so copies
/// built by an older program are not served.
const COPY_FORMAT: &str = "access-copy-v1";

impl Reader<'_> {
    /// The cache key of item `id`'s access copy for this reader, with the
    /// media type of the copy; refused (exit 13, or "no item") where
    /// `access_copy` would refuse.
    pub fn access_copy_key(&self, id: ItemId) -> Result<(Sha256, String)> {
        self.timed(id, "recording")?;
        let record = crate::catalogue::items::get(self.conn, id)?
            .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
        if crate::catalogue::recordings::for_item(self.conn, id)?.is_none() {
            return Err(Error::usage(format!("item {id} is not a recording")));
        }
        let mut h = sha2::Sha256::new();
        h.update(COPY_FORMAT.as_bytes());
        h.update(b"\0");
        h.update(record.sha256.as_str().as_bytes());
        h.update(b"\0");
        h.update(record.media_type.as_bytes());
        h.update(b"\0");
        for (r, _) in self.closed(id)? {
            h.update(r.start.0.to_le_bytes());
            h.update(r.end.0.to_le_bytes());
        }
        Ok((Sha256::from_digest(&h.finalize()), record.media_type))
    }
}

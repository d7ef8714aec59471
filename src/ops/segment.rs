//! `segment add` and `segment import`: time-coded segments of a recording
//! (an OHMS index), each checked against the recording's duration, all
//! written with one `segment_change` event in one transaction.
//!
//! This operation never prints and never decides visibility.

use serde_json::json;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::segments;
use crate::error::{Error, Result};
use crate::media::Interval;
use crate::model::ItemId;
use crate::transcript::Segment;

/// Segments to add to one recording.
#[derive(Debug, Clone)]
pub struct AddSegments {
    pub item: ItemId,
    pub segments: Vec<Segment>,
    /// Where they came from (`segment add`, or the imported file's name).
    pub source: String,
    pub agent: String,
}

/// One segment to remove from a recording.
#[derive(Debug, Clone)]
pub struct RemoveSegment {
    pub item: ItemId,
    pub segment: i64,
    pub agent: String,
}

/// Removes the segment, with a `segment_change` event naming it.
pub fn remove(archive: &mut Archive, op: &RemoveSegment) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        crate::catalogue::items::ensure_changeable(tx, op.item)?;
        if !segments::remove(tx, op.item, op.segment)? {
            return Err(Error::usage(format!(
                "item {} has no segment {} (`custos segment list {}` shows their ids)",
                op.item, op.segment, op.item
            )));
        }
        let detail = json!({ "source": "segment remove", "removed": [op.segment] });
        EventLog::new(tx)?.append(
            EventType::SegmentChange,
            Some(op.item),
            &op.agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(())
    })
}

/// Adds the segments; returns their new ids.
pub fn add(archive: &mut Archive, op: &AddSegments) -> Result<Vec<i64>> {
    if op.segments.is_empty() {
        return Err(Error::usage(format!("{}: no segments to add", op.source)));
    }
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let duration = super::transcript::recording(tx, op.item)?;
        for (i, s) in op.segments.iter().enumerate() {
            if s.title.trim().is_empty() {
                return Err(Error::usage(format!(
                    "{}: segment {} has no title",
                    op.source,
                    i + 1
                )));
            }
            Interval::new(s.start, s.end, duration).map_err(|e| {
                Error::usage(format!(
                    "{}: segment {} ({:?}): {e}",
                    op.source,
                    i + 1,
                    s.title
                ))
            })?;
        }
        let mut ids = Vec::with_capacity(op.segments.len());
        for s in &op.segments {
            ids.push(segments::insert(tx, op.item, s)?);
        }
        let detail = json!({ "source": op.source, "segments": ids });
        EventLog::new(tx)?.append(
            EventType::SegmentChange,
            Some(op.item),
            &op.agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(ids)
    })
}

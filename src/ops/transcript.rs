//! `transcript set`: attach a transcript to a recording, keeping the old
//! one as history, recorded by a `transcript_change` event, in one
//! transaction.
//!
//! Cues must lie within the recording (end ≤ its duration, where known).
//! This operation never prints and never decides visibility.

use serde_json::json;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{items, recordings, transcripts};
use crate::error::{Error, Result};
use crate::media::TimeCode;
use crate::model::ItemId;
use crate::transcript::{Cue, Format};

/// The transcript to set.
#[derive(Debug, Clone)]
pub struct SetTranscript {
    pub item: ItemId,
    pub format: Format,
    pub cues: Vec<Cue>,
    /// The file it was read from, for the event.
    pub source: String,
    pub agent: String,
}

/// What `set` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TranscriptSet {
    pub item: ItemId,
    pub cues: usize,
    pub replaced: bool,
}

/// The item's duration, refusing an item that is not a recording.
pub(crate) fn recording(conn: &rusqlite::Connection, item: ItemId) -> Result<Option<TimeCode>> {
    items::ensure_changeable(conn, item)?;
    let t = recordings::for_item(conn, item)?.ok_or_else(|| {
        Error::usage(format!(
            "item {item} is not a recording (no audio or video was read from it at import)"
        ))
    })?;
    Ok(t.duration_ms.map(TimeCode))
}

pub fn set(archive: &mut Archive, op: &SetTranscript) -> Result<TranscriptSet> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let duration = recording(tx, op.item)?;
        if let Some(d) = duration {
            if let Some((i, c)) = op
                .cues
                .iter()
                .enumerate()
                .find(|(_, c)| c.end.is_some_and(|e| e > d))
            {
                return Err(Error::usage(format!(
                    "{}: cue {} ends at {}, beyond the recording's duration {d}",
                    op.source,
                    i + 1,
                    c.end.unwrap_or_default()
                )));
            }
        }
        let previous = transcripts::current(tx, op.item)?;
        let detail = json!({
            "format": op.format.as_str(),
            "source": op.source,
            "cues": op.cues.len(),
            "replaces": previous,
        });
        let mut log = EventLog::new(tx)?;
        let event = log.append(
            EventType::TranscriptChange,
            Some(op.item),
            &op.agent,
            "success",
            Some(&detail),
            &now,
        )?;
        transcripts::set(tx, op.item, op.format, &op.cues, event, &op.agent, &now)?;
        Ok(TranscriptSet {
            item: op.item,
            cues: op.cues.len(),
            replaced: previous.is_some(),
        })
    })
}

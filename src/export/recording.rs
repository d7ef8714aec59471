//! What an export at a level holds of a recording: the original where no
//! passage is closed at that level, else an access copy with the closed
//! passages silenced (never the original nor its digest); and the
//! transcript and segments as that level may see them, markers included.
//! `records.json` says which passages are closed.
//!
//! The policy decides (`policy::passage`); this module only shapes the
//! exported record and payload with its answers.

use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::{ExportOptions, Payload, PayloadSource};
use crate::catalogue::{passages, recordings, segments, transcripts};
use crate::error::Result;
use crate::model::ItemId;
use crate::policy::{self, passage, Decision, Facts};

/// Shapes one exported recording's record and payload; true when its
/// payload had to be withheld (a closed passage in a format that cannot
/// be silenced here).
pub(super) fn shape(
    conn: &Connection,
    id: ItemId,
    opts: &ExportOptions,
    decision: &Decision,
    facts: &Facts,
    payload: &mut Option<Payload>,
    obj: &mut Map<String, Value>,
) -> Result<bool> {
    if recordings::for_item(conn, id)?.is_none() {
        return Ok(false);
    }
    let closed = passage::closed(&passages::for_item(conn, id)?, opts.access, opts.today);
    obj.insert(
        "passages_closed".into(),
        closed
            .iter()
            .map(|(r, u)| json!({"from": r.start.clock('.'), "to": r.end.clock('.'), "until": u.map(|d| d.to_string())}))
            .collect::<Vec<_>>()
            .into(),
    );
    if passage::timed_text(decision, facts, opts.access) {
        let cues = match transcripts::current(conn, id)? {
            Some(t) => passage::cues(transcripts::cues(conn, t)?, &closed)
                .into_iter()
                .map(policy::view::cue)
                .collect(),
            None => Vec::new(),
        };
        obj.insert("transcript".into(), crate::output::to_values(&cues)?.into());
        let segs = passage::segment_views(segments::for_item(conn, id)?, &closed);
        obj.insert("segments".into(), crate::output::to_values(&segs)?.into());
    }
    if closed.is_empty() {
        return Ok(false);
    }
    let Some(p) = payload.as_mut() else {
        return Ok(false);
    };
    let PayloadSource::Original(src, _) = &p.source else {
        return Ok(false);
    };
    // The original's digest and size would confirm what the closed
    // passage holds: they stay home with it.
    obj.insert("sha256".into(), Value::Null);
    obj.insert("size".into(), Value::Null);
    obj.insert("payload_sha256".into(), Value::Null);
    obj.insert("access_copy".into(), true.into());
    let media_type = obj
        .get("media_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if crate::access_copy::Kind::of(&media_type) == crate::access_copy::Kind::Other
        && !crate::access_copy::ffmpeg_installed()
    {
        *payload = None;
        obj.insert("payload".into(), Value::Null);
        return Ok(true);
    }
    p.source = PayloadSource::AccessCopy {
        original: src.clone(),
        media_type,
        closed: closed.into_iter().map(|(r, _)| r).collect(),
    };
    Ok(false)
}

/// Writes the access copy to a temp file and hands it to `add`.
pub(super) fn copy(
    original: &std::path::Path,
    media_type: &str,
    closed: &[crate::media::Interval],
    add: impl FnOnce(&mut dyn std::io::Read) -> Result<crate::model::Sha256>,
) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut tmp =
        tempfile::tempfile().map_err(|e| crate::error::Error::io(std::env::temp_dir(), e))?;
    crate::access_copy::write_copy(original, media_type, closed, &mut tmp)?;
    tmp.seek(SeekFrom::Start(0))
        .map_err(|e| crate::error::Error::io(std::env::temp_dir(), e))?;
    add(&mut tmp).map(|_| ())
}

//! A recording's part of the custodian state in a custos bag: its standing
//! passage restrictions, its current transcript and its segments, so that
//! a round trip through a custodian bag closes in the new archive every
//! passage it closed in the old one (the access copy, search, transcripts
//! and the portal then silence it again) and loses nothing that was said
//! or indexed.
//!
//! Export reads the rows of an item the custodian may see; import parses
//! them, naming the field at fault, and writes them inside the import's
//! transaction with an event each. It never decides what a passage hides
//! (`policy::passage` does) and never opens a passage: a restriction that
//! cannot be restored fails the whole import.

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{passages, recordings, segments, transcripts};
use crate::error::Result;
use crate::media::{Interval, TimeCode};
use crate::model::ItemId;
use crate::policy::passage::{Passage, PassageLevel};
use crate::transcript::{Cue, Format, Segment};

use super::parse::str_of;

/// What a bag carries of one recording.
#[derive(Debug, Clone, Default)]
pub struct RecordingIn {
    passages: Vec<Passage>,
    transcript: Option<(Format, Vec<Cue>)>,
    segments: Vec<Segment>,
}

fn ms(t: Option<TimeCode>) -> Value {
    t.map_or(Value::Null, |t| t.millis().into())
}

/// The recording state of an exported item; null when it is no recording.
pub fn state(conn: &Connection, id: ItemId) -> Result<Value> {
    if recordings::for_item(conn, id)?.is_none() {
        return Ok(Value::Null);
    }
    // Lifted restrictions close nothing; their history stays home.
    let standing: Vec<Value> = passages::for_item(conn, id)?
        .into_iter()
        .filter(|p| !p.lifted)
        .map(|p| {
            json!({"start_ms": p.range.start.millis(), "end_ms": p.range.end.millis(),
                   "level": p.level.as_str(), "until": p.until.map(|d| d.to_string()),
                   "reason": p.reason})
        })
        .collect();
    let transcript = match transcripts::current(conn, id)? {
        None => Value::Null,
        Some(t) => {
            let format = transcripts::history(conn, id)?
                .into_iter()
                .find(|r| r.id == t)
                .map(|r| r.format)
                .unwrap_or_else(|| "text".into());
            let cues: Vec<Value> = transcripts::cues(conn, t)?
                .into_iter()
                .map(|c| {
                    json!({"start_ms": ms(c.start), "end_ms": ms(c.end),
                           "speaker": c.speaker, "text": c.text})
                })
                .collect();
            json!({"format": format, "cues": cues})
        }
    };
    let segs: Vec<Value> = segments::for_item(conn, id)?
        .into_iter()
        .map(|r| {
            let s = r.segment;
            json!({"start_ms": s.start.millis(), "end_ms": s.end.millis(), "title": s.title,
                   "synopsis": s.synopsis, "partial_transcript": s.partial_transcript,
                   "keywords": s.keywords, "places": s.places, "events": s.events,
                   "subjects": s.subjects})
        })
        .collect();
    Ok(json!({"passages": standing, "transcript": transcript, "segments": segs}))
}

type Parsed<T> = std::result::Result<T, String>;

fn int(v: &Value, key: &str, at: &str) -> Parsed<i64> {
    v.get(key)
        .and_then(Value::as_i64)
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("{at}.{key}: not a time in milliseconds"))
}

fn opt_int(v: &Value, key: &str, at: &str) -> Parsed<Option<TimeCode>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => int(v, key, at).map(|n| Some(TimeCode(n))),
    }
}

fn list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn array<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// Parses the `recording` object of a record's custodian state.
pub fn parse(v: Option<&Value>) -> Parsed<Option<RecordingIn>> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let mut r = RecordingIn::default();
    for (i, p) in array(v, "passages") {
        let at = format!("recording.passages[{i}]");
        let (start, end) = (int(p, "start_ms", &at)?, int(p, "end_ms", &at)?);
        if end <= start {
            return Err(format!("{at}: end_ms {end} is not after start_ms {start}"));
        }
        let level = str_of(p, "level")
            .and_then(|l| PassageLevel::parse(&l))
            .ok_or_else(|| format!("{at}.level: not custodian or research"))?;
        let until = match str_of(p, "until") {
            None => None,
            Some(d) => Some(
                chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|e| format!("{at}.until: {d}: {e}"))?,
            ),
        };
        r.passages.push(Passage {
            id: 0,
            range: Interval {
                start: TimeCode(start),
                end: TimeCode(end),
            },
            level,
            until,
            reason: str_of(p, "reason").ok_or_else(|| format!("{at}.reason: missing"))?,
            lifted: false,
            recorded_at: String::new(),
            recorded_by: String::new(),
        });
    }
    if let Some(t) = v.get("transcript").filter(|t| !t.is_null()) {
        let format = str_of(t, "format")
            .and_then(|f| Format::parse(&f))
            .ok_or("recording.transcript.format: not vtt, srt, ohms or text")?;
        let mut cues = Vec::new();
        for (i, c) in array(t, "cues") {
            let at = format!("recording.transcript.cues[{i}]");
            cues.push(Cue {
                start: opt_int(c, "start_ms", &at)?,
                end: opt_int(c, "end_ms", &at)?,
                speaker: str_of(c, "speaker"),
                text: str_of(c, "text").ok_or_else(|| format!("{at}.text: missing"))?,
            });
        }
        r.transcript = Some((format, cues));
    }
    for (i, s) in array(v, "segments") {
        let at = format!("recording.segments[{i}]");
        r.segments.push(Segment {
            start: TimeCode(int(s, "start_ms", &at)?),
            end: TimeCode(int(s, "end_ms", &at)?),
            title: str_of(s, "title").ok_or_else(|| format!("{at}.title: missing"))?,
            synopsis: str_of(s, "synopsis"),
            partial_transcript: str_of(s, "partial_transcript"),
            keywords: list(s, "keywords"),
            places: list(s, "places"),
            events: list(s, "events"),
            subjects: list(s, "subjects"),
        });
    }
    Ok(Some(r))
}

/// Writes a recording's restrictions first (so nothing restored is ever
/// open where it was closed), then its transcript and segments.
pub fn restore(
    tx: &Connection,
    log: &mut EventLog<'_>,
    id: ItemId,
    r: &RecordingIn,
    agent: &str,
    now: &str,
) -> Result<()> {
    // Every restored piece is an event of its own, marked as restored.
    let mut record = |ty: EventType, mut detail: Value| {
        detail["restored_from_bag"] = true.into();
        log.append(ty, Some(id), agent, "success", Some(&detail), now)
    };
    for p in &r.passages {
        let detail = json!({"action": "restrict", "from": p.range.start.to_string(),
            "to": p.range.end.to_string(), "level": p.level.as_str(),
            "until": p.until.map(|u| u.to_string()), "reason": p.reason});
        let event = record(EventType::PassageRestriction, detail)?;
        passages::insert(tx, id, p, event, agent, now)?;
    }
    if let Some((format, cues)) = &r.transcript {
        let detail = json!({"format": format.as_str(), "cues": cues.len()});
        let event = record(EventType::TranscriptChange, detail)?;
        transcripts::set(tx, id, *format, cues, event, agent, now)?;
    }
    if !r.segments.is_empty() {
        for s in &r.segments {
            segments::insert(tx, id, s)?;
        }
        record(EventType::SegmentChange, json!({"added": r.segments.len()}))?;
    }
    Ok(())
}

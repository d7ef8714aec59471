//! Typed views of a recording's technical metadata, built by destructuring
//! the stored record so a new field does not compile until someone decides
//! who may see it.
//!
//! Technical metadata is seen where the item is open to the reader (as its
//! media type is); this module must not consult consent itself.

use serde::Serialize;

use super::super::Decision;
use crate::media::Technical;

/// A recording's technical metadata as `show` prints it; `duration` in
/// seconds.
#[derive(Debug, Clone, Serialize)]
pub struct RecordingView {
    pub duration: Option<f64>,
    pub container: Option<String>,
    pub codec: Option<String>,
    pub sample_rate: Option<i64>,
    pub channels: Option<i64>,
    pub bit_depth: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub read_by: String,
    pub problem: Option<String>,
}

/// The recording as this reader may see it: only on an open item.
pub fn recording(decision: &Decision, t: Technical) -> Option<RecordingView> {
    let Technical {
        duration_ms,
        container,
        codec,
        sample_rate,
        channels,
        bit_depth,
        width,
        height,
        reader,
        problem,
    } = t;
    matches!(decision, Decision::Open(_)).then(|| RecordingView {
        duration: duration_ms.map(|ms| ms as f64 / 1000.0),
        container,
        codec,
        sample_rate,
        channels,
        bit_depth,
        width,
        height,
        read_by: reader,
        problem,
    })
}

/// One cue as a reader gets it; times as `HH:MM:SS.mmm`.
#[derive(Debug, Clone, Serialize)]
pub struct CueView {
    pub start: Option<String>,
    pub end: Option<String>,
    pub speaker: Option<String>,
    pub text: String,
    /// A marker standing for a closed passage.
    pub closed: bool,
    /// When the closed passage opens, where it has an end.
    pub closed_until: Option<String>,
}

/// Builds the view of a cue the policy has already filtered
/// (`policy::passage::cues`).
pub fn cue(shown: crate::policy::passage::ShownCue) -> CueView {
    let crate::policy::passage::ShownCue { cue, closed_until } = shown;
    let crate::transcript::Cue {
        start,
        end,
        speaker,
        text,
    } = cue;
    CueView {
        start: start.map(|t| t.clock('.')),
        end: end.map(|t| t.clock('.')),
        speaker,
        text,
        closed: closed_until.is_some(),
        closed_until: closed_until.flatten().map(|d| d.to_string()),
    }
}

/// One segment as a reader gets it.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentView {
    /// The number `segment remove` takes.
    pub id: i64,
    pub start: String,
    pub end: String,
    pub title: String,
    pub synopsis: Option<String>,
    pub partial_transcript: Option<String>,
    pub keywords: Vec<String>,
    pub places: Vec<String>,
    pub events: Vec<String>,
    pub subjects: Vec<String>,
    /// Overlaps a passage closed to this reader: only its times remain.
    pub closed: bool,
}

/// Builds the view of a segment the policy has already filtered
/// (`policy::passage::segments`).
pub fn segment(id: i64, s: crate::transcript::Segment) -> SegmentView {
    let crate::transcript::Segment {
        start,
        end,
        title,
        synopsis,
        partial_transcript,
        keywords,
        places,
        events,
        subjects,
    } = s;
    SegmentView {
        id,
        start: start.clock('.'),
        end: end.clock('.'),
        closed: title == crate::policy::passage::MARKER,
        title,
        synopsis,
        partial_transcript,
        keywords,
        places,
        events,
        subjects,
    }
}

/// One passage restriction, for the custodian (`restrict --list`).
#[derive(Debug, Clone, Serialize)]
pub struct PassageView {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub level: &'static str,
    pub until: Option<String>,
    pub reason: String,
    pub lifted: bool,
    pub recorded_at: String,
    pub recorded_by: String,
}

pub fn passage(p: crate::policy::passage::Passage) -> PassageView {
    let crate::policy::passage::Passage {
        id,
        range,
        level,
        until,
        reason,
        lifted,
        recorded_at,
        recorded_by,
    } = p;
    PassageView {
        id,
        from: range.start.clock('.'),
        to: range.end.clock('.'),
        level: level.as_str(),
        until: until.map(|d| d.to_string()),
        reason,
        lifted,
        recorded_at,
        recorded_by,
    }
}

/// One transcript of an item's history, for the custodian.
#[derive(Debug, Clone, Serialize)]
pub struct TranscriptEntry {
    pub id: i64,
    pub format: String,
    pub current: bool,
    pub cues: i64,
    pub recorded_at: String,
    pub recorded_by: String,
}

pub fn transcript_entry(t: crate::catalogue::transcripts::TranscriptRecord) -> TranscriptEntry {
    let crate::catalogue::transcripts::TranscriptRecord {
        id,
        format,
        current,
        recorded_at,
        recorded_by,
        cues,
    } = t;
    TranscriptEntry {
        id,
        format,
        current,
        cues,
        recorded_at,
        recorded_by,
    }
}

/// One full-text hit in a recording: where, and the words around it.
#[derive(Debug, Clone, Serialize)]
pub struct TimedHit {
    pub start: Option<String>,
    pub end: Option<String>,
    pub snippet: String,
}

/// A passage restriction or its lifting, as `consent ID history` lists it
/// beside the consent changes; the reason only with custodial detail.
#[derive(Debug, Clone, Serialize)]
pub struct PassageEvent {
    pub status: &'static str,
    pub from: String,
    pub to: String,
    pub level: &'static str,
    pub until: Option<String>,
    pub reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// The events of the item's passage restrictions, in time order.
pub fn passage_events(
    grant: &super::super::Grant,
    passages: Vec<crate::policy::passage::Passage>,
    lifts: Vec<(i64, String, String)>,
) -> Vec<PassageEvent> {
    let mut out = Vec::new();
    for p in passages {
        let crate::policy::passage::Passage {
            id,
            range,
            level,
            until,
            reason,
            lifted: _,
            recorded_at,
            recorded_by,
        } = p;
        let base = PassageEvent {
            status: "passage_closed",
            from: range.start.clock('.'),
            to: range.end.clock('.'),
            level: level.as_str(),
            until: until.map(|d| d.to_string()),
            reason: Some(reason).filter(|_| grant.custodial_detail),
            recorded_at,
            recorded_by,
        };
        let lifted = lifts
            .iter()
            .find(|(l, ..)| *l == id)
            .map(|(_, at, by)| PassageEvent {
                status: "passage_lifted",
                reason: None,
                recorded_at: at.clone(),
                recorded_by: by.clone(),
                ..base.clone()
            });
        out.push(base);
        out.extend(lifted);
    }
    // Stable: a lift recorded in the same second stays after its restriction.
    out.sort_by(|a, b| a.recorded_at.cmp(&b.recorded_at));
    out
}

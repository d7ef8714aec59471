//! Passage-level restrictions: what a closed passage hides from a reader.
//!
//! A passage is a time range of one recording closed below a level
//! (`custodian` by default, or `research`), optionally until a day. It
//! only ever closes more than the item's own decision: everything here
//! applies after `decide` has opened the item. Below its level a closed
//! passage's cues are replaced by one `[passage closed]` marker, segments
//! overlapping it keep only their time range, and search never reaches
//! into it. Transcripts and segments of a redacted item are the
//! custodian's alone (they may hold the redacted names). This module
//! reads no catalogue and never prints.

use chrono::NaiveDate;
use serde::Serialize;

use super::{reads_originals, Decision, Facts};
use crate::media::{Interval, TimeCode};
use crate::model::Access;
use crate::transcript::{Cue, Segment};

/// The text of a marker cue and of a withheld segment's title.
pub const MARKER: &str = "[passage closed]";

/// Below which level a passage is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PassageLevel {
    /// Only the custodian hears it.
    Custodian,
    /// Research and custodian hear it; public does not.
    Research,
}

impl PassageLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PassageLevel::Custodian => "custodian",
            PassageLevel::Research => "research",
        }
    }

    pub fn parse(s: &str) -> Option<PassageLevel> {
        match s {
            "custodian" => Some(PassageLevel::Custodian),
            "research" => Some(PassageLevel::Research),
            _ => None,
        }
    }
}

/// One stored restriction.
#[derive(Debug, Clone)]
pub struct Passage {
    pub id: i64,
    pub range: Interval,
    pub level: PassageLevel,
    pub until: Option<NaiveDate>,
    pub reason: String,
    pub lifted: bool,
    pub recorded_at: String,
    pub recorded_by: String,
}

impl Passage {
    /// Whether this passage is closed to a reader at `access` on `today`.
    pub fn closes(&self, access: Access, today: NaiveDate) -> bool {
        if self.lifted || self.until.is_some_and(|u| today >= u) {
            return false;
        }
        match self.level {
            PassageLevel::Custodian => access != Access::Custodian,
            PassageLevel::Research => access == Access::Public,
        }
    }
}

/// The SQL condition (over `item_fts_timed`) a cue or segment hit must
/// meet to be found by a reader at `access` on `today`: not inside a
/// passage closed to the reader (an untimed cue not while any is closed),
/// and not of a redacted item below custodian. The item's own decision is
/// the query's business, as for every other term. Returns the SQL and its
/// bound parameters, in order.
pub fn visible_hits(access: Access, today: NaiveDate) -> (String, Vec<String>) {
    let levels = match access {
        Access::Custodian => return ("1".into(), Vec::new()),
        Access::Research => "('custodian')",
        Access::Public => "('custodian', 'research')",
    };
    let t = "item_fts_timed";
    let sql = format!(
        "NOT EXISTS (SELECT 1 FROM passages p WHERE p.item_id = {t}.item_id \
            AND p.lifted_event IS NULL AND (p.until IS NULL OR p.until > ?) \
            AND p.level IN {levels} \
            AND ({t}.start_ms IS NULL OR (p.start_ms < {t}.end_ms AND {t}.start_ms < p.end_ms))) \
         AND {t}.item_id NOT IN (SELECT item_id FROM redactions)"
    );
    (sql, vec![today.to_string()])
}

/// Whether transcripts and segments of this item may be shown at all.
pub fn timed_text(decision: &Decision, facts: &Facts, access: Access) -> bool {
    matches!(decision, Decision::Open(_)) && (!facts.redacted || reads_originals(access))
}

/// The closed ranges for this reader, merged and in order, each with the
/// latest `until` of the passages it merges (None when any is open-ended).
pub fn closed(
    passages: &[Passage],
    access: Access,
    today: NaiveDate,
) -> Vec<(Interval, Option<NaiveDate>)> {
    let mut v: Vec<(Interval, Option<NaiveDate>)> = passages
        .iter()
        .filter(|p| p.closes(access, today))
        .map(|p| (p.range, p.until))
        .collect();
    v.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out: Vec<(Interval, Option<NaiveDate>)> = Vec::new();
    for (r, u) in v {
        match out.last_mut() {
            Some((last, lu)) if r.start <= last.end => {
                last.end = last.end.max(r.end);
                *lu = match (*lu, u) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => out.push((r, u)),
        }
    }
    out
}

/// A cue as a reader gets it: a cue of the transcript, or a marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownCue {
    pub cue: Cue,
    /// A marker of a closed passage, with its `until` where known.
    pub closed_until: Option<Option<NaiveDate>>,
}

/// The cues a reader may see: every cue overlapping a closed range is
/// replaced by one marker cue spanning that range. A cue without times
/// (plain text) cannot be placed, so any closed range withholds it whole.
pub fn cues(all: Vec<Cue>, closed: &[(Interval, Option<NaiveDate>)]) -> Vec<ShownCue> {
    let marker = |(r, u): &(Interval, Option<NaiveDate>)| ShownCue {
        cue: Cue {
            start: Some(r.start),
            end: Some(r.end),
            speaker: None,
            text: MARKER.to_string(),
        },
        closed_until: Some(*u),
    };
    if closed.is_empty() {
        return all
            .into_iter()
            .map(|cue| ShownCue {
                cue,
                closed_until: None,
            })
            .collect();
    }
    let mut out: Vec<ShownCue> = Vec::new();
    let mut placed = vec![false; closed.len()];
    for cue in all {
        let (Some(s), Some(e)) = (cue.start, cue.end) else {
            // Plain text: withheld; the markers are added below.
            continue;
        };
        let span = Interval {
            start: s,
            end: e.max(TimeCode(s.0 + 1)),
        };
        // Markers of ranges that begin before this cue come first.
        for (i, c) in closed.iter().enumerate() {
            if !placed[i] && c.0.start <= s {
                out.push(marker(c));
                placed[i] = true;
            }
        }
        if closed.iter().any(|(r, _)| r.overlaps(&span)) {
            continue;
        }
        out.push(ShownCue {
            cue,
            closed_until: None,
        });
    }
    for (i, c) in closed.iter().enumerate() {
        if !placed[i] {
            out.push(marker(c));
        }
    }
    out
}

/// The segments a reader may see: one overlapping a closed range keeps
/// its time range only, titled with the marker.
pub fn segments(all: Vec<Segment>, closed: &[(Interval, Option<NaiveDate>)]) -> Vec<Segment> {
    all.into_iter()
        .map(|s| {
            let span = Interval {
                start: s.start,
                end: s.end,
            };
            if closed.iter().any(|(r, _)| r.overlaps(&span)) {
                Segment {
                    start: s.start,
                    end: s.end,
                    title: MARKER.to_string(),
                    ..Segment::default()
                }
            } else {
                s
            }
        })
        .collect()
}

/// The views of an item's stored segments for a reader to whom `closed`
/// is closed, each with its id, in their stored order.
pub fn segment_views(
    records: Vec<crate::catalogue::segments::SegmentRecord>,
    closed: &[(Interval, Option<NaiveDate>)],
) -> Vec<super::view::SegmentView> {
    let (ids, all): (Vec<i64>, Vec<Segment>) =
        records.into_iter().map(|r| (r.id, r.segment)).unzip();
    // `segments` keeps the order it is given.
    ids.into_iter()
        .zip(segments(all, closed))
        .map(|(id, s)| super::view::segment(id, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(s: i64, e: i64, t: &str) -> Cue {
        Cue {
            start: Some(TimeCode(s)),
            end: Some(TimeCode(e)),
            speaker: None,
            text: t.into(),
        }
    }

    fn passage(s: i64, e: i64, level: PassageLevel, until: Option<NaiveDate>) -> Passage {
        Passage {
            id: 1,
            range: Interval {
                start: TimeCode(s),
                end: TimeCode(e),
            },
            level,
            until,
            reason: "r".into(),
            lifted: false,
            recorded_at: String::new(),
            recorded_by: String::new(),
        }
    }

    #[test]
    fn levels_and_days_decide_who_a_passage_is_closed_to() {
        let day = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let c = passage(0, 10, PassageLevel::Custodian, None);
        assert!(c.closes(Access::Public, day) && c.closes(Access::Research, day));
        assert!(!c.closes(Access::Custodian, day));
        let r = passage(0, 10, PassageLevel::Research, Some(day));
        assert!(r.closes(Access::Public, day.pred_opt().unwrap()));
        assert!(!r.closes(Access::Research, day.pred_opt().unwrap()));
        assert!(!r.closes(Access::Public, day));
    }

    #[test]
    fn overlapping_cues_become_one_marker() {
        let all = vec![
            cue(0, 1000, "a"),
            cue(1000, 2000, "secret one"),
            cue(2000, 3000, "secret two"),
            cue(3000, 4000, "d"),
        ];
        let p = [passage(1500, 2500, PassageLevel::Custodian, None)];
        let closed = closed(&p, Access::Research, NaiveDate::MIN);
        let shown: Vec<String> = cues(all, &closed).into_iter().map(|c| c.cue.text).collect();
        assert_eq!(shown, vec!["a", MARKER, "d"]);
    }

    #[test]
    fn plain_text_is_withheld_whole_under_any_closed_passage() {
        let all = vec![Cue {
            start: None,
            end: None,
            speaker: None,
            text: "everything".into(),
        }];
        let p = [passage(0, 10, PassageLevel::Custodian, None)];
        let closed = closed(&p, Access::Public, NaiveDate::MIN);
        let shown = cues(all, &closed);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].cue.text, MARKER);
    }
}

//! The read path of recordings: a transcript, its history, segments and
//! passage restrictions of one item, as a reader may see them.
//!
//! It loads rows and asks the policy (`policy::passage`): an item that is
//! not open to the reader gives no transcript (exit 13), and closed
//! passages are replaced before anything leaves this module. It never
//! decides visibility itself and never prints.

use super::Reader;
use crate::catalogue::{passages, segments, transcripts};
use crate::error::{Error, Result};
use crate::model::ItemId;
use crate::policy::passage;
use crate::policy::view::{self, CueView, PassageView, SegmentView, TranscriptEntry};

impl Reader<'_> {
    /// Refuses unless the item's transcript and segments may be shown.
    pub(super) fn timed(&self, id: ItemId, what: &str) -> Result<()> {
        let Some(read) = self.item(id)? else {
            return Err(Error::usage(format!("no item {id} in this archive")));
        };
        if !passage::timed_text(&read.decision, &read.facts, self.access) {
            return Err(Error::Refused(format!(
                "item {id} is closed at {} level; its {what} cannot be shown",
                self.access
            )));
        }
        Ok(())
    }

    pub(super) fn closed(
        &self,
        id: ItemId,
    ) -> Result<Vec<(crate::media::Interval, Option<chrono::NaiveDate>)>> {
        Ok(passage::closed(
            &passages::for_item(self.conn, id)?,
            self.access,
            self.today,
        ))
    }

    /// The current transcript, closed passages replaced by markers; empty
    /// when the item has none.
    pub fn transcript(&self, id: ItemId) -> Result<Vec<CueView>> {
        self.timed(id, "transcript")?;
        let Some(tid) = transcripts::current(self.conn, id)? else {
            return Ok(Vec::new());
        };
        let closed = self.closed(id)?;
        Ok(passage::cues(transcripts::cues(self.conn, tid)?, &closed)
            .into_iter()
            .map(view::cue)
            .collect())
    }

    /// Every transcript the item has had: the custodian's alone.
    pub fn transcript_history(&self, id: ItemId) -> Result<Vec<TranscriptEntry>> {
        self.timed(id, "transcript history")?;
        if !crate::policy::sees_everything(self.access) {
            return Err(Error::Refused(
                "a transcript's history is the custodian's (use --access custodian)".into(),
            ));
        }
        Ok(transcripts::history(self.conn, id)?
            .into_iter()
            .map(view::transcript_entry)
            .collect())
    }

    /// The segments of the item, those overlapping a closed passage
    /// reduced to their times.
    pub fn segments(&self, id: ItemId) -> Result<Vec<SegmentView>> {
        self.timed(id, "segments")?;
        let closed = self.closed(id)?;
        Ok(passage::segment_views(
            segments::for_item(self.conn, id)?,
            &closed,
        ))
    }

    /// Writes the access copy of item `id` for this reader to `dest`: the
    /// recording with every passage closed to the reader silenced.
    /// Returns how many closed ranges were silenced.
    pub fn access_copy(
        &self,
        objects: &crate::sites::primary::Objects,
        id: ItemId,
        dest: &std::path::Path,
    ) -> Result<usize> {
        self.timed(id, "recording")?;
        let record = crate::catalogue::items::get(self.conn, id)?
            .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
        if crate::catalogue::recordings::for_item(self.conn, id)?.is_none() {
            return Err(Error::usage(format!("item {id} is not a recording")));
        }
        let closed: Vec<crate::media::Interval> =
            self.closed(id)?.into_iter().map(|(r, _)| r).collect();
        let src = objects.fetch(&record.sha256)?;
        crate::access_copy::write_file(src.path(), &record.media_type, &closed, dest)?;
        Ok(closed.len())
    }

    /// The recording's duration, where the item is open to this reader.
    pub fn duration(&self, id: ItemId) -> Result<Option<crate::media::TimeCode>> {
        Ok(self
            .item_detail(id)?
            .and_then(|d| d.recording)
            .and_then(|r| r.duration)
            .map(|s| crate::media::TimeCode((s * 1000.0).round() as i64)))
    }

    /// The restrictions and liftings of the item's passages for `consent
    /// ID history`: where its consent history may be shown, reasons only
    /// with custodial detail.
    pub fn passage_history(&self, id: ItemId) -> Result<Vec<view::PassageEvent>> {
        let Some(facts) = crate::policy::sql::load_facts(self.conn, id)? else {
            return Ok(Vec::new());
        };
        let decision = crate::policy::decide(self.access, &facts, self.today);
        let Some(grant) = crate::policy::consent_history(&decision) else {
            return Ok(Vec::new());
        };
        Ok(view::passage_events(
            &grant,
            passages::for_item(self.conn, id)?,
            passages::lifts(self.conn, id)?,
        ))
    }

    /// The passage restrictions of the item: the custodian's alone.
    pub fn passages(&self, id: ItemId) -> Result<Vec<PassageView>> {
        if !crate::policy::sees_everything(self.access) {
            return Err(Error::Refused(
                "passage restrictions are the custodian's (use --access custodian)".into(),
            ));
        }
        if self.item(id)?.is_none() {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        Ok(passages::for_item(self.conn, id)?
            .into_iter()
            .map(view::passage)
            .collect())
    }
}

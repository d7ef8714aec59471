//! The read path for one item: a reader at an access level, over the read
//! snapshot its archive was opened in, gets an item as the policy lets it
//! see it — the typed view of its record, its text, and the decision that
//! shaped them — or nothing, when the item is hidden or missing (the two
//! are told apart nowhere, so an answer cannot confirm a closed item
//! exists).
//!
//! It loads rows and asks the policy; it never decides visibility itself
//! and never prints.

mod claims;
mod names;

use std::collections::HashMap;

mod copy_key;
mod original;
mod recordings;
pub use original::Original;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::Value;

use crate::archive::Archive;
pub use crate::catalogue::events::{EventType, LogFilter};
use crate::catalogue::fixity::LastCheck;
pub use crate::catalogue::terms::TermCount;
use crate::catalogue::{consent, events, fixity, items, narrators, provenance, terms, testimonies};
use crate::error::{Error, Result};
use crate::model::{Access, ItemId, NarratorId, Vocab};
use crate::policy::present::{self, RedactedCopy};
use crate::policy::view::{
    self, ConsentEntry, EventEntry, ItemView, NarratorEntry, ProvenanceEntry, TermEntry,
};
use crate::policy::{self, Decision, Facts};
pub use claims::{ClaimRow, ClaimSelect, ClaimSubject};
pub use names::TermNames;

/// Who reads, and when.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'c> {
    conn: &'c Connection,
    pub access: Access,
    pub today: NaiveDate,
}

/// One item as a reader may see it.
#[derive(Debug, Clone)]
pub struct ItemRead {
    pub view: ItemView,
    pub decision: Decision,
    /// What the policy decided from (consent, kind, evidence, redaction).
    pub facts: Facts,
    /// The text the reader may see: the redacted copy where it applies.
    pub text: Option<String>,
}

/// One item with everything `show` prints about it, each part shaped by
/// the policy (JSON values keep their documented shapes).
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub read: ItemRead,
    /// The current consent (`present::consent`), or null.
    pub consent: Value,
    /// The testimony with its narrator, or null.
    pub testimony: Value,
    /// The places, events, subjects and agents it is tagged with.
    pub terms: Vec<TermEntry>,
    pub provenance: Vec<ProvenanceEntry>,
    /// The item's events, numbered 1..n below custodian.
    pub events: Vec<EventEntry>,
    /// The latest fixity check: ids and outcome only, so safe at every
    /// level (a damaged item must say so wherever it is shown).
    pub last_check: Option<LastCheck>,
    /// A recording's technical metadata, where the item is open.
    pub recording: Option<view::RecordingView>,
    /// The notes this reader may see (`policy::view::notes`).
    pub notes: Vec<view::NoteView>,
}

impl<'c> Reader<'c> {
    pub fn new(archive: &'c Archive, access: Access, today: NaiveDate) -> Reader<'c> {
        Reader {
            conn: archive.conn(),
            access,
            today,
        }
    }

    pub fn item(&self, id: ItemId) -> Result<Option<ItemRead>> {
        let (Some(record), Some(facts)) = (
            items::get(self.conn, id)?,
            policy::sql::load_facts(self.conn, id)?,
        ) else {
            return Ok(None);
        };
        let decision = policy::decide(self.access, &facts, self.today);
        let redacted: Option<RedactedCopy> = if facts.redacted {
            items::redacted_copy(self.conn, id)?
        } else {
            None
        };
        let class = policy::access_class(&facts, self.today);
        let Some(view) = view::item(&decision, class, record, redacted.as_ref()) else {
            return Ok(None);
        };
        let full_text = match decision {
            Decision::Open(_) => items::text(self.conn, id)?,
            _ => None,
        };
        let text = present::text(&decision, full_text.as_deref(), redacted.as_ref());
        Ok(Some(ItemRead {
            view,
            decision,
            facts,
            text,
        }))
    }

    /// The item with its consent, testimony, provenance, events and last
    /// fixity check, as this reader may see them.
    pub fn item_detail(&self, id: ItemId) -> Result<Option<ItemDetail>> {
        let Some(read) = self.item(id)? else {
            return Ok(None);
        };
        let consent = present::consent(&read.decision, &read.facts);
        let testimony = match &read.decision {
            Decision::Open(g) => match testimonies::view(self.conn, id)? {
                Some(t) => crate::output::to_value(&view::testimony(g, t))?,
                None => Value::Null,
            },
            _ => Value::Null,
        };
        let terms = view::item_terms(&read.decision, terms::for_item(self.conn, id)?);
        let provenance = view::provenance(&read.decision, provenance::for_item(self.conn, id)?);
        let events = view::events(&read.decision, events::for_item(self.conn, id)?);
        let events = policy::history::number(self.access, events);
        let last_check = fixity::last_for_item(self.conn, id)?;
        let recording = crate::catalogue::recordings::for_item(self.conn, id)?
            .and_then(|t| view::recording(&read.decision, t));
        let notes = view::notes(
            &read.decision,
            &read.facts,
            crate::catalogue::notes::for_item(self.conn, id)?,
        );
        Ok(Some(ItemDetail {
            read,
            consent,
            testimony,
            terms,
            provenance,
            events,
            last_check,
            recording,
            notes,
        }))
    }

    /// The consent history of item `id` for `consent ID history`: refused
    /// (exit 13) where the item is closed to this reader, and without the
    /// reason and evidence below custodial detail.
    pub fn consent_history(&self, id: ItemId) -> Result<Vec<ConsentEntry>> {
        let facts = policy::sql::load_facts(self.conn, id)?;
        let decision = facts
            .as_ref()
            .map(|f| policy::decide(self.access, f, self.today))
            .unwrap_or(Decision::Hidden);
        if decision == Decision::Hidden {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        let Some(grant) = policy::consent_history(&decision) else {
            return Err(Error::Refused(format!(
                "item {id} is closed at {} level; its consent history is the custodian's",
                self.access
            )));
        };
        Ok(consent::history(self.conn, id)?
            .into_iter()
            .map(|r| view::consent(&grant, r))
            .collect())
    }

    /// The item's own access history for `access ID --history`: refused
    /// (exit 13) where the item is not open to this reader, and without
    /// the reasons below custodial detail.
    pub fn access_history(&self, id: ItemId) -> Result<Vec<view::AccessEntry>> {
        let facts = policy::sql::load_facts(self.conn, id)?;
        let decision = facts
            .as_ref()
            .map(|f| policy::decide(self.access, f, self.today))
            .unwrap_or(Decision::Hidden);
        if decision == Decision::Hidden {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        let Some(grant) = policy::access_history(&decision) else {
            return Err(Error::Refused(format!(
                "item {id} is closed at {} level; its access history is the custodian's",
                self.access
            )));
        };
        Ok(crate::catalogue::access::history(self.conn, id)?
            .into_iter()
            .map(|r| view::access(&grant, r))
            .collect())
    }

    /// The vocabulary terms with the number of items this reader may see
    /// under each (terms no visible item uses are left out).
    pub fn terms(&self, vocab: Option<Vocab>) -> Result<Vec<TermCount>> {
        terms::counts(self.conn, self.access, self.today, vocab)
    }

    /// Narrators (all, or the one `only`) this reader may see, each shaped
    /// by `policy::narrator` with the testimonies it may see them through.
    pub fn narrators(&self, only: Option<NarratorId>) -> Result<Vec<NarratorEntry>> {
        let through = policy::sql::counted_testimonies(self.access, self.today);
        let mut rows = Vec::new();
        for r in narrators::list(self.conn, &through, only)? {
            let Some(grant) = policy::narrator(self.access, r.anonymity, !r.testimonies.is_empty())
            else {
                continue;
            };
            rows.push(view::narrator(&grant, r));
        }
        Ok(rows)
    }

    /// The head of the event log: its hash, and its event id where this
    /// reader may see ids (the custodian).
    pub fn head(&self) -> Result<Head> {
        let (id, hash) = events::head_with_id(self.conn)?;
        Ok(Head {
            head: hash,
            event_id: policy::history::head_id(self.access, id),
        })
    }

    /// The event history for `log` (all events, or item `item`'s, as the
    /// filter selects), each event through the policy: events of items the
    /// reader may not see are left out, and below custodian the rows are
    /// numbered 1..n. One item's history is refused where it is closed to
    /// this reader; a hidden item and a missing one answer alike.
    pub fn log(&self, filter: &LogFilter, item: Option<ItemId>) -> Result<Vec<EventEntry>> {
        let evs = events::list(self.conn, filter)?;
        let mut decisions: HashMap<ItemId, Decision> = HashMap::new();
        let mut decide = |id: ItemId| -> Result<Decision> {
            if let Some(d) = decisions.get(&id) {
                return Ok(d.clone());
            }
            let d = match policy::sql::load_facts(self.conn, id)? {
                Some(f) => policy::decide(self.access, &f, self.today),
                None => policy::vanished(self.access),
            };
            decisions.insert(id, d.clone());
            Ok(d)
        };
        if let Some(id) = item {
            let missing = || {
                Error::usage(format!(
                    "no item {id} in this archive, and no events about it"
                ))
            };
            match decide(id)? {
                Decision::Closed { .. } => {
                    return Err(Error::Refused(format!(
                        "item {id} is closed at {} level; its history is the custodian's",
                        self.access
                    )))
                }
                Decision::Hidden => return Err(missing()),
                _ if evs.is_empty() && !items::exists(self.conn, id)? => return Err(missing()),
                _ => {}
            }
        }
        let mut rows = Vec::with_capacity(evs.len());
        for e in evs {
            match e.item_id {
                Some(id) => rows.extend(view::events(&decide(id)?, vec![e])),
                None => rows.extend(policy::history::archive_event(self.access, e)),
            }
        }
        Ok(policy::history::number(self.access, rows))
    }
}

/// The log's head as `log --head` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Head {
    pub head: String,
    pub event_id: Option<i64>,
}

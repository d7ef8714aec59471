//! The read path for one item: a reader at an access level, over the read
//! snapshot its archive was opened in, gets an item as the policy lets it
//! see it — the typed view of its record, its text, and the decision that
//! shaped them — or nothing, when the item is hidden or missing (the two
//! are told apart nowhere, so an answer cannot confirm a closed item
//! exists).
//!
//! It loads rows and asks the policy; it never decides visibility itself
//! and never prints.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::catalogue::items;
use crate::error::Result;
use crate::model::{Access, ItemId};
use crate::policy::present::{self, RedactedCopy};
use crate::policy::view::{self, ItemView};
use crate::policy::{self, Decision, Facts};

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

impl<'c> Reader<'c> {
    pub fn new(conn: &'c Connection, access: Access, today: NaiveDate) -> Reader<'c> {
        Reader {
            conn,
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
}

//! Making an item a testimony: linking it to its narrator with the
//! interview's date, place and interviewer (`testimony set`, and the same
//! for each new item of `import --narrator N`), and applying such
//! information, or `--kind testimony`, to a duplicate's existing item.
//! From then on consent governs the item; without consent it is closed
//! below custodian.
//!
//! Interview details of a redacted item are checked against its sealed
//! terms (`redact::check_new_values`); it never prints.

use std::sync::Arc;

use crate::archive::Archive;
use crate::catalogue::events::EventLog;
use crate::catalogue::items::{self, Field};
use crate::catalogue::narrators::{self, NarratorId};
use crate::catalogue::redactions;
use crate::catalogue::testimonies::{self, TestimonyFields};
use crate::edtf::Edtf;
use crate::error::{Error, Result};
use crate::ingest::Describer;
use crate::keys::KeyFile;
use crate::model::{ItemId, Kind};

pub struct SetTestimony {
    pub id: ItemId,
    pub fields: TestimonyFields,
    pub agent: String,
    /// The custodian key, to check interview details of a redacted item.
    pub key: KeyFile,
}

/// Links the item to its narrator; returns whether it has consent recorded
/// (without, it is closed below custodian).
pub fn set_testimony(archive: &mut Archive, op: &SetTestimony) -> Result<bool> {
    let now = crate::clock::now_rfc3339();
    let shown: Vec<(String, &str)> = [
        ("interview place", op.fields.interview_place.as_deref()),
        ("interviewer", op.fields.interviewer.as_deref()),
    ]
    .into_iter()
    .filter_map(|(what, v)| Some((what.to_string(), v?)))
    .collect();
    archive.write(|tx| {
        items::ensure_changeable(tx, op.id)?;
        crate::redact::check_new_values(tx, op.id, &op.key, &shown)?;
        let detail = testimonies::set(tx, op.id, &op.fields, &now)?;
        super::log_modification(
            &mut EventLog::new(tx)?,
            Some(op.id),
            &op.agent,
            &detail,
            &now,
        )?;
        Ok(crate::policy::sql::load_facts(tx, op.id)?.is_some_and(|f| f.consent.is_some()))
    })
}

/// Refuses a narrator this archive does not have, before anything is
/// written (`testimony set`, `import --narrator N`).
pub fn require_narrator(archive: &Archive, narrator: NarratorId) -> Result<()> {
    if !narrators::exists(archive.conn(), narrator)? {
        return Err(Error::usage(format!(
            "no narrator {narrator} in this archive; record one with `custos narrator add` (nothing was changed)"
        )));
    }
    Ok(())
}

/// What `import --narrator N` (or `--kind testimony`) says about each
/// item, new or already in the archive: a new item becomes a testimony of
/// the narrator (logged like `testimony set`; with `--kind testimony` alone
/// the kind comes from the item's metadata); the existing item of a
/// duplicate becomes one too, logged as `testimony set` or `edit --kind
/// testimony` would log it. An item that is already a testimony of another
/// narrator is a conflict, never silently changed.
pub fn describer(fields: Option<TestimonyFields>, agent: String) -> Arc<dyn Describer> {
    Arc::new(TestimonyDescriber { fields, agent })
}

struct TestimonyDescriber {
    fields: Option<TestimonyFields>,
    agent: String,
}

impl Describer for TestimonyDescriber {
    fn new_item(
        &self,
        conn: &rusqlite::Connection,
        id: ItemId,
        log: &mut EventLog<'_>,
        now: &str,
    ) -> Result<()> {
        if let Some(f) = &self.fields {
            let detail = testimonies::set(conn, id, f, now)?;
            super::log_modification(log, Some(id), &self.agent, &detail, now)?;
        }
        Ok(())
    }

    fn conflict(&self, conn: &rusqlite::Connection, item: ItemId) -> Result<Option<String>> {
        let Some(f) = &self.fields else {
            return Ok(None);
        };
        if (f.interview_place.is_some() || f.interviewer.is_some())
            && redactions::is_redacted(conn, item)?
        {
            // Shown beside the redacted copy, they must be checked against
            // its sealed terms, which needs the key an import does not take.
            return Ok(Some(format!(
                "same bytes as item {item}, which is redacted: give its interview details with `custos testimony set {item} --narrator {} --key KEY`; nothing was changed",
                f.narrator
            )));
        }
        Ok(match testimonies::get(conn, item)?.and_then(|t| t.narrator_id) {
            Some(other) if other != f.narrator => Some(format!(
                "same bytes as item {item}, which is already a testimony of narrator {other}, not of narrator {}; nothing was changed. To change its narrator: custos testimony set {item} --narrator {}",
                f.narrator, f.narrator
            )),
            _ => None,
        })
    }

    fn duplicate(
        &self,
        conn: &rusqlite::Connection,
        item: ItemId,
        log: &mut EventLog<'_>,
        now: &str,
    ) -> Result<Option<String>> {
        let kind = items::get(conn, item)?.map(|r| r.kind);
        let detail = match &self.fields {
            Some(f) => {
                let before = testimonies::get(conn, item)?;
                let same = |given: Option<&str>, had: Option<&str>| given.is_none() || given == had;
                let unchanged = kind == Some(Kind::Testimony)
                    && before.as_ref().is_some_and(|t| {
                        t.narrator_id == Some(f.narrator)
                            && same(
                                f.interview_date.as_ref().map(Edtf::as_str),
                                t.interview_date.as_deref(),
                            )
                            && same(f.interview_place.as_deref(), t.interview_place.as_deref())
                            && same(f.interviewer.as_deref(), t.interviewer.as_deref())
                    });
                if unchanged {
                    return Ok(None);
                }
                testimonies::set(conn, item, f, now)?
            }
            None => match items::set_field(conn, item, Field::Kind, Some("testimony"), now)? {
                None => return Ok(None),
                Some(change) => serde_json::json!({ "changes": [change] }),
            },
        };
        super::log_modification(log, Some(item), &self.agent, &detail, now)?;
        let has_consent =
            crate::policy::sql::load_facts(conn, item)?.is_some_and(|f| f.consent.is_some());
        let whose = match &self.fields {
            Some(f) => format!("a testimony of narrator {}", f.narrator),
            None => "a testimony".to_string(),
        };
        Ok(Some(if has_consent {
            format!("item {item} is now {whose}")
        } else {
            format!(
                "item {item} is now {whose}, closed below custodian until its consent is recorded"
            )
        }))
    }
}

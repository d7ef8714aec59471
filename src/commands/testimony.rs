//! `custos testimony set ID --narrator N`: link an item to its narrator,
//! and the import hooks that do the same for `import --narrator N` (new
//! items and duplicates alike; `--kind testimony` on a duplicate too).

use std::path::Path;
use std::sync::Arc;

use crate::archive::{Archive, Mode};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::items::{self, Field};
use crate::catalogue::narrators::{self, NarratorId};
use crate::catalogue::redactions;
use crate::catalogue::testimonies::{self, TestimonyFields};
use crate::cli::{InterviewArgs, TestimonyArgs, TestimonyCommand, TestimonySetArgs};
use crate::edtf::Edtf;
use crate::error::{Error, Result};
use crate::ingest::{AfterInsert, OnDuplicate};
use crate::model::{ItemId, Kind};

pub fn run(archive_arg: Option<&Path>, a: TestimonyArgs) -> Result<()> {
    match a.command {
        TestimonyCommand::Set(a) => set(archive_arg, a),
    }
}

/// Checks the interview flags and the narrator before anything is written.
pub(crate) fn fields(
    archive: &Archive,
    narrator: NarratorId,
    i: &InterviewArgs,
) -> Result<TestimonyFields> {
    let interview_date = i
        .interview_date
        .as_deref()
        .map(str::parse::<Edtf>)
        .transpose()
        .map_err(|e| Error::usage(format!("--interview-date: {e}")))?;
    let nonempty = |flag: &str, v: &Option<String>| -> Result<Option<String>> {
        match v {
            Some(s) if s.trim().is_empty() => {
                Err(Error::usage(format!("--{flag} cannot be empty")))
            }
            other => Ok(other.as_ref().map(|s| s.trim().to_string())),
        }
    };
    if !narrators::exists(archive.conn(), narrator)? {
        return Err(Error::usage(format!(
            "no narrator {narrator} in this archive; record one with `custos narrator add` (nothing was changed)"
        )));
    }
    Ok(TestimonyFields {
        narrator,
        interview_date,
        interview_place: nonempty("interview-place", &i.interview_place)?,
        interviewer: nonempty("interviewer", &i.interviewer)?,
    })
}

/// The `import` hook that makes each new item a testimony of the narrator,
/// logged like `testimony set`.
pub(crate) fn import_hook(fields: TestimonyFields, agent: String) -> Arc<AfterInsert> {
    Arc::new(Box::new(move |conn, id, log, now| {
        let detail = testimonies::set(conn, id, &fields, now)?;
        log.append(
            EventType::MetadataModification,
            Some(id),
            &agent,
            "success",
            Some(&detail),
            now,
        )?;
        Ok(())
    }))
}

/// The `import` hook for duplicates: the existing item becomes a testimony
/// (of the narrator, when one is given), logged as `testimony set` or
/// `edit --kind testimony` would log it. An item that is already a
/// testimony of another narrator is a conflict, never silently changed.
pub(crate) fn duplicate_hook(
    fields: Option<TestimonyFields>,
    agent: String,
) -> Arc<dyn OnDuplicate> {
    Arc::new(DuplicateTestimony { fields, agent })
}

struct DuplicateTestimony {
    fields: Option<TestimonyFields>,
    agent: String,
}

impl OnDuplicate for DuplicateTestimony {
    fn conflict(&self, conn: &rusqlite::Connection, item: ItemId) -> Result<Option<String>> {
        let Some(f) = &self.fields else {
            return Ok(None);
        };
        Ok(match testimonies::get(conn, item)?.and_then(|t| t.narrator_id) {
            Some(other) if other != f.narrator => Some(format!(
                "same bytes as item {item}, which is already a testimony of narrator {other}, not of narrator {}; nothing was changed. To change its narrator: custos testimony set {item} --narrator {}",
                f.narrator, f.narrator
            )),
            _ => None,
        })
    }

    fn apply(
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
        log.append(
            EventType::MetadataModification,
            Some(item),
            &self.agent,
            "success",
            Some(&detail),
            now,
        )?;
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

fn set(archive_arg: Option<&Path>, a: TestimonySetArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let fields = fields(&archive, a.narrator, &a.interview)?;
    let agent = super::agent(a.agent.as_deref());
    let now = crate::clock::now_rfc3339();
    let id = a.id;
    // Interview details are shown beside a redacted item's redacted text.
    let shown: Vec<(String, &str)> = [
        ("interview place", fields.interview_place.as_deref()),
        ("interviewer", fields.interviewer.as_deref()),
    ]
    .into_iter()
    .filter_map(|(what, v)| Some((what.to_string(), v?)))
    .collect();
    let key = if !shown.is_empty() && redactions::is_redacted(archive.conn(), id)? {
        super::key::find_key(&archive, a.key.as_deref())?
    } else {
        None
    };
    let has_consent = archive.write(|tx| {
        if !items::exists(tx, id)? {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        crate::redact::check_new_values(tx, id, key.as_ref(), &shown)?;
        let detail = testimonies::set(tx, id, &fields, &now)?;
        EventLog::new(tx)?.append(
            EventType::MetadataModification,
            Some(id),
            &agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(crate::policy::sql::load_facts(tx, id)?.is_some_and(|f| f.consent.is_some()))
    })?;
    super::note(format!(
        "item {id} is a testimony of narrator {}",
        fields.narrator
    ));
    if !has_consent {
        super::note(format!(
            "no consent recorded: item {id} is closed below custodian until `custos consent {id} grant ...`"
        ));
    }
    Ok(())
}

//! `custos tag ID` / `custos untag ID`: link an item to controlled-vocabulary
//! terms or unlink it, one metadata_modification event per change.

use std::path::Path;

use crate::archive::Mode;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{items, redactions, terms};
use crate::cli::{TagArgs, TermArgs};
use crate::error::{Error, Result};
use crate::model::Vocab;
use crate::redact;

/// The (vocabulary, label) pairs given as options, validated.
pub(crate) fn term_list(t: &TermArgs, agents: &[String]) -> Result<Vec<(Vocab, String)>> {
    let mut out = Vec::new();
    for (vocab, labels) in [
        (Vocab::Event, &t.event),
        (Vocab::Place, &t.place),
        (Vocab::Subject, &t.subject),
        (Vocab::Agent, &agents.to_vec()),
    ] {
        for l in labels {
            out.push((vocab, terms::clean_label(vocab, l)?));
        }
    }
    Ok(out)
}

pub fn run(archive_arg: Option<&Path>, a: TagArgs, untag: bool) -> Result<()> {
    let list = term_list(&a.terms, &a.agent)?;
    if list.is_empty() {
        return Err(Error::usage(
            "name at least one term: --event, --place, --subject or --agent",
        ));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    // A redacted item's new terms are checked against its sealed terms.
    let key = if !untag && redactions::is_redacted(archive.conn(), a.id)? {
        super::key::find_key(&archive, a.key.as_deref())?
    } else {
        None
    };
    let agent = super::agent(a.by.as_deref());
    let now = crate::clock::now_rfc3339();
    let id = a.id;
    let changed = archive.write(|tx| {
        if !items::exists(tx, id)? {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        if !untag {
            let labels: Vec<(String, &str)> = list
                .iter()
                .map(|(v, l)| (format!("{v} term"), l.as_str()))
                .collect();
            redact::check_new_values(tx, id, key.as_ref(), &labels)?;
        }
        let mut log = EventLog::new(tx)?;
        let mut changed = 0;
        for (vocab, label) in &list {
            let done = if untag {
                terms::untag(tx, id, *vocab, label)?
            } else {
                terms::tag(tx, id, *vocab, label)?
            };
            if done {
                changed += 1;
                let detail = serde_json::json!({
                    "field": vocab.as_str(),
                    "action": if untag { "untag" } else { "tag" },
                    "term": label,
                });
                log.append(
                    EventType::MetadataModification,
                    Some(id),
                    &agent,
                    "success",
                    Some(&detail),
                    &now,
                )?;
            }
        }
        Ok(changed)
    })?;
    let verb = if untag { "untagged" } else { "tagged" };
    super::note(format!(
        "item {id}: {verb} {changed} term(s){}",
        if changed < list.len() {
            format!(", {} unchanged", list.len() - changed)
        } else {
            String::new()
        }
    ));
    Ok(())
}

//! Keeping the vocabularies clean: renaming a term, or merging one into
//! another. One transaction each, with one `metadata_modification` event
//! per item whose description changed (or one for the archive when no item
//! uses the term), so each item's history tells the whole story.
//!
//! A term linked to a redacted item is not relabelled (its new label could
//! bring a redacted name back); it never prints.

use crate::archive::Archive;
use crate::catalogue::events::EventLog;
use crate::catalogue::terms::{self, TermChange};
use crate::error::Result;
use crate::model::Vocab;
use crate::redact;

pub enum Relabel {
    Rename { old: String, new: String },
    Merge { from: String, into: String },
}

impl Relabel {
    fn action(&self) -> &'static str {
        match self {
            Relabel::Rename { .. } => "rename",
            Relabel::Merge { .. } => "merge",
        }
    }
}

pub fn relabel(
    archive: &mut Archive,
    vocab: Vocab,
    op: &Relabel,
    agent: &str,
) -> Result<TermChange> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let ch = match op {
            Relabel::Rename { old, new } => {
                redact::check_relabel(tx, vocab, old)?;
                terms::rename(tx, vocab, old, new)?
            }
            Relabel::Merge { from, into } => {
                redact::check_relabel(tx, vocab, from)?;
                terms::merge(tx, vocab, from, into)?
            }
        };
        let mut log = EventLog::new(tx)?;
        let detail = serde_json::json!({
            "field": ch.vocab.as_str(),
            "action": op.action(),
            "old": ch.from,
            "new": ch.to,
        });
        let items: Vec<Option<_>> = if ch.items.is_empty() {
            vec![None]
        } else {
            ch.items.iter().copied().map(Some).collect()
        };
        for id in items {
            super::log_modification(&mut log, id, agent, &detail, &now)?;
        }
        Ok(ch)
    })
}

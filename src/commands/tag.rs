//! `custos tag ID` / `custos untag ID`: link an item to controlled-vocabulary
//! terms or unlink it, one metadata_modification event per change.

use std::path::Path;

use crate::archive::Mode;
use crate::catalogue::{redactions, terms};
use crate::cli::{TagArgs, TermArgs};
use crate::error::Result;
use crate::model::Vocab;
use crate::ops;

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
    let terms = term_list(&a.terms, &a.agent)?;
    let mut archive = super::open(archive_arg, Mode::Write)?;
    // A redacted item's new terms are checked against its sealed terms.
    let key = if !untag && !terms.is_empty() && redactions::is_redacted(archive.conn(), a.id)? {
        super::key::find_key(&archive, a.key.as_deref())?
    } else {
        None
    };
    let op = ops::Tag {
        id: a.id,
        terms,
        untag,
        agent: super::agent(a.by.as_deref()),
        key,
    };
    let done = ops::tag(&mut archive, &op)?;
    let verb = if untag { "untagged" } else { "tagged" };
    super::note(format!(
        "item {}: {verb} {} term(s){}",
        op.id,
        done.changed,
        if done.unchanged > 0 {
            format!(", {} unchanged", done.unchanged)
        } else {
            String::new()
        }
    ));
    Ok(())
}

//! `custos tag ID` / `custos untag ID`: link an item to controlled-vocabulary
//! terms or unlink it, one metadata_modification event per change.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{TagArgs, TermArgs};
use custos::error::Result;
use custos::keys::KeyFile;
use custos::model::Vocab;
use custos::ops;
use custos::ops::clean_label;

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
            out.push((vocab, clean_label(vocab, l)?));
        }
    }
    Ok(out)
}

pub fn run(archive_arg: Option<&Path>, a: TagArgs, untag: bool) -> Result<()> {
    let terms = term_list(&a.terms, &a.agent)?;
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let op = ops::Tag {
        id: a.id,
        terms,
        untag,
        agent: super::agent(a.by.as_deref()),
        key: KeyFile::new(a.key.as_deref()),
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

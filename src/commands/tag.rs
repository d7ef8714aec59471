//! `custos tag ID...` / `custos untag ID...` (or `--query Q`): link items to
//! controlled-vocabulary terms or unlink them, one metadata_modification
//! event per change, a batch in one transaction.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{TagArgs, TermArgs};
use custos::error::Result;
use custos::keys::KeyFile;
use custos::model::Vocab;
use custos::ops;
use custos::ops::clean_label;
use custos::output::{self, col, Column};

const DRY_RUN_COLUMNS: &[Column] = &[
    col("id", "Item"),
    col("changed", "Would change"),
    col("unchanged", "Already so"),
    col("skipped_purged", "Purged (skipped)"),
];

/// The (vocabulary, label) pairs given as options, validated.
pub(crate) fn term_list(t: &TermArgs, agents: &[String]) -> Result<Vec<(Vocab, String)>> {
    let mut out = Vec::new();
    let agents: Vec<String> = t.agent_term.iter().chain(agents).cloned().collect();
    for (vocab, labels) in [
        (Vocab::Event, &t.event),
        (Vocab::Place, &t.place),
        (Vocab::Subject, &t.subject),
        (Vocab::Agent, &agents),
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
    let verb = if untag { "untagged" } else { "tagged" };
    let mut op = ops::Tag {
        targets: super::batch::targets(&a.ids, a.batch.query.as_deref())?,
        terms,
        untag,
        agent: super::agent(a.by.as_deref()),
        key: KeyFile::new(a.key.as_deref()),
        dry_run: a.batch.dry_run,
        today: custos::clock::today(),
    };
    if super::batch::should_ask(&a.batch) {
        op.dry_run = true;
        let would = ops::tag(&mut archive, &op)?;
        let n = would.iter().filter(|t| t.changed > 0).count();
        let what = if untag { "untags" } else { "tags" };
        if !super::batch::confirm(n, &format!("this {what} {n} items"))? {
            super::note("nothing was changed");
            return Ok(());
        }
        op.dry_run = false;
    }
    let done = ops::tag(&mut archive, &op)?;
    if op.dry_run {
        let rows = output::to_values(&done)?;
        let mut out = super::Stdout::new();
        output::render_list(out.w(), output::Format::Table, DRY_RUN_COLUMNS, &rows)?;
        out.finish()?;
        let n = done.iter().filter(|t| t.changed > 0).count();
        super::note(format!(
            "dry run: {n} item(s) would be {verb}; nothing was changed"
        ));
        return Ok(());
    }
    for t in &done {
        if t.skipped_purged {
            super::note(format!("item {}: skipped: it was purged", t.id));
            continue;
        }
        super::note(format!(
            "item {}: {verb} {} term(s){}",
            t.id,
            t.changed,
            if t.unchanged > 0 {
                format!(", {} unchanged", t.unchanged)
            } else {
                String::new()
            }
        ));
    }
    if done.len() > 1 {
        let n = done.iter().filter(|t| t.changed > 0).count();
        super::note(format!("{n} of {} item(s) {verb}", done.len()));
    }
    Ok(())
}

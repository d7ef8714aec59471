//! `custos terms`: the controlled vocabularies with item counts, and
//! `terms rename` / `terms merge` to keep them clean (each logged); the
//! names of terms are `commands::names`.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{TermsAction, TermsArgs};
use custos::error::Result;
use custos::ops::{self, Relabel};
use custos::output::{self, col, Column};
use custos::reader::Reader;

const COLUMNS: &[Column] = &[
    col("vocab", "Vocabulary"),
    col("label", "Term"),
    col("items", "Items"),
];

pub fn run(archive_arg: Option<&Path>, a: TermsArgs) -> Result<()> {
    let (vocab, op, by) = match a.action {
        None => return list(archive_arg, &a),
        Some(TermsAction::Rename {
            vocab,
            old,
            new,
            by,
        }) => (vocab, Relabel::Rename { old, new }, by),
        Some(TermsAction::Merge {
            vocab,
            from,
            into,
            by,
        }) => (vocab, Relabel::Merge { from, into }, by),
        Some(TermsAction::Name(n)) => return super::names::name(archive_arg, n),
        Some(TermsAction::Label { term, name, by }) => {
            return super::names::label(archive_arg, term, &name, by.as_deref())
        }
        Some(TermsAction::Show {
            term,
            lang,
            access,
            output,
        }) => return super::names::show(archive_arg, &term, lang, &access, output.format, true),
    };
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(by.as_deref());
    let ch = ops::relabel(&mut archive, vocab, &op, &agent)?;
    super::note(format!(
        "{}: {} {:?} → {:?} ({} item(s))",
        match op {
            Relabel::Rename { .. } => "rename",
            Relabel::Merge { .. } => "merge",
        },
        ch.vocab,
        ch.from,
        ch.to,
        ch.items.len()
    ));
    Ok(())
}

fn list(archive_arg: Option<&Path>, a: &TermsArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let counts = Reader::new(&archive, access, custos::clock::today()).terms(a.vocab)?;
    let rows: Vec<_> = counts.iter().map(output::to_value).collect::<Result<_>>()?;
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, COLUMNS, &rows)?;
    out.finish()
}

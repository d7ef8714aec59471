//! `custos terms name add|list|remove`, `terms label`, `terms show`: the
//! names of a term. Parses, calls `ops::names` or the reader, renders.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{AccessArgs, AddName, LangTag, NameAction, TermRef};
use custos::error::{Error, Result};
use custos::ops;
use custos::ops::NewName;
use custos::output::{self, col, Column, Format};
use custos::reader::Reader;

const NAME_COLUMNS: &[Column] = &[
    col("name", "Name"),
    col("label", "Label"),
    col("lang", "Lang"),
    col("script", "Script"),
    col("form", "Form"),
    col("used_by", "Used by"),
    col("source", "Source"),
    col("locator", "Locator"),
    col("citation", "Citation"),
    col("period", "Period"),
];

const SHOW_COLUMNS: &[Column] = &[
    col("vocab", "Vocabulary"),
    col("term", "Term"),
    col("label", "Label"),
    col("display", "Display"),
    col("items", "Items"),
];

pub fn name(archive_arg: Option<&Path>, a: NameAction) -> Result<()> {
    match a {
        NameAction::Add(add) => {
            let AddName {
                term,
                name,
                lang,
                script,
                form,
                used_by,
                source,
                period,
                by,
            } = *add;
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let agent = super::agent(by.as_deref());
            let new = NewName {
                text: name,
                lang: lang.map(|l| l.0),
                script: script.map(|s| s.0),
                form: form.map(|f| f.as_str().to_string()),
                used_by: used_by.filter(|u| !u.trim().is_empty()),
                source_item: source.source,
                locator: source.locator,
                citation: source.citation,
                period: period.map(|p| p.to_string()),
            };
            let ch = ops::names::add_name(&mut archive, term.vocab, &term.name, new, &agent)?;
            super::note(format!(
                "{} {:?}: name {:?} added",
                ch.vocab, ch.label, ch.name
            ));
            Ok(())
        }
        NameAction::Remove { term, name, by } => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let agent = super::agent(by.as_deref());
            let ch = ops::names::remove_name(&mut archive, term.vocab, &term.name, &name, &agent)?;
            super::note(format!(
                "{} {:?}: name {:?} removed",
                ch.vocab, ch.label, ch.name
            ));
            Ok(())
        }
        NameAction::List {
            term,
            lang,
            access,
            output,
        } => show(archive_arg, &term, lang, &access, output.format, false),
    }
}

pub fn label(
    archive_arg: Option<&Path>,
    term: TermRef,
    name: &str,
    by: Option<&str>,
) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(by);
    let ch = ops::names::set_label(&mut archive, term.vocab, &term.name, name, &agent)?;
    super::note(format!(
        "{} term {}: label is now {:?}",
        ch.vocab, ch.term, ch.label
    ));
    Ok(())
}

/// `terms show` (`whole`: the term and its names) and `terms name list`
/// (the names only, as rows).
pub fn show(
    archive_arg: Option<&Path>,
    term: &TermRef,
    lang: Option<LangTag>,
    access: &AccessArgs,
    format: Format,
    whole: bool,
) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let level = super::access(&archive, access)?;
    let reader = Reader::new(&archive, level, custos::clock::today());
    let found = reader
        .term_names(term.vocab, &term.name, lang.as_ref().map(|l| l.0.as_str()))?
        .ok_or_else(|| {
            Error::usage(format!(
                "no {} term has the name {:?} (at access {level}); `custos terms --vocab {}` lists them",
                term.vocab, term.name, term.vocab
            ))
        })?;
    let mut out = super::Stdout::new();
    let names = output::to_values(&found.names)?;
    if whole {
        let record = output::to_value(&found)?;
        match format {
            Format::Table => {
                output::render_record(out.w(), format, SHOW_COLUMNS, &record)?;
                output::render_section(out.w(), "Names", NAME_COLUMNS, &names)?;
            }
            Format::Json | Format::Jsonl => {
                output::render_record(out.w(), format, SHOW_COLUMNS, &record)?
            }
            Format::Csv | Format::Tsv => {
                output::render_list(out.w(), format, NAME_COLUMNS, &names)?
            }
        }
    } else {
        output::render_list(out.w(), format, NAME_COLUMNS, &names)?;
    }
    out.finish()
}

//! `custos edit ID`: change descriptive metadata, logging old and new values.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::EditArgs;
use custos::error::{Error, Result};
use custos::keys::KeyFile;
use custos::ops;
use custos::ops::Field;

pub fn run(archive_arg: Option<&Path>, a: EditArgs) -> Result<()> {
    let meta = super::import::item_meta(&a.meta)?;
    let mut wanted: Vec<(Field, Option<String>)> = Vec::new();
    let mut push = |f: Field, v: Option<String>| {
        if let Some(v) = v {
            wanted.push((f, Some(v)));
        }
    };
    push(Field::Title, meta.title);
    push(Field::Kind, meta.kind.map(|k| k.to_string()));
    push(Field::Date, meta.date.map(|d| d.to_string()));
    push(Field::Language, meta.language);
    push(Field::Creator, meta.creator);
    push(Field::Description, meta.description);
    push(Field::Collection, meta.collection);
    for name in &a.clear {
        let field = Field::clearable_named(name)?;
        if wanted.iter().any(|(f, _)| *f == field) {
            return Err(Error::usage(format!(
                "--clear {name} conflicts with --{name}"
            )));
        }
        wanted.push((field, None));
    }
    if wanted.is_empty() {
        return Err(Error::usage(
            "nothing to change; give at least one of --title, --kind, --date, --language, --creator, --description, --collection, --clear",
        ));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let id = a.id;
    let op = ops::Edit {
        id,
        changes: wanted,
        agent: super::agent(a.agent.as_deref()),
        key: KeyFile::new(a.key.as_deref()),
    };
    let changes = ops::edit(&mut archive, &op)?;
    if changes.is_empty() {
        super::note(format!(
            "item {id}: nothing changed (the values were already so)"
        ));
    } else {
        let names: Vec<&str> = changes.iter().map(|c| c.field).collect();
        super::note(format!("item {id}: changed {}", names.join(", ")));
    }
    Ok(())
}

//! `custos edit ID...` (or `--query Q`): change descriptive metadata,
//! logging old and new values; a batch in one transaction.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::EditArgs;
use custos::error::{Error, Result};
use custos::keys::KeyFile;
use custos::ops;
use custos::ops::Field;
use custos::output::{self, col, Column};
use serde_json::json;

const DRY_RUN_COLUMNS: &[Column] = &[
    col("id", "Item"),
    col("field", "Field"),
    col("old", "Now"),
    col("new", "Would be"),
];

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
    push(Field::Coverage, meta.coverage.map(|d| d.to_string()));
    push(Field::Rights, meta.rights);
    push(Field::Location, meta.location);
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
            "nothing to change; give at least one of --title, --kind, --date, --language, --creator, --description, --collection, --coverage, --rights, --location, --clear",
        ));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let mut op = ops::Edit {
        targets: super::batch::targets(&a.ids, a.batch.query.as_deref())?,
        changes: wanted,
        agent: super::agent(a.by.as_deref()),
        key: KeyFile::new(a.key.as_deref()),
        dry_run: a.batch.dry_run,
        today: custos::clock::today(),
    };
    if super::batch::should_ask(&a.batch) {
        op.dry_run = true;
        let n = ops::edit(&mut archive, &op)?
            .iter()
            .filter(|e| !e.changes.is_empty())
            .count();
        if !super::batch::confirm(n, &format!("this edits {n} items"))? {
            super::note("nothing was changed");
            return Ok(());
        }
        op.dry_run = false;
    }
    let done = ops::edit(&mut archive, &op)?;
    let changed = done.iter().filter(|e| !e.changes.is_empty()).count();
    if op.dry_run {
        let rows: Vec<serde_json::Value> = done
            .iter()
            .flat_map(|e| {
                e.changes
                    .iter()
                    .map(move |c| json!({"id": e.id, "field": c.field, "old": c.old, "new": c.new}))
            })
            .collect();
        let mut out = super::Stdout::new();
        output::render_list(out.w(), output::Format::Table, DRY_RUN_COLUMNS, &rows)?;
        out.finish()?;
        super::note(format!(
            "dry run: {changed} of {} item(s) would change; nothing was changed",
            done.len()
        ));
        return Ok(());
    }
    for e in &done {
        if e.skipped_purged {
            super::note(format!("item {}: skipped: it was purged", e.id));
        } else if e.changes.is_empty() {
            super::note(format!(
                "item {}: nothing changed (the values were already so)",
                e.id
            ));
        } else {
            let names: Vec<&str> = e.changes.iter().map(|c| c.field).collect();
            super::note(format!("item {}: changed {}", e.id, names.join(", ")));
        }
    }
    if done.len() > 1 {
        super::note(format!("{changed} of {} item(s) changed", done.len()));
    }
    Ok(())
}

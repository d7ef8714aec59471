//! `custos edit ID`: change descriptive metadata, logging old and new values.

use std::path::Path;

use crate::archive::Mode;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::items::{self, Field};
use crate::catalogue::redactions;
use crate::cli::EditArgs;
use crate::error::{Error, Result};
use crate::redact;

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
        let field = match name.as_str() {
            "date" => Field::Date,
            "language" => Field::Language,
            "creator" => Field::Creator,
            "description" => Field::Description,
            "collection" => Field::Collection,
            other => {
                return Err(Error::usage(format!(
                    "--clear {other:?}: only date, language, creator, description, collection can be cleared"
                )))
            }
        };
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
    let agent = super::agent(a.agent.as_deref());
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let id = a.id;
    // Creator and collection are shown beside a redacted item's redacted
    // text, so new values are checked against its sealed terms.
    let shown: Vec<(String, &str)> = wanted
        .iter()
        .filter(|(f, _)| matches!(f, Field::Creator | Field::Collection))
        .filter_map(|(f, v)| Some((f.name().to_string(), v.as_deref()?)))
        .collect();
    let key = if !shown.is_empty() && redactions::is_redacted(archive.conn(), id)? {
        super::key::find_key(&archive, a.key.as_deref())?
    } else {
        None
    };
    let now = crate::clock::now_rfc3339();
    let changes = archive.write(|tx| {
        if !items::exists(tx, id)? {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        redact::check_new_values(tx, id, key.as_ref(), &shown)?;
        let mut changes = Vec::new();
        for (field, value) in &wanted {
            if let Some(c) = items::set_field(tx, id, *field, value.as_deref(), &now)? {
                changes.push(c);
            }
        }
        if !changes.is_empty() {
            let detail = serde_json::json!({ "changes": changes });
            EventLog::new(tx)?.append(
                EventType::MetadataModification,
                Some(id),
                &agent,
                "success",
                Some(&detail),
                &now,
            )?;
        }
        Ok(changes)
    })?;
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

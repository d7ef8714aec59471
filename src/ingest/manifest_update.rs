//! What a re-run manifest says differently about items already in the
//! archive (`import --manifest F [--update]`): for every row whose file was
//! a duplicate, each item field the row gives with a value the item does
//! not have. Without `--update` the command reports each as ignored; with
//! it, `ops::edit_each` applies them in one transaction, one event per item.
//!
//! Two rows that give the same item different values for one column, and a
//! change an edit would refuse (a testimony's kind), are conflicts: never
//! applied, always reported with their rows and column. This module reads
//! and compares; it writes nothing and never prints.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{FileOutcome, Status};
use crate::archive::Archive;
use crate::catalogue::items::{self, Field, ItemRecord};
use crate::catalogue::{collections, display_bytes};
use crate::error::Result;
use crate::manifest::{self, Options, Problem, Row};
use crate::model::{ItemId, Kind};

/// One value a row gives that its item does not have.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub row: u64,
    pub item: ItemId,
    pub field: Field,
    pub old: Option<String>,
    pub new: String,
}

#[derive(Debug, Default)]
pub struct Differences {
    /// Changes that may be applied, in row order.
    pub changes: Vec<Difference>,
    /// Changes refused, with their row and column.
    pub conflicts: Vec<Problem>,
}

impl Differences {
    /// The changes grouped by item, as `ops::EditEach` takes them.
    pub fn by_item(&self) -> Vec<(ItemId, crate::ops::describe::Changes)> {
        let mut m: BTreeMap<ItemId, crate::ops::describe::Changes> = BTreeMap::new();
        for d in &self.changes {
            m.entry(d.item)
                .or_default()
                .push((d.field, Some(d.new.clone())));
        }
        m.into_iter().collect()
    }
}

/// The item fields a manifest row can give, with the row's value.
fn given(row: &Row) -> Vec<(Field, String)> {
    let mut v = Vec::new();
    let mut push = |f: Field, x: Option<String>| {
        if let Some(x) = x.filter(|x| !x.trim().is_empty()) {
            v.push((f, x));
        }
    };
    push(Field::Title, row.title.clone());
    push(Field::Kind, row.kind.map(|k| k.to_string()));
    push(
        Field::Date,
        row.date.as_ref().map(|d| d.as_str().to_string()),
    );
    push(Field::Language, row.language.clone());
    push(Field::Collection, row.collection.clone());
    push(Field::Creator, row.creator.clone());
    push(Field::Description, row.description.clone());
    push(
        Field::Coverage,
        row.coverage.as_ref().map(|d| d.as_str().to_string()),
    );
    push(Field::Rights, row.rights.clone());
    push(Field::Location, row.location.clone());
    v
}

fn current(r: &ItemRecord, f: Field) -> Option<String> {
    match f {
        Field::Title => Some(r.title.clone()),
        Field::Kind => Some(r.kind.to_string()),
        Field::Date => r.date.clone(),
        Field::Language => r.language.clone(),
        Field::Collection => r.collection.clone(),
        Field::Creator => r.creator.clone(),
        Field::Description => r.description.clone(),
        Field::Coverage => r.coverage.clone(),
        Field::Rights => r.rights.clone(),
        Field::Location => r.location.clone(),
    }
}

/// Whether the row's value says the same as the item's: collections are
/// grouped without regard to case and surrounding spaces.
fn same(f: Field, old: Option<&str>, new: &str) -> bool {
    match (f, old) {
        (_, None) => false,
        (Field::Collection, Some(o)) => collections::fold(o) == collections::fold(new),
        (_, Some(o)) => o == new,
    }
}

/// The differences between the manifest's rows and the items its duplicate
/// files already are.
pub fn differences(
    archive: &Archive,
    path: &Path,
    opts: &Options,
    outcomes: &[FileOutcome],
) -> Result<Differences> {
    let conn = archive.conn();
    let dups: HashMap<&str, ItemId> = outcomes
        .iter()
        .filter(|o| o.status == Status::Duplicate)
        .filter_map(|o| o.id.map(|id| (o.path.as_str(), id)))
        .collect();
    let mut out = Differences::default();
    // (item, field) → (row, value) of the first row that gave it.
    let mut first: HashMap<(ItemId, Field), (u64, String)> = HashMap::new();
    for row in manifest::rows(path, opts)? {
        let row = row?;
        let key = display_bytes(row.file.as_os_str().as_encoded_bytes());
        let Some(&item) = dups.get(key.as_str()) else {
            continue;
        };
        let Some(record) = items::get(conn, item)? else {
            continue;
        };
        for (field, new) in given(&row) {
            let conflict = |reason: String| Problem {
                row: row.row,
                column: Some(field.name().to_string()),
                value: Some(new.clone()),
                reason,
            };
            if let Some((r0, v0)) = first.get(&(item, field)) {
                if !same(field, Some(v0), &new) {
                    out.conflicts.push(conflict(format!(
                        "row {r0} gives item {item} (the same file) {v0:?}; not changed"
                    )));
                    out.changes
                        .retain(|d| !(d.item == item && d.field == field));
                }
                continue;
            }
            first.insert((item, field), (row.row, new.clone()));
            let old = current(&record, field);
            if same(field, old.as_deref(), &new) {
                continue;
            }
            if field == Field::Kind && record.kind == Kind::Testimony {
                out.conflicts.push(conflict(format!(
                    "item {item} is a testimony, and stays one: its consent governs it"
                )));
                continue;
            }
            out.changes.push(Difference {
                row: row.row,
                item,
                field,
                old,
                new,
            });
        }
    }
    Ok(out)
}

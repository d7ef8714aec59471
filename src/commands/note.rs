//! `custos note add|list|remove`: an item's notes, public or custodial.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{NoteAction, NoteAddArgs, NoteArgs};
use custos::error::{Error, Result};
use custos::model::NoteAudience;
use custos::ops::notes::{self, AddNote};
use custos::output::{self, col, Column};
use custos::reader::Reader;

const COLUMNS: &[Column] = &[
    col("id", "#"),
    col("audience", "For"),
    col("text", "Note"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

pub fn run(archive_arg: Option<&Path>, a: NoteArgs) -> Result<()> {
    match a.action {
        NoteAction::Add(a) => add(archive_arg, a),
        NoteAction::List { id, access, output } => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let access = super::access(&archive, &access)?;
            let reader = Reader::new(&archive, access, custos::clock::today());
            // A hidden item and a missing one get the same answer.
            let detail = reader
                .item_detail(id)?
                .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
            let rows = output::to_values(&detail.notes)?;
            let mut out = super::Stdout::new();
            output::render_list(out.w(), output.format, COLUMNS, &rows)?;
            out.finish()
        }
        NoteAction::Remove { id, note, by } => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            notes::remove(&mut archive, id, note, &super::agent(by.as_deref()))?;
            super::note(format!("item {id}: note {note} removed"));
            Ok(())
        }
    }
}

fn add(archive_arg: Option<&Path>, a: NoteAddArgs) -> Result<()> {
    let (audience, text) = match (a.public, a.custodial) {
        (Some(t), None) => (NoteAudience::Public, t),
        (None, Some(t)) => (NoteAudience::Custodial, t),
        _ => {
            return Err(Error::usage(
                "give one of --public TEXT or --custodial TEXT",
            ))
        }
    };
    let targets = super::batch::targets(&a.ids, a.query.as_deref())?;
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let added = notes::add(
        &mut archive,
        &AddNote {
            targets,
            audience,
            text,
            agent: super::agent(a.by.as_deref()),
            today: custos::clock::today(),
        },
    )?;
    for (item, note) in &added {
        super::note(format!("item {item}: {audience} note {note} added"));
    }
    Ok(())
}

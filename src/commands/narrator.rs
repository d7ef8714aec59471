//! `custos narrator add|list|show|edit`: narrators as the reader's access
//! level allows, and the sealed legal identity for the custodian with a key.
//!
//! What a reader sees is decided by `policy::narrator` and shaped by
//! `policy::present`; this module only asks. A legal identity is printed
//! only by `show --reveal` after the reveal event is committed, and a wrong
//! key prints nothing.

use std::path::Path;

use secrecy::ExposeSecret;
use serde_json::Value;

use custos::archive::{Archive, Mode};
use custos::cli::{
    NarratorAddArgs, NarratorArgs, NarratorCommand, NarratorEditArgs, NarratorFieldArgs,
    NarratorListArgs, NarratorShowArgs,
};
use custos::error::{Error, Result};
use custos::keys::KeyFile;
use custos::model::{Access, NarratorId};
use custos::ops::narrator::{EditNarrator, NarratorChange};
use custos::ops::{self, NewNarrator};
use custos::output::{self, col, Column, Format};
use custos::policy;
use custos::reader::Reader;
use custos::seal;

pub const COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("display", "Display"),
    col("anonymity", "Anonymity"),
    col("birth_year", "Born"),
    col("place_of_origin", "Origin"),
    col("place_of_residence", "Residence"),
    col("notes", "Notes"),
    col("testimonies", "Testimony items"),
    col("legal_identity_sealed", "Identity sealed"),
    col("created_at", "Created at"),
];

const TABLE_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("display", "Display"),
    col("anonymity", "Anonymity"),
    col("birth_year", "Born"),
    col("place_of_origin", "Origin"),
    col("testimonies", "Testimony items"),
];

const SHOW_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("display", "Display"),
    col("anonymity", "Anonymity"),
    col("birth_year", "Born"),
    col("place_of_origin", "Origin"),
    col("place_of_residence", "Residence"),
    col("notes", "Notes"),
    col("testimonies", "Testimony items"),
    col("legal_identity_sealed", "Identity sealed"),
    col("created_at", "Created at"),
    col("legal_identity", "Legal identity"),
];

pub fn run(archive_arg: Option<&Path>, a: NarratorArgs) -> Result<()> {
    match a.command {
        NarratorCommand::Add(a) => add(archive_arg, a),
        NarratorCommand::List(a) => list(archive_arg, a),
        NarratorCommand::Show(a) => show(archive_arg, a),
        NarratorCommand::Edit(a) => edit(archive_arg, a),
    }
}

/// Field values checked before anything is written.
struct Checked {
    display: Option<String>,
    birth_year: Option<i32>,
    place_of_origin: Option<String>,
    place_of_residence: Option<String>,
    notes: Option<String>,
}

fn check_fields(f: &NarratorFieldArgs) -> Result<Checked> {
    let nonempty = |flag: &str, v: &Option<String>| -> Result<Option<String>> {
        match v {
            Some(s) if s.trim().is_empty() => Err(Error::usage(format!(
                "--{flag} cannot be empty (use --clear to remove a value)"
            ))),
            other => Ok(other.as_ref().map(|s| s.trim().to_string())),
        }
    };
    let this_year = custos::clock::today().format("%Y").to_string();
    let this_year: i32 = this_year.parse().unwrap_or(9999);
    if let Some(y) = f.birth_year {
        if !(1850..=this_year).contains(&y) {
            return Err(Error::usage(format!(
                "--birth-year {y}: expected a year between 1850 and {this_year}"
            )));
        }
    }
    let notes = match &f.notes_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
            let text = text.trim().to_string();
            if text.is_empty() {
                return Err(Error::usage(format!("--notes-file {}: empty", p.display())));
            }
            Some(text)
        }
        None => None,
    };
    Ok(Checked {
        display: nonempty("display", &f.display)?,
        birth_year: f.birth_year,
        place_of_origin: nonempty("place-of-origin", &f.place_of_origin)?,
        place_of_residence: nonempty("place-of-residence", &f.place_of_residence)?,
        notes,
    })
}

/// Reads and seals the legal identity, if one is given (or typed at the
/// prompt). Without a custodian key, asking for one is a usage error.
fn sealed_identity(
    archive: &Archive,
    legal: &custos::cli::LegalNameArgs,
    may_prompt: bool,
) -> Result<Option<Vec<u8>>> {
    if !super::input::wants_legal_identity(legal, may_prompt) {
        return Ok(None);
    }
    let explicit = legal.legal_name_file.is_some() || legal.legal_name_stdin;
    let recipient = match ops::narrator::custodian_recipient(archive)? {
        Some(r) => r,
        None if explicit => {
            return Err(Error::usage(
                "a legal identity is sealed to the archive's custodian key, and none is set up; run `custos key init` first (nothing was recorded)",
            ))
        }
        None => {
            super::note("no custodian key yet, so no legal identity was asked for; run `custos key init`, then `custos narrator edit N --legal-name-file FILE`");
            return Ok(None);
        }
    };
    let Some(identity) = super::input::legal_identity(legal, may_prompt)? else {
        return Ok(None);
    };
    Ok(Some(seal::seal(
        &recipient,
        identity.expose_secret().as_bytes(),
    )?))
}

fn add(archive_arg: Option<&Path>, a: NarratorAddArgs) -> Result<()> {
    let f = check_fields(&a.fields)?;
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let sealed = sealed_identity(&archive, &a.legal, true)?;
    let new = NewNarrator {
        display: f.display,
        anonymity: a.anonymity,
        birth_year: f.birth_year,
        place_of_origin: f.place_of_origin,
        place_of_residence: f.place_of_residence,
        notes: f.notes,
        sealed_identity: sealed,
    };
    let id = ops::narrator::add(&mut archive, &new, &super::agent(a.agent.as_deref()))?;
    let mut out = super::Stdout::new();
    match a.output.format {
        Format::Table => writeln!(out.w(), "{id}").map_err(Error::stdout)?,
        f => output::render_record(
            out.w(),
            f,
            &[col("id", "ID")],
            &serde_json::json!({ "id": id }),
        )?,
    }
    out.finish()?;
    super::note(format!(
        "narrator {id} recorded ({}{})",
        new.anonymity,
        if new.sealed_identity.is_some() {
            ", legal identity sealed"
        } else {
            ", no legal identity"
        }
    ));
    Ok(())
}

/// Narrator records this reader may see, shaped by the policy.
fn visible(archive: &Archive, access: Access, only: Option<NarratorId>) -> Result<Vec<Value>> {
    output::to_values(&Reader::new(archive, access, custos::clock::today()).narrators(only)?)
}

fn list(archive_arg: Option<&Path>, a: NarratorListArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let rows = visible(&archive, access, None)?;
    let cols = match a.output.format {
        Format::Table => TABLE_COLUMNS,
        _ => COLUMNS,
    };
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, cols, &rows)?;
    out.finish()
}

fn show(archive_arg: Option<&Path>, a: NarratorShowArgs) -> Result<()> {
    let id = a.id;
    // The same words whether the narrator is missing or hidden: existence
    // itself can tell who spoke to the archive.
    let missing = || Error::usage(format!("no narrator {id} in this archive"));
    let mut archive = super::open(archive_arg, if a.reveal { Mode::Write } else { Mode::Read })?;
    let access = match (a.access.access, a.reveal) {
        (Some(x), _) => x,
        (None, true) => custos::policy::REVEAL_LEVEL,
        (None, false) => archive.default_access()?,
    };
    let mut value = visible(&archive, access, Some(id))?
        .pop()
        .ok_or_else(missing)?;
    let mut identity = None;
    if a.reveal {
        if !policy::may_reveal(access) {
            return Err(Error::usage(
                "--reveal is for the custodian: leave out --access or give --access custodian",
            ));
        }
        identity = ops::narrator::reveal(
            &mut archive,
            id,
            &KeyFile::new(a.key.as_deref()),
            &super::agent(a.agent.as_deref()),
        )?;
        if identity.is_none() {
            super::note(format!("narrator {id} has no sealed legal identity"));
        }
    }
    if let Some(obj) = value.as_object_mut() {
        let shown = identity.as_ref().map(|s| s.expose_secret().to_string());
        obj.insert("legal_identity".into(), shown.into());
    }
    let mut out = super::Stdout::new();
    output::render_record(out.w(), a.output.format, SHOW_COLUMNS, &value)?;
    out.finish()
}

fn edit(archive_arg: Option<&Path>, a: NarratorEditArgs) -> Result<()> {
    let f = check_fields(&a.fields)?;
    let mut changes: Vec<NarratorChange> = [
        f.display.map(|v| NarratorChange::Display(Some(v))),
        a.anonymity.map(NarratorChange::Anonymity),
        f.birth_year.map(|y| NarratorChange::BirthYear(Some(y))),
        f.place_of_origin
            .map(|v| NarratorChange::PlaceOfOrigin(Some(v))),
        f.place_of_residence
            .map(|v| NarratorChange::PlaceOfResidence(Some(v))),
        f.notes.map(|v| NarratorChange::Notes(Some(v))),
    ]
    .into_iter()
    .flatten()
    .collect();
    for name in &a.clear {
        let cleared = NarratorChange::clearing(name).ok_or_else(|| {
            Error::usage(format!(
                "--clear {name:?}: only display, birth_year, place_of_origin, place_of_residence, notes can be cleared"
            ))
        })?;
        if changes.iter().any(|c| c.field() == cleared.field()) {
            return Err(Error::usage(format!(
                "--clear {name} conflicts with setting it"
            )));
        }
        changes.push(cleared);
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    ops::narrator::require(&archive, a.id)?;
    let sealed = sealed_identity(&archive, &a.legal, false)?;
    if changes.is_empty() && sealed.is_none() {
        return Err(Error::usage(
            "nothing to change; give --display, --anonymity, --birth-year, --place-of-origin, --place-of-residence, --notes-file, --clear or --legal-name-file",
        ));
    }
    let id = a.id;
    let changed = ops::narrator::edit(
        &mut archive,
        &EditNarrator {
            id,
            changes,
            sealed_identity: sealed,
            agent: super::agent(a.agent.as_deref()),
            key: KeyFile::new(a.key.as_deref()),
        },
    )?;
    if changed.is_empty() {
        super::note(format!(
            "narrator {id}: nothing changed (the values were already so)"
        ));
    } else {
        super::note(format!("narrator {id}: changed {}", changed.join(", ")));
    }
    Ok(())
}

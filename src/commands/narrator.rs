//! `custos narrator add|list|show|edit`: narrators as the reader's access
//! level allows, and the sealed legal identity for the custodian with a key.
//!
//! What a reader sees is decided by `policy::narrator` and shaped by
//! `policy::present`; this module only asks. A legal identity is printed
//! only by `show --reveal` after the reveal event is committed, and a wrong
//! key prints nothing.

use std::path::Path;

use rusqlite::types::Value as SqlValue;
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::archive::{Archive, Mode};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::narrators::{self, Field, NarratorId, NewNarrator};
use crate::catalogue::{redactions, settings};
use crate::cli::{
    NarratorAddArgs, NarratorArgs, NarratorCommand, NarratorEditArgs, NarratorFieldArgs,
    NarratorListArgs, NarratorShowArgs,
};
use crate::error::{Error, Result};
use crate::model::Access;
use crate::output::{self, col, Column, Format};
use crate::policy::{self, present};
use crate::seal;

pub const COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("display", "Display"),
    col("anonymity", "Anonymity"),
    col("birth_year", "Born"),
    col("place_of_origin", "Origin"),
    col("place_of_residence", "Residence"),
    col("notes", "Notes"),
    col("testimonies", "Testimonies"),
    col("legal_identity_sealed", "Identity sealed"),
    col("created_at", "Created at"),
];

const TABLE_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("display", "Display"),
    col("anonymity", "Anonymity"),
    col("birth_year", "Born"),
    col("place_of_origin", "Origin"),
    col("testimonies", "Testimonies"),
];

const SHOW_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("display", "Display"),
    col("anonymity", "Anonymity"),
    col("birth_year", "Born"),
    col("place_of_origin", "Origin"),
    col("place_of_residence", "Residence"),
    col("notes", "Notes"),
    col("testimonies", "Testimonies"),
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
    let this_year = crate::clock::today().format("%Y").to_string();
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
    legal: &crate::cli::LegalNameArgs,
    may_prompt: bool,
) -> Result<Option<Vec<u8>>> {
    if !super::input::wants_legal_identity(legal, may_prompt) {
        return Ok(None);
    }
    let explicit = legal.legal_name_file.is_some() || legal.legal_name_stdin;
    let recipient = match settings::custodian_recipient(archive.conn())? {
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
    let agent = super::agent(a.agent.as_deref());
    let now = crate::clock::now_rfc3339();
    let id = archive.write(|tx| {
        let id = narrators::insert(tx, &new, &now)?;
        // Narrator events belong to no item, so no purge can erase them:
        // they name the narrator's id, never a value.
        let detail = serde_json::json!({
            "narrator": id,
            "legal_identity_sealed": new.sealed_identity.is_some(),
        });
        EventLog::new(tx)?.append(
            EventType::Creation,
            None,
            &agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(id)
    })?;
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
    let through = policy::sql::counted_testimonies(access, crate::clock::today());
    let mut rows = Vec::new();
    for r in narrators::list(archive.conn(), &through, only)? {
        let Some(grant) = policy::narrator(access, r.anonymity, !r.testimonies.is_empty()) else {
            continue;
        };
        rows.push(present::narrator_record(&grant, output::to_value(&r)?));
    }
    Ok(rows)
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
        (None, true) => crate::policy::REVEAL_LEVEL,
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
        let key = super::key::find_key(&archive, a.key.as_deref())?.ok_or_else(|| {
            Error::usage("--reveal needs the custodian key: give --key FILE (the file `custos key init` wrote)")
        })?;
        let sealed = narrators::sealed_identity(archive.conn(), id)?.ok_or_else(missing)?;
        identity = sealed
            .map(|s| seal::open_string(&key, &s, &format!("narrator {id}")))
            .transpose()?;
        let agent = super::agent(a.agent.as_deref());
        let now = crate::clock::now_rfc3339();
        let outcome = if identity.is_some() {
            "success"
        } else {
            "nothing sealed"
        };
        // Logged and committed before anything is shown.
        archive.write(|tx| {
            let detail = serde_json::json!({ "narrator": id });
            EventLog::new(tx)?.append(
                EventType::Reveal,
                None,
                &agent,
                outcome,
                Some(&detail),
                &now,
            )?;
            Ok(())
        })?;
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
    let mut wanted: Vec<(Field, SqlValue)> = Vec::new();
    let text = |v: Option<String>| v.map(SqlValue::Text);
    for (field, v) in [
        (Field::Display, text(f.display)),
        (
            Field::Anonymity,
            a.anonymity.map(|x| SqlValue::Text(x.to_string())),
        ),
        (
            Field::BirthYear,
            f.birth_year.map(|y| SqlValue::Integer(y.into())),
        ),
        (Field::PlaceOfOrigin, text(f.place_of_origin)),
        (Field::PlaceOfResidence, text(f.place_of_residence)),
        (Field::Notes, text(f.notes)),
    ] {
        if let Some(v) = v {
            wanted.push((field, v));
        }
    }
    for name in &a.clear {
        let field = Field::CLEARABLE
            .iter()
            .copied()
            .find(|f| f.name() == name.replace('-', "_"))
            .ok_or_else(|| {
                Error::usage(format!(
                    "--clear {name:?}: only display, birth_year, place_of_origin, place_of_residence, notes can be cleared"
                ))
            })?;
        if wanted.iter().any(|(f, _)| *f == field) {
            return Err(Error::usage(format!(
                "--clear {name} conflicts with setting it"
            )));
        }
        wanted.push((field, SqlValue::Null));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    if !narrators::exists(archive.conn(), a.id)? {
        return Err(Error::usage(format!(
            "no narrator {} in this archive",
            a.id
        )));
    }
    let sealed = sealed_identity(&archive, &a.legal, false)?;
    if wanted.is_empty() && sealed.is_none() {
        return Err(Error::usage(
            "nothing to change; give --display, --anonymity, --birth-year, --place-of-origin, --place-of-residence, --notes-file, --clear or --legal-name-file",
        ));
    }
    let agent = super::agent(a.agent.as_deref());
    let now = crate::clock::now_rfc3339();
    let id = a.id;
    // Shown beside the redacted text of the narrator's redacted
    // testimonies, so checked against each one's sealed terms.
    let shown: Vec<(String, &str)> = wanted
        .iter()
        .filter_map(|(f, v)| match v {
            SqlValue::Text(t) if *f != Field::Anonymity => {
                Some((format!("narrator {}", f.name()), t.as_str()))
            }
            _ => None,
        })
        .collect();
    let redacted = redactions::redacted_testimonies_of(archive.conn(), id.0)?;
    let key = if !shown.is_empty() && !redacted.is_empty() {
        super::key::find_key(&archive, a.key.as_deref())?
    } else {
        None
    };
    let changed = archive.write(|tx| {
        for item in redactions::redacted_testimonies_of(tx, id.0)? {
            crate::redact::check_new_values(tx, item, key.as_ref(), &shown)?;
        }
        let mut changed: Vec<&'static str> = Vec::new();
        for (field, v) in &wanted {
            if narrators::set_field(tx, id, *field, v)? {
                changed.push(field.name());
            }
        }
        if let Some(s) = &sealed {
            narrators::set_sealed_identity(tx, id, s)?;
            changed.push("legal_identity");
        }
        if !changed.is_empty() {
            // Field names only: this event outlives any purge.
            let detail = serde_json::json!({ "narrator": id, "fields": changed });
            EventLog::new(tx)?.append(
                EventType::MetadataModification,
                None,
                &agent,
                "success",
                Some(&detail),
                &now,
            )?;
        }
        Ok(changed)
    })?;
    if changed.is_empty() {
        super::note(format!(
            "narrator {id}: nothing changed (the values were already so)"
        ));
    } else {
        super::note(format!("narrator {id}: changed {}", changed.join(", ")));
    }
    Ok(())
}

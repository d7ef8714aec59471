//! `custos log`: the event history (all, one item's, filtered), or only the
//! head hash of its chain, or (`--head --sign`) a signed statement of it.
//!
//! Every event passes through the policy: below custodian level, events
//! about items the reader may not see are left out, details (old and new
//! values, origins, reasons) and the chain's ids and hashes are withheld,
//! events about no item are left out but for `verify` runs, and rows are
//! numbered 1..n (`policy::history`). It never checks the chain (that is
//! `verify`) and never writes to the catalogue; `--sign` writes only the
//! statement files (one kept in the archive folder).

use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use custos::archive::{Archive, Mode};
use custos::cli::LogArgs;
use custos::error::{Error, Result};
use custos::head;
use custos::output::{self, col, Column, Format};
use custos::policy;
use custos::reader::{EventType, LogFilter, Reader};

const TABLE_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("at", "At"),
    col("type", "Event"),
    col("item_id", "Item"),
    col("agent", "Agent"),
    col("outcome", "Outcome"),
    col("detail", "Detail"),
];

const ALL_COLUMNS: &[Column] = &[
    col("id", "id"),
    col("at", "at"),
    col("type", "type"),
    col("item_id", "item_id"),
    col("agent", "agent"),
    col("outcome", "outcome"),
    col("detail", "detail"),
    col("detail_hash", "detail_hash"),
    col("prev_hash", "prev_hash"),
    col("hash", "hash"),
];

pub fn run(archive_arg: Option<&Path>, a: LogArgs) -> Result<()> {
    let filter = LogFilter {
        item: a.id,
        since: a.since.as_deref().map(parse_since).transpose()?,
        types: a
            .types
            .iter()
            .map(|t| check_type(t))
            .collect::<Result<_>>()?,
    };
    let archive = super::open(archive_arg, Mode::Read)?;
    if let Some(key) = &a.sign {
        return sign_head(&archive, &a, key);
    }
    let mut out = super::Stdout::new();
    let access = super::access(&archive, &a.access)?;
    if a.head {
        let head = Reader::new(&archive, access, custos::clock::today()).head()?;
        match a.output.format {
            Format::Table => writeln!(out.w(), "{}", head.head).map_err(Error::stdout)?,
            f => {
                let v = output::to_value(&head)?;
                let cols = [col("head", "head"), col("event_id", "event_id")];
                output::render_record(out.w(), f, &cols, &v)?;
            }
        }
        return out.finish();
    }
    let reader = Reader::new(&archive, access, custos::clock::today());
    let rows = reader.log(&filter, a.id)?;
    let rows = output::to_values(&rows)?;
    let cols = match a.output.format {
        Format::Table => TABLE_COLUMNS,
        _ => ALL_COLUMNS,
    };
    output::render_list(out.w(), a.output.format, cols, &rows)?;
    out.finish()
}

/// `log --head --sign KEY [--out FILE]`: the head statement, signed,
/// printed, kept in the archive folder (replacing the last one kept) and
/// written to FILE. Reads the one snapshot `Mode::Read` opened.
fn sign_head(archive: &Archive, a: &LogArgs, key: &Path) -> Result<()> {
    // A statement names the head's event id and the event count, which
    // only custodian level sees (`policy::history::head_id`).
    let access = a.access.access.unwrap_or(policy::SIGNING_LEVEL);
    if policy::history::head_id(access, 1).is_none() {
        return Err(Error::Refused(format!(
            "a signed head names event ids and counts, which {access} level does not see; sign at custodian level (leave out --access)"
        )));
    }
    let secret = head::Secret::read(key, || super::key::signing_password(false))?;
    let statement = head::Statement::of(archive, &custos::clock::now_rfc3339())?;
    let text = statement.to_text();
    let sig = secret.sign(text.as_bytes(), &statement.trusted_comment())?;
    if let Some(file) = &a.out {
        head::write_pair(file, &text, &sig, false)?;
    }
    let kept = archive.root().join(head::KEPT);
    match head::write_pair(&kept, &text, &sig, true) {
        Ok(()) => {}
        Err(e) if a.out.is_some() => super::note(format!(
            "the signed head was not kept in the archive folder ({e}); backups and exports will not carry it"
        )),
        Err(e) => return Err(e),
    }
    let mut out = super::Stdout::new();
    write!(out.w(), "{text}").map_err(Error::stdout)?;
    out.finish()?;
    let shown = a.out.as_ref().unwrap_or(&kept);
    super::note(format!(
        "signed head of event {} ({} event(s)) with key {}: {} and {}; check it with `minisign -Vm {} -p KEY.pub` and `custos verify --head {} --pubkey KEY.pub`. Keep a copy away from the archive",
        statement.head_event_id,
        statement.events,
        secret.public().key_id(),
        shown.display(),
        head::signature_path(shown).display(),
        shown.display(),
        shown.display()
    ));
    Ok(())
}

/// A date (events from its start, UTC) or an RFC 3339 time, as stored.
fn parse_since(s: &str) -> Result<String> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.format("%Y-%m-%d").to_string());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| {
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        })
        .map_err(|_| {
            Error::usage(format!(
                "--since {s:?}: give a date (2026-01-31) or an RFC 3339 time (2026-01-31T12:00:00Z)"
            ))
        })
}

fn check_type(t: &str) -> Result<String> {
    EventType::parse(t)
        .map(|t| t.as_str().to_string())
        .ok_or_else(|| {
            let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            Error::usage(format!(
                "--type {t:?}: unknown event type; types: {}",
                all.join(", ")
            ))
        })
}

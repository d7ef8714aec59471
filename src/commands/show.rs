//! `custos show ID`: every field of one item that the reader may see, its
//! text, current consent, provenance and events — all shaped by the policy.

use std::io::IsTerminal;
use std::path::Path;

use custos::archive::Mode;
use custos::cli::ShowArgs;
use custos::error::{Error, Result};
use custos::model::Vocab;
use custos::output::{self, col, detail_col, Column, Format};
use custos::policy::Decision;
use custos::reader::{ClaimSelect, ItemDetail, Reader};

const PROVENANCE_COLUMNS: &[Column] = &[
    col("ingested_at", "Ingested at"),
    col("ingested_by", "By"),
    col("method", "Method"),
    col("origin", "Origin"),
    col("original_path", "Original path"),
];

const RECORDING_COLUMNS: &[Column] = &[
    col("duration", "Duration (s)"),
    col("container", "Container"),
    col("codec", "Codec"),
    col("sample_rate", "Sample rate"),
    col("channels", "Channels"),
    col("bit_depth", "Bit depth"),
    col("width", "Width"),
    col("height", "Height"),
    col("problem", "Problem"),
];

const EVENT_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("at", "At"),
    col("type", "Event"),
    col("agent", "Agent"),
    col("outcome", "Outcome"),
    detail_col("detail", "Detail"),
];

/// On a terminal, text longer than this is left out unless `--text`: the
/// record and its history are what `show` is read for; a whole document
/// scrolls them away.
const TERMINAL_TEXT_LINES: usize = 12;
const TERMINAL_TEXT_CHARS: usize = 1_500;
const NOTE_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("audience", "For"),
    col("text", "Note"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

const CLAIM_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("subject", "Subject"),
    col("property", "Property"),
    col("value", "Value"),
    col("kind", "Kind"),
    col("locator", "Locator"),
];

const COPY_COLUMNS: &[Column] = &[
    col("site", "Site"),
    col("outcome", "Last check"),
    col("verified_at", "Checked at"),
    col("copied_at", "Copied at"),
];

pub fn run(archive_arg: Option<&Path>, a: ShowArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    // A hidden item and a missing one get the same answer, so an error
    // message cannot confirm that a closed testimony exists.
    let missing = || Error::usage(format!("no item {} in this archive", a.id));
    let reader = Reader::new(&archive, access, custos::clock::today());
    let detail = reader.item_detail(a.id)?.ok_or_else(missing)?;
    // What this item says as a source (issue 13), each claim through the policy.
    let claims = output::to_values(&reader.claims(&ClaimSelect {
        source: Some(a.id),
        ..ClaimSelect::default()
    })?)?;
    let ItemDetail {
        read,
        consent,
        testimony,
        terms,
        provenance,
        events,
        last_check,
        recording,
        notes,
    } = detail;
    // Copies at sites: the custodian's alone (`policy::sees_copies`).
    let copies = custos::sites::copies_of(&archive, access, a.id)?;
    let recording = output::to_value(&recording)?;
    let prov = output::to_values(&provenance)?;
    let evs = output::to_values(&events)?;
    let (decision, text) = (read.decision, read.text);
    let value = output::to_value(&read.view)?;
    if let Some(c) = last_check.as_ref().filter(|c| c.outcome != "ok") {
        super::note(format!(
            "item {} FAILED its last fixity check ({}, {}); run `custos verify --item {}`",
            a.id, c.outcome, c.checked_at, a.id
        ));
    }
    let mut out = super::Stdout::new();
    match a.output.format {
        Format::Table => {
            let mut cols = custos::fields::all_columns();
            if value.get("closed_until").is_some() {
                cols.push(col("closed_until", "Closed until"));
            }
            if value.get("withdrawn_on").is_some() {
                cols.push(col("withdrawn_on", "Withdrawn on"));
                cols.push(col("withdrawal_reason", "Reason"));
            }
            if value.get("deaccessioned_on").is_some() {
                cols.push(col("deaccessioned_on", "Deaccessioned on"));
                cols.push(col("deaccession_reason", "Reason"));
            }
            output::render_record(out.w(), Format::Table, &cols, &value)?;
            if !testimony.is_null() {
                let t = [testimony.clone()];
                output::render_section(
                    out.w(),
                    "Testimony",
                    &[
                        col("narrator", "Narrator"),
                        col("anonymity", "Anonymity"),
                        col("interview_date", "Interviewed"),
                        col("interview_place", "Where"),
                        col("interviewer", "Interviewer"),
                    ],
                    &t,
                )?;
            }
            if !consent.is_null() {
                let c = [consent.clone()];
                output::render_section(
                    out.w(),
                    "Consent",
                    &[
                        col("status", "Status"),
                        col("scope", "Scope"),
                        col("date", "Date"),
                        col("embargo_until", "Embargo until"),
                        col("reason", "Reason"),
                    ],
                    &c,
                )?;
            }
            for (vocab, title) in [
                (Vocab::Place, "Places"),
                (Vocab::Event, "Events (what it is about)"),
                (Vocab::Subject, "Subjects"),
                (Vocab::Agent, "Agents"),
            ] {
                let labels: Vec<&str> = terms
                    .iter()
                    .filter(|t| t.vocab == vocab)
                    .map(|t| t.label.as_str())
                    .collect();
                if !labels.is_empty() {
                    let line = output::escape::terminal_line(&labels.join("; ")).into_owned();
                    writeln!(out.w(), "{title}: {line}").map_err(Error::stdout)?;
                }
            }
            if !recording.is_null() {
                output::render_section(
                    out.w(),
                    "Recording",
                    RECORDING_COLUMNS,
                    std::slice::from_ref(&recording),
                )?;
            }
            let fixity_line = last_check.as_ref().map_or_else(
                || "never checked".to_string(),
                |c| format!("{} at {}", c.outcome, c.checked_at),
            );
            writeln!(out.w(), "Last fixity check: {fixity_line}").map_err(Error::stdout)?;
            if matches!(decision, Decision::Open(_)) {
                output::render_section(out.w(), "Provenance", PROVENANCE_COLUMNS, &prov)?;
            }
            if let Some(c) = copies.as_ref().filter(|c| !c.is_empty()) {
                output::render_section(out.w(), "Copies", COPY_COLUMNS, &output::to_values(c)?)?;
            }
            output::render_section(out.w(), "Events", EVENT_COLUMNS, &evs)?;
            if !claims.is_empty() {
                output::render_section(out.w(), "Claims", CLAIM_COLUMNS, &claims)?;
            }
            if !notes.is_empty() {
                let notes = output::to_values(&notes)?;
                output::render_section(out.w(), "Notes", NOTE_COLUMNS, &notes)?;
            }
            if let Some(t) = &text {
                let terminal = std::io::stdout().is_terminal();
                if shows_text(a.text, terminal, t) {
                    let t = output::escape::terminal(t, true);
                    writeln!(out.w(), "\nText\n{t}").map_err(Error::stdout)?;
                } else {
                    writeln!(
                        out.w(),
                        "\nText: {} lines, {} characters (shown with --text)",
                        t.lines().count(),
                        t.chars().count()
                    )
                    .map_err(Error::stdout)?;
                }
            }
        }
        Format::Csv | Format::Tsv => {
            output::render_record(
                out.w(),
                a.output.format,
                &custos::fields::all_columns(),
                &value,
            )?;
        }
        Format::Json | Format::Jsonl => {
            let value = item_json(&archive, access, a.id)?.ok_or_else(missing)?;
            output::render_record(out.w(), a.output.format, &[], &value)?;
        }
    }
    out.finish()
}

/// The record `show --format json` prints for item `id` at `access`, or
/// None where the item is hidden or missing; the web API serves the same.
pub(crate) fn item_json(
    archive: &custos::archive::Archive,
    access: custos::model::Access,
    id: custos::model::ItemId,
) -> Result<Option<serde_json::Value>> {
    let reader = Reader::new(archive, access, custos::clock::today());
    let Some(detail) = reader.item_detail(id)? else {
        return Ok(None);
    };
    let claims = output::to_values(&reader.claims(&ClaimSelect {
        source: Some(id),
        ..ClaimSelect::default()
    })?)?;
    let copies = custos::sites::copies_of(archive, access, id)?;
    let ItemDetail {
        read,
        consent,
        testimony,
        terms,
        provenance,
        events,
        last_check,
        recording,
        notes,
    } = detail;
    let recording = output::to_value(&recording)?;
    let mut value = output::to_value(&read.view)?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("consent".into(), consent);
        obj.insert("testimony".into(), testimony);
        obj.insert("text".into(), read.text.into());
        obj.insert("terms".into(), output::to_values(&terms)?.into());
        obj.insert("duration".into(), recording["duration"].clone());
        obj.insert("recording".into(), recording);
        obj.insert("fixity".into(), output::to_value(&last_check)?);
        obj.insert("provenance".into(), output::to_values(&provenance)?.into());
        obj.insert("events".into(), output::to_values(&events)?.into());
        obj.insert("claims".into(), claims.into());
        obj.insert("notes".into(), output::to_values(&notes)?.into());
        if let Some(c) = &copies {
            obj.insert("copies".into(), output::to_value(c)?);
        }
    }
    Ok(Some(value))
}

/// Whether the table shows the item's text: always with `--text` or into a
/// pipe (a script asked for it), on a terminal only when it is short.
fn shows_text(asked: bool, terminal: bool, text: &str) -> bool {
    asked
        || !terminal
        || (text.lines().count() <= TERMINAL_TEXT_LINES
            && text.chars().count() <= TERMINAL_TEXT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::shows_text;

    #[test]
    fn long_text_waits_for_text_on_a_terminal() {
        let long = "line\n".repeat(40);
        assert!(!shows_text(false, true, &long));
        assert!(shows_text(true, true, &long));
        assert!(shows_text(false, false, &long));
        assert!(shows_text(false, true, "a short note"));
        assert!(!shows_text(false, true, &"x".repeat(2_000)));
    }
}

//! `custos transcript set ITEM FILE` and `custos transcript show ITEM`:
//! parse the file, call the operation; read through the reader, render.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{
    TranscriptCommand, TranscriptFormat, TranscriptFrom, TranscriptSetArgs, TranscriptShowArgs,
};
use custos::error::{Error, Result};
use custos::ops::transcript::{self, SetTranscript};
use custos::output::{self, col, Column, Format};
use custos::reader::Reader;
use custos::transcript::{self as tr, Format as From};

const CUE_COLUMNS: &[Column] = &[
    col("start", "Start"),
    col("end", "End"),
    col("speaker", "Speaker"),
    col("text", "Text"),
];

const HISTORY_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("format", "Format"),
    col("current", "Current"),
    col("cues", "Cues"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

pub fn run(archive_arg: Option<&Path>, c: TranscriptCommand) -> Result<()> {
    match c {
        TranscriptCommand::Set(a) => set(archive_arg, a),
        TranscriptCommand::Show(a) => show(archive_arg, a),
    }
}

/// A text file named in an error by its path.
pub(super) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        Error::usage(format!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

fn set(archive_arg: Option<&Path>, a: TranscriptSetArgs) -> Result<()> {
    let text = read_text(&a.file)?;
    let name = a.file.display().to_string();
    let format = match a.from {
        Some(TranscriptFrom::Vtt) => From::Vtt,
        Some(TranscriptFrom::Srt) => From::Srt,
        Some(TranscriptFrom::Ohms) => From::Ohms,
        Some(TranscriptFrom::Text) => From::Text,
        None => From::detect(&name, &text),
    };
    let cues = tr::read(format, &text)
        .map_err(|e| Error::usage(format!("{name}: {e} ({} transcript)", format.as_str())))?;
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let done = transcript::set(
        &mut archive,
        &SetTranscript {
            item: a.id,
            format,
            cues,
            source: name,
            agent: super::agent(a.by.as_deref()),
        },
    )?;
    super::note(format!(
        "item {}: transcript of {} cues set{}",
        done.item,
        done.cues,
        if done.replaced {
            " (the previous one is kept in its history)"
        } else {
            ""
        }
    ));
    Ok(())
}

fn show(archive_arg: Option<&Path>, a: TranscriptShowArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let reader = Reader::new(&archive, access, custos::clock::today());
    let mut out = super::Stdout::new();
    let table = |f: TranscriptFormat| match f {
        TranscriptFormat::Json => Some(Format::Json),
        TranscriptFormat::Jsonl => Some(Format::Jsonl),
        TranscriptFormat::Csv => Some(Format::Csv),
        TranscriptFormat::Tsv => Some(Format::Tsv),
        TranscriptFormat::Table => Some(Format::Table),
        _ => None,
    };
    if a.history {
        let rows = output::to_values(&reader.transcript_history(a.id)?)?;
        let f = table(a.format)
            .ok_or_else(|| Error::usage("--history prints a table, json, jsonl, csv or tsv"))?;
        output::render_list(out.w(), f, HISTORY_COLUMNS, &rows)?;
        return out.finish();
    }
    let cues = reader.transcript(a.id)?;
    if let Some(f) = table(a.format) {
        output::render_list(out.w(), f, CUE_COLUMNS, &output::to_values(&cues)?)?;
        return out.finish();
    }
    // Back to typed cues for the file writers: the views are what the
    // policy let through, markers included.
    let typed: Vec<tr::Cue> = cues
        .into_iter()
        .map(|c| tr::Cue {
            start: c
                .start
                .as_deref()
                .and_then(|s| custos::media::TimeCode::parse(s).ok()),
            end: c
                .end
                .as_deref()
                .and_then(|s| custos::media::TimeCode::parse(s).ok()),
            speaker: c.speaker,
            text: c.text,
        })
        .collect();
    let body = match a.format {
        TranscriptFormat::Vtt => tr::write_vtt(&typed),
        TranscriptFormat::Srt => tr::write_srt(&typed),
        _ => tr::write_text(&typed),
    };
    let body = output::escape::terminal(&body, true);
    write!(out.w(), "{body}").map_err(Error::stdout)?;
    out.finish()
}

//! Arguments of the recording commands (issue 12): `transcript`,
//! `segment`, `restrict` (passage restrictions) and `access-copy`.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use super::consent::day;
use super::*;
use crate::media::TimeCode;
use crate::model::ItemId;

/// A time code as typed: HH:MM:SS(.mmm), MM:SS or seconds.
pub fn timecode(s: &str) -> Result<TimeCode, String> {
    TimeCode::parse(s)
}

/// Attach or show a recording's transcript
#[derive(Debug, Args)]
pub struct TranscriptArgs {
    #[command(subcommand)]
    pub command: TranscriptCommand,
}

#[derive(Debug, Subcommand)]
pub enum TranscriptCommand {
    /// Attach a transcript (WebVTT, SRT, OHMS XML with sync points, or plain text); the old one stays in history
    #[command(
        after_help = "Examples:\n  custos transcript set 21 interview-07.vtt\n  custos transcript set 21 notes.txt --from text\n\nThe format is found from the file (WEBVTT header, XML, SRT timing lines), else its extension.\nAn invalid file is refused with its line and the reason (exit 2); a cue ending after the\nrecording's end is refused too. Each set is one transcript_change event."
    )]
    Set(TranscriptSetArgs),
    /// Print a transcript as the reader may see it (closed passages become one `[passage closed]` cue)
    #[command(
        after_help = "Examples:\n  custos transcript show 21\n  custos transcript show 21 --format vtt --access public > 21-public.vtt\n  custos transcript show 21 --history --access custodian"
    )]
    Show(TranscriptShowArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranscriptFrom {
    Vtt,
    Srt,
    Ohms,
    Text,
}

#[derive(Debug, Args)]
pub struct TranscriptSetArgs {
    pub id: ItemId,
    /// The transcript file
    pub file: PathBuf,
    /// Its format (default: found from the file)
    #[arg(long, value_enum)]
    pub from: Option<TranscriptFrom>,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub by: Option<String>,
}

/// What `transcript show` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranscriptFormat {
    Table,
    Json,
    Jsonl,
    Csv,
    Tsv,
    Vtt,
    Srt,
    Text,
}

#[derive(Debug, Args)]
pub struct TranscriptShowArgs {
    pub id: ItemId,
    /// Output format: the table formats, or a transcript file (vtt, srt, text)
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: TranscriptFormat,
    /// List the transcripts the item has had (custodian only)
    #[arg(long)]
    pub history: bool,
    #[command(flatten)]
    pub access: AccessArgs,
}

/// Time-coded segments of a recording (an OHMS-style index)
#[derive(Debug, Args)]
pub struct SegmentArgs {
    #[command(subcommand)]
    pub command: SegmentCommand,
}

#[derive(Debug, Subcommand)]
pub enum SegmentCommand {
    /// Add one segment
    #[command(
        after_help = "Examples:\n  custos segment add 21 --start 00:12:30 --end 00:15:02 --title \"The night of the fire\" \\\n      --synopsis \"...\" --keywords \"cellar, bridge\" --place \"Corran Ford\"\n\nA segment outside the recording, or with --end not after --start, is refused naming the value."
    )]
    Add(SegmentAddArgs),
    /// List the segments as the reader may see them
    List(SegmentListArgs),
    /// Add the segments of an OHMS index (XML) or of WebVTT chapters
    Import(SegmentImportArgs),
    /// Write the segments as an OHMS index or WebVTT chapters (to stdout)
    Export(SegmentExportArgs),
    /// Remove one segment (its id is in `segment list`)
    #[command(
        after_help = "Examples:\n  custos segment list 21\n  custos segment remove 21 4\n\nThe removal is logged (`custos log 21`); the segment's words leave the search index."
    )]
    Remove(SegmentRemoveArgs),
}

#[derive(Debug, Args)]
pub struct SegmentRemoveArgs {
    /// The recording
    pub id: ItemId,
    /// The segment's id, as `segment list` shows it
    pub segment: i64,
    /// Who removes it (default: your login name)
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct SegmentAddArgs {
    pub id: ItemId,
    #[arg(long, value_parser = timecode)]
    pub start: TimeCode,
    #[arg(long, value_parser = timecode)]
    pub end: TimeCode,
    #[arg(long)]
    pub title: String,
    #[arg(long)]
    pub synopsis: Option<String>,
    /// What is said, in brief
    #[arg(long)]
    pub partial_transcript: Option<String>,
    /// Comma-separated keywords
    #[arg(long)]
    pub keywords: Option<String>,
    /// A place term (repeatable)
    #[arg(long)]
    pub place: Vec<String>,
    /// An event term (repeatable)
    #[arg(long)]
    pub event: Vec<String>,
    /// A subject term (repeatable)
    #[arg(long)]
    pub subject: Vec<String>,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct SegmentListArgs {
    pub id: ItemId,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexFormat {
    /// OHMS index XML
    Ohms,
    /// WebVTT chapters
    Vtt,
}

#[derive(Debug, Args)]
pub struct SegmentImportArgs {
    pub id: ItemId,
    pub file: PathBuf,
    /// Its format (default: vtt for a WEBVTT file, else ohms)
    #[arg(long, value_enum)]
    pub from: Option<IndexFormat>,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct SegmentExportArgs {
    pub id: ItemId,
    #[arg(long, short = 'f', value_enum)]
    pub format: IndexFormat,
    #[command(flatten)]
    pub access: AccessArgs,
}

/// Which level a passage is closed below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PassageLevelArg {
    /// Only the custodian hears it
    Custodian,
    /// Research and custodian hear it; public does not
    Research,
}

/// Close a passage of a recording below a level, list restrictions, or lift one
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("what").args(["from", "list", "lift"]).required(true)),
    after_help = "Examples:\n  custos restrict 21 --from 00:13:05 --to 00:13:40 --reason \"names a neighbour\"\n  custos restrict 21 --from 13:05 --to 13:40 --reason \"…\" --level research --until 2040-01-01\n  custos restrict 21 --list\n  custos restrict 21 --lift 1\n\nBelow its level a closed passage is absent from search, one `[passage closed]` cue in every\ntranscript, silent in access copies, and never exported in the original. Each restriction and\nlift is a passage_restriction event (see `custos consent ID history` and `custos log`)."
)]
pub struct PassageArgs {
    pub id: ItemId,
    /// Start of the passage
    #[arg(long, value_parser = timecode, requires_all = ["to", "reason"])]
    pub from: Option<TimeCode>,
    /// End of the passage
    #[arg(long, value_parser = timecode, requires = "from")]
    pub to: Option<TimeCode>,
    /// Why (custodian only)
    #[arg(long, requires = "from")]
    pub reason: Option<String>,
    /// The passage opens on this day, YYYY-MM-DD
    #[arg(long, value_parser = day, requires = "from")]
    pub until: Option<NaiveDate>,
    /// Closed below this level
    #[arg(long, value_enum, default_value = "custodian")]
    pub level: PassageLevelArg,
    /// List the item's restrictions (custodian only)
    #[arg(long)]
    pub list: bool,
    /// Lift restriction N (see --list)
    #[arg(long, value_name = "N")]
    pub lift: Option<i64>,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Write a recording with the passages closed to a level silenced
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos access-copy 21 --access public --out 21-public.flac\n\nWAV and FLAC are copied natively, sample for sample, with every frame of a closed passage set\nto digital silence; other audio goes through ffmpeg when it is installed (exit 2 naming what is\nmissing otherwise). The file is written beside --out and renamed into place."
)]
pub struct AccessCopyArgs {
    pub id: ItemId,
    /// Where to write the copy
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub access: AccessArgs,
}

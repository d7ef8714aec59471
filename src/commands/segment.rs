//! `custos segment add|list|import|export`: time-coded segments of a
//! recording. Parse, call the operation or the reader, render.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{IndexFormat, SegmentCommand};
use custos::error::{Error, Result};
use custos::media::TimeCode;
use custos::ops::segment::{self, AddSegments, RemoveSegment};
use custos::output::{self, col, Column};
use custos::reader::Reader;
use custos::transcript::{self as tr, Segment};

const COLUMNS: &[Column] = &[
    col("id", "Segment"),
    col("start", "Start"),
    col("end", "End"),
    col("title", "Title"),
    col("synopsis", "Synopsis"),
    col("keywords", "Keywords"),
    col("places", "Places"),
    col("events", "Events"),
    col("subjects", "Subjects"),
];

pub fn run(archive_arg: Option<&Path>, c: SegmentCommand) -> Result<()> {
    match c {
        SegmentCommand::Add(a) => {
            let seg = Segment {
                start: a.start,
                end: a.end,
                title: a.title,
                synopsis: a.synopsis,
                partial_transcript: a.partial_transcript,
                keywords: a
                    .keywords
                    .map(|k| {
                        k.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                places: a.place,
                events: a.event,
                subjects: a.subject,
            };
            add(
                archive_arg,
                a.id,
                vec![seg],
                "segment add".into(),
                a.by.as_deref(),
            )
        }
        SegmentCommand::Import(a) => {
            let text = super::transcript::read_text(&a.file)?;
            let name = a.file.display().to_string();
            let vtt = match a.from {
                Some(f) => f == IndexFormat::Vtt,
                None => text.trim_start_matches('\u{feff}').starts_with("WEBVTT"),
            };
            let segs = if vtt {
                tr::read_chapters(&text)
            } else {
                // The last point ends at the recording's end: ask the
                // reader for the duration as the custodian sees it.
                let duration = {
                    let archive = super::open(archive_arg, Mode::Read)?;
                    let r = Reader::new(
                        &archive,
                        custos::policy::WRITER_LEVEL,
                        custos::clock::today(),
                    );
                    r.item(a.id)?
                        .and_then(|i| i.view.media_type.clone().map(|_| i.view.id))
                        .map(|id| r.duration(id))
                        .transpose()?
                        .flatten()
                };
                tr::read_index(&text, duration)
            }
            .map_err(|e| Error::usage(format!("{name}: {e}")))?;
            add(archive_arg, a.id, segs, name, a.by.as_deref())
        }
        SegmentCommand::List(a) => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let access = super::access(&archive, &a.access)?;
            let rows = Reader::new(&archive, access, custos::clock::today()).segments(a.id)?;
            let mut out = super::Stdout::new();
            output::render_list(
                out.w(),
                a.output.format,
                COLUMNS,
                &output::to_values(&rows)?,
            )?;
            out.finish()
        }
        SegmentCommand::Remove(a) => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            segment::remove(
                &mut archive,
                &RemoveSegment {
                    item: a.id,
                    segment: a.segment,
                    agent: super::agent(a.by.as_deref()),
                },
            )?;
            super::note(format!("item {}: segment {} removed", a.id, a.segment));
            Ok(())
        }
        SegmentCommand::Export(a) => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let access = super::access(&archive, &a.access)?;
            let rows = Reader::new(&archive, access, custos::clock::today()).segments(a.id)?;
            let t = |s: &str| TimeCode::parse(s).unwrap_or_default();
            let segs: Vec<Segment> = rows
                .into_iter()
                .map(|v| Segment {
                    start: t(&v.start),
                    end: t(&v.end),
                    title: v.title,
                    synopsis: v.synopsis,
                    partial_transcript: v.partial_transcript,
                    keywords: v.keywords,
                    places: v.places,
                    events: v.events,
                    subjects: v.subjects,
                })
                .collect();
            let body = match a.format {
                IndexFormat::Ohms => tr::write_index(&segs),
                IndexFormat::Vtt => tr::write_chapters(&segs),
            };
            let mut out = super::Stdout::new();
            write!(out.w(), "{}", output::escape::terminal(&body, true)).map_err(Error::stdout)?;
            out.finish()
        }
    }
}

fn add(
    archive_arg: Option<&Path>,
    item: custos::model::ItemId,
    segments: Vec<Segment>,
    source: String,
    by: Option<&str>,
) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let ids = segment::add(
        &mut archive,
        &AddSegments {
            item,
            segments,
            source,
            agent: super::agent(by),
        },
    )?;
    super::note(format!("item {item}: {} segment(s) added", ids.len()));
    Ok(())
}

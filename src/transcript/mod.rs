//! Transcripts and segment indexes as files: WebVTT, SRT, OHMS XML (a
//! transcript with sync points, and an index) and plain text, read into
//! typed cues and segments and written back.
//!
//! Readers refuse an invalid file with the line and the reason
//! ([`ParseError`]); writers produce exactly what they are given. This
//! module must not touch the catalogue or decide who may see a cue: the
//! policy filters cues (closed passages) before a writer sees them.

use std::fmt;

use crate::media::TimeCode;

mod ohms;
mod vtt;

pub use ohms::{read_index, read_ohms_transcript, write_index};
pub use vtt::{read_chapters, read_srt, read_vtt, write_chapters, write_srt, write_vtt};

/// One cue of a transcript: times are absent only in plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub start: Option<TimeCode>,
    pub end: Option<TimeCode>,
    pub speaker: Option<String>,
    pub text: String,
}

/// One segment of an index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment {
    pub start: TimeCode,
    pub end: TimeCode,
    pub title: String,
    pub synopsis: Option<String>,
    pub partial_transcript: Option<String>,
    pub keywords: Vec<String>,
    pub places: Vec<String>,
    pub events: Vec<String>,
    pub subjects: Vec<String>,
}

/// The formats a transcript is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Vtt,
    Srt,
    Ohms,
    Text,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Ohms => "ohms",
            Format::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        [Format::Vtt, Format::Srt, Format::Ohms, Format::Text]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    /// From the file's content first (a WebVTT signature, XML, an SRT
    /// timing line), then its extension; plain text otherwise.
    pub fn detect(name: &str, text: &str) -> Format {
        let body = text.trim_start_matches('\u{feff}').trim_start();
        let lower = name.to_ascii_lowercase();
        if body.starts_with("WEBVTT") || lower.ends_with(".vtt") {
            Format::Vtt
        } else if body.starts_with('<') || lower.ends_with(".xml") {
            Format::Ohms
        } else if lower.ends_with(".srt") || body.lines().nth(1).is_some_and(|l| l.contains("-->"))
        {
            Format::Srt
        } else {
            Format::Text
        }
    }
}

/// Why a file was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

pub(crate) fn err(line: usize, reason: impl Into<String>) -> ParseError {
    ParseError {
        line,
        reason: reason.into(),
    }
}

/// Reads a transcript in `format`.
pub fn read(format: Format, text: &str) -> Result<Vec<Cue>, ParseError> {
    let cues = match format {
        Format::Vtt => read_vtt(text)?,
        Format::Srt => read_srt(text)?,
        Format::Ohms => read_ohms_transcript(text)?,
        Format::Text => {
            let t = text.trim_start_matches('\u{feff}').trim();
            if t.is_empty() {
                return Err(err(1, "the transcript is empty"));
            }
            vec![Cue {
                start: None,
                end: None,
                speaker: None,
                text: t.to_string(),
            }]
        }
    };
    if cues.is_empty() {
        return Err(err(1, "the transcript has no cues"));
    }
    Ok(cues)
}

/// Plain text: one paragraph per cue, with its time range and speaker
/// where known.
pub fn write_text(cues: &[Cue]) -> String {
    let mut out = String::new();
    for c in cues {
        if let (Some(s), Some(e)) = (c.start, c.end) {
            out.push_str(&format!("[{s} – {e}] "));
        }
        if let Some(sp) = &c.speaker {
            out.push_str(&format!("{sp}: "));
        }
        out.push_str(&c.text);
        out.push_str("\n\n");
    }
    out
}

//! WebVTT and SRT transcripts, and WebVTT chapters (segments): readers
//! that refuse an invalid file with its line and reason, and writers.
//!
//! A chapter cue carries the segment's title on its first line; the other
//! fields of a segment follow as one line of JSON, so a round trip keeps
//! every field while a player still shows the title.

use serde_json::{json, Value};

use super::{err, Cue, ParseError, Segment};
use crate::media::TimeCode;

/// Blocks of non-blank lines, each with the number of its first line.
fn blocks(text: &str) -> Vec<(usize, Vec<&str>)> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut first = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push((first, std::mem::take(&mut cur)));
            }
        } else {
            if cur.is_empty() {
                first = i + 1;
            }
            cur.push(line);
        }
    }
    if !cur.is_empty() {
        out.push((first, cur));
    }
    out
}

fn timing(line: &str, n: usize, srt: bool) -> Result<(TimeCode, TimeCode), ParseError> {
    let (a, rest) = line
        .split_once("-->")
        .ok_or_else(|| err(n, "expected a timing line `start --> end`"))?;
    let b = rest.split_whitespace().next().unwrap_or("");
    let t = |s: &str| {
        let s = s.trim();
        let s = if srt {
            s.replace(',', ".")
        } else {
            s.to_string()
        };
        TimeCode::parse(&s).map_err(|e| err(n, e))
    };
    let (start, end) = (t(a)?, t(b)?);
    if end <= start {
        return Err(err(
            n,
            format!("cue end {end} is not after its start {start}"),
        ));
    }
    Ok((start, end))
}

/// `<v Speaker>text` gives the speaker; other tags are dropped.
fn voice_and_text(lines: &[&str]) -> (Option<String>, String) {
    let joined = lines.join("\n");
    let mut speaker = None;
    if let Some(rest) = joined.strip_prefix("<v") {
        if let Some((name, _)) = rest.split_once('>') {
            // `<v.class Name>`: classes run up to the first space.
            let name = if name.starts_with('.') {
                name.split_once(' ').map_or("", |(_, n)| n)
            } else {
                name
            }
            .trim();
            if !name.is_empty() {
                speaker = Some(name.to_string());
            }
        }
    }
    let mut text = String::with_capacity(joined.len());
    let mut in_tag = false;
    for c in joined.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    (speaker, text.trim().to_string())
}

/// A cue block: start, end, its line, and its text lines.
type Block = (TimeCode, TimeCode, usize, Vec<String>);

fn vtt_cues(text: &str) -> Result<Vec<Block>, ParseError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = body.lines().next().unwrap_or("");
    if !(first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t")) {
        return Err(err(1, "a WebVTT file must begin with `WEBVTT`"));
    }
    let mut out = Vec::new();
    for (n, lines) in blocks(body).into_iter().skip(1) {
        let head = lines[0];
        if head.starts_with("NOTE") || head == "STYLE" || head == "REGION" {
            continue;
        }
        let (at, line_no) = if head.contains("-->") {
            (0, n)
        } else {
            (1, n + 1)
        };
        let Some(tl) = lines.get(at) else {
            return Err(err(n, "a cue identifier with no timing line after it"));
        };
        let (start, end) = timing(tl, line_no, false)?;
        let rest: Vec<String> = lines[at + 1..].iter().map(|s| s.to_string()).collect();
        out.push((start, end, n, rest));
    }
    Ok(out)
}

pub fn read_vtt(text: &str) -> Result<Vec<Cue>, ParseError> {
    vtt_cues(text)?
        .into_iter()
        .map(|(start, end, n, lines)| {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let (speaker, text) = voice_and_text(&refs);
            if text.is_empty() {
                return Err(err(n, "a cue with no text"));
            }
            Ok(Cue {
                start: Some(start),
                end: Some(end),
                speaker,
                text,
            })
        })
        .collect()
}

pub fn read_srt(text: &str) -> Result<Vec<Cue>, ParseError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (n, lines) in blocks(body) {
        if !lines[0].trim().bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                n,
                format!("expected a cue number, found {:?}", lines[0]),
            ));
        }
        let tl = lines
            .get(1)
            .ok_or_else(|| err(n + 1, "expected a timing line `start --> end`"))?;
        let (start, end) = timing(tl, n + 1, true)?;
        let (speaker, text) = voice_and_text(&lines[2..]);
        if text.is_empty() {
            return Err(err(n, "a cue with no text"));
        }
        out.push(Cue {
            start: Some(start),
            end: Some(end),
            speaker,
            text,
        });
    }
    Ok(out)
}

/// Cue text never holds a blank line or a `-->` (either would end or
/// confuse the cue for a reader).
fn cue_text(s: &str) -> String {
    let mut t = s
        .replace("-->", "->")
        .replace('&', "&amp;")
        .replace('<', "&lt;");
    while t.contains("\n\n") {
        t = t.replace("\n\n", "\n");
    }
    t.trim().to_string()
}

pub fn write_vtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for c in cues {
        let (Some(s), Some(e)) = (c.start, c.end) else {
            continue;
        };
        out.push_str(&format!("\n{} --> {}\n", s.clock('.'), e.clock('.')));
        if let Some(sp) = &c.speaker {
            out.push_str(&format!("<v {}>", sp.replace(['>', '\n'], " ")));
        }
        out.push_str(&cue_text(&c.text));
        out.push('\n');
    }
    out
}

pub fn write_srt(cues: &[Cue]) -> String {
    let mut out = String::new();
    for (i, c) in cues.iter().filter(|c| c.start.is_some()).enumerate() {
        let (Some(s), Some(e)) = (c.start, c.end) else {
            continue;
        };
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}\n{} --> {}\n",
            i + 1,
            s.clock(','),
            e.clock(',')
        ));
        if let Some(sp) = &c.speaker {
            out.push_str(&format!("<v {}>", sp.replace(['>', '\n'], " ")));
        }
        out.push_str(&cue_text(&c.text));
        out.push('\n');
    }
    out
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn read_chapters(text: &str) -> Result<Vec<Segment>, ParseError> {
    vtt_cues(text)?
        .into_iter()
        .map(|(start, end, n, lines)| {
            let title = lines
                .first()
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            if title.is_empty() {
                return Err(err(n, "a chapter with no title"));
            }
            let rest = lines[1..].join("\n");
            let mut seg = Segment {
                start,
                end,
                title,
                ..Segment::default()
            };
            if !rest.trim().is_empty() {
                match serde_json::from_str::<Value>(&rest) {
                    Ok(v) if v.is_object() => {
                        seg.synopsis = v["synopsis"].as_str().map(str::to_string);
                        seg.partial_transcript =
                            v["partial_transcript"].as_str().map(str::to_string);
                        seg.keywords = strings(&v, "keywords");
                        seg.places = strings(&v, "places");
                        seg.events = strings(&v, "events");
                        seg.subjects = strings(&v, "subjects");
                    }
                    _ => seg.synopsis = Some(rest.trim().to_string()),
                }
            }
            Ok(seg)
        })
        .collect()
}

pub fn write_chapters(segments: &[Segment]) -> String {
    let mut out = String::from("WEBVTT\n");
    for s in segments {
        out.push_str(&format!(
            "\n{} --> {}\n{}\n",
            s.start.clock('.'),
            s.end.clock('.'),
            s.title.replace(['\n', '\r'], " ").replace("-->", "->")
        ));
        let extra = json!({
            "synopsis": s.synopsis,
            "partial_transcript": s.partial_transcript,
            "keywords": s.keywords,
            "places": s.places,
            "events": s.events,
            "subjects": s.subjects,
        });
        // serde_json escapes newlines, so the payload is one line.
        out.push_str(&extra.to_string().replace("-->", "--\\u003e"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vtt_reads_voices_and_refuses_with_the_line() {
        let t = "WEBVTT\n\nNOTE fictional\n\n1\n00:00:01.000 --> 00:00:04.500 align:start\n<v Mira Test>We crossed <i>the</i> bridge.\n\n00:05.000 --> 00:07.000\nThen the cellar.\n";
        let cues = read_vtt(t).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0].speaker.as_deref(), Some("Mira Test"));
        assert_eq!(cues[0].text, "We crossed the bridge.");
        assert_eq!(cues[1].start, Some(TimeCode(5000)));
        let bad = "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nx\n";
        assert_eq!(read_vtt(bad).unwrap_err().line, 3);
        let bad =
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\nid\n00:00:xx --> 00:00:09.000\nx\n";
        let e = read_vtt(bad).unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        assert_eq!(read_vtt("hello").unwrap_err().line, 1);
    }

    #[test]
    fn vtt_and_srt_round_trip() {
        let cues = vec![
            Cue {
                start: Some(TimeCode(1000)),
                end: Some(TimeCode(2500)),
                speaker: Some("A. Interviewer".into()),
                text: "Where & when?\nLine two <b>".into(),
            },
            Cue {
                start: Some(TimeCode(3_723_004)),
                end: Some(TimeCode(3_724_000)),
                speaker: None,
                text: "At the ford.".into(),
            },
        ];
        assert_eq!(read_vtt(&write_vtt(&cues)).unwrap(), cues);
        assert_eq!(read_srt(&write_srt(&cues)).unwrap(), cues);
    }

    #[test]
    fn chapters_round_trip_every_field() {
        let segs = vec![Segment {
            start: TimeCode(750_000),
            end: TimeCode(902_000),
            title: "The night of the fire".into(),
            synopsis: Some("Line one\nline two --> on".into()),
            partial_transcript: Some("We ran".into()),
            keywords: vec!["cellar".into(), "bridge".into()],
            places: vec!["Corran Ford".into()],
            events: vec!["The Ford fire".into()],
            subjects: vec!["rescue".into()],
        }];
        assert_eq!(read_chapters(&write_chapters(&segs)).unwrap(), segs);
    }
}

//! OHMS XML: a transcript with sync points, and an index of segments.
//!
//! In an OHMS transcript, `<sync>` reads `N:|L(W)|L(W)|…`: every N
//! minutes, the line (and word) of `<transcript>` reached by then; each
//! stretch between two sync points becomes one cue. An index is a list of
//! `<point>`s with `<time>` in seconds, `<title>`, `<partial_transcript>`,
//! `<synopsis>`, `<keywords>` and `<subjects>` (`;`-separated) and
//! `<gpspoints><gps_text>` for places. custos writes two elements OHMS does
//! not have, `<end_time>` and `<events>`, so a round trip keeps a
//! segment's end and its events; without `<end_time>` a point ends where
//! the next begins (the last one at the recording's end).

use roxmltree::{Document, Node};

use super::{err, Cue, ParseError, Segment};
use crate::media::TimeCode;

fn line_of(doc: &Document, node: Node) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    Document::parse(text)
        .map_err(|e| err(e.pos().row as usize, format!("not well-formed XML: {e}")))
}

fn child_text(node: Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn list(s: Option<String>) -> Vec<String> {
    s.map(|s| {
        s.split(';')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

pub fn read_ohms_transcript(text: &str) -> Result<Vec<Cue>, ParseError> {
    let doc = parse(text)?;
    let t = doc
        .descendants()
        .find(|n| n.has_tag_name("transcript"))
        .ok_or_else(|| err(1, "no <transcript> element"))?;
    let body = t.text().unwrap_or("").trim_matches('\n');
    let lines: Vec<&str> = body.lines().collect();
    if body.trim().is_empty() {
        return Err(err(line_of(&doc, t), "the <transcript> is empty"));
    }
    let Some(sync) = doc.descendants().find(|n| n.has_tag_name("sync")) else {
        return Ok(vec![Cue {
            start: None,
            end: None,
            speaker: None,
            text: body.trim().to_string(),
        }]);
    };
    let n = line_of(&doc, sync);
    let s = sync.text().unwrap_or("").trim();
    let (interval, points) = s
        .split_once(':')
        .ok_or_else(|| err(n, format!("<sync> {s:?} does not begin with `MINUTES:`")))?;
    let minutes: i64 = interval
        .trim()
        .parse()
        .ok()
        .filter(|m| *m > 0)
        .ok_or_else(|| {
            err(
                n,
                format!("<sync> interval {interval:?} is not a whole number of minutes"),
            )
        })?;
    let mut starts = vec![0usize];
    for p in points.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let l = p.split('(').next().unwrap_or("");
        let l: usize = l
            .parse()
            .map_err(|_| err(n, format!("<sync> point {p:?} is not `LINE(WORD)`")))?;
        if l < *starts.last().unwrap_or(&0) || l > lines.len() {
            return Err(err(
                n,
                format!("<sync> point {p:?} names a line out of order or past the end"),
            ));
        }
        starts.push(l);
    }
    let step = minutes * 60_000;
    let mut cues = Vec::new();
    for (k, w) in starts
        .windows(2)
        .map(|w| (w[0], w[1]))
        .chain([(starts[starts.len() - 1], lines.len())])
        .enumerate()
    {
        let chunk = lines[w.0..w.1].join("\n").trim().to_string();
        if chunk.is_empty() {
            continue;
        }
        let k = k as i64;
        cues.push(Cue {
            start: Some(TimeCode(k * step)),
            end: Some(TimeCode((k + 1) * step)),
            speaker: None,
            text: chunk,
        });
    }
    Ok(cues)
}

/// Reads an OHMS index; `duration` ends the last point when it has no
/// `<end_time>`.
pub fn read_index(text: &str, duration: Option<TimeCode>) -> Result<Vec<Segment>, ParseError> {
    let doc = parse(text)?;
    let points: Vec<Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("point"))
        .collect();
    if points.is_empty() {
        return Err(err(1, "no <point> in the index"));
    }
    let secs = |node: Node, s: &str| -> Result<TimeCode, ParseError> {
        TimeCode::parse(s).map_err(|e| err(line_of(&doc, node), e))
    };
    let mut starts = Vec::new();
    for p in &points {
        let t = child_text(*p, "time")
            .ok_or_else(|| err(line_of(&doc, *p), "a <point> with no <time>"))?;
        starts.push(secs(*p, &t)?);
    }
    let mut out = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let n = line_of(&doc, *p);
        let end = match child_text(*p, "end_time") {
            Some(e) => secs(*p, &e)?,
            None => match starts.get(i + 1).copied().or(duration) {
                Some(e) => e,
                None => return Err(err(
                    n,
                    "the last <point> has no <end_time> and the recording's duration is unknown",
                )),
            },
        };
        let title = child_text(*p, "title").ok_or_else(|| err(n, "a <point> with no <title>"))?;
        let places = p
            .descendants()
            .filter(|c| c.has_tag_name("gps_text"))
            .filter_map(|c| c.text().map(|t| t.trim().to_string()))
            .filter(|t| !t.is_empty())
            .collect();
        out.push(Segment {
            start: starts[i],
            end,
            title,
            synopsis: child_text(*p, "synopsis"),
            partial_transcript: child_text(*p, "partial_transcript"),
            keywords: list(child_text(*p, "keywords")),
            places,
            events: list(child_text(*p, "events")),
            subjects: list(child_text(*p, "subjects")),
        });
    }
    Ok(out)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

fn secs(t: TimeCode) -> String {
    let ms = t.millis();
    if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        format!("{}.{:03}", ms / 1000, ms % 1000)
    }
}

pub fn write_index(segments: &[Segment]) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ROOT>\n  <record>\n    <index>\n",
    );
    for s in segments {
        o.push_str("      <point>\n");
        o.push_str(&format!("        <time>{}</time>\n", secs(s.start)));
        o.push_str(&format!("        <end_time>{}</end_time>\n", secs(s.end)));
        o.push_str(&format!("        <title>{}</title>\n", esc(&s.title)));
        let opt = |o: &mut String, k: &str, v: &Option<String>| {
            if let Some(v) = v {
                o.push_str(&format!("        <{k}>{}</{k}>\n", esc(v)));
            }
        };
        opt(&mut o, "partial_transcript", &s.partial_transcript);
        opt(&mut o, "synopsis", &s.synopsis);
        let join = |v: &[String]| (!v.is_empty()).then(|| v.join(";"));
        opt(&mut o, "keywords", &join(&s.keywords));
        opt(&mut o, "subjects", &join(&s.subjects));
        opt(&mut o, "events", &join(&s.events));
        for p in &s.places {
            o.push_str(&format!(
                "        <gpspoints><gps_text>{}</gps_text></gpspoints>\n",
                esc(p)
            ));
        }
        o.push_str("      </point>\n");
    }
    o.push_str("    </index>\n  </record>\n</ROOT>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_round_trips_every_field() {
        let segs = vec![
            Segment {
                start: TimeCode(0),
                end: TimeCode(12_500),
                title: "Arrival at <Corran> & after".into(),
                synopsis: Some("Fictional narrator describes the ford.".into()),
                partial_transcript: Some("We came".into()),
                keywords: vec!["ford".into(), "boat".into()],
                places: vec!["Corran Ford".into(), "Vell".into()],
                events: vec!["Ford fire".into()],
                subjects: vec!["rescue".into()],
            },
            Segment {
                start: TimeCode(12_500),
                end: TimeCode(20_000),
                title: "Later".into(),
                ..Segment::default()
            },
        ];
        assert_eq!(read_index(&write_index(&segs), None).unwrap(), segs);
    }

    #[test]
    fn points_end_where_the_next_begins() {
        let x = "<ROOT><record><index><point><time>10</time><title>a</title></point>\n<point><time>20</time><title>b</title></point></index></record></ROOT>";
        let s = read_index(x, Some(TimeCode(30_000))).unwrap();
        assert_eq!((s[0].end, s[1].end), (TimeCode(20_000), TimeCode(30_000)));
        let e = read_index(x, None).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert_eq!(read_index("<ROOT><point>", None).unwrap_err().line, 1);
    }

    #[test]
    fn sync_points_cut_the_transcript_into_cues() {
        let x = "<ROOT><record><transcript>One.\nTwo.\nThree.\nFour.</transcript><sync>1:|2(1)|3(0)</sync></record></ROOT>";
        let c = read_ohms_transcript(x).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].text, "One.\nTwo.");
        assert_eq!(
            (c[1].start, c[1].end),
            (Some(TimeCode(60_000)), Some(TimeCode(120_000)))
        );
        assert_eq!(c[2].text, "Four.");
        assert!(
            read_ohms_transcript("<ROOT><transcript>a</transcript><sync>x|1</sync></ROOT>")
                .is_err()
        );
    }
}

//! Recordings and passage restrictions in the transition test (issue 12):
//! an imported recording with a WebVTT transcript in which a canary word
//! (`pword`) is said only between 00:02 and 00:04, `restrict --from --to
//! [--level] [--until]` over that range or others, and `restrict --lift`.
//!
//! The model keeps which restrictions stand and at which level; after
//! every step the checks require that below a passage's level its word is
//! in no transcript, search, export or web answer (through the forbidden
//! words every check already scans), that at or above it the word is
//! found by `transcript show` and `query` (so the check could fail), and
//! that the access copy at each level is the original with exactly the
//! ranges closed to that level silenced. A restriction never opens what
//! the item's own access, consent, redaction, purge or deaccession close.
//! It must not decide anything the model does not: it only compares.

use proptest::prelude::*;
use serde_json::Value;

use super::check::run_scan;
use super::model::{Consent, Item, Level, Model, Own};
use super::sys::Sys;

/// Seconds of each synthetic recording, and its sample rate (short: the
/// test runs the binary hundreds of times).
const SECS: u32 = 6;
const RATE: u32 = 4000;

/// The time ranges a restriction may take, in seconds: the canary's cue
/// exactly, one overlapping it and the cue before, one elsewhere.
pub const RANGES: [(u32, u32); 3] = [(2, 4), (1, 3), (5, 6)];

/// One restriction as the model knows it.
#[derive(Debug, Clone)]
pub struct Pass {
    pub id: i64,
    pub range: (u32, u32),
    /// Closed below research (to public only) rather than below custodian.
    pub research: bool,
    pub until: Option<&'static str>,
    pub lifted: bool,
}

impl Pass {
    fn closes(&self, level: Level, today: &str) -> bool {
        !self.lifted
            && self.until.is_none_or(|u| today < u)
            && (!self.research || level == Level::Public)
    }
}

/// What the model knows of a recording item.
#[derive(Clone)]
pub struct Rec {
    /// Said only in the cue from 00:02 to 00:04.
    pub pword: String,
    /// The original's samples, to compare access copies with.
    pub samples: Vec<i16>,
    /// Whether the archive holds its transcript (a custodian bag round
    /// trip brings it back with the restrictions: see `after_round_trip`).
    pub transcript: bool,
    pub passes: Vec<Pass>,
}

// The samples would drown a failure's message.
impl std::fmt::Debug for Rec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rec")
            .field("pword", &self.pword)
            .field("transcript", &self.transcript)
            .field("passes", &self.passes)
            .finish_non_exhaustive()
    }
}

impl Rec {
    /// The ranges closed to `level` on `today`.
    pub fn closed(&self, level: Level, today: &str) -> Vec<(u32, u32)> {
        self.passes
            .iter()
            .filter(|p| p.closes(level, today))
            .map(|p| p.range)
            .collect()
    }

    /// Whether a closed range reaches the canary's cue (00:02–00:04).
    pub fn pword_closed(&self, level: Level, today: &str) -> bool {
        self.closed(level, today)
            .iter()
            .any(|&(a, b)| a < 4 && 2 < b)
    }
}

/// The synthetic recording of item `n`: a ramp whose period depends on
/// `n`, so that no two items share bytes.
pub fn samples(n: usize) -> Vec<i16> {
    let period = 150 + n as u32;
    (0..SECS * RATE)
        .map(|i| ((i % period) as i16) - 75)
        .collect()
}

pub fn wav_bytes(samples: &[i16]) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cur = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut cur, spec).expect("wav in memory");
    for s in samples {
        w.write_sample(*s).expect("sample");
    }
    w.finalize().expect("finalize");
    cur.into_inner()
}

/// The transcript: the item's word, then the canary alone in 00:02–00:04,
/// then the narrator's name (so a redaction must hide the transcript).
pub fn vtt(word: &str, pword: &str, name_in_text: &str) -> String {
    format!(
        "WEBVTT\n\nNOTE A fictional interview for the transition test.\n\n\
         00:00:00.000 --> 00:00:02.000\nWe spoke of {word} that winter.\n\n\
         00:00:02.000 --> 00:00:04.000\n<v Narrator>Only here I say {pword}.\n\n\
         00:00:04.000 --> 00:00:06.000\n<v Narrator>Ask {name_in_text} about it.\n"
    )
}

/// `restrict ITEM --from A --to B --reason R [--level research] [--until D]`;
/// the restriction's number on success.
pub fn restrict(
    sys: &Sys,
    id: i64,
    range: (u32, u32),
    research: bool,
    until: Option<&str>,
) -> Option<i64> {
    let (id, from, to) = (id.to_string(), range.0.to_string(), range.1.to_string());
    let mut args = vec![
        "restrict",
        &id,
        "--from",
        &from,
        "--to",
        &to,
        "--reason",
        "names a neighbour",
    ];
    if research {
        args.extend(["--level", "research"]);
    }
    if let Some(u) = until {
        args.extend(["--until", u]);
    }
    let out = sys.out(&args);
    if !out.status.success() {
        return None;
    }
    // "item N: passage A–B closed (restriction K)"
    let err = String::from_utf8_lossy(&out.stderr);
    let tail = err.rsplit("(restriction ").next()?;
    tail.split(')').next()?.trim().parse().ok()
}

fn transcript_json(sys: &Sys, id: &str, level: &str) -> Result<String, String> {
    let out = sys.out(&[
        "transcript",
        "show",
        id,
        "--format",
        "json",
        "--access",
        level,
    ]);
    if out.status.code() == Some(101) {
        return Err(format!("transcript show {id} at {level} crashed"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn query_ids(sys: &Sys, term: &str, level: &str) -> Result<Vec<i64>, String> {
    let out = sys.out(&["query", term, "--access", level, "--format", "json"]);
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "query {term:?} at {level}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    Ok(v.iter().filter_map(|o| o["id"].as_i64()).collect())
}

/// After every step, for every recording the model knows, at `level`:
/// the transcript (JSON and one other format, in turn) and the restriction
/// list are scanned for
/// `forbidden`; the canary is found exactly where the model shows it; the
/// access copy is silent exactly where the model closes.
pub fn check(sys: &Sys, model: &Model, level: Level, forbidden: &[&str]) -> Result<(), String> {
    let l = level.as_str();
    for item in &model.items {
        let (Some(id), Some(rec)) = (item.id, &item.recording) else {
            continue;
        };
        let id_s = id.to_string();
        // One text format a step, in turn (JSON is read below every
        // step), to keep the test's runtime down.
        let format = ["vtt", "srt", "text", "table", "csv"][sys.step % 5];
        run_scan(
            sys,
            &[
                "transcript",
                "show",
                &id_s,
                "--format",
                format,
                "--access",
                l,
            ],
            forbidden,
        )?;
        run_scan(
            sys,
            &[
                "restrict", &id_s, "--list", "--format", "json", "--access", l,
            ],
            forbidden,
        )?;
        let shown = item.pword_visible_at(level, model.today);
        let found = query_ids(sys, &rec.pword, l)?;
        let in_transcript = transcript_json(sys, &id_s, l)?.contains(&rec.pword);
        if shown && (found != [id] || !in_transcript) {
            return Err(format!(
                "at {l} on {} the model shows the passage of item {id} ({}), but query \
                 finds {found:?} and transcript show has it: {in_transcript}",
                model.today,
                summary(item)
            ));
        }
        if !shown && (!found.is_empty() || in_transcript) {
            return Err(format!(
                "at {l} on {} the model closes the passage of item {id} ({}), but query \
                 finds {found:?} and transcript show has it: {in_transcript}",
                model.today,
                summary(item)
            ));
        }
        access_copy(sys, model, item, rec, id, level)?;
    }
    Ok(())
}

/// An item as a failure names it, without its bytes.
fn summary(item: &Item) -> String {
    format!(
        "testimony {}, consent {:?}, own {:?}, evidence {}, redacted {}, purged {}, \
         deaccessioned {}, {:?}",
        item.testimony,
        item.consent,
        item.own,
        item.evidence,
        item.redacted,
        item.purged,
        item.deaccessioned,
        item.recording
    )
}

/// `access-copy ID --access LEVEL`: refused where the item is closed;
/// where it is open, the original's samples with the ranges closed to
/// the level zeroed, and nothing else changed.
fn access_copy(
    sys: &Sys,
    model: &Model,
    item: &Item,
    rec: &Rec,
    id: i64,
    level: Level,
) -> Result<(), String> {
    let l = level.as_str();
    let out_path = sys.path().join(format!("copy-{}-{id}-{l}.wav", sys.step));
    let id_s = id.to_string();
    let out = sys.out(&[
        "access-copy",
        &id_s,
        "--access",
        l,
        "--out",
        out_path.to_str().unwrap_or_default(),
    ]);
    let open = item.open_at(level, model.today);
    let result = if !open {
        if out.status.success() || out_path.exists() {
            Err(format!(
                "access-copy of item {id} at {l} was made where the model closes it"
            ))
        } else {
            Ok(())
        }
    } else if item.redacted {
        // What a redacted recording's copy holds is the redaction's
        // business; it must only not crash.
        match out.status.code() {
            Some(101) | None => Err(format!("access-copy of item {id} at {l} crashed")),
            _ => Ok(()),
        }
    } else if !out.status.success() {
        Err(format!(
            "access-copy of item {id} at {l} failed where the model opens it: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    } else {
        let got: Vec<i16> = hound::WavReader::open(&out_path)
            .map_err(|e| format!("access copy of {id} at {l}: {e}"))?
            .samples::<i16>()
            .collect::<Result<_, _>>()
            .map_err(|e| format!("access copy of {id} at {l}: {e}"))?;
        let mut want = rec.samples.clone();
        for (a, b) in rec.closed(level, model.today) {
            want[(a * RATE) as usize..(b * RATE) as usize].fill(0);
        }
        if got == want {
            Ok(())
        } else {
            let first = got.iter().zip(&want).position(|(g, w)| g != w);
            Err(format!(
                "access copy of item {id} at {l}: {} samples where {} were wanted, \
                 first difference at sample {first:?} (closed: {:?})",
                got.len(),
                want.len(),
                rec.closed(level, model.today)
            ))
        }
    };
    let _ = std::fs::remove_file(&out_path);
    result
}

/// `ImportRecording`: the WAV of item `n` and its transcript; the model's
/// item when both were taken.
pub fn import(sys: &Sys, n: usize, testimony: bool, narrator: bool) -> Option<Item> {
    let word = super::letters(n, "cnry");
    let pword = super::letters(n, "psgw");
    let (name, name_in_text) = super::name_for(n);
    let samples = samples(n);
    let bytes = wav_bytes(&samples);
    let mut args = vec!["--title".to_string(), format!("Item {word}")];
    if testimony {
        args.extend(["--kind".into(), "testimony".into()]);
    }
    if narrator {
        args.extend(["--narrator".into(), sys.narrator.to_string()]);
    }
    let (code, id) = sys.import(&format!("new/{word}.wav"), &bytes, &args);
    if code != 0 {
        return None;
    }
    let vtt_path = sys.write(
        &format!("new/{word}.vtt"),
        vtt(&word, &pword, &name_in_text).as_bytes(),
    );
    let id_s = id?.to_string();
    let out = sys.out(&[
        "transcript",
        "set",
        &id_s,
        vtt_path.to_str().unwrap_or_default(),
    ]);
    Some(Item {
        id,
        word,
        name,
        bytes,
        testimony: testimony || narrator,
        consent: Consent::None,
        evidence: false,
        redacted: false,
        purged: false,
        own: Own::Open,
        deaccessioned: false,
        recording: Some(Rec {
            pword,
            samples,
            transcript: out.status.success(),
            passes: Vec::new(),
        }),
    })
}

/// The recording an operation works on: the focused item when it is a
/// live recording and `i >= 96` (so restrict, lift and other operations
/// chain on one item), else any live recording.
pub fn pick(model: &mut Model, i: u8) -> Option<usize> {
    let live: Vec<usize> = (0..model.items.len())
        .filter(|&n| model.items[n].id.is_some() && model.items[n].recording.is_some())
        .collect();
    if live.is_empty() {
        return None;
    }
    let chosen = match model.focus {
        Some(f) if i >= 96 && live.contains(&f) => f,
        _ => live[i as usize % live.len()],
    };
    model.focus = Some(chosen);
    Some(chosen)
}

/// `Op::Passage`: the model takes the restriction when custos does.
pub fn apply_restrict(
    sys: &Sys,
    model: &mut Model,
    item: u8,
    range: u8,
    research: bool,
    until: Option<&'static str>,
) {
    let Some(n) = pick(model, item) else { return };
    let Some(id) = model.items[n].id else { return };
    let range = RANGES[range as usize % RANGES.len()];
    let Some(pid) = restrict(sys, id, range, research, until) else {
        return;
    };
    if let Some(rec) = &mut model.items[n].recording {
        rec.passes.push(Pass {
            id: pid,
            range,
            research,
            until,
            lifted: false,
        });
    }
}

/// `Op::Lift`: lifts one of the recording's restrictions (lifted or not:
/// a second lift is refused and changes nothing).
pub fn apply_lift(sys: &Sys, model: &mut Model, item: u8, which: u8) {
    let Some(n) = pick(model, item) else { return };
    let Some(rec) = &model.items[n].recording else {
        return;
    };
    if rec.passes.is_empty() {
        return;
    }
    let pid = rec.passes[which as usize % rec.passes.len()].id;
    let pid_s = pid.to_string();
    if sys.run_item(&["restrict", "{}", "--lift", &pid_s], &model.items[n]) == 0 {
        if let Some(rec) = &mut model.items[n].recording {
            for p in rec.passes.iter_mut().filter(|p| p.id == pid) {
                p.lifted = true;
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum RecOp {
    /// Import of a short WAV recording and `transcript set` of its WebVTT
    /// transcript, whose canary is said only in 00:02–00:04.
    Import { testimony: bool, narrator: bool },
    /// `restrict ITEM --from --to --reason [--level research] [--until]`
    /// over one of `RANGES`, on a recording.
    Restrict {
        item: u8,
        range: u8,
        research: bool,
        until: bool,
    },
    /// `restrict ITEM --lift N` of one of the recording's restrictions.
    Lift { item: u8, which: u8 },
}

pub fn op() -> impl Strategy<Value = RecOp> {
    let i = any::<u8>;
    prop_oneof![
        2 => (any::<bool>(), any::<bool>())
            .prop_map(|(testimony, narrator)| RecOp::Import { testimony, narrator }),
        3 => (i(), 0..3u8, any::<bool>(), any::<bool>())
            .prop_map(|(item, range, research, until)| RecOp::Restrict { item, range, research, until }),
        1 => (i(), i()).prop_map(|(item, which)| RecOp::Lift { item, which }),
    ]
}

/// Runs one recording operation; the model follows what custos took.
/// `until` is the day a restriction with an end day ends.
pub fn apply(sys: &Sys, model: &mut Model, op: &RecOp, until_day: &'static str) {
    match *op {
        RecOp::Import {
            testimony,
            narrator,
        } => {
            let n = model.items.len();
            let it = import(sys, n, testimony, narrator);
            model.items.extend(it);
        }
        RecOp::Restrict {
            item,
            range,
            research,
            until,
        } => apply_restrict(
            sys,
            model,
            item,
            range,
            research,
            until.then_some(until_day),
        ),
        RecOp::Lift { item, which } => apply_lift(sys, model, item, which),
    }
}

/// After a custodian round trip. The custodian bag carries each
/// recording's standing restrictions, its transcript and its segments in
/// the record's custodian state (`restore::recording`), so every passage
/// closed before is closed again in the new archive; lifted restrictions
/// close nothing and stay home. The restored restrictions have new
/// numbers, read back here in order so a later lift names the right one.
pub fn after_round_trip(sys: &Sys, it: &mut Item) {
    let Some(id) = it.id else { return };
    let Some(rec) = &mut it.recording else { return };
    rec.passes.retain(|p| !p.lifted);
    let out = sys.out(&[
        "restrict",
        &id.to_string(),
        "--list",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let ids: Vec<i64> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_i64())
        .collect();
    for (p, new) in rec.passes.iter_mut().zip(ids) {
        p.id = new;
    }
}

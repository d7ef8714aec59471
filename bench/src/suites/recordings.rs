//! The recordings suite (issue 12): a synthetic two-hour interview (mono,
//! 16-bit, 16 kHz WAV, and the same as FLAC where ffmpeg can make it) with
//! a 20,000-cue WebVTT transcript and three closed passages: the time and
//! peak memory of `import` (characterising the recording), `transcript set`
//! (indexing the cues) and `access-copy --access public` (WAV and FLAC),
//! beside ffmpeg silencing the same ranges with a volume filter; then the
//! same copies of a 30-minute recording, so the ratio of peak memories shows
//! whether memory grows with the recording's length.
//!
//! The recordings and transcripts are generated under the output folder
//! for the run (noise under a slow envelope, invented words) and removed
//! after; nothing is committed. Like every suite it measures and records
//! rows; it does not format the report.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use super::Bench;
use crate::report::Row;
use crate::run::{self, Io};
use crate::{ctx, Res};

const RATE: u32 = 16_000;
const SECTION: &str = "Recordings";
/// Words of the invented transcript (fictional place and people).
const WORDS: &[&str] = &[
    "we",
    "walked",
    "to",
    "the",
    "bridge",
    "at",
    "Corran",
    "Ford",
    "and",
    "my",
    "neighbour",
    "Osric",
    "said",
    "nothing",
    "cellar",
    "bread",
    "winter",
    "river",
    "morning",
    "soldiers",
    "came",
    "later",
    "school",
    "mother",
    "hid",
    "under",
    "boards",
    "names",
    "remember",
];

/// Three closed passages of a minute each (shorter in a recording under
/// 20 minutes), at a tenth, half and nine tenths of it, in seconds.
fn passages(secs: u32) -> Vec<(u32, u32)> {
    let len = (secs / 20).clamp(1, 60);
    [secs / 10, secs / 2, secs * 9 / 10]
        .into_iter()
        .map(|s| (s, s + len))
        .collect()
}

/// A xorshift step: the suite needs cheap noise, not good randomness.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Noise under a slow triangle envelope, so that FLAC has something
/// between silence and white noise to compress.
fn write_wav(path: &Path, secs: u32, seed: u64) -> Res<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    let mut x = seed | 1;
    for i in 0..secs * RATE {
        let env = i64::from((i / 8) % 4000).abs_diff(2000) as i64; // 0..2000
        let noise = (next(&mut x) % 8001) as i64 - 4000;
        w.write_sample((noise * env / 2000) as i16)?;
    }
    w.finalize()?;
    Ok(())
}

fn clock(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// `cues` cues of equal length over `secs` seconds, each a short sentence.
fn write_vtt(path: &Path, secs: u32, cues: u64, seed: u64) -> Res<()> {
    let f = std::fs::File::create(path).map_err(ctx(path, "creating the transcript"))?;
    let mut w = std::io::BufWriter::new(f);
    let mut x = seed | 3;
    let step = u64::from(secs) * 1000 / cues;
    writeln!(w, "WEBVTT\n\nNOTE A generated, fictional interview.\n")?;
    for i in 0..cues {
        let words: Vec<&str> = (0..6 + next(&mut x) % 8)
            .map(|_| WORDS[(next(&mut x) % WORDS.len() as u64) as usize])
            .collect();
        let who = if i % 5 == 0 {
            "Interviewer"
        } else {
            "Narrator"
        };
        writeln!(
            w,
            "{} --> {}\n<v {who}>{}.\n",
            clock(i * step),
            clock((i + 1) * step),
            words.join(" ")
        )?;
    }
    w.flush()?;
    Ok(())
}

/// "2-hour", "30-minute", "90-second".
fn length(secs: u32) -> String {
    match secs {
        s if s % 3600 == 0 => format!("{}-hour", s / 3600),
        s if s % 60 == 0 => format!("{}-minute", s / 60),
        s => format!("{s}-second"),
    }
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

impl Bench {
    /// Runs a custos command once, untimed, for setting up.
    fn setup(&self, archive: &Path, args: &[OsString]) -> Res<()> {
        let out = self.custos(Some(archive), args).output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("custos {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into())
        }
    }

    /// The recordings suite (see the module's doc).
    pub fn recordings(&mut self, seed: u64, long: u32) -> Res<()> {
        let long = long.max(240);
        let short = long / 4;
        // 20,000 cues for two hours, the same density for other lengths.
        let cues = |secs: u32| (u64::from(secs) * 20_000 / 7200).max(1);
        let dir = self.fresh("recordings");
        std::fs::create_dir_all(&dir).map_err(ctx(&dir, "creating a folder"))?;
        let ffmpeg = run::on_path("ffmpeg");
        let mut peaks: Vec<(u32, &'static str, u64)> = Vec::new();
        for (secs, runs) in [(long, self.runs), (short, 1)] {
            let cues = cues(secs);
            let label = length(secs);
            eprintln!("custos-bench: writing a {label} recording and its transcript");
            let wav = dir.join(format!("interview-{secs}.wav"));
            write_wav(&wav, secs, seed)?;
            let vtt = dir.join(format!("interview-{secs}.vtt"));
            write_vtt(&vtt, secs, cues, seed)?;
            let flac = dir.join(format!("interview-{secs}.flac"));
            let flac = (ffmpeg
                && Command::new("ffmpeg")
                    .args(["-nostdin", "-loglevel", "error", "-y", "-i"])
                    .arg(&wav)
                    .arg(&flac)
                    .status()
                    .is_ok_and(|s| s.success()))
            .then_some(flac);
            let size = std::fs::metadata(&wav).map(|m| m.len()).unwrap_or(0);
            let closed = passages(secs);

            let mut archives = Vec::new();
            let mut row = Row::new(
                SECTION,
                format!(
                    "import a {label} WAV ({:.0} MB): characterising it",
                    size as f64 / 1e6
                ),
                "custos import interview.wav",
            );
            row.bytes = Some(size);
            self.measure(row, runs, "logs/rec-import.log", |b| {
                let a = b.init(&format!("rec-{secs}-archive"))?;
                archives.push(a.clone());
                Ok((
                    b.custos(Some(&a), &[OsString::from("import"), wav.clone().into()]),
                    b.io("rec-import"),
                ))
            });
            if archives.is_empty() {
                continue;
            }
            // The first item of a fresh archive is 1.
            let mut each = archives.iter();
            let row = Row::new(
                SECTION,
                format!("transcript set: {cues} WebVTT cues, {label} recording"),
                "custos transcript set 1 interview.vtt",
            );
            self.measure(row, archives.len(), "logs/rec-transcript.log", |b| {
                let a = each.next().ok_or("no archive left")?;
                let args = [
                    OsString::from("transcript"),
                    "set".into(),
                    "1".into(),
                    vtt.clone().into(),
                ];
                Ok((b.custos(Some(a), &args), b.io("rec-transcript")))
            });
            let a = archives[0].clone();
            let mut items = vec![("WAV", "1", wav.clone())];
            if let Some(f) = &flac {
                self.setup(&a, &[OsString::from("import"), f.clone().into()])?;
                items.push(("FLAC", "2", f.clone()));
            }
            for (_, id, _) in &items {
                // A new archive takes imports in closed (its intake).
                self.setup(&a, &os(&["access", id, "--open"]))?;
                for (from, to) in &closed {
                    let (from, to) = (from.to_string(), to.to_string());
                    self.setup(
                        &a,
                        &os(&[
                            "restrict", id, "--from", &from, "--to", &to, "--reason", "bench",
                        ]),
                    )?;
                }
            }
            let filter = closed
                .iter()
                .map(|(s, e)| format!("between(t,{s},{e})"))
                .collect::<Vec<_>>()
                .join("+");
            for (kind, id, src) in items {
                let ext = kind.to_lowercase();
                let out = dir.join(format!("copy.{ext}"));
                let bytes = std::fs::metadata(&src).map(|m| m.len()).unwrap_or(0);
                let mut row = Row::new(
                    SECTION,
                    format!("access-copy --access public: {label} {kind}, 3 passages closed"),
                    format!("custos access-copy {id} --access public --out copy.{ext}"),
                );
                row.bytes = Some(bytes);
                let row = self.measure(row, runs, "logs/rec-copy.log", |b| {
                    let _ = std::fs::remove_file(&out);
                    let args = os(&["access-copy", id, "--access", "public", "--out"]);
                    let mut c = b.custos(Some(&a), &args);
                    c.arg(&out);
                    Ok((c, b.io("rec-copy")))
                });
                if let Some(s) = row.summary() {
                    peaks.push((secs, kind, s.maxrss_kib));
                }
                let _ = std::fs::remove_file(&out);
                let mut row = Row::new(
                    SECTION,
                    format!("ffmpeg, the same ranges silenced: {label} {kind}"),
                    format!("ffmpeg -i interview.{ext} -af \"volume=enable='{filter}':volume=0\" copy.{ext}"),
                );
                row.bytes = Some(bytes);
                if !ffmpeg {
                    self.skip(row, "ffmpeg is not installed".into());
                    continue;
                }
                self.measure(row, runs, "logs/rec-ffmpeg.log", |_| {
                    let _ = std::fs::remove_file(&out);
                    let mut c = Command::new("ffmpeg");
                    c.args(["-nostdin", "-loglevel", "error", "-y", "-i"])
                        .arg(&src)
                        .arg("-af")
                        .arg(format!("volume=enable='{filter}':volume=0"))
                        .arg(&out);
                    Ok((
                        c,
                        Io {
                            stdin: None,
                            stdout: None,
                            stderr_log: dir.join("ffmpeg.log"),
                        },
                    ))
                });
                let _ = std::fs::remove_file(&out);
            }
            for a in archives {
                crate::remove_tree(&a)?;
            }
            for f in [Some(wav), Some(vtt), flac].into_iter().flatten() {
                let _ = std::fs::remove_file(f);
            }
        }
        for kind in ["WAV", "FLAC"] {
            let peak = |secs| {
                peaks
                    .iter()
                    .find(|(s, k, _)| *s == secs && *k == kind)
                    .map(|p| p.2)
            };
            if let (Some(l), Some(s)) = (peak(long), peak(short)) {
                self.ratios.push(format!(
                    "peak RSS, access-copy of a {kind}, {} ÷ {} recording: {:.2} ({:.1} ÷ {:.1} MiB)",
                    length(long),
                    length(short),
                    l as f64 / s.max(1) as f64,
                    l as f64 / 1024.0,
                    s as f64 / 1024.0
                ));
            }
        }
        crate::remove_tree(&dir)
    }
}

//! Technical metadata of a recording read from its bytes: duration,
//! container, codec, sample rate, channels, bit depth, and for video the
//! picture's width and height.
//!
//! Audio is read natively with symphonia (packets are counted, not
//! decoded, so memory stays flat whatever the length); video, and audio
//! symphonia cannot read, go to `ffprobe` when it is installed. A damaged
//! or truncated file yields what could be read and the reason, never an
//! error: an import must not fail because a recording is damaged. This
//! module must not touch the catalogue or decide who may see anything.

use std::fs::File;
use std::path::Path;
use std::process::Command;

use serde::Serialize;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// What was read from a recording's bytes, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Technical {
    /// Milliseconds.
    pub duration_ms: Option<i64>,
    pub container: Option<String>,
    pub codec: Option<String>,
    pub sample_rate: Option<i64>,
    pub channels: Option<i64>,
    pub bit_depth: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// Which reader answered: `symphonia` or `ffprobe`.
    pub reader: String,
    /// Why something could not be read (damage, truncation, a missing
    /// tool), in words for `show`.
    pub problem: Option<String>,
}

/// Whether a media type is a recording this module characterises.
pub fn is_recording(media_type: &str) -> bool {
    media_type.starts_with("audio/") || media_type.starts_with("video/")
}

/// The technical metadata of the recording at `path`, or None when the
/// media type is not a recording.
pub fn characterise(path: &Path, media_type: &str) -> Option<Technical> {
    if !is_recording(media_type) {
        return None;
    }
    let video = media_type.starts_with("video/");
    if video {
        return Some(match ffprobe(path) {
            Ok(t) => t,
            Err(why) => {
                let mut t = native(path, media_type);
                let note = format!("picture size unknown: {why}");
                t.problem = Some(match t.problem {
                    Some(p) => format!("{p}; {note}"),
                    None => note,
                });
                t
            }
        });
    }
    let t = native(path, media_type);
    if t.codec.is_none() {
        // symphonia could not open it: ffprobe may know the format.
        if let Ok(mut f) = ffprobe(path) {
            if f.problem.is_none() {
                f.problem = t.problem;
            }
            return Some(f);
        }
    }
    Some(t)
}

/// A container name from the media type (symphonia does not name it).
fn container_of(media_type: &str) -> Option<String> {
    let c = match media_type {
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => "wav",
        "audio/flac" | "audio/x-flac" => "flac",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/ogg" | "audio/x-ogg" | "video/ogg" => "ogg",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" | "video/mp4" | "video/quicktime" => "mp4",
        "audio/webm" | "video/webm" | "video/x-matroska" => "matroska",
        _ => return None,
    };
    Some(c.to_string())
}

fn native(path: &Path, media_type: &str) -> Technical {
    let mut t = Technical {
        container: container_of(media_type),
        reader: "symphonia".into(),
        ..Technical::default()
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            t.problem = Some(format!("could not be opened: {e}"));
            return t;
        }
    };
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    hint.mime_type(media_type);
    if let Some(c) = &t.container {
        hint.with_extension(c);
    }
    let probed = match symphonia::default::get_probe().format(
        &hint,
        mss,
        &FormatOptions::default(),
        &MetadataOptions::default(),
    ) {
        Ok(p) => p,
        Err(e) => {
            t.problem = Some(format!("not readable as audio: {}", describe(&e)));
            return t;
        }
    };
    let mut format = probed.format;
    let Some(track) = format.default_track().cloned() else {
        t.problem = Some("no audio track found".into());
        return t;
    };
    let p = &track.codec_params;
    t.codec = symphonia::default::get_codecs()
        .get_codec(p.codec)
        .map(|d| d.short_name.to_string())
        .or_else(|| Some(format!("{}", p.codec)));
    t.sample_rate = p.sample_rate.map(i64::from);
    t.channels = p.channels.map(|c| c.count() as i64);
    t.bit_depth = p.bits_per_sample.map(i64::from);
    // Count the frames actually present: the header's count says what
    // should be there, the packets what is.
    let mut frames: u64 = 0;
    let mut damage = None;
    loop {
        match format.next_packet() {
            Ok(packet) if packet.track_id() == track.id => frames += packet.dur,
            Ok(_) => {}
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => {
                damage = Some(describe(&e));
                break;
            }
        }
    }
    let to_ms = |n: u64| -> Option<i64> {
        if let Some(rate) = p.sample_rate.filter(|r| *r > 0) {
            return Some((n as u128 * 1000 / u128::from(rate)) as i64);
        }
        p.time_base.map(|tb| {
            let time = tb.calc_time(n);
            (time.seconds as f64 * 1000.0 + time.frac * 1000.0) as i64
        })
    };
    t.duration_ms = to_ms(frames);
    match (p.n_frames, damage) {
        (_, Some(why)) => {
            t.problem = Some(format!(
                "damaged: reading stopped at {} ({why})",
                crate::media::TimeCode(t.duration_ms.unwrap_or(0))
            ));
        }
        (Some(declared), None) if declared > frames => {
            t.problem = Some(format!(
                "truncated: the header declares {} but only {} could be read",
                crate::media::TimeCode(to_ms(declared).unwrap_or(0)),
                crate::media::TimeCode(t.duration_ms.unwrap_or(0))
            ));
        }
        _ => {}
    }
    t
}

fn describe(e: &SymError) -> String {
    match e {
        SymError::IoError(io) => format!("read error: {io}"),
        SymError::DecodeError(d) => format!("malformed stream: {d}"),
        SymError::SeekError(_) => "seek failed".into(),
        SymError::Unsupported(u) => format!("unsupported: {u}"),
        SymError::LimitError(l) => format!("limit reached: {l}"),
        SymError::ResetRequired => "stream changed mid-way".into(),
    }
}

/// Whether `ffprobe` can be run here.
pub fn ffprobe_installed() -> bool {
    Command::new("ffprobe")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn ffprobe(path: &Path) -> Result<Technical, String> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .output()
        .map_err(|_| "ffprobe is not installed".to_string())?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("ffprobe could not read it: {}", err.trim()));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("ffprobe's answer: {e}"))?;
    let num = |x: &serde_json::Value| -> Option<i64> {
        x.as_i64()
            .or_else(|| x.as_str().and_then(|s| s.parse::<i64>().ok()))
            .filter(|n| *n > 0)
    };
    let streams = v["streams"].as_array().cloned().unwrap_or_default();
    let audio = streams.iter().find(|s| s["codec_type"] == "audio");
    let video = streams.iter().find(|s| s["codec_type"] == "video");
    let duration_ms = v["format"]["duration"]
        .as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .map(|s| (s * 1000.0).round() as i64);
    let main = video.or(audio);
    Ok(Technical {
        duration_ms,
        container: v["format"]["format_name"]
            .as_str()
            .map(|s| s.split(',').next().unwrap_or(s).to_string()),
        codec: main.and_then(|s| s["codec_name"].as_str().map(str::to_string)),
        sample_rate: audio.and_then(|s| num(&s["sample_rate"])),
        channels: audio.and_then(|s| num(&s["channels"])),
        bit_depth: audio
            .and_then(|s| num(&s["bits_per_raw_sample"]).or_else(|| num(&s["bits_per_sample"]))),
        width: video.and_then(|s| num(&s["width"])),
        height: video.and_then(|s| num(&s["height"])),
        reader: "ffprobe".into(),
        problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(path: &Path, rate: u32, frames: u32) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..frames {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn a_wav_is_characterised() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.wav");
        wav(&p, 8000, 20_000);
        let t = characterise(&p, "audio/x-wav").unwrap();
        assert_eq!(t.duration_ms, Some(2500));
        assert_eq!(t.sample_rate, Some(8000));
        assert_eq!(t.channels, Some(1));
        assert_eq!(t.bit_depth, Some(16));
        assert_eq!(t.container.as_deref(), Some("wav"));
        assert!(t.codec.as_deref().unwrap().starts_with("pcm"), "{t:?}");
        assert_eq!(t.problem, None);
    }

    #[test]
    fn a_truncated_wav_says_so_and_keeps_what_was_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.wav");
        wav(&p, 8000, 20_000);
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let t = characterise(&p, "audio/x-wav").unwrap();
        assert!(
            t.duration_ms.unwrap() < 2500 && t.duration_ms.unwrap() > 1000,
            "{t:?}"
        );
        assert!(t.problem.as_deref().unwrap().contains("truncated"), "{t:?}");
    }

    #[test]
    fn garbage_is_a_problem_not_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.wav");
        std::fs::write(&p, b"RIFF\x10\0\0\0WAVEnot really").unwrap();
        let t = characterise(&p, "audio/x-wav").unwrap();
        assert!(t.problem.is_some(), "{t:?}");
        assert!(characterise(&p, "text/plain").is_none());
    }
}

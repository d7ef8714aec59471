//! Access copies: a recording with its closed passages replaced by digital
//! silence, everything else unchanged.
//!
//! PCM formats are spliced natively and sample-exactly: WAV through hound
//! (every sample of a closed frame set to zero, every other sample copied
//! as it is), FLAC decoded with symphonia and encoded again, losslessly,
//! with flacenc. Other codecs go through `ffmpeg` when it is installed
//! (its `volume` filter, enabled over the closed ranges); without it the
//! copy is refused naming what is missing. A closed range covers every
//! frame that overlaps it (start rounded down, end rounded up), so a
//! closed word can never survive at an edge. This module writes only to
//! the writer or path it is given; it must not touch the catalogue or
//! decide which passages are closed (the caller asks `policy::passage`).

use std::fs::File;
use std::io::{Seek, Write};
use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};
use crate::media::Interval;

mod flac;

/// What a copy is made with, from the recording's media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Wav,
    Flac,
    /// Anything else: through ffmpeg.
    Other,
}

impl Kind {
    pub fn of(media_type: &str) -> Kind {
        match media_type {
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Kind::Wav,
            "audio/flac" | "audio/x-flac" => Kind::Flac,
            _ => Kind::Other,
        }
    }
}

/// The frame range `[start, end)` a closed interval covers at `rate`.
pub fn frames(r: &Interval, rate: u32) -> (u64, u64) {
    let rate = u64::from(rate);
    let start = r.start.millis().max(0) as u64 * rate / 1000;
    let end = (r.end.millis().max(0) as u64 * rate).div_ceil(1000);
    (start, end)
}

fn closed_frame(frame: u64, ranges: &[(u64, u64)]) -> bool {
    ranges.iter().any(|(s, e)| frame >= *s && frame < *e)
}

/// Writes the WAV at `src` to `out` with the closed frames zeroed.
pub fn wav<W: Write + Seek>(src: &Path, closed: &[Interval], out: W) -> Result<()> {
    let bad =
        |e: hound::Error| Error::Failed(format!("{}: not a readable WAV file: {e}", src.display()));
    let mut reader = hound::WavReader::open(src).map_err(bad)?;
    let spec = reader.spec();
    let ranges: Vec<(u64, u64)> = closed.iter().map(|r| frames(r, spec.sample_rate)).collect();
    let channels = u64::from(spec.channels.max(1));
    let mut writer = hound::WavWriter::new(out, spec)
        .map_err(|e| Error::Failed(format!("writing the access copy: {e}")))?;
    let werr = |e: hound::Error| Error::Failed(format!("writing the access copy: {e}"));
    match spec.sample_format {
        hound::SampleFormat::Float => {
            for (i, s) in reader.samples::<f32>().enumerate() {
                let s = s.map_err(bad)?;
                let v = if closed_frame(i as u64 / channels, &ranges) {
                    0.0
                } else {
                    s
                };
                writer.write_sample(v).map_err(werr)?;
            }
        }
        hound::SampleFormat::Int => {
            for (i, s) in reader.samples::<i32>().enumerate() {
                let s = s.map_err(bad)?;
                let v = if closed_frame(i as u64 / channels, &ranges) {
                    0
                } else {
                    s
                };
                if spec.bits_per_sample <= 8 {
                    writer.write_sample(v as i8).map_err(werr)?;
                } else if spec.bits_per_sample <= 16 {
                    writer.write_sample(v as i16).map_err(werr)?;
                } else {
                    writer.write_sample(v).map_err(werr)?;
                }
            }
        }
    }
    writer.finalize().map_err(werr)
}

/// Writes the access copy of `src` (of `media_type`) to `out`.
pub fn write_copy(src: &Path, media_type: &str, closed: &[Interval], out: &mut File) -> Result<()> {
    match Kind::of(media_type) {
        Kind::Wav => {
            // hound writes each sample with its own `write`: unbuffered,
            // that is a system call per sample.
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            wav(src, closed, &mut w)?;
            w.flush().map_err(|e| Error::io("<access copy>", e))
        }
        Kind::Flac => flac::copy(src, closed, &mut *out),
        Kind::Other => ffmpeg(src, media_type, closed, out),
    }
}

/// Whether `ffmpeg` can be run here.
pub fn ffmpeg_installed() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn ffmpeg(src: &Path, media_type: &str, closed: &[Interval], out: &mut File) -> Result<()> {
    if !ffmpeg_installed() {
        return Err(Error::usage(format!(
            "an access copy of {media_type} needs ffmpeg, which is not installed (WAV and FLAC are copied without it)"
        )));
    }
    if media_type.starts_with("video/") {
        return Err(Error::usage(format!(
            "an access copy of video ({media_type}) is not made yet: its picture cannot be blanked sample-exactly; export the audio as WAV or FLAC"
        )));
    }
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let ext = match media_type {
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "audio/mp4" | "audio/x-m4a" => "m4a",
        _ => "mka",
    };
    let tmp = dir.path().join(format!("copy.{ext}"));
    let enable: Vec<String> = closed
        .iter()
        .map(|r| format!("between(t,{:.3},{:.3})", r.start.seconds(), r.end.seconds()))
        .collect();
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(src)
        .args(["-map_metadata", "-1"]);
    if !enable.is_empty() {
        cmd.args(["-af", &format!("volume=0:enable='{}'", enable.join("+"))]);
    }
    let status = cmd.arg(&tmp).output().map_err(|e| Error::io("ffmpeg", e))?;
    if !status.status.success() {
        return Err(Error::Failed(format!(
            "ffmpeg could not make the access copy: {}",
            String::from_utf8_lossy(&status.stderr).trim()
        )));
    }
    let mut f = File::open(&tmp).map_err(|e| Error::io(&tmp, e))?;
    std::io::copy(&mut f, out).map_err(|e| Error::io(&tmp, e))?;
    Ok(())
}

/// Writes the access copy to `dest` atomically: a temp file beside it,
/// synced, then renamed over it.
pub fn write_file(src: &Path, media_type: &str, closed: &[Interval], dest: &Path) -> Result<()> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".custos-access-copy-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    write_copy(src, media_type, closed, tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(|e| Error::io(dest, e))?;
    tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests;

//! FLAC access copies: decoded packet by packet with symphonia, closed
//! frames zeroed, encoded again losslessly with flacenc one FLAC frame at
//! a time and written as it goes, so memory stays flat in the recording's
//! length: the `fLaC` marker and a STREAMINFO placeholder first, STREAMINFO
//! patched by seeking back once the totals, frame sizes and MD5 are known.
//! It writes only into the file it is given; making that file appear
//! atomically (temp file, rename) is the caller's job.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use flacenc::component::{BitRepr, Stream, StreamInfo};
use flacenc::error::{SourceError, Verify};
use flacenc::source::{Context, Fill, FrameBuf, Source};
use symphonia::core::audio::{AudioBufferRef, Signal};
use symphonia::core::codecs::DecoderOptions;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{closed_frame, frames};
use crate::error::{Error, Result};
use crate::media::Interval;

/// A flacenc source pulling decoded, silenced frames from symphonia.
struct Silenced {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn symphonia::core::codecs::Decoder>,
    track: u32,
    channels: usize,
    bits: usize,
    rate: usize,
    ranges: Vec<(u64, u64)>,
    /// Interleaved samples decoded and not yet handed to the encoder.
    pending: Vec<i32>,
    frame: u64,
    done: bool,
    error: Option<String>,
}

impl Silenced {
    fn decode_more(&mut self) {
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(symphonia::core::errors::Error::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    self.done = true;
                    return;
                }
                Err(e) => {
                    self.error = Some(e.to_string());
                    self.done = true;
                    return;
                }
            };
            if packet.track_id() != self.track {
                continue;
            }
            let buf = match self.decoder.decode(&packet) {
                Ok(b) => b,
                Err(e) => {
                    self.error = Some(e.to_string());
                    self.done = true;
                    return;
                }
            };
            // symphonia keeps FLAC samples left-justified in i32.
            let shift = 32 - self.bits as u32;
            let AudioBufferRef::S32(b) = buf else {
                self.error = Some("unexpected sample format".into());
                self.done = true;
                return;
            };
            let n = b.frames();
            let planes = b.planes();
            let planes = planes.planes();
            for f in 0..n {
                let closed = closed_frame(self.frame, &self.ranges);
                for ch in planes.iter().take(self.channels) {
                    self.pending.push(if closed { 0 } else { ch[f] >> shift });
                }
                self.frame += 1;
            }
            return;
        }
    }
}

impl Source for Silenced {
    fn channels(&self) -> usize {
        self.channels
    }
    fn bits_per_sample(&self) -> usize {
        self.bits
    }
    fn sample_rate(&self) -> usize {
        self.rate
    }
    fn read_samples<F: Fill>(
        &mut self,
        block_size: usize,
        dest: &mut F,
    ) -> std::result::Result<usize, SourceError> {
        let want = block_size * self.channels;
        while self.pending.len() < want && !self.done {
            self.decode_more();
        }
        let take = want.min(self.pending.len());
        let block: Vec<i32> = self.pending.drain(..take).collect();
        dest.fill_interleaved(&block)?;
        Ok(take / self.channels)
    }
}

pub fn copy(src: &Path, closed: &[Interval], out: &mut File) -> Result<()> {
    let bad = |why: String| {
        Error::Failed(format!(
            "{}: not a readable FLAC file: {why}",
            src.display()
        ))
    };
    let file = File::open(src).map_err(|e| Error::io(src, e))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("flac");
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| bad(format!("{e} (reading its header)")))?;
    let format = probed.format;
    let track = format
        .default_track()
        .ok_or_else(|| bad("no track".into()))?
        .clone();
    let p = &track.codec_params;
    let rate = p.sample_rate.ok_or_else(|| bad("no sample rate".into()))?;
    let bits = p
        .bits_per_sample
        .ok_or_else(|| bad("no bit depth".into()))? as usize;
    let channels = p
        .channels
        .map(|c| c.count())
        .ok_or_else(|| bad("no channels".into()))?;
    let decoder = symphonia::default::get_codecs()
        .make(p, &DecoderOptions::default())
        .map_err(|e| bad(e.to_string()))?;
    let mut source = Silenced {
        format,
        decoder,
        track: track.id,
        channels,
        bits,
        rate: rate as usize,
        ranges: closed.iter().map(|r| frames(r, rate)).collect(),
        pending: Vec::new(),
        frame: 0,
        done: false,
        error: None,
    };
    encode(&mut source, out)?;
    if let Some(why) = source.error.take() {
        return Err(bad(why));
    }
    Ok(())
}

/// Encodes `source` into `out` frame by frame: what flacenc's
/// `encode_with_fixed_block_size` does, but each frame is written as soon
/// as it is encoded instead of being kept in a `Stream` (single-threaded:
/// the parallel encoder also holds every frame). STREAMINFO gets the MD5
/// of the (silenced) samples from flacenc's `Context`, as the whole-stream
/// encoder gave it.
pub(crate) fn encode<S: Source>(source: &mut S, out: &mut File) -> Result<()> {
    let enc = |e: String| Error::Failed(format!("encoding the access copy: {e}"));
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|e| Error::Failed(format!("FLAC encoder settings: {e:?}")))?;
    let block_size = config.block_size;
    let (channels, bits) = (source.channels(), source.bits_per_sample());
    let mut info =
        StreamInfo::new(source.sample_rate(), channels, bits).map_err(|e| enc(e.to_string()))?;
    // As flacenc does: the configured size is the maximum even when the
    // only block is shorter.
    info.set_block_sizes(block_size, block_size)
        .map_err(|e| enc(e.to_string()))?;
    let io = |e| Error::io("<access copy>", e);
    let start = out.stream_position().map_err(io)?;
    // STREAMINFO has a fixed size; zeros hold its place (the caller's
    // temp file is discarded if anything fails before the patch).
    let placeholder = header(&info)?;
    let mut w = BufWriter::with_capacity(1 << 16, &mut *out);
    w.write_all(&vec![0u8; placeholder.len()]).map_err(io)?;
    let mut fill = (
        FrameBuf::with_size(channels, block_size).map_err(|e| enc(e.to_string()))?,
        Context::new(bits, channels),
    );
    let mut sink = flacenc::bitsink::ByteSink::new();
    loop {
        let read = source
            .read_samples(block_size, &mut fill)
            .map_err(|e| enc(e.to_string()))?;
        if read == 0 {
            break;
        }
        let number = fill.1.current_frame_number().unwrap_or_default();
        let frame = flacenc::encode_fixed_size_frame(&config, &fill.0, number, &info)
            .map_err(|e| enc(e.to_string()))?;
        info.update_frame_info(&frame);
        sink.clear();
        frame.write(&mut sink).map_err(|e| enc(format!("{e:?}")))?;
        w.write_all(sink.as_slice()).map_err(io)?;
    }
    w.flush().map_err(io)?;
    drop(w);
    info.set_md5_digest(&fill.1.md5_digest());
    let mut head = header(&info)?;
    fix_min_block(&mut head);
    if head.len() != placeholder.len() {
        return Err(enc("STREAMINFO changed size".into()));
    }
    out.seek(SeekFrom::Start(start)).map_err(io)?;
    out.write_all(&head).map_err(io)?;
    out.seek(SeekFrom::End(0)).map_err(io)?;
    Ok(())
}

/// The `fLaC` marker and the STREAMINFO block for `info`.
fn header(info: &StreamInfo) -> Result<Vec<u8>> {
    let mut sink = flacenc::bitsink::ByteSink::new();
    Stream::with_stream_info(info.clone())
        .write(&mut sink)
        .map_err(|e| Error::Failed(format!("encoding the access copy: {e:?}")))?;
    Ok(sink.as_slice().to_vec())
}

/// flacenc counts the short last block in STREAMINFO's minimum block size,
/// which the FLAC format excludes; readers (symphonia among them) then
/// take a fixed-blocksize stream for a variable one and find no frame.
/// Every block but the last has the configured size, so the minimum is
/// the maximum.
pub(crate) fn fix_min_block(bytes: &mut [u8]) {
    if bytes.len() >= 12 && &bytes[..4] == b"fLaC" && bytes[4] & 0x7f == 0 {
        let (min, max) = bytes[8..12].split_at_mut(2);
        min.copy_from_slice(max);
    }
}

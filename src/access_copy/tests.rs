//! The silence splice, sample for sample: random closed ranges on random
//! recordings; closed frames are zero, every other sample is identical.

use super::*;
use crate::media::TimeCode;
use flacenc::component::BitRepr;
use flacenc::error::Verify;
use proptest::prelude::*;

fn write_wav(path: &Path, samples: &[i16], channels: u16, rate: u32) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample(*s).unwrap();
    }
    w.finalize().unwrap();
}

fn write_flac(path: &Path, samples: &[i16], channels: usize, rate: usize) {
    let wide: Vec<i32> = samples.iter().map(|s| i32::from(*s)).collect();
    let config = flacenc::config::Encoder::default().into_verified().unwrap();
    let src = flacenc::source::MemSource::from_samples(&wide, channels, 16, rate);
    let stream = flacenc::encode_with_fixed_block_size(&config, src, config.block_size).unwrap();
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).unwrap();
    let mut bytes = sink.as_slice().to_vec();
    flac::fix_min_block(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

/// Every sample of a FLAC file, interleaved, as written (not left-justified).
pub(crate) fn decode_flac(path: &Path) -> Vec<i32> {
    use symphonia::core::audio::{AudioBufferRef, Signal};
    let mss = MediaSourceStream::new(Box::new(File::open(path).unwrap()), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("flac");
    let mut format = symphonia::default::get_probe()
        .format(&hint, mss, &Default::default(), &Default::default())
        .unwrap()
        .format;
    let track = format.default_track().unwrap().clone();
    let bits = track.codec_params.bits_per_sample.unwrap();
    let mut dec = symphonia::default::get_codecs()
        .make(&track.codec_params, &Default::default())
        .unwrap();
    let mut out = Vec::new();
    while let Ok(p) = format.next_packet() {
        let AudioBufferRef::S32(b) = dec.decode(&p).unwrap() else {
            panic!("not s32")
        };
        let planes = b.planes();
        for f in 0..b.frames() {
            for ch in planes.planes() {
                out.push(ch[f] >> (32 - bits));
            }
        }
    }
    out
}
use symphonia::core::io::MediaSourceStream;
use symphonia::core::probe::Hint;

fn check(original: &[i32], copy: &[i32], channels: usize, rate: u32, closed: &[Interval]) {
    assert_eq!(original.len(), copy.len());
    let ranges: Vec<(u64, u64)> = closed.iter().map(|r| frames(r, rate)).collect();
    for (i, (o, c)) in original.iter().zip(copy).enumerate() {
        let frame = (i / channels) as u64;
        if closed_frame(frame, &ranges) {
            assert_eq!(*c, 0, "sample {i} in a closed range");
        } else {
            assert_eq!(o, c, "sample {i} outside every closed range");
        }
    }
}

fn ranges(len_ms: i64) -> impl Strategy<Value = Vec<Interval>> {
    proptest::collection::vec((0..len_ms, 1..len_ms), 0..4).prop_map(move |v| {
        v.into_iter()
            .map(|(s, l)| Interval {
                start: TimeCode(s),
                end: TimeCode((s + l).min(len_ms + 50)),
            })
            .filter(|r| r.end > r.start)
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn wav_closed_samples_are_zero_and_the_rest_identical(
        seed in any::<u64>(), channels in 1u16..3, closed in ranges(1000)
    ) {
        let d = tempfile::tempdir().unwrap();
        let rate = 8000;
        let n = rate as usize * channels as usize;
        let mut x = seed | 1;
        let samples: Vec<i16> = (0..n).map(|_| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; (x % 60000) as i16 | 1 }).collect();
        let src = d.path().join("a.wav");
        write_wav(&src, &samples, channels, rate);
        let dest = d.path().join("copy.wav");
        write_file(&src, "audio/x-wav", &closed, &dest).unwrap();
        let copy: Vec<i32> = hound::WavReader::open(&dest).unwrap().samples::<i16>().map(|s| i32::from(s.unwrap())).collect();
        let orig: Vec<i32> = samples.iter().map(|s| i32::from(*s)).collect();
        check(&orig, &copy, channels as usize, rate, &closed);
    }

    #[test]
    fn flac_closed_samples_are_zero_and_the_rest_identical(
        seed in any::<u64>(), channels in 1usize..3, closed in ranges(600)
    ) {
        let d = tempfile::tempdir().unwrap();
        let rate = 8000usize;
        let n = rate * 6 / 10 * channels;
        let mut x = seed | 1;
        let samples: Vec<i16> = (0..n).map(|_| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; ((x % 2000) as i16) - 1000 }).collect();
        let src = d.path().join("a.flac");
        write_flac(&src, &samples, channels, rate);
        let dest = d.path().join("copy.flac");
        write_file(&src, "audio/flac", &closed, &dest).unwrap();
        let orig = decode_flac(&src);
        prop_assert_eq!(orig.len(), samples.len());
        check(&orig, &decode_flac(&dest), channels, rate as u32, &closed);
    }
}

#[test]
fn frames_cover_every_frame_a_range_touches() {
    let r = Interval {
        start: TimeCode(1),
        end: TimeCode(2),
    };
    assert_eq!(frames(&r, 44_100), (44, 89));
    assert_eq!(frames(&r, 1000), (1, 2));
}

#[test]
fn other_codecs_without_ffmpeg_say_what_is_missing() {
    if ffmpeg_installed() {
        eprintln!("ffmpeg is installed: the refusal without it is not tested here");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("a.mp3");
    std::fs::write(&src, b"ID3").unwrap();
    let e = write_file(&src, "audio/mpeg", &[], &d.path().join("b.mp3")).unwrap_err();
    assert!(e.to_string().contains("ffmpeg"), "{e}");
    assert!(!d.path().join("b.mp3").exists());
}

/// Big-endian bits `at..at + len` of `b`.
fn bits(b: &[u8], at: usize, len: usize) -> u64 {
    (at..at + len).fold(0, |v, i| {
        (v << 1) | u64::from((b[i / 8] >> (7 - i % 8)) & 1)
    })
}

/// A FLAC of many blocks (stereo, 3 s at 16 kHz: eleven blocks of 4096
/// frames and a short last one) copied frame by frame decodes to what the
/// whole-stream encoder gave for the same silenced samples, and its
/// STREAMINFO (patched after the frames) says the right totals, block and
/// frame sizes and MD5. `flac -t`, where installed, checks the file on its
/// own, MD5 included.
#[test]
fn a_multi_block_copy_matches_the_whole_stream_encoder() {
    let d = tempfile::tempdir().unwrap();
    let (rate, channels, frames_n) = (16_000usize, 2usize, 48_000usize);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let samples: Vec<i16> = (0..frames_n * channels)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x % 4000) as i16) - 2000
        })
        .collect();
    let src = d.path().join("a.flac");
    write_flac(&src, &samples, channels, rate);
    let closed = [
        Interval {
            start: TimeCode(1000),
            end: TimeCode(1500),
        },
        Interval {
            start: TimeCode(2200),
            end: TimeCode(2201),
        },
    ];
    let dest = d.path().join("copy.flac");
    write_file(&src, "audio/flac", &closed, &dest).unwrap();
    let copy = decode_flac(&dest);

    // Before: the silenced samples through encode_with_fixed_block_size.
    let ranges: Vec<(u64, u64)> = closed.iter().map(|r| frames(r, rate as u32)).collect();
    let silenced: Vec<i16> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if closed_frame((i / channels) as u64, &ranges) {
                0
            } else {
                *s
            }
        })
        .collect();
    let before = d.path().join("before.flac");
    write_flac(&before, &silenced, channels, rate);
    assert_eq!(copy, decode_flac(&before));
    check(&decode_flac(&src), &copy, channels, rate as u32, &closed);

    let (new, old) = (
        std::fs::read(&dest).unwrap(),
        std::fs::read(&before).unwrap(),
    );
    assert_eq!(&new[..4], b"fLaC");
    assert_eq!(new[4], 0x80, "STREAMINFO, the last metadata block");
    assert_eq!(bits(&new, 40, 24), 34, "STREAMINFO's length");
    let si = 8 * 8; // STREAMINFO's first bit
    let (min_block, max_block) = (bits(&new, si, 16), bits(&new, si + 16, 16));
    assert_eq!((min_block, max_block), (4096, 4096));
    let (min_frame, max_frame) = (bits(&new, si + 32, 24), bits(&new, si + 56, 24));
    assert!(0 < min_frame && min_frame <= max_frame && max_frame < new.len() as u64);
    assert_eq!(bits(&new, si + 80, 20), rate as u64);
    assert_eq!(bits(&new, si + 100, 3) + 1, channels as u64);
    assert_eq!(bits(&new, si + 103, 5) + 1, 16);
    assert_eq!(bits(&new, si + 108, 36), frames_n as u64, "total samples");
    let md5 = &new[26..42];
    assert_ne!(md5, [0u8; 16], "an MD5 is given");
    assert_eq!(md5, &old[26..42], "the MD5 the whole-stream encoder gave");
    // The same frames, and so the same frame sizes, as the encoder before.
    assert_eq!(new, old);

    if std::process::Command::new("flac")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let t = std::process::Command::new("flac")
            .args(["-t", "-s"])
            .arg(&dest)
            .output()
            .unwrap();
        assert!(
            t.status.success(),
            "flac -t: {}",
            String::from_utf8_lossy(&t.stderr)
        );
    } else {
        eprintln!(
            "flac is not installed: the copy is not checked by `flac -t` (apt-get install flac)"
        );
    }
}

//! The leak archive's recording (issue 12): a passage closed below
//! custodian, whose words, segment and audio only the custodian may meet.

use super::fixture::{import, ok, w};
use crate::harness::Env;

/// A 6-second mono WAV whose samples from 2 s to 4 s spell the audio
/// canary in their bytes, a transcript and a segment, and that passage
/// closed below custodian.
pub fn recording(env: &Env) -> i64 {
    let path = env.path().join("intake-rec/interview.wav");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 4000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wr = hound::WavWriter::create(&path, spec).unwrap();
    let canary = w("REC", "AUDIO").into_bytes();
    let mut pairs = canary.chunks(2).cycle();
    for frame in 0..24_000u32 {
        let s = if (8000..16_000).contains(&frame) {
            let p = pairs.next().unwrap();
            i16::from_le_bytes([p[0], *p.get(1).unwrap_or(&b' ')])
        } else {
            (frame % 7) as i16
        };
        wr.write_sample(s).unwrap();
    }
    wr.finalize().unwrap();
    let id = import(env, &path, &[]);
    let t = id.to_string();
    let vtt = env.write(
        "intake-rec/interview.vtt",
        format!(
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nA fictional narrator: {}.\n\n00:00:02.000 --> 00:00:04.000\nThe neighbour {} hid us.\n\n00:00:04.000 --> 00:00:06.000\nThen we left.\n",
            w("REC", "CUEOPEN"),
            w("REC", "CUECLOSED")
        ),
    );
    ok(env, &["transcript", "set", &t, vtt.to_str().unwrap()]);
    ok(
        env,
        &[
            "segment",
            "add",
            &t,
            "--start",
            "2",
            "--end",
            "4",
            "--title",
            &w("REC", "SEGCLOSED"),
        ],
    );
    ok(
        env,
        &[
            "restrict",
            &t,
            "--from",
            "2",
            "--to",
            "4",
            "--reason",
            &w("REC", "PASSAGEWHY"),
        ],
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    id
}

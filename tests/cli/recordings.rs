//! Recordings (issue 12): technical metadata read at import, a damaged
//! recording still imported with its reason, and `duration` as a query
//! field. The recordings are synthesised here (fictional tones).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::{run, Env};

/// A mono 16-bit WAV of `secs` seconds of a quiet ramp at `rate` Hz.
pub fn wav(env: &Env, name: &str, secs: u32, rate: u32) -> PathBuf {
    let p = env.path().join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&p, spec).expect("wav");
    for i in 0..secs * rate {
        w.write_sample(((i % 200) as i16) - 100).expect("sample");
    }
    w.finalize().expect("finalize");
    p
}

pub fn import_one(env: &Env, p: &Path) -> (i64, Value) {
    let out = env.import(&[p], &[]);
    assert_eq!(out[0]["status"], "imported", "{out:?}");
    (out[0]["id"].as_i64().expect("id"), out[0].clone())
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

#[test]
fn import_reads_the_technical_metadata_of_a_recording() {
    let env = Env::with_archive();
    let p = wav(&env, "interview.wav", 3, 8000);
    let (id, _) = import_one(&env, &p);
    let show = env.json(&["show", &id.to_string(), "--format", "json"]);
    assert_eq!(show["duration"], 3.0, "{show}");
    let r = &show["recording"];
    assert_eq!(r["container"], "wav");
    assert_eq!(r["codec"], "pcm_s16le");
    assert_eq!(r["sample_rate"], 8000);
    assert_eq!(r["channels"], 1);
    assert_eq!(r["bit_depth"], 16);
    assert_eq!(r["problem"], Value::Null);
    let (code, table, _) = run({
        let mut c = env.cmd();
        c.args(["show", &id.to_string()]);
        c
    });
    assert_eq!(code, 0);
    assert!(
        table.contains("Recording") && table.contains("pcm_s16le"),
        "{table}"
    );
}

#[test]
fn a_truncated_recording_imports_with_what_could_be_read_and_why() {
    let env = Env::with_archive();
    let p = wav(&env, "cut.wav", 4, 8000);
    let bytes = std::fs::read(&p).expect("read");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).expect("write");
    let text = env.write("notes.txt", "fictional notes that import beside it");
    let out = env.import(&[&p, &text], &[]);
    assert!(out.iter().all(|o| o["status"] == "imported"), "{out:?}");
    let reason = out[0]["reason"].as_str().expect("reason");
    assert!(reason.contains("truncated"), "{reason}");
    let show = env.json(&["show", &out[0]["id"].to_string(), "--format", "json"]);
    let secs = show["duration"].as_f64().expect("duration");
    assert!(secs > 1.5 && secs < 2.5, "{secs}");
    assert!(show["recording"]["problem"]
        .as_str()
        .expect("problem")
        .contains("header declares 00:00:04"));
}

#[test]
fn duration_is_a_query_field_with_ranges() {
    let env = Env::with_archive();
    let (short, _) = import_one(&env, &wav(&env, "short.wav", 2, 4000));
    let (long, _) = import_one(&env, &wav(&env, "long.wav", 70, 4000));
    env.write("doc.txt", "not a recording");
    for (q, want) in [
        ("duration:1m..2m", vec![long]),
        ("duration:..10s", vec![short]),
        ("duration:00:00:02", vec![short]),
        ("duration:1s..", vec![short, long]),
    ] {
        let got = ids(&env.json(&["query", q, "--format", "json", "--sort", "id"]));
        assert_eq!(got, want, "{q}");
    }
    let (code, _, err) = run({
        let mut c = env.cmd();
        c.args(["query", "duration:10parsecs"]);
        c
    });
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("duration") && err.contains("10parsecs"),
        "{err}"
    );
}

#[test]
fn a_closed_recording_shows_no_technical_metadata_below_custodian() {
    let env = Env::with_archive();
    let (id, _) = import_one(&env, &wav(&env, "closed.wav", 1, 4000));
    env.cmd()
        .args(["access", "--close", &id.to_string()])
        .assert()
        .success();
    let show = env.json(&[
        "show",
        &id.to_string(),
        "--format",
        "json",
        "--access",
        "public",
    ]);
    assert_eq!(show["recording"], Value::Null, "{show}");
    assert_eq!(show["duration"], Value::Null, "{show}");
    let got = ids(&env.json(&[
        "query",
        "duration:..1m",
        "--format",
        "json",
        "--access",
        "public",
    ]));
    assert!(got.iter().all(|i| *i != id) || got.is_empty(), "{got:?}");
}

#[test]
fn a_video_says_what_could_not_be_read_without_ffprobe() {
    let env = Env::with_archive();
    // A damaged MP4 header: symphonia finds no track, ffprobe (if any) fails.
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypisom\0\0\0\0isomiso2");
    bytes.extend_from_slice(&[0; 64]);
    let p = env.write("clip.mp4", bytes);
    let (id, _) = import_one(&env, &p);
    let show = env.json(&["show", &id.to_string(), "--format", "json"]);
    let problem = show["recording"]["problem"].as_str().expect("problem");
    assert!(problem.contains("picture size unknown"), "{problem}");
    assert_eq!(show["recording"]["width"], Value::Null);
}

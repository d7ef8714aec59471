//! Access copies and exports of a recording with a closed passage (issue
//! 12): the public copy decoded sample for sample against the original,
//! and a public bag that carries the copy and the filtered transcript but
//! never the original nor its digest. The recording is synthesised.

use serde_json::Value;

use crate::harness::{run, sha256_hex, Env};
use crate::recordings::{import_one, wav};
use crate::recordings_timed::VTT;

fn cmd(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

fn samples(path: &std::path::Path) -> Vec<i16> {
    hound::WavReader::open(path)
        .expect("wav")
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// A 40 s interview at 4000 Hz, its transcript, 00:13–00:18 closed.
fn restricted(env: &Env) -> (String, std::path::PathBuf) {
    let src = wav(env, "interview.wav", 40, 4000);
    let (id, _) = import_one(env, &src);
    let id = id.to_string();
    env.write("interview.vtt", VTT);
    assert_eq!(cmd(env, &["transcript", "set", &id, "interview.vtt"]).0, 0);
    let (code, _, err) = cmd(
        env,
        &[
            "restrict",
            &id,
            "--from",
            "13",
            "--to",
            "18",
            "--reason",
            "names a neighbour",
        ],
    );
    assert_eq!(code, 0, "{err}");
    (id, src)
}

#[test]
fn the_public_copy_is_silent_in_the_passage_and_identical_elsewhere() {
    let env = Env::with_archive();
    let (id, src) = restricted(&env);
    let out = env.path().join("copies/21-public.wav");
    let (code, _, err) = cmd(
        &env,
        &[
            "access-copy",
            &id,
            "--access",
            "public",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (orig, copy) = (samples(&src), samples(&out));
    assert_eq!(orig.len(), copy.len());
    let (a, b) = (13 * 4000, 18 * 4000);
    assert!(
        orig[a..b].iter().any(|s| *s != 0),
        "the test needs sound to silence"
    );
    assert!(copy[a..b].iter().all(|s| *s == 0));
    assert_eq!(orig[..a], copy[..a]);
    assert_eq!(orig[b..], copy[b..]);
    // The custodian's copy is the original, sample for sample.
    let full = env.path().join("full.wav");
    assert_eq!(
        cmd(
            &env,
            &[
                "access-copy",
                &id,
                "--access",
                "custodian",
                "--out",
                full.to_str().unwrap()
            ]
        )
        .0,
        0
    );
    assert_eq!(samples(&full), orig);
    // No stray temp file is left beside the copies.
    let names: Vec<String> = std::fs::read_dir(env.path().join("copies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["21-public.wav"]);
}

#[test]
fn access_copy_refuses_what_it_cannot_make() {
    let env = Env::with_archive();
    let (id, _) = restricted(&env);
    let doc = env.write("doc.txt", "a fictional note");
    let doc_id = env.import(&[&doc], &[])[0]["id"].to_string();
    let (code, _, err) = cmd(&env, &["access-copy", &doc_id, "--out", "x.wav"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a recording"), "{err}");
    assert_eq!(cmd(&env, &["access", "--close", &id]).0, 0);
    let (code, _, _) = cmd(
        &env,
        &["access-copy", &id, "--access", "public", "--out", "y.wav"],
    );
    assert_eq!(code, 13);
    assert!(!env.path().join("y.wav").exists());
    // Another codec without ffmpeg: exit 2 naming it (with ffmpeg it is made).
    let mut mp3 = b"ID3\x03\x00\x00\x00\x00\x00\x00".to_vec();
    mp3.extend(std::iter::repeat_n(0u8, 256));
    let p = env.write("talk.mp3", mp3);
    let mid = env.import(&[&p], &[])[0]["id"].to_string();
    let (code, _, err) = cmd(
        &env,
        &["access-copy", &mid, "--access", "public", "--out", "z.mp3"],
    );
    if !custos::access_copy::ffmpeg_installed() {
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("ffmpeg"), "{err}");
    }
}

#[test]
fn a_public_bag_carries_the_copy_and_the_filtered_transcript_never_the_original() {
    let env = Env::with_archive();
    let (id, src) = restricted(&env);
    let original = sha256_hex(&std::fs::read(&src).unwrap());
    let bag = env.path().join("public-bag");
    let (code, _, err) = cmd(
        &env,
        &[
            "export",
            "--bag",
            bag.to_str().unwrap(),
            "--access",
            "public",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let records: Value =
        serde_json::from_slice(&std::fs::read(bag.join("metadata/records.json")).unwrap()).unwrap();
    let rec = records
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(id.as_str()))
        .expect("the recording is exported");
    assert_eq!(rec["sha256"], Value::Null);
    assert_eq!(rec["access_copy"], true);
    assert_eq!(rec["passages_closed"][0]["from"], "00:00:13.000");
    let texts: Vec<&str> = rec["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"[passage closed]") && !texts.iter().any(|t| t.contains("Quellwater")),
        "{texts:?}"
    );
    let payload = bag.join(rec["payload"].as_str().unwrap());
    let copy = samples(&payload);
    assert!(copy[13 * 4000..18 * 4000].iter().all(|s| *s == 0));
    for (name, bytes) in walk(&bag) {
        assert!(
            !crate::seed::contains(&bytes, original.as_bytes()),
            "{name} names the original's digest"
        );
        assert_ne!(sha256_hex(&bytes), original, "{name} is the original");
    }
    // The custodian's bag keeps the original.
    let cbag = env.path().join("custodian-bag");
    assert_eq!(
        cmd(
            &env,
            &[
                "export",
                "--bag",
                cbag.to_str().unwrap(),
                "--access",
                "custodian"
            ]
        )
        .0,
        0
    );
    assert!(walk(&cbag).iter().any(|(_, b)| sha256_hex(b) == original));
}

fn walk(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// A custodian bag carries the recording's standing restrictions, its
/// transcript and its segments; imported into another archive, the passage
/// is closed again: silent in the public copy, a marker in the transcript.
#[test]
fn a_custodian_round_trip_keeps_the_passage_closed() {
    let env = Env::with_archive();
    let (id, src) = restricted(&env);
    let bag = env.path().join("bag");
    let (code, _, err) = cmd(
        &env,
        &[
            "export",
            "--access",
            "custodian",
            "--bag",
            bag.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let other = Env::with_archive();
    let (code, _, err) = cmd(&other, &["import", "--bag", bag.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let list = other.json(&["query", "--access", "custodian", "--format", "json"]);
    let new = list[0]["id"].as_i64().expect("imported").to_string();
    let v = other.json(&[
        "restrict",
        &new,
        "--list",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["reason"], "names a neighbour");
    assert_eq!(v[0]["from"], "00:00:13.000");
    // The whole transcript is back for the custodian, closed below.
    let t = other.json(&[
        "transcript",
        "show",
        &new,
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(t.as_array().map(Vec::len), Some(4), "{t}");
    let t = other.json(&[
        "transcript",
        "show",
        &new,
        "--access",
        "public",
        "--format",
        "json",
    ]);
    assert!(!t.to_string().contains("Quellwater"), "{t}");
    assert!(t.to_string().contains("[passage closed]"), "{t}");
    // And the public access copy is silent in 00:13–00:18 again.
    let out = other.path().join("public.wav");
    let (code, _, err) = cmd(
        &other,
        &[
            "access-copy",
            &new,
            "--access",
            "public",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (orig, copy) = (samples(&src), samples(&out));
    assert_eq!(orig.len(), copy.len());
    assert!(copy[13 * 4000..18 * 4000].iter().all(|s| *s == 0));
    assert_ne!(orig[13 * 4000..18 * 4000], copy[13 * 4000..18 * 4000]);
    assert_eq!(orig[..13 * 4000], copy[..13 * 4000]);
    let _ = id;
}

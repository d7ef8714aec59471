//! Transcripts, segments and passage restrictions of a recording (issue
//! 12) through the real binary: formats read and refused with their line,
//! history kept, segments checked against the duration and round-tripped,
//! and a closed passage replaced by one marker below its level. The
//! interview is fictional.

use serde_json::Value;

use crate::harness::{run, Env};
use crate::recordings::{import_one, wav};

pub const VTT: &str = "WEBVTT\n\nNOTE A fictional interview.\n\n00:00:01.000 --> 00:00:05.000\n<v Interviewer>Where were you that night?\n\n00:00:05.000 --> 00:00:12.000\n<v Narrator>We hid in the cellar by the bridge.\n\n00:00:12.000 --> 00:00:20.000\n<v Narrator>My neighbour Osric Quellwater brought bread.\n\n00:00:20.000 --> 00:00:30.000\n<v Narrator>In the morning we crossed the ford.\n";

pub fn cmd(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

/// A 40-second recording with VTT set; its id.
pub fn interview(env: &Env) -> String {
    let (id, _) = import_one(env, &wav(env, "interview.wav", 40, 4000));
    let id = id.to_string();
    env.write("interview.vtt", VTT);
    let (code, _, err) = cmd(env, &["transcript", "set", &id, "interview.vtt"]);
    assert_eq!(code, 0, "{err}");
    id
}

fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|c| c["text"].as_str().expect("text").to_string())
        .collect()
}

#[test]
fn transcripts_are_read_in_each_format_and_shown_back() {
    let env = Env::with_archive();
    let id = interview(&env);
    let v = env.json(&["transcript", "show", &id, "--format", "json"]);
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(v[1]["speaker"], "Narrator");
    assert_eq!(v[1]["start"], "00:00:05.000");
    let (_, vtt, _) = cmd(&env, &["transcript", "show", &id, "--format", "vtt"]);
    assert!(
        vtt.starts_with("WEBVTT") && vtt.contains("00:00:12.000 --> 00:00:20.000"),
        "{vtt}"
    );

    env.write("t.srt", "1\n00:00:01,500 --> 00:00:03,000\nFirst line\n\n2\n00:00:03,000 --> 00:00:04,000\nSecond\n");
    assert_eq!(cmd(&env, &["transcript", "set", &id, "t.srt"]).0, 0);
    let v = env.json(&["transcript", "show", &id, "--format", "json"]);
    assert_eq!(texts(&v), ["First line", "Second"]);
    assert_eq!(v[0]["start"], "00:00:01.500");

    env.write("t.xml", "<ROOT><record><transcript>One.\nTwo.\nThree.</transcript><sync>1:|2(0)</sync></record></ROOT>");
    assert_eq!(
        cmd(&env, &["transcript", "set", &id, "t.xml"]).0,
        2,
        "sync past the recording's 40 s"
    );
    env.write("t.txt", "Plain words of a fictional narrator.");
    assert_eq!(cmd(&env, &["transcript", "set", &id, "t.txt"]).0, 0);
    let (_, text, _) = cmd(&env, &["transcript", "show", &id, "--format", "text"]);
    assert!(text.contains("Plain words"), "{text}");

    // Every replacement is kept, for the custodian.
    let h = env.json(&[
        "transcript",
        "show",
        &id,
        "--history",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    let formats: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["vtt", "srt", "text"]);
    assert_eq!(h[2]["current"], true);
    assert_eq!(h[0]["current"], false);
    assert_eq!(
        cmd(
            &env,
            &[
                "transcript",
                "show",
                &id,
                "--history",
                "--access",
                "research"
            ]
        )
        .0,
        13
    );
}

#[test]
fn invalid_transcripts_are_refused_with_their_line() {
    let env = Env::with_archive();
    let id = interview(&env);
    for (name, body, want) in [
        ("bad.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:09.000 --> 00:00:03.000\nbackwards\n", "line 6"),
        ("bad2.vtt", "WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nx\n", "line 3"),
        ("nohead.vtt", "00:00:01.000 --> 00:00:02.000\nx\n", "line 1"),
        ("bad.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\nTWO\n00:00:02,000 --> 00:00:03,000\nx\n", "line 5"),
        ("bad.xml", "<ROOT><transcript>a</transcript>\n<sync>1:|9(0)</sync></ROOT>", "line 2"),
        ("long.vtt", "WEBVTT\n\n00:00:01.000 --> 00:01:00.000\ntoo long\n", "beyond the recording's duration"),
    ] {
        env.write(name, body);
        let (code, _, err) = cmd(&env, &["transcript", "set", &id, name]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
    }
    // The transcript set before is untouched.
    let v = env.json(&["transcript", "show", &id, "--format", "json"]);
    assert_eq!(v.as_array().unwrap().len(), 4);
    let doc = env.write("doc.txt", "not a recording");
    let out = env.import(&[&doc], &[]);
    let (code, _, err) = cmd(
        &env,
        &[
            "transcript",
            "set",
            &out[0]["id"].to_string(),
            "interview.vtt",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not a recording"), "{err}");
}

#[test]
fn segments_are_checked_listed_and_round_trip() {
    let env = Env::with_archive();
    let id = interview(&env);
    let add = |extra: &[&str]| cmd(&env, &[&["segment", "add", &id][..], extra].concat());
    let (code, _, err) = add(&[
        "--start",
        "00:00:05",
        "--end",
        "00:00:12",
        "--title",
        "The cellar",
        "--synopsis",
        "Hiding; fictional.",
        "--keywords",
        "cellar, bridge",
        "--place",
        "Corran Ford",
        "--event",
        "The Ford fire",
        "--subject",
        "rescue",
        "--partial-transcript",
        "We hid",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = add(&["--start", "20", "--end", "00:45", "--title", "Too long"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("00:00:45") && err.contains("00:00:40"),
        "{err}"
    );
    let (code, _, err) = add(&["--start", "20", "--end", "20", "--title", "Empty"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("end 00:00:20 is not after start 00:00:20"),
        "{err}"
    );
    let (code, _, err) = add(&["--start", "1:2:3:4", "--end", "20", "--title", "Bad"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1:2:3:4"), "{err}");

    let list = env.json(&["segment", "list", &id, "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["keywords"], serde_json::json!(["cellar", "bridge"]));
    assert_eq!(list[0]["places"], serde_json::json!(["Corran Ford"]));

    // Export as OHMS and as WebVTT chapters into a second recording: every
    // field comes back.
    let (other, _) = import_one(&env, &wav(&env, "other.wav", 40, 8000));
    let other = other.to_string();
    for format in ["ohms", "vtt"] {
        let (code, body, err) = cmd(&env, &["segment", "export", &id, "--format", format]);
        assert_eq!(code, 0, "{err}");
        let file = format!("index.{format}");
        env.write(&file, body);
        let (code, _, err) = cmd(&env, &["segment", "import", &other, &file]);
        assert_eq!(code, 0, "{format}: {err}");
    }
    let back = env.json(&["segment", "list", &other, "--format", "json"]);
    assert_eq!(back.as_array().unwrap().len(), 2);
    // Every field but the id, which each archive row has its own of.
    let fields = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("id");
        v
    };
    assert_eq!(fields(&back[0]), fields(&list[0]), "ohms round trip");
    assert_eq!(fields(&back[1]), fields(&list[0]), "vtt round trip");
    assert_ne!(back[0]["id"], back[1]["id"]);

    env.write(
        "broken.xml",
        "<ROOT><index><point><time>5</time></point></index></ROOT>",
    );
    let (code, _, err) = cmd(&env, &["segment", "import", &other, "broken.xml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.xml") && err.contains("no <title>"),
        "{err}"
    );
}

#[test]
fn a_closed_passage_is_one_marker_below_its_level() {
    let env = Env::with_archive();
    let id = interview(&env);
    let (code, _, err) = cmd(
        &env,
        &[
            "restrict",
            &id,
            "--from",
            "00:13",
            "--to",
            "00:18",
            "--reason",
            "names a neighbour",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        cmd(
            &env,
            &[
                "segment",
                "add",
                &id,
                "--start",
                "12",
                "--end",
                "20",
                "--title",
                "Bread from Osric Quellwater"
            ]
        )
        .0,
        0
    );
    for level in ["public", "research"] {
        let v = env.json(&[
            "transcript",
            "show",
            &id,
            "--format",
            "json",
            "--access",
            level,
        ]);
        assert_eq!(
            texts(&v),
            [
                "Where were you that night?",
                "We hid in the cellar by the bridge.",
                "[passage closed]",
                "In the morning we crossed the ford."
            ],
            "{level}"
        );
        assert_eq!(
            (v[2]["start"].as_str(), v[2]["end"].as_str()),
            (Some("00:00:13.000"), Some("00:00:18.000"))
        );
        assert_eq!(v[2]["closed"], true);
        for format in ["vtt", "srt", "text", "csv", "table"] {
            let (code, out, _) = cmd(
                &env,
                &[
                    "transcript",
                    "show",
                    &id,
                    "--format",
                    format,
                    "--access",
                    level,
                ],
            );
            assert_eq!(code, 0);
            assert!(
                !out.contains("Quellwater") && out.contains("[passage closed]"),
                "{level} {format}: {out}"
            );
        }
        for format in ["ohms", "vtt"] {
            let (_, out, _) = cmd(
                &env,
                &[
                    "segment", "export", &id, "--format", format, "--access", level,
                ],
            );
            assert!(!out.contains("Quellwater"), "{level} {format}: {out}");
        }
    }
    let v = env.json(&[
        "transcript",
        "show",
        &id,
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    assert!(texts(&v).iter().any(|t| t.contains("Quellwater")));

    // A passage closed below research only: research hears it, public does not.
    let (code, _, _) = cmd(
        &env,
        &[
            "restrict",
            &id,
            "--from",
            "1",
            "--to",
            "2",
            "--reason",
            "r",
            "--level",
            "research",
            "--until",
            "2099-01-01",
        ],
    );
    assert_eq!(code, 0);
    let v = env.json(&[
        "transcript",
        "show",
        &id,
        "--format",
        "json",
        "--access",
        "research",
    ]);
    assert_eq!(v[0]["text"], "Where were you that night?");
    let v = env.json(&[
        "transcript",
        "show",
        &id,
        "--format",
        "json",
        "--access",
        "public",
    ]);
    assert_eq!(v[0]["text"], "[passage closed]");
    assert_eq!(v[0]["closed_until"], "2099-01-01");

    let list = env.json(&[
        "restrict",
        &id,
        "--list",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["reason"], "names a neighbour");
    assert_eq!(
        cmd(&env, &["restrict", &id, "--list", "--access", "research"]).0,
        13
    );

    // Lifting reopens it; lifting again, or a restriction that is not
    // there, is refused.
    assert_eq!(cmd(&env, &["restrict", &id, "--lift", "1"]).0, 0);
    let v = env.json(&[
        "transcript",
        "show",
        &id,
        "--format",
        "json",
        "--access",
        "research",
    ]);
    assert!(texts(&v).iter().any(|t| t.contains("Quellwater")));
    assert_eq!(cmd(&env, &["restrict", &id, "--lift", "1"]).0, 2);
    assert_eq!(cmd(&env, &["restrict", &id, "--lift", "9"]).0, 2);

    for (args, want) in [
        (
            vec!["--from", "30", "--to", "50", "--reason", "x"],
            "beyond the recording's duration",
        ),
        (
            vec!["--from", "30", "--to", "30", "--reason", "x"],
            "not after start",
        ),
        (
            vec![
                "--from",
                "1",
                "--to",
                "2",
                "--reason",
                "x",
                "--until",
                "2001-01-01",
            ],
            "not in the future",
        ),
    ] {
        let (code, _, err) = cmd(&env, &[&["restrict", &id][..], &args].concat());
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(want), "{err}");
    }
    let types: Vec<String> = env
        .json(&["log", &id, "--format", "json", "--access", "custodian"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .filter(|t| t == "passage_restriction")
        .collect();
    assert_eq!(types.len(), 3, "two restrictions and one lift");
}

#[test]
fn a_closed_item_gives_no_transcript_below_custodian() {
    let env = Env::with_archive();
    let id = interview(&env);
    assert_eq!(cmd(&env, &["access", "--close", &id]).0, 0);
    for args in [
        vec!["transcript", "show", &id, "--access", "public"],
        vec!["segment", "list", &id, "--access", "research"],
        vec![
            "segment", "export", &id, "--format", "ohms", "--access", "public",
        ],
    ] {
        let (code, out, err) = cmd(&env, &args);
        assert_eq!(code, 13, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(!err.contains("Quellwater"));
    }
    assert_eq!(cmd(&env, &["transcript", "show", "999"]).0, 2);
}

#[test]
fn a_segment_is_removed_by_its_id_and_leaves_search() {
    let env = Env::with_archive();
    let id = interview(&env);
    for (start, end, title) in [
        ("5", "12", "The quinceyard cellar"),
        ("20", "30", "The crossing"),
    ] {
        let (code, _, err) = cmd(
            &env,
            &[
                "segment", "add", &id, "--start", start, "--end", end, "--title", title,
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let list = env.json(&["segment", "list", &id, "--format", "json"]);
    let first = list[0]["id"].as_i64().expect("segments carry their ids");
    let found = |q: &str| {
        env.json(&["query", q, "--format", "json"])
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(found("quinceyard"), 1);
    let (code, _, err) = cmd(&env, &["segment", "remove", &id, "999"]);
    assert_eq!(code, 2);
    assert!(err.contains("no segment 999"), "{err}");
    let (code, _, err) = cmd(&env, &["segment", "remove", &id, &first.to_string()]);
    assert_eq!(code, 0, "{err}");
    let after = env.json(&["segment", "list", &id, "--format", "json"]);
    assert_eq!(after.as_array().unwrap().len(), 1);
    assert_eq!(after[0]["title"], "The crossing");
    assert_eq!(found("quinceyard"), 0, "its words left the index");
    let log = env.json(&["log", &id, "--access", "custodian", "--format", "json"]);
    let removed = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "segment_change")
        .any(|e| e["detail"]["removed"] == serde_json::json!([first]));
    assert!(removed, "{log}");
}

/// A restriction's end day is put in the history (issue 12: "expiry ... are
/// events"): the policy reopens the passage on the day; the next `verify`
/// or `restrict` records it once, and `restrict --list` shows it ended.
#[test]
fn a_restriction_whose_day_has_come_is_recorded_as_ended() {
    let env = Env::with_archive();
    let id = interview(&env);
    let at = |now: &str, args: &[&str]| {
        let mut c = env.cmd();
        c.env("CUSTOS_NOW", now).args(args);
        run(c)
    };
    let before = "2029-12-31T12:00:00Z";
    let after = "2030-01-01T09:00:00Z";
    let (code, _, err) = at(
        before,
        &[
            "restrict",
            &id,
            "--from",
            "12",
            "--to",
            "20",
            "--reason",
            "names a neighbour",
            "--until",
            "2030-01-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = at(before, &["transcript", "show", &id, "--access", "public"]);
    assert!(!out.contains("Quellwater"), "{out}");
    // The day before: nothing to record.
    let (code, _, err) = at(before, &["verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("ended on its day"), "{err}");
    // On the day: open, and the first verify records it, once.
    let (_, out, _) = at(after, &["transcript", "show", &id, "--access", "public"]);
    assert!(out.contains("Quellwater"), "{out}");
    let (code, _, err) = at(after, &["verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "item {id}: passage restriction 1 ended on its day"
        )),
        "{err}"
    );
    let (code, _, err) = at(after, &["verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("ended on its day"), "{err}");
    let expired: Vec<Value> = env
        .json(&["log", &id, "--format", "json", "--access", "custodian"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "passage_restriction" && e["outcome"] == "expired")
        .cloned()
        .collect();
    assert_eq!(expired.len(), 1, "{expired:?}");
    let list = env.json(&[
        "restrict",
        &id,
        "--list",
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert!(!list[0]["lifted"].is_null(), "{list}");
}

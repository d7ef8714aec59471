//! The portal's pages beyond search and items (issue 15, "webpages"):
//! download of originals where `policy::download` lets them leave, the
//! narrator page, the claims of a term, and the cache of access copies.
//! Every person, place and recording here is fictional; the recordings
//! are synthesised.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use super::server::Server;
use crate::harness::Env;
use crate::recordings::{import_one, wav};
use crate::seed::{self, run};

fn ok(env: &Env, args: &[&str]) {
    let (code, _, err) = run(env, args);
    assert_eq!(code, 0, "custos {args:?}: {err}");
}

fn redact(env: &Env, item: i64, terms: &str) {
    let out = env
        .cmd()
        .args(["redact", &item.to_string()])
        .write_stdin(terms)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Item ids of the download archive.
struct Items {
    doc: i64,
    named: i64,
    anonymous: i64,
    redacted: i64,
    hidden: i64,
    recording: i64,
    named_narrator: i64,
    anonymous_narrator: i64,
    hidden_narrator: i64,
}

/// A document, a named and an anonymous narrator's public testimonies, a
/// redacted document, a withdrawn (hidden) testimony, and a recording with
/// a passage closed below research.
fn archive() -> (Env, Items) {
    let env = Env::with_archive();
    seed::key_init(&env);
    let doc_path = env.write(
        "intake/Ilse Varnow letter.txt",
        "Fictional letter about Orvenna Mill.\n",
    );
    let doc = env.import(&[doc_path.as_path()], &[])[0]["id"]
        .as_i64()
        .unwrap();
    let named_narrator = seed::narrator(
        &env,
        "Invented Legal Pagesname",
        &[
            "--anonymity",
            "named",
            "--display",
            "Mara Oskel",
            "--birth-year",
            "1931",
        ],
    );
    let named = seed::testimony(
        &env,
        "named.txt",
        "Fictional testimony about the ferry at Orvenna.",
        named_narrator,
        &[],
    );
    seed::set_consent(&env, named, "granted", Some("public"), None);
    let anonymous_narrator = seed::narrator(
        &env,
        "Invented Legal Anonname",
        &[
            "--anonymity",
            "anonymous",
            "--display",
            "A. from Orvenna",
            "--birth-year",
            "1937",
        ],
    );
    let anonymous = seed::testimony(
        &env,
        "anonymous.txt",
        "Fictional words of a hidden voice.",
        anonymous_narrator,
        &[],
    );
    seed::set_consent(&env, anonymous, "granted", Some("public"), None);
    let red_path = env.write(
        "intake/red.txt",
        "The keeper PAGESREDACTED opened the sluice.\n",
    );
    let redacted = env.import(&[red_path.as_path()], &[])[0]["id"]
        .as_i64()
        .unwrap();
    redact(&env, redacted, "PAGESREDACTED\n");
    let hidden_narrator = seed::narrator(
        &env,
        "Invented Legal Hiddenname",
        &["--anonymity", "named", "--display", "PAGESHIDDENNARRATOR"],
    );
    let hidden = seed::testimony(
        &env,
        "hidden.txt",
        "Fictional PAGESHIDDENWORD.",
        hidden_narrator,
        &[],
    );
    seed::set_consent(&env, hidden, "granted", Some("public"), None);
    seed::set_consent(&env, hidden, "withdrawn", None, Some("fictional"));
    let src = wav(&env, "interview.wav", 20, 4000);
    let (recording, _) = import_one(&env, &src);
    ok(
        &env,
        &[
            "restrict",
            &recording.to_string(),
            "--from",
            "5",
            "--to",
            "8",
            "--level",
            "research",
            "--reason",
            "fictional neighbour",
        ],
    );
    (
        env,
        Items {
            doc,
            named,
            anonymous,
            redacted,
            hidden,
            recording,
            named_narrator,
            anonymous_narrator,
            hidden_narrator,
        },
    )
}

fn object(env: &Env, item: i64) -> Vec<u8> {
    let show = env.json(&[
        "show",
        &item.to_string(),
        "--format",
        "json",
        "--access",
        "custodian",
    ]);
    let sha = show["sha256"].as_str().expect("sha256");
    std::fs::read(
        env.path()
            .join("objects")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(sha),
    )
    .or_else(|_| {
        // The archive folder may keep objects elsewhere: find by digest.
        let root = env.path();
        walk(root, sha).ok_or(())
    })
    .expect("the stored object")
}

fn walk(dir: &std::path::Path, name: &str) -> Option<Vec<u8>> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(b) = walk(&p, name) {
                return Some(b);
            }
        } else if p.file_name().is_some_and(|n| n == name) {
            return std::fs::read(&p).ok();
        }
    }
    None
}

#[test]
fn an_original_leaves_only_where_the_policy_lets_it() {
    let (env, it) = archive();
    let s = Server::start(&env, &["--access", "public"]);

    // An open document: the stored bytes, as an attachment named by id.
    let path = format!("/items/{}/original", it.doc);
    let a = s.get(&path);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.body, object(&env, it.doc));
    let cd = a.header("content-disposition").expect("disposition");
    assert_eq!(cd, format!("attachment; filename=\"item-{}.txt\"", it.doc));
    assert!(
        !a.all_bytes().windows(5).any(|w| w == b"Varno"),
        "the original name"
    );
    assert!(a.header("content-type").unwrap().starts_with("text/plain"));
    assert!(a.header("last-modified").is_none());
    // A range.
    let r = s.get_with(&path, &[("range", "bytes=0-9")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, &object(&env, it.doc)[..10]);
    assert!(r.header("content-range").unwrap().starts_with("bytes 0-9/"));
    let page = s.get(&format!("/items/{}", it.doc)).text();
    assert!(page.contains(&path), "the item page links the download");

    // A named narrator's testimony leaves.
    assert_eq!(s.get(&format!("/items/{}/original", it.named)).status, 200);

    // An anonymous narrator's does not: 403 with a reason, no link.
    let a = s.get(&format!("/items/{}/original", it.anonymous));
    assert_eq!(a.status, 403);
    assert!(a.text().contains("anonymous"), "{}", a.text());
    assert!(!a.text().contains("hidden voice"));
    let page = s.get(&format!("/items/{}", it.anonymous)).text();
    assert!(!page.contains("/original\""), "no download link");
    assert!(page.contains("narrator of this testimony is anonymous"));

    // A redacted document never leaves.
    let a = s.get(&format!("/items/{}/original", it.redacted));
    assert_eq!(a.status, 403);
    assert!(!a.text().contains("PAGESREDACTED"));

    // A hidden item answers exactly as a missing one.
    let hidden = s.get(&format!("/items/{}/original", it.hidden));
    let missing = s.get("/items/999999/original");
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.without_date(), missing.without_date());
    assert_eq!(
        s.get("/items/x/original").without_date(),
        missing.without_date()
    );

    // A passage closed below research keeps the recording in at public.
    let rec = format!("/items/{}/original", it.recording);
    assert_eq!(s.get(&rec).status, 403);
    drop(s);
    let s = Server::start(&env, &["--access", "research"]);
    let a = s.get(&rec);
    assert_eq!(a.status, 200);
    assert_eq!(a.body, object(&env, it.recording));
    assert!(a.header("content-type").unwrap().starts_with("audio/"));
    assert_eq!(
        a.header("content-disposition").unwrap(),
        format!("attachment; filename=\"item-{}.wav\"", it.recording)
    );
}

#[test]
fn a_research_download_is_logged() {
    let (env, it) = archive();
    let (code, token, err) = run(
        &env,
        &[
            "token",
            "create",
            "--access",
            "research",
            "--label",
            "Dr. Invented Pages",
            "--expires",
            "2099-12-31",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let s = Server::start(&env, &["--access", "public"]);
    let bearer = format!("Bearer {}", token.trim());
    let a = s.get_with(
        &format!("/items/{}/original", it.doc),
        &[("authorization", &bearer)],
    );
    assert_eq!(a.status, 200);
    // Refused downloads are not downloads.
    let a = s.get_with(
        &format!("/items/{}/original", it.anonymous),
        &[("authorization", &bearer)],
    );
    assert_eq!(a.status, 403);
    drop(s);
    let log = env.json(&["token", "log", "--format", "json"]);
    let downloads: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["what"] == "download")
        .collect();
    assert_eq!(downloads.len(), 1, "{log}");
    assert_eq!(downloads[0]["item"], it.doc, "{log}");
}

#[test]
fn a_narrator_page_shows_the_display_form_and_the_open_testimonies() {
    let (env, it) = archive();
    let s = Server::start(&env, &["--access", "public"]);
    let named = s.get(&format!("/narrators/{}", it.named_narrator));
    assert_eq!(named.status, 200);
    let t = named.text();
    assert!(t.contains("Mara Oskel"), "{t}");
    assert!(t.contains("1931"), "a named narrator's birth year: {t}");
    assert!(!t.contains("Pagesname"), "never a legal name: {t}");
    assert!(t.contains(&format!("href=\"/items/{}\"", it.named)), "{t}");
    // The item page links to it.
    let item = s.get(&format!("/items/{}", it.named)).text();
    assert!(item.contains(&format!("/narrators/{}", it.named_narrator)));

    let anon = s.get(&format!("/narrators/{}", it.anonymous_narrator));
    assert_eq!(anon.status, 200);
    let t = anon.text();
    assert!(t.contains("A. from Orvenna"), "{t}");
    assert!(
        !t.contains("1937"),
        "an anonymous narrator's birth year: {t}"
    );
    assert!(!t.contains("Anonname"), "{t}");

    // No testimony open at this level: as missing, byte for byte.
    let hidden = s.get(&format!("/narrators/{}", it.hidden_narrator));
    let missing = s.get("/narrators/999999");
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.without_date(), missing.without_date());
    assert!(!hidden.text().contains("PAGESHIDDENNARRATOR"));
    assert_eq!(s.get("/narrators/x").without_date(), missing.without_date());
    // The API: what `narrator show` prints at public, where the page
    // exists; the API's one 404 where it does not.
    let api = s.get(&format!("/api/narrators/{}", it.anonymous_narrator));
    assert_eq!(api.status, 200);
    let api: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    let cli = env.json(&[
        "narrator",
        "show",
        &it.anonymous_narrator.to_string(),
        "--access",
        "public",
        "--format",
        "json",
    ]);
    assert_eq!(api, cli);
    assert!(api.get("birth_year").is_none_or(|y| y.is_null()), "{api}");
    let missing = s.get("/api/items/999999").without_date();
    for path in [
        format!("/api/narrators/{}", it.hidden_narrator),
        "/api/narrators/999999".into(),
        "/api/narrators/x".into(),
    ] {
        let a = s.get(&path);
        assert!(!a.text().contains("PAGESHIDDENNARRATOR"), "{path}");
        assert_eq!(a.without_date(), missing, "{path}");
    }
    drop(s);
    // The custodian alone sees the anonymous narrator's birth year, on
    // the command line (the portal never serves that level).
    let show = env.json(&[
        "narrator",
        "show",
        &it.anonymous_narrator.to_string(),
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(show["birth_year"], 1937, "{show}");
}

#[test]
fn the_claims_page_keeps_every_visible_claim_side_by_side() {
    let (env, it) = archive();
    let art = env.write(
        "intake/article.txt",
        "Fictional article on the Harbour fire of Velmora.\n",
    );
    let art = env.import(&[art.as_path()], &["--event", "Harbour fire"])[0]["id"]
        .as_i64()
        .unwrap();
    let (a, d, r) = (art.to_string(), it.doc.to_string(), it.redacted.to_string());
    for args in [
        vec![
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "48",
            "--source",
            &a,
            "--locator",
            "p. 3",
        ],
        vec![
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "90",
            "--source",
            &d,
        ],
        // A redacted source is not open below custodian: its claim is not shown.
        vec![
            "claim",
            "add",
            "event:Harbour fire",
            "fatalities",
            "7",
            "--source",
            &r,
            "--quote",
            "PAGESCLAIMQUOTE",
        ],
    ] {
        ok(&env, &args);
    }
    let s = Server::start(&env, &["--access", "public"]);
    let term = s.get("/terms/event/Harbour%20fire");
    assert_eq!(term.status, 200);
    assert!(
        term.text().contains("/terms/event/Harbour%20fire/claims"),
        "the term page links its claims"
    );
    let c = s.get("/terms/event/Harbour%20fire/claims");
    assert_eq!(c.status, 200);
    let t = c.text();
    assert_eq!(t.matches("<tr class=\"claim\">").count(), 2, "{t}");
    for want in [
        "48",
        "90",
        "p. 3",
        &format!("href=\"/items/{art}\""),
        &format!("href=\"/items/{}\"", it.doc),
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    assert_eq!(
        t.matches("disputed</td>").count(),
        2,
        "both kept and marked: {t}"
    );
    assert!(!t.contains("PAGESCLAIMQUOTE"), "{t}");
    assert!(
        !t.contains(&format!("href=\"/items/{}\"", it.redacted)),
        "{t}"
    );
    // The same claims as `claim list` at public.
    let list = env.json(&[
        "claim",
        "list",
        "event:Harbour fire",
        "--access",
        "public",
        "--format",
        "json",
    ]);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    // The API answers what `claim list` prints, row for row.
    let api = s.get("/api/terms/event/Harbour%20fire/claims");
    assert_eq!(api.status, 200);
    let api: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(api, list);
    // A term no reader at this level may know: as missing.
    let unknown = s.get("/terms/event/Nowhere%20fire/claims");
    assert_eq!(
        unknown.without_date(),
        s.get("/items/999999").without_date()
    );
    assert_eq!(
        s.get("/api/terms/event/Nowhere%20fire/claims")
            .without_date(),
        s.get("/api/items/999999").without_date()
    );
}

fn samples(bytes: &[u8]) -> Vec<i16> {
    hound::WavReader::new(std::io::Cursor::new(bytes))
        .expect("wav")
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// The cached copies' files (the cache's one directory under TMPDIR).
fn cached(tmp: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(tmp).unwrap().flatten() {
        if d.file_name()
            .to_string_lossy()
            .starts_with("custos-access-copies-")
        {
            for f in std::fs::read_dir(d.path()).unwrap().flatten() {
                out.push(f.path());
            }
        }
    }
    out
}

#[test]
fn an_access_copy_is_cached_until_a_passage_changes_it() {
    let env = Env::with_archive();
    let src = wav(&env, "talk.wav", 12, 4000);
    let (id, _) = import_one(&env, &src);
    let tmp = env.path().join("servertmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = env.spawnable();
    cmd.env("TMPDIR", &tmp);
    // The cache a killed server left (its process id is gone).
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let orphan = tmp.join(format!("custos-access-copies-{}-Zz9Yy8", gone.id()));
    gone.wait().unwrap();
    std::fs::create_dir(&orphan).unwrap();
    std::fs::write(orphan.join("0".repeat(64)), b"an old copy").unwrap();
    let s = Server::spawn(cmd, &["--access", "public"]);
    let path = format!("/items/{id}/audio");

    let first = s.get(&path);
    assert_eq!(first.status, 200);
    assert!(!orphan.exists(), "the killed server's cache is removed");
    let files = cached(&tmp);
    assert_eq!(files.len(), 1, "one copy built and kept");
    let mode = std::fs::metadata(files[0].parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "the cache is private");
    assert_eq!(std::fs::read(&files[0]).unwrap(), first.body);
    // The next request (and its ranges) come from the cache: a mark put
    // into the cached file is served back.
    let mut marked = first.body.clone();
    let n = marked.len();
    marked[n - 4..].copy_from_slice(b"MARK");
    std::fs::write(&files[0], &marked).unwrap();
    assert_eq!(s.get(&path).body, marked);
    let r = s.get_with(&path, &[("range", &format!("bytes={}-", n - 4))]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, b"MARK");

    // A passage closed after the first request: the next copy is silent
    // in it, whatever the cache held.
    ok(
        &env,
        &[
            "restrict",
            &id.to_string(),
            "--from",
            "3",
            "--to",
            "6",
            "--reason",
            "fictional",
        ],
    );
    let after = s.get(&path);
    assert_eq!(after.status, 200);
    assert_ne!(after.body, marked);
    let (orig, copy) = (samples(&std::fs::read(&src).unwrap()), samples(&after.body));
    assert_eq!(orig.len(), copy.len());
    let (a, b) = (3 * 4000, 6 * 4000);
    assert!(orig[a..b].iter().any(|s| *s != 0));
    assert!(
        copy[a..b].iter().all(|s| *s == 0),
        "the new passage is silent"
    );
    assert_eq!(orig[..a], copy[..a]);
    assert_eq!(cached(&tmp).len(), 2, "a new key, a new copy");
    // Lifting it gives the original sound back (the first key again).
    ok(&env, &["restrict", &id.to_string(), "--lift", "1"]);
    assert_eq!(s.get(&path).body, marked, "the first key's copy");
    assert_eq!(s.stop(), Some(0));
    assert!(cached(&tmp).is_empty(), "the cache is removed at shutdown");
}

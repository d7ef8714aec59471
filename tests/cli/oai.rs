//! OAI-PMH at `/oai` (issue 15), through a real `custos serve` on a
//! loopback port: a real harvester (sickle, from PyPI) harvests ListRecords
//! and ListIdentifiers completely across resumption tokens and gets
//! exactly the items `list --access public` shows open; the protocol's
//! errors; a closed item answers exactly as a missing one. `Server` and
//! `get` are shared with the OAI leak check and the browser test.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Env;

/// A `custos serve` child on a loopback port, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `custos serve --listen 127.0.0.1:0` with `args` and `envs`,
    /// and waits for the address it prints.
    pub fn start(env: &Env, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let mut c = env.spawnable();
        c.args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("spawn custos serve");
        let mut stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut buf = [0u8; 512];
            let mut sent = false;
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen).to_string();
                if !sent {
                    if let Some(addr) = text
                        .split("http://")
                        .nth(1)
                        .and_then(|r| r.split('/').next())
                        .and_then(|a| a.parse::<SocketAddr>().ok())
                    {
                        let _ = tx.send(Ok(addr));
                        sent = true;
                    }
                }
            }
            if !sent {
                let _ = tx.send(Err(String::from_utf8_lossy(&seen).to_string()));
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(addr)) => Server { child, addr },
            Ok(Err(stderr)) => {
                let _ = child.kill();
                panic!("custos serve did not start: {stderr}")
            }
            Err(_) => {
                let _ = child.kill();
                panic!("custos serve printed no address within a minute")
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 exchange: (status, headers lower-cased, body).
pub fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra = if method == "POST" {
        format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        )
    } else {
        String::new()
    };
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n{body}"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    assert!(Instant::now() < deadline, "{path} took over 30 s");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("a header");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, head.to_ascii_lowercase(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

pub fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    request(addr, "GET", path, "")
}

/// The response without its responseDate (the one part that varies).
fn undated(xml: &str) -> String {
    match (xml.find("<responseDate>"), xml.find("</responseDate>")) {
        (Some(a), Some(b)) => format!("{}{}", &xml[..a], &xml[b..]),
        _ => xml.to_string(),
    }
}

fn error_code(xml: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .find(|n| n.tag_name().name() == "error")
        .and_then(|n| n.attribute("code"))
        .map(str::to_string)
}

/// An archive with more public records than one page of 3, a closed one,
/// one restricted to research and a withdrawn-like hidden testimony.
fn archive() -> (Env, Vec<i64>) {
    let env = Env::with_archive();
    let mut ids = env.import_fixtures();
    for i in 0..6 {
        // Fictional letters of an invented harbour town.
        let p = env.write(
            &format!("letters/letter-{i}.txt"),
            format!(
                "Letter {i} from the harbour master of Oster Vale, about the <tide> & the boats."
            ),
        );
        let out = env.import(
            &[&p],
            &["--kind", "letter", "--collection", "Harbour letters"],
        );
        ids.extend(out.iter().filter_map(|o| o["id"].as_i64()));
    }
    assert!(ids.len() >= 10, "fixture items: {ids:?}");
    env.cmd()
        .args(["access", "--close"])
        .arg(ids[0].to_string())
        .assert()
        .success();
    env.cmd()
        .args(["access", "--restrict", "research"])
        .arg(ids[1].to_string())
        .assert()
        .success();
    (env, ids)
}

/// Items `list --access public` shows open, as OAI identifiers.
fn public_open(env: &Env) -> Vec<String> {
    let rows = env.json(&["list", "--access", "public", "--format", "json"]);
    let mut v: Vec<String> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["access"] == "open")
        .map(|r| format!("oai:custos.invalid:{}", r["id"]))
        .collect();
    v.sort();
    v
}

const HARVEST: &str = r#"
import json, sys
from sickle import Sickle
s = Sickle(sys.argv[1], max_retries=0)
records = [(r.header.identifier, r.metadata.get("title", [None])[0])
           for r in s.ListRecords(metadataPrefix="oai_dc")]
headers = [h.identifier for h in s.ListIdentifiers(metadataPrefix="oai_dc")]
letters = [h.identifier for h in s.ListIdentifiers(metadataPrefix="oai_dc", set="kind:letter")]
sets = [(x.setSpec, x.setName) for x in s.ListSets()]
ident = s.Identify()
print(json.dumps({"records": records, "headers": headers, "letters": letters,
                  "sets": sets, "granularity": ident.granularity,
                  "deleted": ident.deletedRecord}))
"#;

fn has_sickle() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import sickle"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn sickle_harvests_exactly_the_public_open_records_across_pages() {
    if !has_sickle() {
        eprintln!("skipping: python3 sickle is not installed (pip install sickle)");
        return;
    }
    let (env, ids) = archive();
    let server = Server::start(&env, &[], &[("CUSTOS_OAI_PAGE_SIZE", "3")]);
    let script = env.write("harvest.py", HARVEST);
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(server.url("/oai"))
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "sickle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut harvested: Vec<String> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap().to_string())
        .collect();
    let n = harvested.len();
    harvested.sort();
    harvested.dedup();
    assert_eq!(harvested.len(), n, "a record was harvested twice");
    let expected = public_open(&env);
    assert!(expected.len() > 3, "more than one page: {expected:?}");
    assert_eq!(harvested, expected);
    let closed = format!("oai:custos.invalid:{}", ids[0]);
    let restricted = format!("oai:custos.invalid:{}", ids[1]);
    assert!(!harvested.contains(&closed) && !harvested.contains(&restricted));
    // Every record carries its (public) title.
    assert!(v["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r[1].as_str().is_some_and(|t| !t.is_empty())));
    let mut headers: Vec<String> = serde_json::from_value(v["headers"].clone()).unwrap();
    headers.sort();
    assert_eq!(headers, expected);
    assert_eq!(v["letters"].as_array().unwrap().len(), 6);
    assert_eq!(v["granularity"], "YYYY-MM-DD");
    assert_eq!(v["deleted"], "no");
    let sets = v["sets"].to_string();
    assert!(
        sets.contains("kind:letter") && sets.contains("Collection: Harbour letters"),
        "{sets}"
    );
}

#[test]
fn protocol_errors_and_a_closed_item_answer_like_a_missing_one() {
    let (env, ids) = archive();
    let server = Server::start(
        &env,
        &["--access", "research"],
        &[("CUSTOS_OAI_PAGE_SIZE", "3")],
    );
    let a = server.addr;
    let code = |path: &str| {
        let (status, head, body) = get(a, path);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(head.contains("content-type: text/xml"), "{path}: {head}");
        error_code(&body)
    };
    assert_eq!(code("/oai").as_deref(), Some("badVerb"));
    assert_eq!(code("/oai?verb=Nope").as_deref(), Some("badVerb"));
    assert_eq!(
        code("/oai?verb=Identify&x=1").as_deref(),
        Some("badArgument")
    );
    assert_eq!(
        code("/oai?verb=ListRecords&metadataPrefix=marc21").as_deref(),
        Some("cannotDisseminateFormat")
    );
    assert_eq!(
        code("/oai?verb=ListRecords&resumptionToken=forged").as_deref(),
        Some("badResumptionToken")
    );
    assert_eq!(
        code("/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01").as_deref(),
        Some("noRecordsMatch")
    );
    assert_eq!(
        code("/oai?verb=ListRecords&metadataPrefix=oai_dc&set=kind:novel").as_deref(),
        Some("noRecordsMatch")
    );
    assert_eq!(
        code("/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T00:00:00Z").as_deref(),
        Some("badArgument")
    );
    assert_eq!(code("/oai?verb=Identify"), None);
    // POST with a form body is the same protocol.
    let (_, _, body) = request(a, "POST", "/oai", "verb=ListSets");
    assert_eq!(error_code(&body), None);
    assert!(body.contains("<setSpec>kind:letter</setSpec>"), "{body}");

    // The closed item, the one restricted to research (served at research
    // level, but OAI harvests only what the public sees) and an id that
    // never existed: one answer, byte for byte but the date.
    let ask = |id: String| {
        let (s, h, b) = get(
            a,
            &format!(
                "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:custos.invalid:{id}"
            ),
        );
        (
            s,
            h.lines()
                .filter(|l| !l.starts_with("date:"))
                .map(str::to_string)
                .collect::<Vec<_>>(),
            undated(&b).replace(&format!("custos.invalid:{id}\""), "custos.invalid:N\""),
        )
    };
    let missing = ask("999999".into());
    assert_eq!(
        error_code(
            &get(
                a,
                "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:custos.invalid:999999"
            )
            .2
        )
        .as_deref(),
        Some("idDoesNotExist")
    );
    for hidden in [ids[0], ids[1]] {
        let got = ask(hidden.to_string());
        assert_eq!(got.0, missing.0);
        assert_eq!(got.2, missing.2, "item {hidden}");
        let len = |h: &Vec<String>| h.iter().find(|l| l.starts_with("content-length")).cloned();
        assert_eq!(len(&got.1).is_some(), len(&missing.1).is_some());
    }
    let open = ids[2];
    let (_, _, body) = get(
        a,
        &format!("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:custos.invalid:{open}"),
    );
    assert_eq!(error_code(&body), None, "{body}");
    assert!(
        body.contains(&format!("/items/{open}</dc:identifier>")),
        "{body}"
    );

    // A resumption token continues where the page ended, with a cursor.
    let (_, _, first) = get(
        a,
        "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:letter",
    );
    let doc = roxmltree::Document::parse(&first).unwrap();
    let tok = doc
        .descendants()
        .find(|n| n.tag_name().name() == "resumptionToken")
        .expect("a token: six letters, pages of three");
    assert_eq!(tok.attribute("completeListSize"), Some("6"));
    assert_eq!(tok.attribute("cursor"), Some("0"));
    let (_, _, second) = get(
        a,
        &format!(
            "/oai?verb=ListIdentifiers&resumptionToken={}",
            tok.text().unwrap()
        ),
    );
    let doc2 = roxmltree::Document::parse(&second).unwrap();
    let last = doc2
        .descendants()
        .find(|n| n.tag_name().name() == "resumptionToken")
        .expect("the last page's empty token");
    assert_eq!(last.text(), None);
    assert_eq!(last.attribute("cursor"), Some("3"));
    let count = |d: &roxmltree::Document| {
        d.descendants()
            .filter(|n| n.tag_name().name() == "header")
            .count()
    };
    assert_eq!(count(&doc) + count(&doc2), 6);
}

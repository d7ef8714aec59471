//! The leak test over OAI-PMH (issue 15): `custos serve` on the leak
//! archive, at public and at research level (OAI harvests only what the
//! public sees, whatever level the portal serves), every verb, every page
//! of every list, GetRecord and ListMetadataFormats for every item id and
//! for ids that do not exist; status lines, headers and bodies scanned for
//! every canary the public may not see. A positive control: the open
//! testimony's public title canary is harvested.

use super::fixture::{self, Level};
use super::scan::{Findings, Invocation};
use super::table::Run;
use crate::oai::{get, Server};

fn token(xml: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .find(|n| n.tag_name().name() == "resumptionToken")
        .and_then(|n| n.text())
        .map(str::to_string)
}

#[test]
fn no_oai_response_shows_what_the_public_may_not_see() {
    let fx = fixture::build();
    let mut findings = Findings::default();
    let mut seen_titles = 0;
    for served in ["public", "research"] {
        let server = Server::start(
            &fx.env,
            &["--access", served],
            &[("CUSTOS_OAI_PAGE_SIZE", "2")],
        );
        let mut paths: Vec<String> = [
            "/oai?verb=Identify",
            "/oai?verb=ListMetadataFormats",
            "/oai?verb=ListSets",
            "/oai?verb=ListRecords&metadataPrefix=oai_dc",
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let max = fx.items.values().max().copied().unwrap_or(0) + 3;
        for id in 1..=max {
            let oai_id = format!("oai:custos.invalid:{id}");
            paths.push(format!(
                "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id}"
            ));
            paths.push(format!("/oai?verb=ListMetadataFormats&identifier={oai_id}"));
        }
        let mut i = 0;
        while i < paths.len() {
            let path = paths[i].clone();
            i += 1;
            let (status, head, body) = get(server.addr, &path);
            assert_eq!(status, 200, "{path}: {body}");
            if let Some(t) = token(&body) {
                let verb = if path.contains("ListRecords") {
                    "ListRecords"
                } else {
                    "ListIdentifiers"
                };
                paths.push(format!("/oai?verb={verb}&resumptionToken={t}"));
            }
            if body.contains("LEAKCANARYTITLEPUB") {
                seen_titles += 1;
            }
            let inv = Invocation {
                path: "serve /oai",
                argv: vec![format!("serve --access {served}"), path.clone()],
                level: Level::Public,
                out: None,
                run: Run::Serial,
            };
            findings.check(&inv, &fx.canaries, "the headers", head.as_bytes(), false);
            findings.check(&inv, &fx.canaries, "the body", body.as_bytes(), false);
        }
    }
    assert!(
        findings.leaks.is_empty(),
        "OAI-PMH leaks:\n{}",
        findings
            .leaks
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The scan saw real records: the open testimony is harvested.
    assert!(
        seen_titles > 0,
        "no OAI response carried the public testimony's title"
    );
    assert!(!findings.seen.is_empty());
}

//! Request parsing, tokens and the XML envelope, without an archive (the
//! harvest over a real archive is tested through `custos serve` in
//! tests/cli/oai.rs).

use chrono::{NaiveDate, TimeZone, Utc};

use super::harvest::{Content, Record, Resumption};
use super::request::{self, ErrorCode, Kind, Selection, SetSpec, Start, Verb};
use super::token::{self, Token};
use super::{xml, Config};

fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn code(pairs: &[(&str, &str)]) -> ErrorCode {
    request::parse(&p(pairs)).expect_err("an error").code
}

#[test]
fn verbs_and_their_arguments() {
    assert_eq!(code(&[]), ErrorCode::BadVerb);
    assert_eq!(code(&[("verb", "ListThings")]), ErrorCode::BadVerb);
    assert_eq!(
        code(&[("verb", "Identify"), ("verb", "Identify")]),
        ErrorCode::BadVerb
    );
    assert_eq!(
        code(&[("verb", "Identify"), ("set", "x")]),
        ErrorCode::BadArgument
    );
    assert_eq!(code(&[("verb", "ListRecords")]), ErrorCode::BadArgument);
    assert_eq!(
        code(&[("verb", "ListRecords"), ("metadataPrefix", "marc21")]),
        ErrorCode::CannotDisseminateFormat
    );
    assert_eq!(
        code(&[
            ("verb", "ListRecords"),
            ("metadataPrefix", "oai_dc"),
            ("metadataPrefix", "oai_dc")
        ]),
        ErrorCode::BadArgument
    );
    assert_eq!(
        code(&[("verb", "GetRecord"), ("identifier", "oai:h:1")]),
        ErrorCode::BadArgument
    );
    assert_eq!(
        code(&[("verb", "ListIdentifiers"), ("resumptionToken", "nonsense")]),
        ErrorCode::BadResumptionToken
    );
    assert_eq!(
        code(&[("verb", "ListSets"), ("resumptionToken", "x")]),
        ErrorCode::BadResumptionToken
    );
    let ok = request::parse(&p(&[("verb", "Identify")])).expect("valid");
    assert_eq!(ok.verb, Verb::Identify);
    assert_eq!(ok.kind, Kind::Identify);
}

#[test]
fn datestamps_are_days_and_ordered() {
    let list = |from: &str, until: &str| {
        request::parse(&p(&[
            ("verb", "ListIdentifiers"),
            ("metadataPrefix", "oai_dc"),
            ("from", from),
            ("until", until),
        ]))
    };
    assert!(list("2026-01-01", "2026-12-31").is_ok());
    for (f, u) in [
        ("2026-01-01T00:00:00Z", "2026-12-31"),
        ("2026-13-01", "2026-12-31"),
        ("2026-1-1", "2026-12-31"),
        ("2026-12-31", "2026-01-01"),
    ] {
        assert_eq!(
            list(f, u).expect_err("refused").code,
            ErrorCode::BadArgument,
            "{f} {u}"
        );
    }
}

#[test]
fn a_token_is_exclusive_and_must_be_ours() {
    let t = Token {
        headers_only: true,
        selection: Selection {
            set: Some("kind:letter".into()),
            from: NaiveDate::from_ymd_opt(2026, 1, 2),
            until: None,
        },
        after: 41,
        cursor: 100,
        complete_size: 250,
    };
    let s = token::encode(&t);
    assert_eq!(token::decode(&s), Some(t.clone()));
    // Any change to the string is refused, not reinterpreted.
    assert_eq!(token::decode(&format!("{s}A")), None);
    assert_eq!(token::decode(&s[1..]), None);
    let req =
        request::parse(&p(&[("verb", "ListIdentifiers"), ("resumptionToken", &s)])).expect("valid");
    assert_eq!(
        req.kind,
        Kind::List {
            headers_only: true,
            start: Start::Resume(t)
        }
    );
    // With another argument, or for the other list verb, it is refused.
    assert_eq!(
        code(&[
            ("verb", "ListIdentifiers"),
            ("resumptionToken", &s),
            ("metadataPrefix", "oai_dc")
        ]),
        ErrorCode::BadArgument
    );
    assert_eq!(
        code(&[("verb", "ListRecords"), ("resumptionToken", &s)]),
        ErrorCode::BadResumptionToken
    );
}

#[test]
fn set_specs_round_trip_any_collection_name() {
    for name in ["Box 12", "Ոսկե ձոր", "a:b/c&<d>", "Ëxtra \"quoted\""] {
        let s = SetSpec::Collection(name.into());
        let spec = s.spec();
        // setSpec's own grammar: unreserved ASCII and colons only.
        assert!(spec.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':'));
        assert_eq!(SetSpec::parse(&spec), Some(s));
    }
    assert_eq!(SetSpec::parse("kind:letter"), Some(SetSpec::Kind("letter")));
    assert_eq!(SetSpec::parse("kind:novel"), None);
    assert_eq!(SetSpec::parse("collection:zz"), None);
    assert_eq!(SetSpec::parse("kind"), None);
}

#[test]
fn identifiers_name_this_repository_only() {
    assert_eq!(
        request::item_number("oai:example.org:17", "example.org"),
        Some(17)
    );
    for bad in [
        "oai:other.org:17",
        "oai:example.org:",
        "oai:example.org:017",
        "oai:example.org:1x",
        "17",
        "oai:example.org:99999999999999999999999",
    ] {
        assert_eq!(request::item_number(bad, "example.org"), None, "{bad}");
    }
}

fn cfg() -> Config {
    Config::new(
        "http://127.0.0.1:8080/",
        "Test <archive> & co",
        "a@example.org",
    )
}

fn parse_xml(s: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(s).expect("well-formed XML")
}

#[test]
fn config_derives_urls_and_namespace() {
    let c = cfg();
    assert_eq!(c.base_url, "http://127.0.0.1:8080/oai");
    assert_eq!(c.site_url, "http://127.0.0.1:8080");
    // An IP address is not an oai-identifier namespace; a domain is.
    assert_eq!(c.repository_id, super::UNNAMED_REPOSITORY);
    let d = Config::new("https://archive.example.org/portal", "A", "a@example.org");
    assert_eq!(d.repository_id, "archive.example.org");
    assert_eq!(d.base_url, "https://archive.example.org/portal/oai");
}

#[test]
fn values_are_escaped_and_control_characters_dropped() {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let rec = Record {
        identifier: "oai:127.0.0.1:3".into(),
        datestamp: "2026-11-01".into(),
        sets: vec!["kind:letter".into()],
        dc: vec![
            ("dc:title", "<b>Tom & \"Jerry\"</b>\u{1}\u{0}".into()),
            ("dc:creator", "Ана Ґеорґієва".into()),
        ],
    };
    let content = Content::List {
        headers_only: false,
        records: vec![rec],
        resumption: Some(Resumption {
            value: String::new(),
            complete_size: 101,
            cursor: 100,
        }),
    };
    let args = p(&[("metadataPrefix", "oai_dc"), ("set", "kind:letter")]);
    let out =
        xml::envelope(&cfg(), now, Some((Verb::ListRecords, &args)), Ok(content)).expect("written");
    assert!(!out.contains("<b>"), "{out}");
    let doc = parse_xml(&out);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "OAI-PMH");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.openarchives.org/OAI/2.0/")
    );
    let title = doc
        .descendants()
        .find(|n| n.tag_name().name() == "title")
        .and_then(|n| n.text())
        .expect("a title");
    assert_eq!(title, "<b>Tom & \"Jerry\"</b>");
    let title_ns = doc
        .descendants()
        .find(|n| n.tag_name().name() == "title")
        .and_then(|n| n.tag_name().namespace());
    assert_eq!(title_ns, Some("http://purl.org/dc/elements/1.1/"));
    let request = doc
        .descendants()
        .find(|n| n.tag_name().name() == "request")
        .expect("request");
    assert_eq!(request.attribute("verb"), Some("ListRecords"));
    assert_eq!(request.attribute("set"), Some("kind:letter"));
    assert_eq!(request.text(), Some("http://127.0.0.1:8080/oai"));
    let tok = doc
        .descendants()
        .find(|n| n.tag_name().name() == "resumptionToken")
        .expect("token");
    assert_eq!(tok.attribute("completeListSize"), Some("101"));
    assert_eq!(tok.attribute("cursor"), Some("100"));
    assert_eq!(tok.text(), None);
    assert_eq!(
        doc.descendants()
            .find(|n| n.tag_name().name() == "responseDate")
            .and_then(|n| n.text()),
        Some("2026-11-29T12:00:00Z")
    );
}

#[test]
fn identify_declares_granularity_and_deletions() {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let out = xml::envelope(
        &cfg(),
        now,
        Some((Verb::Identify, &[])),
        Ok(Content::Identify {
            earliest: "2026-01-05".into(),
        }),
    )
    .expect("written");
    let doc = parse_xml(&out);
    let get = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    assert_eq!(
        get("repositoryName").as_deref(),
        Some("Test <archive> & co")
    );
    assert_eq!(get("deletedRecord").as_deref(), Some("no"));
    assert_eq!(get("granularity").as_deref(), Some("YYYY-MM-DD"));
    assert_eq!(get("earliestDatestamp").as_deref(), Some("2026-01-05"));
    assert_eq!(get("protocolVersion").as_deref(), Some("2.0"));
}

#[test]
fn errors_echo_no_arguments_for_bad_arguments() {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let err = request::parse(&p(&[("verb", "Identify"), ("x", "<y>")])).expect_err("refused");
    let out = xml::envelope(&cfg(), now, None, Err(err)).expect("written");
    let doc = parse_xml(&out);
    let request = doc
        .descendants()
        .find(|n| n.tag_name().name() == "request")
        .expect("request");
    assert_eq!(request.attributes().count(), 0);
    let e = doc
        .descendants()
        .find(|n| n.tag_name().name() == "error")
        .expect("error");
    assert_eq!(e.attribute("code"), Some("badArgument"));
}

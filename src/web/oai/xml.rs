//! The XML of OAI-PMH responses, written with quick-xml's `Writer`, which
//! escapes every text and attribute value. Characters XML 1.0 cannot carry
//! at all (most C0 controls) are dropped from values first, so a stray
//! control character in a title cannot make a response unparseable. It
//! writes what `harvest.rs` chose; it decides nothing.

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::harvest::{Content, Record, Resumption};
use super::request::{OaiError, Verb, OAI_DC};
use super::Config;

const OAI_NS: &str = "http://www.openarchives.org/OAI/2.0/";
const OAI_XSD: &str =
    "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const OAI_DC_NS: &str = "http://www.openarchives.org/OAI/2.0/oai_dc/";
const OAI_DC_XSD: &str = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd";
const IDENTIFIER_NS: &str = "http://www.openarchives.org/OAI/2.0/oai-identifier";
const IDENTIFIER_XSD: &str = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd";

type W = Writer<Vec<u8>>;
type IoResult = std::io::Result<()>;

/// Keeps only characters XML 1.0 allows (tab, newline, carriage return
/// and from U+0020 on, without the surrogates and U+FFFE/U+FFFF).
pub fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                || c >= '\u{10000}'
        })
        .collect()
}

fn text(w: &mut W, name: &str, value: &str) -> IoResult {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_safe(value)))?;
    Ok(())
}

/// The whole response: the envelope, `responseDate`, `request` (with its
/// arguments where `echo` is given) and the content or the error.
pub fn envelope(
    cfg: &Config,
    now: DateTime<Utc>,
    echo: Option<(Verb, &[(String, String)])>,
    content: Result<Content, OaiError>,
) -> std::io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("OAI-PMH")
        .with_attribute(("xmlns", OAI_NS))
        .with_attribute(("xmlns:xsi", XSI_NS))
        .with_attribute(("xsi:schemaLocation", OAI_XSD))
        .write_inner_content(|w| {
            text(
                w,
                "responseDate",
                &now.to_rfc3339_opts(SecondsFormat::Secs, true),
            )?;
            let mut req = w.create_element("request");
            if let Some((verb, args)) = echo {
                req = req.with_attribute(("verb", verb.as_str()));
                for (k, v) in args {
                    req = req.with_attribute((k.as_str(), xml_safe(v).as_str()));
                }
            }
            req.write_text_content(BytesText::new(&cfg.base_url))?;
            match &content {
                Err(e) => {
                    w.create_element("error")
                        .with_attribute(("code", e.code.as_str()))
                        .write_text_content(BytesText::new(&xml_safe(&e.message)))?;
                    Ok(())
                }
                Ok(c) => body(w, cfg, echo.map(|(v, _)| v.as_str()).unwrap_or(""), c),
            }
        })?;
    String::from_utf8(w.into_inner()).map_err(std::io::Error::other)
}

fn body(w: &mut W, cfg: &Config, verb: &str, c: &Content) -> IoResult {
    w.create_element(verb).write_inner_content(|w| match c {
        Content::Identify { earliest } => identify(w, cfg, earliest),
        Content::Formats => {
            w.create_element("metadataFormat")
                .write_inner_content(|w| {
                    text(w, "metadataPrefix", OAI_DC)?;
                    text(w, "schema", OAI_DC_XSD)?;
                    text(w, "metadataNamespace", OAI_DC_NS)
                })?;
            Ok(())
        }
        Content::Sets(sets) => {
            for (spec, name) in sets {
                w.create_element("set").write_inner_content(|w| {
                    text(w, "setSpec", spec)?;
                    text(w, "setName", name)
                })?;
            }
            Ok(())
        }
        Content::List {
            headers_only,
            records,
            resumption,
        } => {
            for r in records {
                if *headers_only {
                    header(w, r)?;
                } else {
                    record(w, r)?;
                }
            }
            if let Some(t) = resumption {
                token(w, t)?;
            }
            Ok(())
        }
        Content::Record(r) => record(w, r),
    })?;
    Ok(())
}

fn identify(w: &mut W, cfg: &Config, earliest: &str) -> IoResult {
    text(w, "repositoryName", &cfg.repository_name)?;
    text(w, "baseURL", &cfg.base_url)?;
    text(w, "protocolVersion", "2.0")?;
    text(w, "adminEmail", &cfg.admin_email)?;
    text(w, "earliestDatestamp", earliest)?;
    // Deletions are not kept: saying an item was deleted would say it
    // existed, which a closed or withdrawn testimony must not.
    text(w, "deletedRecord", "no")?;
    text(w, "granularity", "YYYY-MM-DD")?;
    w.create_element("description").write_inner_content(|w| {
        w.create_element("oai-identifier")
            .with_attribute(("xmlns", IDENTIFIER_NS))
            .with_attribute(("xmlns:xsi", XSI_NS))
            .with_attribute((
                "xsi:schemaLocation",
                format!("{IDENTIFIER_NS} {IDENTIFIER_XSD}").as_str(),
            ))
            .write_inner_content(|w| {
                text(w, "scheme", "oai")?;
                text(w, "repositoryIdentifier", &cfg.repository_id)?;
                text(w, "delimiter", ":")?;
                text(
                    w,
                    "sampleIdentifier",
                    &format!("oai:{}:17", cfg.repository_id),
                )
            })?;
        Ok(())
    })?;
    Ok(())
}

fn header(w: &mut W, r: &Record) -> IoResult {
    w.create_element("header").write_inner_content(|w| {
        text(w, "identifier", &r.identifier)?;
        text(w, "datestamp", &r.datestamp)?;
        for s in &r.sets {
            text(w, "setSpec", s)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn record(w: &mut W, r: &Record) -> IoResult {
    w.create_element("record").write_inner_content(|w| {
        header(w, r)?;
        w.create_element("metadata").write_inner_content(|w| {
            w.create_element("oai_dc:dc")
                .with_attribute(("xmlns:oai_dc", OAI_DC_NS))
                .with_attribute(("xmlns:dc", DC_NS))
                .with_attribute(("xmlns:xsi", XSI_NS))
                .with_attribute((
                    "xsi:schemaLocation",
                    format!("{OAI_DC_NS} {OAI_DC_XSD}").as_str(),
                ))
                .write_inner_content(|w| {
                    for (element, value) in &r.dc {
                        text(w, element, value)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn token(w: &mut W, t: &Resumption) -> IoResult {
    let el = w
        .create_element("resumptionToken")
        .with_attribute(("completeListSize", t.complete_size.to_string().as_str()))
        .with_attribute(("cursor", t.cursor.to_string().as_str()));
    if t.value.is_empty() {
        el.write_empty()?;
    } else {
        el.write_text_content(BytesText::new(&t.value))?;
    }
    Ok(())
}

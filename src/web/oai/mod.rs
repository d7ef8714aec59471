//! OAI-PMH 2.0 at `/oai`: other catalogues harvest the records the public
//! (anonymous) level may see in full, as `oai_dc`, through the six verbs of
//! the protocol, with sets (`kind:…`, `collection:…`), `from`/`until` day
//! datestamps and resumption tokens.
//!
//! The request is parsed and checked here (every argument repeated, unknown
//! or missing is `badArgument`); the records come from the library's query
//! path at `Access::Public`, shaped by the policy exactly as `custos list
//! --access public` shapes them (`harvest.rs`), and are written with
//! quick-xml, which escapes every value (`xml.rs`). It must never read at
//! another level, never decide visibility itself, and never tell a hidden
//! item from a missing one: both are `idDoesNotExist`. Deletions are not
//! tracked (`deletedRecord` is `no`): a record that stops being public
//! simply stops being listed, so no response can say that something was
//! there and is now closed.

mod harvest;
mod request;
mod token;
mod xml;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use custos::archive::Archive;

use request::ErrorCode;

/// The page size of ListRecords and ListIdentifiers.
pub const PAGE_SIZE: usize = 100;

/// What Identify says of the repository, and how large a page is.
#[derive(Debug, Clone)]
pub struct Config {
    /// The endpoint's own URL (`http://host:port/oai`), echoed in every
    /// response's `request` element.
    pub base_url: String,
    /// The site's root URL, for each record's `dc:identifier` (its item
    /// page).
    pub site_url: String,
    pub repository_name: String,
    pub admin_email: String,
    /// The `repositoryIdentifier` of OAI identifiers (`oai:ID:17`).
    pub repository_id: String,
    pub page_size: usize,
}

impl Config {
    /// A configuration for a site at `site_url` (no trailing slash).
    pub fn new(site_url: &str, repository_name: &str, admin_email: &str) -> Config {
        let site_url = site_url.trim_end_matches('/').to_string();
        // The identifier's namespace is the host, as the spec's
        // oai-identifier scheme recommends; a bare IP still parses.
        let host = site_url
            .split("://")
            .nth(1)
            .unwrap_or(&site_url)
            .split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost")
            .to_string();
        Config {
            base_url: format!("{site_url}/oai"),
            site_url,
            repository_name: repository_name.to_string(),
            admin_email: admin_email.to_string(),
            repository_id: host,
            page_size: PAGE_SIZE,
        }
    }
}

/// The response to one OAI-PMH request: HTTP status (200 for protocol
/// errors too, as the spec requires) and the XML body. A failure to read
/// the archive is a 500 whose body says nothing of the archive.
pub fn respond(
    archive: &Archive,
    cfg: &Config,
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> (u16, String) {
    let (echo, content) = match request::parse(params) {
        Ok(req) => match harvest::answer(archive, cfg, &req, now.date_naive()) {
            Ok(answer) => (Some((req.verb, req.args)), answer),
            Err(_) => return (500, "the archive could not be read\n".to_string()),
        },
        Err(err) => {
            // The arguments are echoed only when they were valid (spec
            // 3.2: not for badVerb or badArgument); parsing checks every
            // name before a value can fail otherwise.
            let echo = match err.code {
                ErrorCode::BadVerb | ErrorCode::BadArgument => None,
                _ => request::verb_of(params).map(|v| {
                    let args: Vec<(String, String)> = params
                        .iter()
                        .filter(|(k, _)| k != "verb")
                        .cloned()
                        .collect();
                    (v, args)
                }),
            };
            (echo, Err(err))
        }
    };
    let echo_ref = echo.as_ref().map(|(v, a)| (*v, a.as_slice()));
    match xml::envelope(cfg, now, echo_ref, content) {
        Ok(b) => (200, b),
        Err(_) => (500, "the response could not be written\n".to_string()),
    }
}

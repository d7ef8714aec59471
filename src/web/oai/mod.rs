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
pub mod route;
mod token;
mod xml;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use custos::archive::Archive;

use request::ErrorCode;

/// The page size of ListRecords and ListIdentifiers.
pub const PAGE_SIZE: usize = 100;

/// The repository identifier where the site's host is not a domain name.
pub const UNNAMED_REPOSITORY: &str = "custos.invalid";

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
        // The identifier's namespace is the host where it is a domain name
        // (the oai-identifier grammar wants one, with a dot, starting with
        // a letter); a loopback address or bare host gets a reserved one.
        let host = site_url
            .split("://")
            .nth(1)
            .unwrap_or(&site_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        let domain_like = host.contains('.')
            && host.split('.').all(|l| {
                l.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        let host = if domain_like {
            host
        } else {
            UNNAMED_REPOSITORY
        }
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

/// The configuration `custos serve` gives the endpoint: its public URL
/// (`--public-url`, else the address it listens on), the archive's
/// organization as the repository's name, and `--admin-email`.
pub fn for_serve(
    root: &std::path::Path,
    args: &custos::cli::ServeArgs,
    bound: std::net::SocketAddr,
) -> custos::error::Result<Arc<Config>> {
    let site = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"));
    let name = custos::config::Config::load(Some(root))?
        .effective()
        .organization
        .unwrap_or_else(|| "custos archive".to_string());
    let mut cfg = Config::new(
        &site,
        &name,
        args.admin_email.as_deref().unwrap_or(NO_EMAIL),
    );
    if let Some(n) = std::env::var("CUSTOS_OAI_PAGE_SIZE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        // Hidden: lets a test split a small archive into several pages.
        cfg.page_size = n;
    }
    Ok(Arc::new(cfg))
}

/// Identify's adminEmail when `--admin-email` is not given (the spec
/// requires one; `.invalid` says plainly that nobody reads it).
pub const NO_EMAIL: &str = "archivist@custos.invalid";

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

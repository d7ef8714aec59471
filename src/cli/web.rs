//! `custos serve`: the read-only web portal's command line. Only the
//! levels a portal may serve parse; `custodian` is refused here, before
//! the archive is opened.

use std::net::SocketAddr;

use clap::Args;

use crate::model::Access;

/// Serve the catalogue read-only on the web, under the same policy as the command line
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos serve\n  custos serve --listen 127.0.0.1:8080 --access public\n  custos serve --access research\n\nAnonymous readers get the --access level (public by default); a research token (custos token create) raises a reader to research when the server runs at public. The custodian level is never served. Stop with Ctrl-C or SIGTERM: requests in flight finish first.\nBinding anything but a loopback address without TLS is warned about: put a reverse proxy with TLS in front (README: Serving the archive to researchers)."
)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Level of anonymous readers: public or research (custodian is never served)
    #[arg(long, value_name = "LEVEL", default_value = "public", value_parser = served_level)]
    pub access: Access,

    /// The URL readers reach the portal at (behind a proxy: its https URL); OAI-PMH names records by its host
    #[arg(long, value_name = "URL", value_parser = http_url)]
    pub public_url: Option<String>,

    /// The contact address OAI-PMH's Identify gives harvesters
    #[arg(long, value_name = "EMAIL", value_parser = email)]
    pub admin_email: Option<String>,
}

fn http_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("the public URL starts with https:// or http://")?;
    if rest.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "?#\"<>".contains(c))
    {
        return Err(
            "the public URL is a plain http(s) URL: a host, an optional port and path".into(),
        );
    }
    Ok(s.trim_end_matches('/').to_string())
}

fn email(s: &str) -> Result<String, String> {
    match s.split_once('@') {
        Some((user, host))
            if !user.is_empty()
                && host.contains('.')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c)) =>
        {
            Ok(s.to_string())
        }
        _ => Err("an address like archivist@example.org".into()),
    }
}

fn served_level(s: &str) -> Result<Access, String> {
    let level = s.parse::<Access>()?;
    if crate::policy::served_on_web(level) {
        Ok(level)
    } else {
        Err("custodian is never served on the web; use public or research (and the command line for custodial work)".into())
    }
}

/// Web tokens: let a researcher read the portal at research level
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once (only its SHA-256 is kept)
    #[command(
        after_help = "Examples:\n  custos token create --access research --label \"Dr. A. Researcher\" --expires 2027-06-30\n\nThe token is printed once on stdout; store it or hand it over now. It is valid through --expires and until revoked.\nA reader presents it as `Authorization: Bearer TOKEN` or through the portal's sign-in form. Creation is a token_creation event."
    )]
    Create(TokenCreateArgs),
    /// List tokens: id, label, level, created, expires, revoked (never the secret)
    List(TokenListArgs),
    /// Revoke a token at once (a token_revocation event)
    Revoke(TokenRevokeArgs),
    /// The research access log: which token viewed or downloaded which item, when
    Log(TokenListArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Level the token grants: research (or public; custodian is never served)
    #[arg(long, value_name = "LEVEL", default_value = "research", value_parser = served_level)]
    pub access: Access,
    /// Who holds it (shown in `token list` and the access log)
    #[arg(long)]
    pub label: String,
    /// Last day the token is valid (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub expires: chrono::NaiveDate,
    /// Who records it (default: your login name)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    #[command(flatten)]
    pub output: crate::cli::OutputArgs,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (from `token list`)
    pub id: i64,
    /// Who records it (default: your login name)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

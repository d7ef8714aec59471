//! Arguments of `custos consent`: grant, restrict, withdraw, history.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::*;

/// Record and read the consent of a testimony
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos consent 17 grant --scope publication --date 2019-05-02 --evidence 18\n  custos consent 17 grant --scope research --date 2018-04-09 --embargo-until 2031-01-01\n  custos consent 17 restrict --scope archive --reason \"narrator asked to limit use\"\n  custos consent 17 embargo --until 2035-01-01 --reason \"narrator asked for longer\"\n  custos consent 17 withdraw --date 2026-11-20 --reason \"narrator's request by phone\"\n  custos consent 17 history\n\nA testimony with no consent recorded is pending and treated as closed. The latest event is the\ncurrent state; a withdrawal takes effect on every output at once. A new grant keeps the evidence,\nnote and embargo of the consent it follows unless given anew; move or lift an embargo with\n`embargo`. Scopes, narrowest first:\narchive (custodian only), research, publication, public."
)]
pub struct ConsentArgs {
    /// Item id of the testimony
    pub id: crate::model::ItemId,
    #[command(subcommand)]
    pub action: ConsentAction,
}

#[derive(Debug, Subcommand)]
pub enum ConsentAction {
    /// Record consent given for a scope, optionally embargoed until a date
    Grant(GrantArgs),
    /// Narrow the consent to a scope, with the reason
    Restrict(RestrictArgs),
    /// Record that consent was withdrawn: the testimony closes everywhere at once
    Withdraw(WithdrawArgs),
    /// Move the embargo of the current consent to a new date, or lift it
    Embargo(EmbargoArgs),
    /// The consent history of the testimony
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// How far the consent reaches: archive, research, publication, public
    #[arg(long, value_enum)]
    pub scope: crate::model::Scope,
    /// Date consent was given, YYYY-MM-DD (default: today)
    #[arg(long, value_parser = day)]
    pub date: Option<NaiveDate>,
    /// Item holding the signed release or the recorded verbal consent (default: the current one's)
    #[arg(long, value_name = "ITEM")]
    pub evidence: Option<crate::model::ItemId>,
    /// Closed to all but the custodian until this date, YYYY-MM-DD (open on the day; default: the current embargo)
    #[arg(long, value_name = "DATE", value_parser = day)]
    pub embargo_until: Option<NaiveDate>,
    /// A note on the consent (custodian only; default: the current one's)
    #[arg(long)]
    pub note: Option<String>,
    /// Who records it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestrictArgs {
    /// The narrower scope now allowed
    #[arg(long, value_enum)]
    pub scope: crate::model::Scope,
    /// Why (custodian only)
    #[arg(long, value_parser = nonempty)]
    pub reason: String,
    /// Date of the restriction, YYYY-MM-DD (default: today)
    #[arg(long, value_parser = day)]
    pub date: Option<NaiveDate>,
    /// A later embargo, YYYY-MM-DD (an existing embargo is never shortened)
    #[arg(long, value_name = "DATE", value_parser = day)]
    pub embargo_until: Option<NaiveDate>,
    /// Who records it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").required(true).args(["until", "lift"])))]
pub struct EmbargoArgs {
    /// The new end of the embargo, YYYY-MM-DD (open on the day)
    #[arg(long, value_name = "DATE", value_parser = day)]
    pub until: Option<NaiveDate>,
    /// End the embargo now (not for a restricted consent: a restriction only narrows)
    #[arg(long)]
    pub lift: bool,
    /// Date of the change, YYYY-MM-DD (default: today)
    #[arg(long, value_parser = day)]
    pub date: Option<NaiveDate>,
    /// Why (custodian only; default: the current consent's note)
    #[arg(long)]
    pub reason: Option<String>,
    /// Who records it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// Date consent was withdrawn, YYYY-MM-DD (default: today)
    #[arg(long, value_parser = day)]
    pub date: Option<NaiveDate>,
    /// Why (custodian only)
    #[arg(long, value_parser = nonempty)]
    pub reason: String,
    /// Who records it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

/// A calendar day as typed: YYYY-MM-DD, and a day that exists.
pub(super) fn day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a calendar date (YYYY-MM-DD, e.g. 2019-05-02)"))
}

fn nonempty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("cannot be empty".into())
    } else {
        Ok(s.to_string())
    }
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

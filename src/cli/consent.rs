//! Arguments of `custos consent`: grant, restrict, withdraw, history.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use clap::{Args, Subcommand};

use super::*;

/// Record and read the consent of a testimony
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos consent 17 grant --scope publication --date 2019-05-02 --evidence 18\n  custos consent 17 grant --scope research --date 2018-04-09 --embargo-until 2031-01-01\n  custos consent 17 restrict --scope archive --reason \"narrator asked to limit use\"\n  custos consent 17 withdraw --date 2026-11-20 --reason \"narrator's request by phone\"\n  custos consent 17 history\n\nA testimony with no consent recorded is pending and treated as closed. The latest event is the\ncurrent state; a withdrawal takes effect on every output at once. Scopes, narrowest first:\narchive (custodian only), research, publication, public."
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
    /// The consent history of the testimony
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// How far the consent reaches: archive, research, publication, public
    #[arg(long, value_enum)]
    pub scope: crate::model::Scope,
    /// Date consent was given, YYYY-MM-DD (default: today)
    #[arg(long)]
    pub date: Option<String>,
    /// Item holding the signed release or the recorded verbal consent
    #[arg(long, value_name = "ITEM")]
    pub evidence: Option<crate::model::ItemId>,
    /// Closed to all but the custodian until this date, YYYY-MM-DD (open on the day)
    #[arg(long, value_name = "DATE")]
    pub embargo_until: Option<String>,
    /// A note on the consent (custodian only)
    #[arg(long)]
    pub note: Option<String>,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestrictArgs {
    /// The narrower scope now allowed
    #[arg(long, value_enum)]
    pub scope: crate::model::Scope,
    /// Why (custodian only)
    #[arg(long)]
    pub reason: String,
    /// Date of the restriction, YYYY-MM-DD (default: today)
    #[arg(long)]
    pub date: Option<String>,
    /// A later embargo, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub embargo_until: Option<String>,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,
}

#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// Date consent was withdrawn, YYYY-MM-DD (default: today)
    #[arg(long)]
    pub date: Option<String>,
    /// Why (custodian only)
    #[arg(long)]
    pub reason: String,
    /// Who records it (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

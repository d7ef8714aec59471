//! Arguments of `custos access` (an item's own access: close, restrict,
//! open, history) and `custos settings` (the archive's intake default).
//!
//! Declarations only (clap derive); nothing here touches the archive.

use chrono::NaiveDate;
use clap::{ArgGroup, Args};

use super::consent::day;
use super::*;
use crate::model::{Intake, ItemId, RestrictTo};

/// Close, restrict or open items of any kind, or show an item's access history
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("change").args(["close", "restrict", "open", "history"]).required(true)),
    group(ArgGroup::new("history_alone").args(["history"]).conflicts_with_all(["query", "dry_run", "yes"])),
    group(ArgGroup::new("which").args(["ids", "query"]).required(true)),
    after_help = "Examples:\n  custos access 18 --close --reason \"release form: names a person and a phone number\"\n  custos access 21 22 --restrict research --until 2031-01-01\n  custos access --query 'collection:\"Box 12\"' --close --dry-run\n  custos access --query 'collection:\"Box 12\"' --open\n  custos access 18 --history\n\nclosed: listed below custodian as id, kind and collection only. restricted research: open to\nresearch and custodian, closed to public. --until DATE: the restriction ends on that day.\nA testimony is governed by its consent too: the stricter of the two always wins.\nEach item that changes gets one access_change event; a batch is one transaction."
)]
pub struct ItemAccessArgs {
    /// Items to change (or the one whose --history to show)
    #[arg(value_name = "ID")]
    pub ids: Vec<ItemId>,
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Close: nothing below custodian sees more than id, kind and collection
    #[arg(long)]
    pub close: bool,
    /// Restrict to a level: research (research and custodian see it; public sees it closed)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub restrict: Option<RestrictTo>,
    /// Open: the item's own restriction ends (a testimony's consent still governs it)
    #[arg(long)]
    pub open: bool,
    /// The restriction ends on this day, YYYY-MM-DD (open on the day)
    #[arg(long, value_name = "DATE", value_parser = day, conflicts_with_all = ["open", "history"])]
    pub until: Option<NaiveDate>,
    /// Why (custodian only)
    #[arg(long, conflicts_with = "history")]
    pub reason: Option<String>,
    /// Show the item's access history instead of changing it
    #[arg(long)]
    pub history: bool,
    /// Who records it (default: your login name)
    #[arg(long, value_name = "NAME", conflicts_with = "history")]
    pub by: Option<String>,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Show or change the archive's settings (today: intake)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos settings\n  custos settings intake\n  custos settings intake closed\n\nintake: the access a newly imported item starts with. closed (the default for new archives):\nnothing below custodian sees more than id, kind and collection until someone opens it with\n`custos access`. open: imported items are open at once (archives made before intake existed).\n`custos import --intake open|closed` overrides it for one run."
)]
pub struct SettingsArgs {
    /// The setting to show or change: intake
    #[arg(value_enum)]
    pub key: Option<SettingKey>,
    /// The new value (intake: open or closed)
    pub value: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The settings `custos settings` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SettingKey {
    Intake,
}

/// `--intake` of init and import.
#[derive(Debug, Args, Clone, Default)]
pub struct IntakeArgs {
    /// Access of newly imported items: closed (until described and opened) or open
    #[arg(long, value_enum, value_name = "STATE")]
    pub intake: Option<Intake>,
}

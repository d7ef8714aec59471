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

/// Show or change the archive's settings and your defaults (intake, by, organization, access)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos settings\n  custos settings intake closed\n  custos settings by \"M. Archivist\"\n  custos settings organization \"Harrow Valley Memory Project\" --user\n  custos settings access public\n\nintake: the access a newly imported item starts with, kept in the catalogue (a logged\nchange). closed (the default for new archives): nothing below custodian sees more than id,\nkind and collection until someone opens it with `custos access`. open: imported items are\nopen at once (archives made before intake existed). `import --intake` overrides it for one run.\n\nby, organization, access: defaults kept in custos.toml in the archive folder, or with --user\nin ~/.config/custos/config.toml (the archive's file wins; an option given on the command line\nwins over both). by: who does the work (--by). organization: a bag's Source-Organization.\naccess: the level read commands use without --access (export keeps public as its default).\nA file may also set intake, which then applies to your imports before the archive's setting."
)]
pub struct SettingsArgs {
    /// The setting to show or change
    #[arg(value_enum)]
    pub key: Option<SettingKey>,
    /// The new value (intake: open or closed; access: public, research or custodian)
    pub value: Option<String>,
    /// Change your own defaults (~/.config/custos/config.toml) rather than the archive's custos.toml
    #[arg(long)]
    pub user: bool,
    /// Remove the setting from the file instead of changing it
    #[arg(long, conflicts_with = "value")]
    pub unset: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The settings `custos settings` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SettingKey {
    Intake,
    By,
    Organization,
    Access,
}

/// `--intake` of init and import.
#[derive(Debug, Args, Clone, Default)]
pub struct IntakeArgs {
    /// Access of newly imported items: closed (until described and opened) or open
    #[arg(long, value_enum, value_name = "STATE")]
    pub intake: Option<Intake>,
}

//! Arguments of `custos accession` (add, list).
//!
//! Declarations only (clap derive); nothing here touches the archive.

use chrono::NaiveDate;
use clap::{ArgGroup, Args, Subcommand};

use super::consent::day;
use super::*;
use crate::model::ItemId;

/// Record accessions (what came in, from whom, when, under which agreement) and list them
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos accession add --number 2026.014 --donor \"Brenkel family\" --received 2026-11-03 --agreement 41 --extent \"1 box, 23 letters\"\n  custos import ~/intake/brenkel --accession 2026.014\n  custos accession list\n  custos report accessions --items\n\nThe donor agreement (an item) is the custodian's alone, like consent evidence. Below custodian,\nan accession is listed only through the items of it the reader may see, without its donor."
)]
pub struct AccessionArgs {
    #[command(subcommand)]
    pub action: AccessionAction,
}

#[derive(Debug, Subcommand)]
pub enum AccessionAction {
    /// Record an accession
    Add(AccessionAddArgs),
    /// One row per accession with its items and size (as `report accessions`)
    List {
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("agreement_given").args(["agreement", "agreement_note"]).required(true)))]
pub struct AccessionAddArgs {
    /// The accession number, unique in the archive (e.g. 2026.014)
    #[arg(long, value_name = "NUMBER")]
    pub number: String,
    /// Who gave or transferred the material (custodial detail)
    #[arg(long, value_name = "NAME")]
    pub donor: String,
    /// The day it was received, YYYY-MM-DD
    #[arg(long, value_name = "DATE", value_parser = day)]
    pub received: NaiveDate,
    /// The donor agreement, an imported item (it becomes the custodian's alone)
    #[arg(long, value_name = "ITEM")]
    pub agreement: Option<ItemId>,
    /// Where the agreement is, when it is not an item (e.g. "signed paper copy, safe 2")
    #[arg(long, value_name = "TEXT")]
    pub agreement_note: Option<String>,
    /// How much came in (e.g. "1 box, 23 letters, 2 cassettes")
    #[arg(long, value_name = "TEXT")]
    pub extent: Option<String>,
    /// A note for the custodian
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Who records it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

/// Remove items from the collection for good (a tombstone with the reason stays for the custodian)
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("which").args(["ids", "accession"]).required(true)),
    after_help = "Examples:\n  custos deaccession 18 --reason \"imported twice by mistake; item 12 is the same letter\"\n  custos deaccession 21 22 --reason \"returned to the donor, agreement of 2026-11-03\" --dry-run\n  custos deaccession --accession 2026.014 --reason \"donor withdrew the gift\" --purge-bytes --yes\n\nA deaccessioned item is gone from every listing, search, report, export and the web portal\nbelow custodian; the custodian sees a tombstone (id, kind, collection, day, reason) and its\nhistory. It is never reopened: access, consent, edit, tag and redact refuse it, and the same\nbytes imported again are skipped and named. --purge-bytes also erases the stored file, its\ntext and index entries (and its copies at sites); the digest stays. On a terminal custos asks first; --purge-bytes without a terminal needs --yes.\nThe evidence of a standing consent and an accession's donor agreement are refused (exit 13)."
)]
pub struct DeaccessionArgs {
    /// Items that leave the collection
    #[arg(value_name = "ID")]
    pub ids: Vec<ItemId>,
    /// Every item that came in this accession (its number, e.g. 2026.014)
    #[arg(long, value_name = "NUMBER", conflicts_with = "ids")]
    pub accession: Option<String>,
    /// Why they leave (kept in the history and shown to the custodian; do not put names of people here)
    #[arg(long)]
    pub reason: String,
    /// Also erase the stored bytes, their text and index entries (cannot be undone)
    #[arg(long)]
    pub purge_bytes: bool,
    /// List what would happen; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed for --purge-bytes without a terminal)
    #[arg(long, conflicts_with = "dry_run")]
    pub yes: bool,
    /// Who records it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub by: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

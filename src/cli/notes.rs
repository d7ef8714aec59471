//! Arguments of `custos note` (add, list, remove): an item's notes, each
//! public or custodial.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use clap::{ArgGroup, Args, Subcommand};

use super::*;
use crate::model::ItemId;

/// Add, list or remove an item's notes (public: whoever may open the item; custodial: the custodian alone)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos note add 18 --public \"Transcribed from a carbon copy; page 2 is missing.\"\n  custos note add 18 --custodial \"Page 3 names a neighbour still living in Ardan: check before any loan.\"\n  custos note add --query 'collection:\"Box 12\"' --public \"Received folded; flattened 2026-11.\"\n  custos note list 18\n  custos note remove 18 3\n\nA public note is shown wherever the item is open, except below custodian on a redacted item\n(a note is not redacted, and may name whom the redaction hides). A custodial note is the\ncustodian's alone. Each note added or removed is a metadata_modification event."
)]
pub struct NoteArgs {
    #[command(subcommand)]
    pub action: NoteAction,
}

#[derive(Debug, Subcommand)]
pub enum NoteAction {
    /// Add a note to items
    Add(NoteAddArgs),
    /// List an item's notes (as this level may see them)
    List {
        /// Item id
        id: ItemId,
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Remove a note (by the number `note list` shows)
    Remove {
        /// Item id
        id: ItemId,
        /// The note's number
        note: i64,
        /// Who removes it (default: your login name)
        #[arg(long = "by", alias = "agent", value_name = "NAME")]
        by: Option<String>,
    },
}

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("audience").args(["public", "custodial"]).required(true)),
    group(ArgGroup::new("which").args(["ids", "query"]).required(true)),
)]
pub struct NoteAddArgs {
    /// Items to add the note to
    #[arg(value_name = "ID")]
    pub ids: Vec<ItemId>,
    /// Add it to every item this query matches (as the custodian sees them)
    #[arg(long, value_name = "QUERY", conflicts_with = "ids")]
    pub query: Option<String>,
    /// A public note: shown to every reader the item is open to
    #[arg(long, value_name = "TEXT")]
    pub public: Option<String>,
    /// A custodial note: shown to the custodian alone
    #[arg(long, value_name = "TEXT")]
    pub custodial: Option<String>,
    /// Who adds it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub by: Option<String>,
}

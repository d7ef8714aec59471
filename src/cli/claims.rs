//! Arguments of `custos claim add|list|remove` and the typed subject of a
//! claim (a term written `vocab:name`, or an item id). Parsing only.

use std::str::FromStr;

use clap::{Args, Subcommand};

use super::*;
use crate::model::ItemId;

/// What a claim is about: `event:Harbour fire` or an item id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimSubjectArg {
    Term(TermRef),
    Item(ItemId),
}

impl FromStr for ClaimSubjectArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return ItemId::from_str(t)
                .map(ClaimSubjectArg::Item)
                .map_err(|_| format!("{s:?} is not an item id"));
        }
        TermRef::from_str(t).map(ClaimSubjectArg::Term)
    }
}

/// Record and list what sources say about a subject, side by side
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos claim add 'event:Harbour fire' fatalities 48 --source 31 --locator \"p. 4, citing the harbour master\"\n  custos claim add 'event:Harbour fire' fatalities 100+ --source 32 --quote \"more than a hundred\"\n  custos claim add 'event:Harbour fire' fatalities hundreds --source 33\n  custos claim add 'event:Harbour fire' date 1923-05-02 --source 31\n  custos claim list 'event:Harbour fire'\n  custos claim remove 4\n  custos report claims --disputed\n\nValues: 48 (exact), 90-100 (range), 100+ or >7000 (lower bound), <50 (upper bound), ~700 or\n\"around 700\" (approximate: ±10%), hundreds, thousands, ... (vague: an implied interval), an EDTF date\n(for date properties, or written YYYY-MM...), or text. --text keeps any value as text.\nA claim is shown only where its source item is open to the reader."
)]
pub struct ClaimArgs {
    #[command(subcommand)]
    pub action: ClaimAction,
}

#[derive(Debug, Subcommand)]
pub enum ClaimAction {
    /// Record what one source says about a subject
    Add(Box<AddClaimArgs>),
    /// The claims about a subject, as this reader may see them
    List {
        subject: ClaimSubjectArg,
        /// Only this property
        #[arg(long)]
        property: Option<String>,
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Remove a claim by its id (`claim list` shows ids)
    Remove {
        id: i64,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AddClaimArgs {
    /// A term (`event:Harbour fire`, by any of its names) or an item id
    pub subject: ClaimSubjectArg,
    /// What is claimed: fatalities, injured, displaced, date, perpetrator, ...
    pub property: String,
    /// The value as the source gives it
    pub value: String,
    /// The item that says it
    #[arg(long, value_name = "ITEM")]
    pub source: ItemId,
    /// Where in the source (a page, a paragraph, "X, cited")
    #[arg(long, value_name = "TEXT")]
    pub locator: Option<String>,
    /// The source's own words
    #[arg(long, value_name = "TEXT")]
    pub quote: Option<String>,
    /// The custodian's note
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Keep the value as text, whatever it looks like
    #[arg(long)]
    pub text: bool,
    /// Who is making the change (default: your login name)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

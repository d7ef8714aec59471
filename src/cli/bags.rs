//! Arguments of the BagIt commands: `bag validate` and `export`.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::*;

/// BagIt (RFC 8493) bags: check one handed to you
#[derive(Debug, Subcommand)]
pub enum BagCommand {
    Validate(BagValidateArgs),
}

/// Check a BagIt bag completely and list every reason it is not valid
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos bag validate ~/transfers/hvmp-2026-03\n  custos bag validate ./bag --format json | jq '.[].path'\n\nChecks bagit.txt (version 1.0 or 0.97, UTF-8), every payload manifest (sha256, sha512, sha1, md5, ...) against every file under data/, checksums, Payload-Oxum, tag manifests, percent-encoded names, and paths that would leave the bag. Symbolic links are not followed; fetch.txt is not supported.\nNo archive is needed. Exit status 0 valid, 1 invalid (every reason listed on stdout as problem, path, detail), 2 if DIR is not a folder."
)]
pub struct BagValidateArgs {
    /// The bag's top folder (the one holding bagit.txt)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Export what one access level may see as a BagIt bag
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos export --bag ~/transfers/velmora-public\n  custos export kind:testimony date:1991..1992 --bag ./testimonies-1991\n  custos export --bag ./for-researchers --access research\n  custos export --bag ./item-17 --item 17 --access custodian\n  custos export --ocfl ~/ocfl/velmora-public\n\nOnly items the consent policy opens at the access level (default public) are exported: withdrawn,\nembargoed and out-of-scope testimonies are left out, and redacted testimonies export their redacted\ntext below custodian level. Payload files are named data/<id>.<ext>, never by original file name.\nmetadata/ holds records.json, records.csv (Dublin Core columns), provenance.csv and events.csv.\nbag-info.txt records the access level, the selection and the event log head. The bag is validated\nafter writing, and the export is recorded in the event log.\n\nWith --ocfl ROOT, an OCFL 1.1 storage root (layout extension 0003) instead: one object per item\n(urn:custos:<archive id>:item:<id>) holding what the bag would hold for it, with sha512 digests and\nsha256 fixity. Exporting again into the same root adds a version to each changed object; a root\nholds one access level of one archive."
)]
pub struct ExportArgs {
    /// Export only the items this query finds (the `custos query` language; negate with ^field:value; default: every item open at the level)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// The bag folder to create (must not exist, or be empty)
    #[arg(long, value_name = "DIR", required_unless_present = "ocfl")]
    pub bag: Option<PathBuf>,
    /// Write (or add versions to) an OCFL 1.1 storage root instead of a bag: one object per item
    #[arg(long, value_name = "ROOT", conflicts_with = "bag")]
    pub ocfl: Option<PathBuf>,
    /// Access level the bag is made for (default: public)
    #[arg(long, value_enum)]
    pub access: Option<Access>,
    /// Export only these items (repeatable); still only what the level may see
    #[arg(long, value_name = "ID")]
    pub item: Vec<crate::model::ItemId>,
    /// Source-Organization in bag-info.txt (default: "custos archive <archive id>")
    #[arg(long)]
    pub organization: Option<String>,
    /// Who exports (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

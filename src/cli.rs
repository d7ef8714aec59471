//! The command line, declared with clap's derive API: one Args struct per
//! command, shared option groups, and the examples each `--help` teaches.
//!
//! Completions and the man page are generated from these same definitions.
//! Nothing here touches the archive.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::{Access, Kind, Vocab};
use crate::output::Format;

mod access;
mod accession;
mod bags;
mod claims;
mod consent;
mod integrity;
mod names;
mod notes;
mod query;
mod recordings;
mod sealed;
mod sites;
mod web;
pub use access::*;
pub use accession::*;
pub use bags::*;
pub use claims::*;
pub use consent::*;
pub use integrity::*;
pub use names::*;
pub use notes::*;
pub use query::*;
pub use recordings::*;
pub use sealed::*;
pub use sites::*;
pub use web::*;

#[derive(Debug, Parser)]
#[command(
    name = "custos",
    version,
    about = "Keep documents and testimonies with their provenance, fixity and consent",
    long_about = "custos keeps a collection of documents and oral-history testimonies in one \
archive folder: originals byte for byte under their SHA-256, a SQLite catalogue with \
provenance for every arrival, and an append-only event log.",
    after_help = "Examples:\n  custos init ~/archives/valley\n  cd ~/archives/valley\n  custos import ~/intake/donation --origin \"Donation of the Brenkel family\"\n  custos list --sort -date --limit 20\n  custos show 17 --format json\n\nThe archive is --archive DIR, else $CUSTOS_ARCHIVE, else the nearest enclosing folder holding custos.db.\nExit codes: 0 ok, 1 failed or damage found, 2 bad input, 3 no archive or not a catalogue, 11 archive busy, 12 wrong key, 13 refused by consent policy."
)]
pub struct Cli {
    /// The archive folder (default: $CUSTOS_ARCHIVE, else the nearest enclosing folder holding custos.db)
    #[arg(long, global = true, env = "CUSTOS_ARCHIVE", value_name = "DIR")]
    pub archive: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(InitArgs),
    Import(Box<ImportArgs>),
    List(ListArgs),
    Show(ShowArgs),
    Edit(EditArgs),
    Key(KeyArgs),
    Narrator(NarratorArgs),
    Testimony(TestimonyArgs),
    Redact(RedactArgs),
    Purge(PurgeArgs),
    Deaccession(DeaccessionArgs),
    Note(NoteArgs),
    Consent(ConsentArgs),
    Export(ExportArgs),
    #[command(subcommand)]
    Bag(BagCommand),
    /// Link an item to controlled-vocabulary terms
    Tag(TagArgs),
    /// Unlink an item from controlled-vocabulary terms (the terms stay in the vocabulary)
    Untag(TagArgs),
    Terms(TermsArgs),
    Query(QueryArgs),
    Fields(FieldsArgs),
    Report(ReportArgs),
    Sql(SqlArgs),
    Verify(VerifyArgs),
    Log(LogArgs),
    Backup(BackupArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
    Access(ItemAccessArgs),
    Settings(SettingsArgs),
    Accession(AccessionArgs),
    Claim(ClaimArgs),
    Site(SiteArgs),
    Replicate(ReplicateArgs),
    Repair(RepairArgs),
    Restore(RestoreArgs),
    Transcript(TranscriptArgs),
    Segment(SegmentArgs),
    Restrict(PassageArgs),
    AccessCopy(AccessCopyArgs),
    Serve(ServeArgs),
    Token(TokenArgs),
}

/// Output options every read command shares.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format: table for reading; json, jsonl, csv, tsv for programs
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
}

/// Who is reading: every read command takes it, and the consent policy
/// decides what that reader sees.
#[derive(Debug, Args, Clone, Default)]
pub struct AccessArgs {
    /// Access level: public, research or custodian (default: the archive's, set at init)
    #[arg(long, value_enum)]
    pub access: Option<Access>,
}

/// Create a new, empty archive
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos init ~/archives/valley\n  custos init --default-access public ./reading-room\n  custos init --intake open ./open-collection\n\nThe folder must be new or empty. It gets custos.db, objects/ and staging/, readable by you alone (0700/0600).\n\nWith --objects the originals are kept only on that store (an S3 bucket, or a folder on another disk), under the same keys as any site (objects/ab/cd/<sha256>); objects/ stays empty. The store is contacted first (credentials as for `custos site add`), and becomes the site `primary`. An import sends each new original there and reads it back before cataloguing it; commands that need an original's bytes fetch it, check its digest, and remove the fetched copy when done.\n  custos init ~/archives/x --objects s3://custos-vault/x --endpoint https://s3.example.org"
)]
pub struct InitArgs {
    /// Folder to create the archive in (default: the current folder)
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Access level read commands use when not given --access
    #[arg(long, value_enum, default_value = "research")]
    pub default_access: Access,

    /// Access of newly imported items: closed until someone opens them (`custos access`), or open at once
    #[arg(long, value_enum, value_name = "STATE", default_value = "closed")]
    pub intake: crate::model::Intake,

    #[command(flatten)]
    pub store: PrimaryStoreArgs,
}

/// `init --objects`: where the originals are kept instead of objects/.
#[derive(Debug, Args)]
pub struct PrimaryStoreArgs {
    /// Keep the originals only on this store, not under objects/: s3://BUCKET/PREFIX or file:///FOLDER
    #[arg(long = "objects", value_name = "URL", value_parser = parse_store_url)]
    pub url: Option<crate::sites::SiteUrl>,
    /// The store's name among the archive's sites
    #[arg(
        long = "objects-site",
        value_name = "NAME",
        default_value = "primary",
        requires = "url"
    )]
    pub name: String,
    /// The S3 endpoint of a store other than AWS, e.g. https://s3.example.org
    #[arg(long, value_name = "URL", requires = "url")]
    pub endpoint: Option<String>,
    /// The S3 region (default us-east-1)
    #[arg(long, requires = "url")]
    pub region: Option<String>,
    /// An INI file with aws_access_key_id and aws_secret_access_key (must be mode 0600)
    #[arg(long, value_name = "FILE", requires = "url")]
    pub credentials_file: Option<PathBuf>,
    /// The profile (section) of the credentials file to use
    #[arg(long, requires = "url")]
    pub profile: Option<String>,
}

fn parse_store_url(s: &str) -> Result<crate::sites::SiteUrl, String> {
    s.parse()
}

/// Descriptive metadata given on the command line for imported items.
#[derive(Debug, Args, Clone, Default)]
pub struct MetaArgs {
    /// Title (only when importing a single file; otherwise taken from each document or file name)
    #[arg(long)]
    pub title: Option<String>,
    /// Kind of item (default: photo/audio/video from the media type, else other)
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Date of the document itself, as EDTF: 1990-01-13, 1988, 1988~, 1990-01/1990-02
    #[arg(long)]
    pub date: Option<String>,
    /// Language, e.g. en, hy, az, ru
    #[arg(long)]
    pub language: Option<String>,
    /// Creator: author, photographer, interviewer
    #[arg(long)]
    pub creator: Option<String>,
    /// A description of the item
    #[arg(long)]
    pub description: Option<String>,
    /// The collection the items belong to
    #[arg(long)]
    pub collection: Option<String>,
    /// The period the item is about, as EDTF (distinct from --date, when it was made): 1988/1991, 1990-01
    #[arg(long, value_name = "EDTF")]
    pub coverage: Option<String>,
    /// Rights: a rightsstatements.org URI (http://rightsstatements.org/vocab/InC/1.0/) or an SPDX licence (CC-BY-4.0)
    #[arg(long, value_name = "STATEMENT")]
    pub rights: Option<String>,
    /// Where the physical original is held: box, folder, carrier, shelf
    #[arg(long, value_name = "PLACE")]
    pub location: Option<String>,
}

/// Import files and folders, recording provenance for each
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos import ~/intake/2026-11-donation --origin \"Donation of the Vanyan family, 2026-11-03\" --collection \"Rescue stories\"\n  custos import scan.pdf --title \"Release form\" --kind other --date 2019-05-02\n  custos import ~/intake --dry-run --format json\n  custos import --bag ~/transfers/hvmp-2026-03\n  custos import --ocfl ~/ocfl/velmora-public\n  custos import --manifest intake/manifest.csv --check\n  custos import --manifest intake/manifest.csv\n  custos import ~/intake/courier --event \"Velmora unrest\" --place Velmora --subject press\n  custos import interview-04.txt --kind testimony --narrator 4 --interview-date 2019-05-02\n\nFolders are imported recursively. Symbolic links are not followed and special files are skipped (both listed).\nThe same bytes arriving again are not stored twice: the existing item gains a provenance record.\nThe summary goes to stderr; --format json|jsonl|csv|tsv puts one record per input file on stdout.\nExit status 1 if any file failed; run the same import again to pick up what was missed."
)]
pub struct ImportArgs {
    /// Files and folders to import
    #[arg(required_unless_present_any = ["bag", "manifest", "ocfl"], value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Import the files a manifest (CSV with a header row, or JSON Lines) describes, with their metadata; every row is checked before anything is written
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "bag"])]
    pub manifest: Option<PathBuf>,

    /// With --manifest: only check it, report every problem, import nothing
    #[arg(long, requires = "manifest")]
    pub check: bool,

    /// With --manifest: skip columns that are not manifest fields instead of refusing them
    #[arg(long, requires = "manifest")]
    pub ignore_unknown: bool,

    /// With --manifest: change items already in the archive (matched by their bytes) to the values their rows give; without it, such values are reported as ignored
    #[arg(long, requires = "manifest")]
    pub update: bool,

    /// Import a BagIt bag: validated first, refused whole if invalid; bag-info.txt is kept as provenance, and a custos export's metadata and consent are restored
    #[arg(long, value_name = "DIR", conflicts_with = "paths")]
    pub bag: Option<PathBuf>,

    /// Import an OCFL 1.1 storage root written by `custos export --ocfl` (the latest version of each object): every digest is checked first, and the root is refused whole if anything is wrong
    #[arg(long, value_name = "ROOT", conflicts_with_all = ["paths", "bag", "manifest"])]
    pub ocfl: Option<PathBuf>,

    /// Where the material came from: donor, URL, citation, collector (default: the file's path as a file:// URI)
    #[arg(long)]
    pub origin: Option<String>,

    /// Who is ingesting (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,

    /// The accession the files came in (recorded first with `custos accession add`; a manifest has an `accession` column instead)
    #[arg(long, value_name = "NUMBER", conflicts_with_all = ["bag", "ocfl", "manifest"])]
    pub accession: Option<String>,

    #[command(flatten)]
    pub meta: MetaArgs,

    #[command(flatten)]
    pub terms: TermArgs,

    /// Make each imported file a testimony of this narrator (implies --kind testimony)
    #[arg(long, value_name = "N")]
    pub narrator: Option<crate::catalogue::narrators::NarratorId>,

    #[command(flatten)]
    pub interview: InterviewArgs,

    /// Show what would happen; write nothing
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub intake: IntakeArgs,

    /// Per-file results on stdout (the table is a summary of the files that did not import cleanly)
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
}

/// List items in the archive
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos list\n  custos list --sort -date --limit 20\n  custos list --format csv > catalogue.csv\n  custos list --access public\n\nItems the access level may not see are left out; closed items show only id, kind and collection.\nSort keys: id, title, kind, date, size, ingested_at, collection; prefix - for descending."
)]
pub struct ListArgs {
    #[command(flatten)]
    pub access: AccessArgs,
    /// At most this many items
    #[arg(long, short = 'n')]
    pub limit: Option<u64>,
    /// Skip this many items first
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Sort key, - prefix for descending (e.g. -date)
    #[arg(long, default_value = "id", allow_hyphen_values = true)]
    pub sort: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Show one item: every field, its provenance records and its events
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos show 17\n  custos show 17 --format json | jq .provenance"
)]
pub struct ShowArgs {
    /// Item id
    pub id: crate::model::ItemId,
    /// Print the item's whole text in the table even on a terminal (long
    /// text is otherwise summarised there; pipes and JSON always carry it)
    #[arg(long)]
    pub text: bool,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Change an item's descriptive metadata (each change is logged with old and new values)
#[derive(Debug, Args)]
#[command(
    mut_arg("title", |a| a.help("A new title")),
    mut_arg("kind", |a| a.help("A new kind (a testimony stays a testimony: its consent governs it)")),
    mut_arg("collection", |a| a.help("The collection the item belongs to")),
    group(clap::ArgGroup::new("which").args(["ids", "query"]).required(true)),
    after_help = "Examples:\n  custos edit 17 --title \"Interview with O. B.\" --date 2017-06-02 --kind testimony\n  custos edit 17 --clear creator\n  custos edit 18 19 20 --collection \"Box 12\"\n  custos edit --query 'collection:\"box 12 \"' --collection \"Box 12\" --dry-run\n\nDates are EDTF: 1990-01-13, 1988, 1988~, 1990-01/1990-02.\nA batch (several ids or --query) is one transaction with one event per item that changes;\non a terminal, more than 20 items are confirmed first (--yes skips the question)."
)]
pub struct EditArgs {
    /// Items to change (several ids apply the same change to each)
    #[arg(value_name = "ID")]
    pub ids: Vec<crate::model::ItemId>,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Remove a field's value: date, language, creator, description, collection, coverage, rights, location
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<String>,
    /// Who is editing, for the event log (default: your login name; `--agent` is the old spelling)
    #[arg(long, value_name = "NAME", alias = "agent")]
    pub by: Option<String>,
    /// The custodian's secret key, to check a new creator or collection of a redacted item against its sealed terms (default: the one `custos key init` wrote)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Which items a batch write changes besides the ids: a query, a dry run,
/// and the confirmation of large batches.
#[derive(Debug, Args, Clone)]
pub struct BatchArgs {
    /// Change every item this query matches (as the custodian sees them), instead of ids
    #[arg(long, value_name = "QUERY", conflicts_with = "ids")]
    pub query: Option<String>,
    /// List what would change; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Change more than 20 items without asking (on a terminal, custos asks first)
    #[arg(long, conflicts_with = "dry_run")]
    pub yes: bool,
}

/// Print shell completions
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos completions bash > ~/.local/share/bash-completion/completions/custos\n  custos completions zsh > ~/.zfunc/_custos\n  custos completions fish > ~/.config/fish/completions/custos.fish"
)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Write man pages (custos.1 and one per command)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos man --out-dir ~/.local/share/man/man1\n  custos man | man -l -"
)]
pub struct ManArgs {
    /// Write custos.1 and custos-COMMAND.1 here; without it, custos.1 goes to stdout
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Warnings for old spellings clap still accepts: `--agent` meant the
/// person doing the work in most commands but a vocabulary term in `tag`;
/// now the worker is `--by` everywhere and the term `--agent-term`.
pub fn deprecations(cli: &Cli) -> Vec<String> {
    let typed = std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| {
            let a = a.to_string_lossy();
            a == "--agent" || a.starts_with("--agent=")
        });
    if !typed {
        return Vec::new();
    }
    vec![match cli.command {
        Command::Tag(_) | Command::Untag(_) => "--agent is deprecated in tag and untag: it names a vocabulary term, which is now --agent-term (the person doing the work is --by)".to_string(),
        _ => "--agent is deprecated: the person doing the work is --by in every command (--agent-term names a vocabulary term)".to_string(),
    }]
}

/// Parses the process arguments.
pub fn parse() -> Cli {
    use clap::Parser as _;
    Cli::parse_from(rewrite_negations(std::env::args_os().collect()))
}

/// Parses the process arguments; help, version and usage errors come back
/// as the error, for `main` to print safely.
pub fn try_parse() -> Result<Cli, clap::Error> {
    use clap::Parser as _;
    Cli::try_parse_from(rewrite_negations(std::env::args_os().collect()))
}

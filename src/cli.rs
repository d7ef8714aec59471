//! The command line, declared with clap's derive API: one Args struct per
//! command, shared option groups, and the examples each `--help` teaches.
//!
//! Completions and the man page are generated from these same definitions.
//! Nothing here touches the archive.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::{Access, Kind};
use crate::output::Format;

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
    Import(ImportArgs),
    List(ListArgs),
    Show(ShowArgs),
    Edit(EditArgs),
    Verify(VerifyArgs),
    Log(LogArgs),
    Backup(BackupArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

/// Output options every read command shares.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format: table for reading; json, jsonl, csv, tsv for programs
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
}

/// Create a new, empty archive
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos init ~/archives/valley\n  custos init --default-access public ./reading-room\n\nThe folder must be new or empty. It gets custos.db, objects/ and staging/, readable by you alone (0700/0600)."
)]
pub struct InitArgs {
    /// Folder to create the archive in (default: the current folder)
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Access level read commands use when not given --access
    #[arg(long, value_enum, default_value = "research")]
    pub default_access: Access,
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
}

/// Import files and folders, recording provenance for each
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos import ~/intake/2026-11-donation --origin \"Donation of the Vanyan family, 2026-11-03\" --collection \"Rescue stories\"\n  custos import scan.pdf --title \"Release form\" --kind other --date 2019-05-02\n  custos import ~/intake --dry-run --format json\n\nFolders are imported recursively. Symbolic links are not followed and special files are skipped (both listed).\nThe same bytes arriving again are not stored twice: the existing item gains a provenance record.\nThe summary goes to stderr; --format json|jsonl|csv|tsv puts one record per input file on stdout.\nExit status 1 if any file failed; run the same import again to pick up what was missed."
)]
pub struct ImportArgs {
    /// Files and folders to import
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Where the material came from: donor, URL, citation, collector (default: the file's path as a file:// URI)
    #[arg(long)]
    pub origin: Option<String>,

    /// Who is ingesting (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,

    #[command(flatten)]
    pub meta: MetaArgs,

    /// Show what would happen; write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Per-file results on stdout (the table is a summary of the files that did not import cleanly)
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
}

/// List items in the archive
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos list\n  custos list --sort -date --limit 20\n  custos list --format csv > catalogue.csv\n\nSort keys: id, title, kind, date, size, ingested_at, collection; prefix - for descending."
)]
pub struct ListArgs {
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
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Change an item's descriptive metadata (each change is logged with old and new values)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos edit 17 --title \"Interview with O. B.\" --date 2017-06-02 --kind testimony\n  custos edit 17 --clear creator\n\nDates are EDTF: 1990-01-13, 1988, 1988~, 1990-01/1990-02."
)]
pub struct EditArgs {
    /// Item id
    pub id: crate::model::ItemId,
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Remove a field's value: date, language, creator, description, collection
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<String>,
    /// Who is editing (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,
}

/// Check the archive: re-hash every object, the catalogue, and the event log's chain
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos verify\n  custos verify --item 17 --item 18\n  custos verify --sample 5% --seed 2026 --jobs 2\n  custos verify --head \"$(cat /media/backup/custos-head.txt)\"\n  custos verify --format json | jq '.[] | select(.kind == \"changed\")'\n\nProblems: changed (expected and actual sha256), missing, untracked (a file in objects/ no item describes), misnamed (a file not named by its hash or in the wrong folder), io_error, catalogue, foreign_key, chain (names the first broken event), head. Leftovers of crashed imports are listed as stale_staging (a notice, not damage).\nEach item checked gets a fixity_check event and the run a summary event; nothing is ever repaired. On a read-only archive the checks run but are not recorded.\nExit status 0 if everything holds, 1 if anything is damaged."
)]
pub struct VerifyArgs {
    /// Check only these items (repeatable); skips the search for untracked files
    #[arg(long = "item", value_name = "ID")]
    pub items: Vec<crate::model::ItemId>,
    /// Check a share of the objects, e.g. 5%; the same --seed picks the same ones
    #[arg(long, value_name = "PERCENT", value_parser = crate::fixity::parse_percent, conflicts_with = "items")]
    pub sample: Option<f64>,
    /// Seed for --sample
    #[arg(long, default_value_t = 0, requires = "sample")]
    pub seed: u64,
    /// Hashing threads (default: one per core)
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// A head hash recorded earlier (`custos log --head`, a backup's custos-head.txt): fail unless it is still in the history
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
    /// Who is verifying, recorded on the events (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Print the event history: everything, one item's, or only the chain's head
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos log\n  custos log 17\n  custos log --since 2026-01-01 --type fixity_check --format csv\n  custos log --head > head.txt\n\nTypes: creation, ingestion, message_digest_calculation, metadata_modification, fixity_check, consent_change, reveal, redaction, export, withdrawal, purge.\nThe head is the hash of the newest event; keep it somewhere else (on paper, in a backup) and check later with `custos verify --head HASH` that the history was not rewritten."
)]
pub struct LogArgs {
    /// Only events about this item
    pub id: Option<crate::model::ItemId>,
    /// Only events at or after this date or time (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only events of this type (repeatable)
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Print only the head hash of the chain (the newest event's hash)
    #[arg(long, conflicts_with_all = ["id", "since", "types"])]
    pub head: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Write a consistent, verified copy of the archive to a new folder
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos backup /media/offsite/valley-2026-11\n  custos backup /mnt/nas/valley-$(date +%F) && cat /mnt/nas/valley-$(date +%F)/custos-head.txt\n\nThe catalogue is copied as one consistent snapshot (SQLite's VACUUM INTO) even while the archive is in use, then the objects, each re-hashed as it is copied; then the copy is verified. The event-log head of the snapshot is written to DEST/custos-head.txt and printed: keep it, and later run `custos verify --head HASH` on the archive.\n\nWARNING: never back up an archive by copying custos.db alone. In WAL mode recent changes live in custos.db-wal until they are checkpointed; a copy of custos.db without its -wal file (or one taken while custos is writing) can be stale or corrupt. Use `custos backup`, or copy the whole folder while no custos command runs."
)]
pub struct BackupArgs {
    /// A new or empty folder to write the copy to
    #[arg(value_name = "DEST")]
    pub dest: PathBuf,
    /// Copying threads (default: one per core)
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Who is making the backup, recorded on the export event (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,
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

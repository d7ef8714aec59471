//! Arguments of the fixity and history commands: `verify`, `log`, `backup`.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use std::path::PathBuf;

use clap::Args;

use super::*;

/// Check the archive: re-hash every object, the catalogue, and the event log's chain
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos verify\n  custos verify --item 17 --item 18\n  custos verify --item 17 --objects-only\n  custos verify --sample 5% --seed 2026 --jobs 2\n  custos verify --head \"$(cat /media/backup/custos-head.txt)\"\n  custos verify --head heads/2026-11-29.txt --pubkey ~/keys/valley-heads.pub\n  custos verify --format json | jq '.[] | select(.kind == \"changed\")'\n  custos verify --remove-untracked\n  custos verify --site vault --sample 5% --seed 2026\n\nProblems: changed (expected and actual sha256), missing, untracked (a file in objects/ no item describes), misnamed (a file not named by its hash or in the wrong folder), io_error, catalogue, foreign_key, chain (names the first broken event), head (the recorded head is not extended by this history; for a signed head, names the first missing or changed event).\n--head takes 64 hex digits as a hash and anything else as a statement file (write ./NAME for a file named like a hash; FILE.minisig stands for FILE); a file needs --pubkey. A bad signature, a wrong public key or a statement of another archive fails at once (exit 1) without checking the rest. Leftovers of crashed imports are listed as stale_staging (a notice, not damage).\npolicy: a fact the access policy reads disagrees with the history that recorded it (consent_current vs consent_events, consent_events vs their consent events, the custodian recipient in settings vs the key init event, redactions vs redacted_text and redaction events); names the table and row.\nEach run records one summary fixity_check event (counts and outcomes_sha256, a digest over every object's outcome) and a fixity_check event per item only where a problem was found; every object's last check (time and outcome) is kept for show and report fixity; nothing is repaired, except that --remove-untracked deletes untracked objects (logged as one deletion event with their digests). On a read-only archive the checks run but are not recorded.\nThe catalogue gets SQLite's quick_check (every page, record and b-tree) and foreign_key_check; --full runs integrity_check instead, which also matches every index entry against its table, the index of object digests against the objects, and the full-text index against the stored text (several times slower). --objects-only hashes the objects and checks nothing else (its summary event says \"checks\": \"objects only\" and \"chain\": \"not checked\"): a quick look, for a few items or a sample, not a replacement of the full run.\nAn archive made with `init --objects` keeps its originals at that store: verify checks them there (as `verify --site` does, recording each outcome on the store's copy row; --item and --sample apply), and only copies that happen to be under objects/ here.\nExit status 0 if everything holds, 1 if anything is damaged, 14 if the store could not be reached."
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
    /// A head recorded earlier: a hash (64 hex digits: `custos log --head`, a backup's custos-head.txt), or a signed statement FILE (`custos log --head --sign`, with --pubkey); fail unless the history still extends it
    #[arg(long, value_name = "HASH|FILE")]
    pub head: Option<String>,
    /// The minisign public key (KEY.pub) that checks the signed head FILE given to --head
    #[arg(long, value_name = "KEY.pub", requires = "head")]
    pub pubkey: Option<PathBuf>,
    /// Who is verifying, recorded on the events (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
    /// Check the catalogue with SQLite's full integrity_check (every index entry against its table, the full-text index against the text; several times slower) instead of quick_check
    #[arg(long)]
    pub full: bool,
    /// Hash the objects only (all of them, or those of --item or --sample) and check nothing else: not the catalogue, not the event chain, no search for untracked files. Its cost does not grow with the catalogue (a look at one item of a million takes milliseconds instead of seconds); it vouches for the originals it hashed and for nothing else, so keep running the full verify too
    #[arg(long, conflicts_with_all = ["full", "head", "remove_untracked"])]
    pub objects_only: bool,
    /// After checking, delete the untracked objects found (files in objects/ named by their own hash that no catalogue row names: leftovers of a killed import); re-checked under the write lock, refused while an import runs, logged as a deletion event
    #[arg(long, conflicts_with_all = ["items", "sample"])]
    pub remove_untracked: bool,
    /// Check the copies held at this site instead of the local archive (streamed; with --sample, --seed and --jobs); changed, missing and untracked per site, and purges still owed to it
    #[arg(long, value_name = "NAME", conflicts_with_all = ["items", "head", "remove_untracked", "full", "objects_only"])]
    pub site: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Print the event history: everything, one item's, or only the chain's head
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos log\n  custos log 17\n  custos log --since 2026-01-01 --type fixity_check --format csv\n  custos log --head > head.txt\n  custos log --head --sign ~/keys/valley-heads.key --out heads/2026-11-29.txt\n\nTypes: creation, ingestion, message_digest_calculation, metadata_modification, fixity_check, consent_change, reveal, redaction, export, withdrawal, purge, deletion, access_change, replication.\nThe head is the hash of the newest event; keep it somewhere else (on paper, in a backup) and check later with `custos verify --head HASH` that the history was not rewritten.\n--sign signs a statement of the head (archive id, event count, head event id and hash, time) with a minisign key: it prints the statement on stdout, keeps it and its signature in the archive folder as signed-head.txt and signed-head.txt.minisig (which backup and custodian-level exports carry), and with --out also writes FILE and FILE.minisig. `minisign -Vm FILE -p KEY.pub` checks it without custos; `custos verify --head FILE --pubkey KEY.pub` checks the archive against it. A signed head names event ids and counts, so it is a custodian's statement: --sign reads at custodian level and refuses a lower --access (exit 13). An encrypted key's password comes from CUSTOS_SIGNING_PASSWORD, else the terminal.\nBelow custodian only events of items the reader may open (and verify runs) are listed, numbered 1..n, without details, event ids or hashes."
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
    /// With --head: write a statement of the head signed with this minisign secret key (`custos key init --signing`); kept in the archive folder as signed-head.txt too
    #[arg(long, value_name = "KEYFILE", requires = "head")]
    pub sign: Option<PathBuf>,
    /// With --sign: also write the statement to FILE and its signature to FILE.minisig (never over existing files)
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Write a consistent, verified copy of the archive to a new folder
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos backup /media/offsite/valley-2026-11\n  custos backup --site vault\n  custos backup /mnt/nas/valley-$(date +%F) && cat /mnt/nas/valley-$(date +%F)/custos-head.txt\n\nThe catalogue is copied as one consistent snapshot (SQLite's VACUUM INTO) even while the archive is in use, then the objects, each re-hashed as it is copied; then the copy is verified. The event-log head of the snapshot is written to DEST/custos-head.txt and printed: keep it, and later run `custos verify --head HASH` on the archive. The latest signed head (`custos log --head --sign`), when there is one, is copied to DEST/signed-head.txt and DEST/signed-head.txt.minisig.\n\nWARNING: never back up an archive by copying custos.db alone. In WAL mode recent changes live in custos.db-wal until they are checkpointed; a copy of custos.db without its -wal file (or one taken while custos is writing) can be stale or corrupt. Use `custos backup`, or copy the whole folder while no custos command runs."
)]
pub struct BackupArgs {
    /// A new or empty folder to write the copy to
    #[arg(value_name = "DEST", required_unless_present = "site")]
    pub dest: Option<PathBuf>,
    /// Instead of a folder: put a catalogue snapshot (and any object not yet there) at this site, for `custos restore --site`
    #[arg(long, value_name = "NAME", conflicts_with = "dest")]
    pub site: Option<String>,
    /// Copying threads (default: one per core)
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Who is making the backup, recorded on the export event (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

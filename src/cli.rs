//! The command line, declared with clap's derive API: one Args struct per
//! command, shared option groups, and the examples each `--help` teaches.
//!
//! Completions and the man page are generated from these same definitions.
//! Nothing here touches the archive.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::{Access, Kind, Vocab};
use crate::output::Format;

mod sealed;
pub use sealed::*;

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
    Consent(ConsentArgs),
    Export(ExportArgs),
    #[command(subcommand)]
    Bag(BagCommand),
    Tag(TagArgs),
    Untag(TagArgs),
    Terms(TermsArgs),
    Query(QueryArgs),
    Fields(FieldsArgs),
    Report(ReportArgs),
    Sql(SqlArgs),
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
    after_help = "Examples:\n  custos import ~/intake/2026-11-donation --origin \"Donation of the Vanyan family, 2026-11-03\" --collection \"Rescue stories\"\n  custos import scan.pdf --title \"Release form\" --kind other --date 2019-05-02\n  custos import ~/intake --dry-run --format json\n  custos import --bag ~/transfers/hvmp-2026-03\n  custos import ~/intake/courier --event \"Velmora unrest\" --place Velmora --subject press\n  custos import interview-04.txt --kind testimony --narrator 4 --interview-date 2019-05-02\n\nFolders are imported recursively. Symbolic links are not followed and special files are skipped (both listed).\nThe same bytes arriving again are not stored twice: the existing item gains a provenance record.\nThe summary goes to stderr; --format json|jsonl|csv|tsv puts one record per input file on stdout.\nExit status 1 if any file failed; run the same import again to pick up what was missed."
)]
pub struct ImportArgs {
    /// Files and folders to import
    #[arg(required_unless_present_any = ["bag"], value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Import a BagIt bag: validated first, refused whole if invalid; bag-info.txt is kept as provenance, and a custos export's metadata and consent are restored
    #[arg(long, value_name = "DIR", conflicts_with = "paths")]
    pub bag: Option<PathBuf>,

    /// Where the material came from: donor, URL, citation, collector (default: the file's path as a file:// URI)
    #[arg(long)]
    pub origin: Option<String>,

    /// Who is ingesting (default: your login name)
    #[arg(long)]
    pub agent: Option<String>,

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
    #[command(flatten)]
    pub access: AccessArgs,
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
    after_help = "Examples:\n  custos export --bag ~/transfers/velmora-public\n  custos export --bag ./for-researchers --access research\n  custos export --bag ./item-17 --item 17 --access custodian\n\nOnly items the consent policy opens at the access level (default public) are exported: withdrawn,\nembargoed and out-of-scope testimonies are left out, and redacted testimonies export their redacted\ntext below custodian level. Payload files are named data/<id>.<ext>, never by original file name.\nmetadata/ holds records.json, records.csv (Dublin Core columns), provenance.csv and events.csv.\nbag-info.txt records the access level, the selection and the event log head. The bag is validated\nafter writing, and the export is recorded in the event log."
)]
pub struct ExportArgs {
    /// The bag folder to create (must not exist, or be empty)
    #[arg(long, value_name = "DIR")]
    pub bag: PathBuf,
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

/// Terms to link items to at import (repeatable).
#[derive(Debug, Args, Clone, Default)]
pub struct TermArgs {
    /// An event term, e.g. "Velmora unrest" (repeatable)
    #[arg(long, value_name = "TERM")]
    pub event: Vec<String>,
    /// A place term, e.g. Velmora (repeatable)
    #[arg(long, value_name = "TERM")]
    pub place: Vec<String>,
    /// A subject term, e.g. rescue (repeatable)
    #[arg(long, value_name = "TERM")]
    pub subject: Vec<String>,
}

/// Link an item to controlled-vocabulary terms (untag: unlink)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos tag 17 --event \"Velmora unrest\" --place Velmora --subject rescue\n  custos tag 17 --agent \"Harrow Valley Memory Project\"\n  custos untag 17 --subject rescue\n\nTerms compare without regard to case or Unicode normalisation: \"Şuşa\" and \"ŞUŞA\" are one term.\nEach change is logged as a metadata_modification event."
)]
pub struct TagArgs {
    /// Item id
    pub id: crate::model::ItemId,
    #[command(flatten)]
    pub terms: TermArgs,
    /// An agent term: a person or organisation the item is about (repeatable)
    #[arg(long, value_name = "TERM")]
    pub agent: Vec<String>,
    /// Who is making the change, for the event log (default: your login name)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

/// List controlled-vocabulary terms with item counts; rename or merge them
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  custos terms\n  custos terms --vocab place --format csv\n  custos terms rename place \"Velmora town\" Velmora\n  custos terms merge subject \"rescuers\" rescue\n\nCounts include only items the access level may see in full."
)]
pub struct TermsArgs {
    #[command(subcommand)]
    pub action: Option<TermsAction>,
    /// Only this vocabulary: event, place, subject, agent
    #[arg(long, value_enum)]
    pub vocab: Option<Vocab>,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum TermsAction {
    /// Give a term a new label (its items keep it)
    Rename {
        #[arg(value_enum)]
        vocab: Vocab,
        old: String,
        new: String,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Move every item of one term to another and remove the first
    Merge {
        #[arg(value_enum)]
        vocab: Vocab,
        from: String,
        into: String,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

/// Find items: field:value terms, ranges, negation, OR, and full-text words
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos query kind:testimony date:1991..1992 consent:granted\n  custos query cellar --fields id,title,snippet\n  custos query '\"tannery lane\"' -kind:letter\n  custos query place:velmora , place:oster --count\n  custos query size:1KB..2MB --sort -size --limit 10\n  custos query evidence:none kind:testimony --access custodian\n  custos query title:courier --sql\n\nGrammar: field:value (substring, any case), field:=value (exact), -field:value or ^field:value (not),\nfield:a..b, field:a.., field:..b (ranges on numbers, sizes and EDTF dates; dates match when they overlap),\n\"a , b\" (a standalone comma) is OR, everything else is AND; bare words and \"quoted phrases\" search the full text.\n`custos fields` lists every field. Items the access level may not see are never found."
)]
pub struct QueryArgs {
    /// Query terms (none: every item the access level may see)
    #[arg(value_name = "TERM")]
    pub terms: Vec<String>,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Columns to show, comma-separated (see `custos fields`; also snippet, access)
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Sort by a field, - prefix for descending (e.g. -date)
    #[arg(long, allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// At most this many items
    #[arg(long, short = 'n')]
    pub limit: Option<u64>,
    /// Skip this many items first
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Print only the number of matching items
    #[arg(long)]
    pub count: bool,
    /// Print the generated SQL and its parameters; run nothing
    #[arg(long)]
    pub sql: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// List the fields `custos query` understands, with their types and examples
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  custos fields\n  custos fields --format json")]
pub struct FieldsArgs {
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportName {
    /// Testimonies by consent state and scope, missing releases, embargoes ending, withdrawals
    Consent,
    /// Item counts and total size, grouped --by
    Holdings,
    /// The accession register: every ingest in --since/--until
    Accessions,
    /// Narrators by anonymity and testimonies per narrator (display form only)
    Narrators,
    /// Last fixity check per item, and failures
    Fixity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    Kind,
    Collection,
    Event,
    Place,
    Decade,
    Language,
}

/// Reports for archivists: consent, holdings, accessions, narrators, fixity
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos report consent --within 90d\n  custos report holdings --by decade\n  custos report holdings --by place --format json\n  custos report accessions --since 2026-01-01 --until 2026-03-31 --format csv\n  custos report narrators --access public\n  custos report fixity\n\nEvery report passes through the access policy: below custodian, items the level may not see are not counted,\nand closed items are counted only when grouped by kind or collection."
)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub name: ReportName,
    #[command(flatten)]
    pub access: AccessArgs,
    /// holdings: group by kind, collection, event, place, decade or language
    #[arg(long, value_enum, default_value = "kind")]
    pub by: GroupBy,
    /// consent: embargoes ending within this many days (e.g. 90d, 12w, 6m, 1y)
    #[arg(long, default_value = "90d")]
    pub within: String,
    /// accessions: from this day (YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// accessions: up to and including this day (YYYY-MM-DD)
    #[arg(long)]
    pub until: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Run one read-only SQL statement (below custodian: only policy-filtered tables)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos sql \"SELECT kind, count(*) FROM items_visible GROUP BY kind\"\n  custos sql --access custodian \"SELECT status, count(*) FROM consent_current GROUP BY status\"\n\nBelow custodian the statement may read only the temporary tables items_visible and item_terms_visible,\nfilled with exactly what `custos query` shows at that level. At custodian it may read the catalogue tables.\nWrites, ATTACH and PRAGMA changes are refused; a statement running longer than --timeout is stopped."
)]
pub struct SqlArgs {
    /// One SELECT statement
    pub statement: String,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Stop the statement after this many seconds
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `query` that take a value: the word after them is theirs.
const QUERY_VALUED: &[&str] = &[
    "--sort",
    "--fields",
    "--limit",
    "-n",
    "--offset",
    "--format",
    "-f",
    "--access",
    "--archive",
];

/// `custos query -kind:letter -cellar`: a query term may begin with `-`
/// (negation), which clap would take for an option. Before parsing, such
/// terms of the `query` command are rewritten to the equivalent `^` form;
/// option names, option values and everything after `--` are left alone.
pub fn rewrite_negations(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let Some(at) = args.iter().position(|a| a == "query") else {
        return args;
    };
    let mut out = Vec::with_capacity(args.len());
    let mut value_next = false;
    let mut after_dashdash = false;
    for (i, a) in args.into_iter().enumerate() {
        if i <= at || after_dashdash {
            out.push(a);
            continue;
        }
        let Some(s) = a.to_str() else {
            out.push(a);
            continue;
        };
        if value_next {
            value_next = false;
            out.push(a);
            continue;
        }
        if s == "--" {
            after_dashdash = true;
            out.push(a);
            continue;
        }
        if QUERY_VALUED.contains(&s) {
            value_next = true;
            out.push(a);
            continue;
        }
        let short_option = s.len() >= 2
            && matches!(&s[1..2], "n" | "f" | "h")
            && !s.contains(':')
            && (s.len() == 2
                || (s.starts_with("-n") && s[2..].bytes().all(|b| b.is_ascii_digit()))
                || (s.starts_with("-f")
                    && ["table", "json", "jsonl", "csv", "tsv"].contains(&&s[2..])));
        if s.starts_with('-') && !s.starts_with("--") && s.len() > 1 && !short_option {
            out.push(format!("^{}", &s[1..]).into());
        } else {
            out.push(a);
        }
    }
    out
}

/// Parses the process arguments.
pub fn parse() -> Cli {
    use clap::Parser as _;
    Cli::parse_from(rewrite_negations(std::env::args_os().collect()))
}

//! Arguments of the commands about people: the custodian key, narrators,
//! testimonies, redaction and purge. Declared apart from `cli.rs` only to
//! keep that file short; the same conventions hold (one Args struct per
//! command, examples in `after_help`).
//!
//! Sealed values (legal identities, redaction terms) are deliberately never
//! arguments: arguments show in the process list and the shell history.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{AccessArgs, OutputArgs};
use crate::catalogue::narrators::NarratorId;
use crate::model::{Anonymity, ItemId};

/// Create and manage the custodian key that seals legal identities and redaction terms
#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    Init(KeyInitArgs),
}

/// Create the archive's custodian key pair (or, with --signing, a minisign key pair for signed heads): the secret key goes to a file outside the archive, only the public key into it
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos key init\n  custos key init --out /media/usb-key/valley-custodian.key\n  custos key init --signing --out ~/keys/valley-heads.key\n  CUSTOS_SIGNING_PASSWORD=... custos key init --signing\n  custos key init --signing --no-password --out /srv/cron/valley-heads.key\n\nThe secret key is written with mode 0600 to FILE (default: $XDG_CONFIG_HOME/custos/<archive id>.key, usually ~/.config/custos/...), never inside the archive, and never over an existing file.\nKeep a copy somewhere safe: without it, sealed identities and redaction terms cannot be read again.\nThe public key is printed on stdout.\n\n--signing makes a minisign key pair instead, for `custos log --head --sign` (default FILE: $XDG_CONFIG_HOME/custos/<archive id>.signing.key); the public key goes beside it with the extension .pub, and into the event log (public key and key id, never the secret). The secret key is encrypted with a password as minisign does by default: from CUSTOS_SIGNING_PASSWORD, else typed twice at the terminal; --no-password stores it in clear (minisign -W), for unattended signing. A signing key may be made more than once (a new key for a new custodian); each is logged."
)]
pub struct KeyInitArgs {
    /// Where to write the secret key (must be outside the archive folder)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Make a minisign key pair for signing heads (`custos log --head --sign`) instead of the custodian key
    #[arg(long)]
    pub signing: bool,
    /// With --signing: store the secret key unencrypted (as `minisign -G -W`), for unattended signing; protect the file instead
    #[arg(long, requires = "signing")]
    pub no_password: bool,
    /// Who is creating the key (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

/// Record narrators, list them, show one, change one
#[derive(Debug, Args)]
pub struct NarratorArgs {
    #[command(subcommand)]
    pub command: NarratorCommand,
}

#[derive(Debug, Subcommand)]
pub enum NarratorCommand {
    Add(NarratorAddArgs),
    List(NarratorListArgs),
    Show(NarratorShowArgs),
    Edit(NarratorEditArgs),
}

/// Where a legal identity comes from: never an argument.
#[derive(Debug, Args, Clone, Default)]
pub struct LegalNameArgs {
    /// Read the legal identity (real name, contact) from this file; it is sealed to the custodian key
    #[arg(long, value_name = "FILE", conflicts_with = "legal_name_stdin")]
    pub legal_name_file: Option<PathBuf>,
    /// Read the legal identity from stdin
    #[arg(long)]
    pub legal_name_stdin: bool,
}

/// Narrator fields given on the command line (all but the legal identity).
#[derive(Debug, Args, Clone, Default)]
pub struct NarratorFieldArgs {
    /// How the narrator may be named: full name, initials ("D. from Sumgait"), a pseudonym
    #[arg(long)]
    pub display: Option<String>,
    /// Year of birth
    #[arg(long)]
    pub birth_year: Option<i32>,
    /// Where the narrator comes from
    #[arg(long, value_name = "PLACE")]
    pub place_of_origin: Option<String>,
    /// Where the narrator lives
    #[arg(long, value_name = "PLACE")]
    pub place_of_residence: Option<String>,
    /// Free notes about the narrator, read from this file
    #[arg(long, value_name = "FILE")]
    pub notes_file: Option<PathBuf>,
}

/// Record a narrator; prints the new narrator's id
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos narrator add --display \"D. from Sumgait\" --anonymity anonymous --birth-year 1951 --legal-name-file ~/private/d.txt\n  printf 'Full Name\\n+374 ...\\n' | custos narrator add --display \"Grandmother V.\" --anonymity pseudonymous --legal-name-stdin\n  custos narrator add --display \"Levon Aghababyan\" --anonymity named --format json\n\nThe legal identity (real name, contact) is never an argument: give --legal-name-file or --legal-name-stdin, or type it at the prompt when stdin is a terminal.\nIt is sealed to the custodian key (see `custos key init`) and shown only by `custos narrator show N --reveal`.\nFor anonymous narrators, birth year, places and notes are shown only at custodian level."
)]
pub struct NarratorAddArgs {
    #[command(flatten)]
    pub fields: NarratorFieldArgs,
    /// named: may be named in full; pseudonymous: only by the display form; anonymous: not at all
    #[arg(long, value_enum)]
    pub anonymity: Anonymity,
    #[command(flatten)]
    pub legal: LegalNameArgs,
    /// Who is recording (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// List narrators as this access level may see them
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos narrator list\n  custos narrator list --access public --format csv\n  custos narrator list --access custodian --format json\n\nBelow custodian a narrator is listed only through a testimony open at that level, and an anonymous narrator's birth year, places and notes are left out."
)]
pub struct NarratorListArgs {
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Show one narrator; with --reveal and the custodian key, their legal identity
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos narrator show 4\n  custos narrator show 4 --access custodian --format json\n  custos narrator show 4 --reveal --key ~/.config/custos/ARCHIVE-ID.key\n\n--reveal is for the custodian: it decrypts the sealed legal identity with the key and records a reveal event (who and when, not what).\nA key that does not belong to this archive exits with status 12 and prints nothing."
)]
pub struct NarratorShowArgs {
    /// Narrator id
    pub id: NarratorId,
    /// Access level (default: the archive's; custodian with --reveal)
    #[command(flatten)]
    pub access: AccessArgs,
    /// Decrypt and show the legal identity (custodian only; needs the key)
    #[arg(long)]
    pub reveal: bool,
    /// The custodian's secret key file (default: the one `custos key init` wrote in your config folder)
    #[arg(long, value_name = "FILE", requires = "reveal")]
    pub key: Option<PathBuf>,
    /// Who is revealing, for the event log (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Change a narrator's display form, anonymity, quasi-identifiers or sealed identity
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos narrator edit 4 --anonymity anonymous\n  custos narrator edit 4 --clear place_of_residence --clear birth_year\n  custos narrator edit 4 --legal-name-file ~/private/d.txt\n\nThe event log records which fields changed, not their values: narrators outlive any one testimony's purge."
)]
pub struct NarratorEditArgs {
    /// Narrator id
    pub id: NarratorId,
    #[command(flatten)]
    pub fields: NarratorFieldArgs,
    /// named, pseudonymous or anonymous
    #[arg(long, value_enum)]
    pub anonymity: Option<Anonymity>,
    /// Remove a field's value: display, birth_year, place_of_origin, place_of_residence, notes
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<String>,
    /// Replace the sealed legal identity
    #[command(flatten)]
    pub legal: LegalNameArgs,
    /// Who is editing (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
    /// The custodian's secret key, to check new fields of a narrator of redacted testimonies against their sealed terms (default: the one `custos key init` wrote)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Interview details of a testimony.
#[derive(Debug, Args, Clone, Default)]
pub struct InterviewArgs {
    /// When the interview was given, as EDTF: 2019-05-02, 2019-05, 2019~
    #[arg(long, value_name = "EDTF")]
    pub interview_date: Option<String>,
    /// Where the interview was given
    #[arg(long, value_name = "PLACE")]
    pub interview_place: Option<String>,
    /// Who interviewed the narrator
    #[arg(long, value_name = "NAME")]
    pub interviewer: Option<String>,
}

/// Link items to narrators as testimonies
#[derive(Debug, Args)]
pub struct TestimonyArgs {
    #[command(subcommand)]
    pub command: TestimonyCommand,
}

#[derive(Debug, Subcommand)]
pub enum TestimonyCommand {
    Set(TestimonySetArgs),
}

/// Make an item a testimony of a narrator, with interview date, place and interviewer
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos testimony set 17 --narrator 4 --interview-date 2019-05-02 --interview-place Yerevan --interviewer \"A. Hakobyan\"\n  custos import interview.txt --kind testimony --narrator 4 --interview-date 2019-05\n\nThe item's kind becomes testimony: until consent is recorded (`custos consent ID grant ...`) it is closed to everyone below custodian.\nFields not given keep their earlier values."
)]
pub struct TestimonySetArgs {
    /// Item id
    pub id: ItemId,
    /// The narrator who gave the testimony (see `custos narrator list --access custodian`)
    #[arg(long)]
    pub narrator: NarratorId,
    #[command(flatten)]
    pub interview: InterviewArgs,
    /// Who is recording (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
    /// The custodian's secret key, to check new interview details of a redacted item against its sealed terms (default: the one `custos key init` wrote)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Redact terms (names, places) from an item's title, description and text below custodian level
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos redact 17 --terms-file ~/private/terms-17.txt\n  printf 'Levon Petrosyan\\nKirovabad\\n' | custos redact 17\n  custos redact 17 --terms-file more.txt --key ~/.config/custos/ARCHIVE-ID.key\n\nTerms are read one per line from --terms-file or stdin, never from arguments, and stored sealed to the custodian key.\nEach term becomes [redacted] in what readers below custodian see and search, however it is written: case (also ß/SS, ς/Σ), diacritics, fullwidth forms and ligatures, soft hyphens and zero-width characters, and spaces, hyphens or apostrophes between words do not matter; whole words only.\nRefused (exit 2) while the item's creator, collection, a linked term, or its testimony's interview details or narrator fields hold a term: change those first.\nA second redaction of the same item needs the key, to apply the earlier terms together with the new ones."
)]
pub struct RedactArgs {
    /// Item id
    pub id: ItemId,
    /// Read the terms from this file, one per line (default: stdin)
    #[arg(long, value_name = "FILE")]
    pub terms_file: Option<PathBuf>,
    /// The custodian's secret key file (default: the one `custos key init` wrote in your config folder)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Who is redacting (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

/// Erase a withdrawn testimony for good: its bytes, text, index entries, provenance and event details
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos purge 17 --yes --reason \"Narrator withdrew consent on 2026-03-02 and asked for erasure\"\n\nOnly a testimony whose consent is withdrawn can be purged (exit status 13 otherwise).\nThe narrator and their sealed identity go too when no other testimony names them.\nA purge event remains with id, date, agent and reason: do not put names in the reason.\nThe catalogue is then checkpointed and vacuumed so no trace remains in custos.db or its WAL; backups made earlier still hold the testimony."
)]
pub struct PurgeArgs {
    /// Item id
    pub id: ItemId,
    /// Confirm: the erasure cannot be undone
    #[arg(long)]
    pub yes: bool,
    /// Why, for the purge event (kept after the purge)
    #[arg(long)]
    pub reason: Option<String>,
    /// Who is purging (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

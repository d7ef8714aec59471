//! The command line of sites and copies: `site add|list`, `replicate`,
//! `repair` (and `verify --site`, declared with verify).

use super::*;

/// Manage the sites that hold copies of the originals (S3 buckets, folders on other disks)
#[derive(Debug, Args)]
pub struct SiteArgs {
    #[command(subcommand)]
    pub command: SiteCommand,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    Add(SiteAddArgs),
    List(SiteListArgs),
}

/// Add a site: an S3 bucket (s3://BUCKET/PREFIX) or a folder (file:///PATH)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos site add vault s3://custos-vault/caucasus --endpoint https://s3.example.org --region eu-1\n  custos site add usb file:///media/backup-disk/caucasus\n  custos site add vault s3://custos-vault/x --credentials-file ~/.config/custos/vault.ini --profile vault\n\nCredentials (S3) come from --credentials-file (an INI file like ~/.aws/credentials, mode 0600), else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else ~/.aws/credentials (profile --profile, $AWS_PROFILE or default). Only the file's path and the profile name are recorded, never a key.\nThe site is listed once before it is recorded (--no-check skips that); a folder site must exist."
)]
pub struct SiteAddArgs {
    /// The site's name (letters, digits, - and _)
    pub name: String,
    /// s3://BUCKET/PREFIX or file:///FOLDER
    #[arg(value_parser = parse_site_url)]
    pub url: crate::sites::SiteUrl,
    /// The S3 endpoint of a store other than AWS, e.g. https://s3.example.org
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The S3 region (default us-east-1)
    #[arg(long)]
    pub region: Option<String>,
    /// An INI file with aws_access_key_id and aws_secret_access_key (must be mode 0600)
    #[arg(long, value_name = "FILE")]
    pub credentials_file: Option<PathBuf>,
    /// The profile (section) of the credentials file to use
    #[arg(long)]
    pub profile: Option<String>,
    /// Record the site without contacting it
    #[arg(long)]
    pub no_check: bool,
    /// Who is adding it (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

fn parse_site_url(s: &str) -> Result<crate::sites::SiteUrl, String> {
    s.parse()
}

/// List the sites: copies held, damaged, objects lacking a copy, purges owed, last check (custodian only)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos site list --access custodian\n  custos site list --access custodian --format json\n\nSite URLs can say where a collection is kept: below custodian this is refused (exit 13). The number of objects with fewer good copies than `replicate --copies` asked for goes to stderr (and is in --format json)."
)]
pub struct SiteListArgs {
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Copy objects to sites until each has N verified copies (the local one counts)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos replicate --copies 3\n  custos replicate            # the number given last time\n\nEach copy is uploaded (in 8 MiB parts when large), read back and hashed; only a matching copy is recorded (and logged as a replication event). An object already at a site with the right digest is adopted. Uploads a killed run left are aborted, and purges owed to a site are finished first.\nA site that fails is named on stderr and the others go on. Exit status 0 when every object has N good copies, 14 when a site failed (nothing local was harmed; run again), 1 when copies are still short for another reason, 2 when there are too few sites for N."
)]
pub struct ReplicateArgs {
    /// Copies wanted of each object, the local one included (remembered for later runs)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub copies: Option<u64>,
    /// Who is replicating (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

/// Put back copies that `verify --site` found changed or missing, from a verified good copy
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos verify --site vault && custos repair --site vault\n  custos repair\n  custos repair --site usb --prune\n\nThe source is the local object if it hashes right now, else a copy at another site that hashes right as it is fetched; never an unverified one. The repaired copy is read back and hashed before it is recorded (a replication event).\n--prune also deletes objects at the site that no item names (never one an item names). Exit status as for replicate."
)]
pub struct RepairArgs {
    /// Only this site
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// Also delete objects at the site that no item names
    #[arg(long)]
    pub prune: bool,
    /// Who is repairing (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

/// Rebuild an archive in a new folder from a site's latest catalogue backup (`backup --site`), then verify it
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos restore --site vault ~/archives/restored\n  custos restore --site s3://custos-vault/caucasus --endpoint https://s3.example.org ~/archives/restored\n  custos restore --site file:///media/usb/caucasus ~/archives/restored\n\n--site is a site of the current archive, or (when the archive is lost) the site's URL with --endpoint, --region, --credentials-file, --profile as for `site add`.\nThe snapshot's SHA-256 is checked before anything is written; every object is fetched, hashed and made durable; then the new archive is verified against the snapshot's head. Prints the head. Exit 0 when the copy verifies, 1 when objects are missing or damaged (listed), 14 when the site fails."
)]
pub struct RestoreArgs {
    /// A site name of the current archive, or a site URL (s3://BUCKET/PREFIX, file:///FOLDER)
    #[arg(long, value_name = "NAME|URL")]
    pub site: String,
    /// A new or empty folder for the restored archive
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// With a URL: the S3 endpoint
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// With a URL: the S3 region
    #[arg(long)]
    pub region: Option<String>,
    /// With a URL: the credentials file (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub credentials_file: Option<PathBuf>,
    /// With a URL: the profile of the credentials file
    #[arg(long)]
    pub profile: Option<String>,
    /// Who is restoring (default: your login name)
    #[arg(long = "by", alias = "agent", value_name = "NAME")]
    pub agent: Option<String>,
}

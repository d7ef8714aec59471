//! `custos site add|list` and `custos verify --site`: parse, call
//! `custos::ops::site` / `custos::sites`, render. Site URLs are shown only
//! as the policy allows (custodian: `sites::list` refuses below).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{SiteAddArgs, SiteArgs, SiteCommand, SiteListArgs, VerifyArgs};
use custos::error::{Error, Result};
use custos::ops::site::{add_site, AddSite};
use custos::output::{self, col, Column};
use custos::sites;

const COLUMNS: &[Column] = &[
    col("name", "Site"),
    col("url", "URL"),
    col("primary", "Primary"),
    col("copies", "Copies"),
    col("damaged", "Damaged"),
    col("lacking", "Lacking"),
    col("pending_purges", "Purges owed"),
    col("last_verified", "Last verified"),
];

const DAMAGE_COLUMNS: &[Column] = &[
    col("site", "Site"),
    col("kind", "Problem"),
    col("item_id", "Item"),
    col("key", "Key"),
];

pub fn run(archive_arg: Option<&Path>, a: SiteArgs) -> Result<()> {
    match a.command {
        SiteCommand::Add(a) => add(archive_arg, a),
        SiteCommand::List(a) => list(archive_arg, a),
    }
}

fn add(archive_arg: Option<&Path>, a: SiteAddArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let name = a.name.clone();
    add_site(
        &mut archive,
        &AddSite {
            name: a.name,
            url: a.url,
            endpoint: a.endpoint,
            region: a.region,
            credentials_file: a.credentials_file,
            profile: a.profile,
            check: !a.no_check,
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    super::note(format!(
        "site {name} added; `custos replicate --copies N` puts copies there"
    ));
    Ok(())
}

fn list(archive_arg: Option<&Path>, a: SiteListArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let listed = sites::list(&archive, access)?;
    let mut out = super::Stdout::new();
    if matches!(a.output.format, output::Format::Json) {
        serde_json::to_writer_pretty(out.w(), &listed).map_err(|e| Error::stdout(e.into()))?;
        writeln!(out.w()).map_err(Error::stdout)?;
    } else {
        let rows = output::to_values(&listed.sites)?;
        output::render_list(out.w(), a.output.format, COLUMNS, &rows)?;
    }
    out.finish()?;
    if let (Some(w), Some(n)) = (listed.wanted_copies, listed.under_wanted) {
        super::note(format!("{n} object(s) have fewer than {w} good copies"));
    }
    Ok(())
}

/// `verify --site NAME`.
pub fn verify(archive_arg: Option<&Path>, a: VerifyArgs, site: String) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let check = sites::verify_site(
        &mut archive,
        &sites::VerifySiteOptions {
            site,
            sample: a.sample,
            seed: a.seed,
            jobs: a.jobs.map(usize::from).unwrap_or(4),
            items: a.items.clone(),
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    let mut rows: Vec<serde_json::Value> = check
        .damaged
        .iter()
        .map(|d| {
            serde_json::json!({
                "site": check.site, "kind": d.outcome.as_str(), "item_id": d.item_id, "key": null
            })
        })
        .collect();
    rows.extend(check.untracked.iter().map(|k| {
        serde_json::json!({ "site": check.site, "kind": "untracked", "item_id": null, "key": k })
    }));
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, DAMAGE_COLUMNS, &rows)?;
    out.finish()?;
    super::note(format!(
        "site {}: {} cop{} checked{}: {} ok, {} damaged, {} untracked",
        check.site,
        check.checked,
        if check.checked == 1 { "y" } else { "ies" },
        if check.sampled { " (a sample)" } else { "" },
        check.ok,
        check.damaged.len(),
        check.untracked.len()
    ));
    if check.pending_purges > 0 {
        super::note(format!(
            "site {}: {} purge(s) still owed (the site could not be reached then); `custos replicate` or `custos repair` finishes them",
            check.site, check.pending_purges
        ));
    }
    if check.is_good() {
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "site {} is not as recorded; `custos repair --site {}` puts back damaged or missing copies",
            check.site, check.site
        )))
    }
}

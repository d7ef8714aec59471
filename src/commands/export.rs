//! `custos export --bag DIR`: a BagIt bag of what one access level may see
//! (or `--ocfl ROOT`: an OCFL storage root of it, see `ocfl.rs`).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::ExportArgs;
use custos::error::Result;
use custos::export::{self, ExportOptions};
use custos::model::Access;

pub fn run(archive_arg: Option<&Path>, a: ExportArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let access = a.access.unwrap_or(Access::Public);
    let organization = match a
        .organization
        .or_else(|| super::defaults().organization.clone())
    {
        Some(o) => o,
        None => format!(
            "custos archive {}",
            archive.setting("archive_id")?.unwrap_or_default()
        ),
    };
    let today = custos::clock::today();
    let mut selection: Option<Vec<custos::model::ItemId>> =
        (!a.item.is_empty()).then(|| a.item.clone());
    let mut described = Vec::new();
    if !a.item.is_empty() {
        described.push(format!(
            "items {}",
            a.item
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if !a.query.is_empty() {
        // The query runs at the export's own access level, through the policy.
        let q = custos::query::parse(&a.query)?;
        let opts = custos::query::Options {
            access,
            today,
            sort: None,
            limit: None,
            offset: 0,
            extra: &[],
            dates: Default::default(),
        };
        let found: Vec<custos::model::ItemId> = custos::query::run(&archive, &q, &opts)?
            .iter()
            .map(|r| r.item.id)
            .collect();
        selection = Some(match selection {
            Some(items) => items.into_iter().filter(|i| found.contains(i)).collect(),
            None => found,
        });
        described.push(a.query.join(" "));
    }
    let query = if described.is_empty() {
        "(all items open at this level)".to_string()
    } else {
        described.join("; ")
    };
    let opts = ExportOptions {
        access,
        today,
        query,
        selection,
        organization,
        agent: super::agent(a.agent.as_deref()),
    };
    let bag = match (&a.ocfl, &a.bag) {
        (Some(root), _) => return super::ocfl::export(&mut archive, root, &opts),
        (None, Some(bag)) => bag,
        (None, None) => return Err(custos::error::Error::usage("give --bag DIR or --ocfl ROOT")),
    };
    let summary = export::export(&mut archive, bag, &opts)?;
    super::note(format!(
        "exported {} item(s) at {access} level to {} (Payload-Oxum {}{}); event log head {}",
        summary.items,
        summary.bag.display(),
        summary.payload_oxum,
        if summary.payload_withheld > 0 {
            format!(
                "; {} redacted item(s) without text exported as metadata only",
                summary.payload_withheld
            )
        } else {
            String::new()
        } + &if summary.evidence_left_out > 0 {
            format!(
                "; {} consent evidence or donor agreement item(s) left out, as nothing in the bag cites them",
                summary.evidence_left_out
            )
        } else {
            String::new()
        },
        summary.event_log_head
    ));
    Ok(())
}

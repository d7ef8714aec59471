//! `custos export --bag DIR`: a BagIt bag of what one access level may see
//! (or `--ocfl ROOT`: an OCFL storage root of it, see `ocfl.rs`).

use std::path::Path;

use crate::archive::Mode;
use crate::cli::ExportArgs;
use crate::error::Result;
use crate::export::{self, ExportOptions};
use crate::model::Access;

pub fn run(archive_arg: Option<&Path>, a: ExportArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let access = a.access.unwrap_or(Access::Public);
    let organization = match a.organization {
        Some(o) => o,
        None => format!(
            "custos archive {}",
            archive.setting("archive_id")?.unwrap_or_default()
        ),
    };
    let today = crate::clock::today();
    let mut selection: Option<Vec<crate::model::ItemId>> =
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
        let q = crate::query::parse(&a.query)?;
        let opts = crate::query::Options {
            access,
            today,
            sort: None,
            limit: None,
            offset: 0,
            extra: &[],
            dates: Default::default(),
        };
        let found: Vec<crate::model::ItemId> = crate::query::run(archive.conn(), &q, &opts)?
            .iter()
            .filter_map(|r| {
                r.get("id")
                    .and_then(|v| v.as_i64())
                    .map(crate::model::ItemId)
            })
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
        (None, None) => return Err(crate::error::Error::usage("give --bag DIR or --ocfl ROOT")),
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
                "; {} consent evidence item(s) left out, as no testimony in the bag cites them",
                summary.evidence_left_out
            )
        } else {
            String::new()
        },
        summary.event_log_head
    ));
    Ok(())
}

//! `custos export --bag DIR`: a BagIt bag of what one access level may see.

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
    let selection = if a.item.is_empty() {
        None
    } else {
        Some(a.item.clone())
    };
    let query = if a.item.is_empty() {
        "(all items open at this level)".to_string()
    } else {
        format!(
            "items {}",
            a.item
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let summary = export::export(
        &mut archive,
        &a.bag,
        &ExportOptions {
            access,
            today: crate::clock::today(),
            query,
            selection,
            organization,
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    // The bag is checked as any receiving archive would check it.
    let report = crate::bagit::validate(&a.bag)?;
    if !report.valid {
        return Err(crate::error::Error::Failed(format!(
            "{}: the bag written does not validate ({} problem(s)); run `custos bag validate {}`",
            a.bag.display(),
            report.problems.len(),
            a.bag.display()
        )));
    }
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
        },
        summary.event_log_head
    ));
    Ok(())
}

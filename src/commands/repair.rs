//! `custos repair [--site NAME] [--prune]`: parse, call `custos::sites::repair`,
//! report as `replicate` does.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::RepairArgs;
use custos::error::Result;
use custos::sites::{self, RepairOptions};

pub fn run(archive_arg: Option<&Path>, a: RepairArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let report = sites::repair(
        &mut archive,
        &RepairOptions {
            site: a.site,
            prune: a.prune,
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    super::replicate::finish(&report, "repair")
}

//! `custos accession add|list`: record an accession; list accessions with
//! what each holds (the same rows as `report accessions`).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{AccessionAction, AccessionArgs};
use custos::error::Result;
use custos::ops::accession::{self, NewAccession};
use custos::report::{self, Reader, Which};

pub fn run(archive_arg: Option<&Path>, a: AccessionArgs) -> Result<()> {
    match a.action {
        AccessionAction::Add(add) => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let new = NewAccession {
                number: add.number,
                donor: add.donor,
                received: add.received,
                agreement_item: add.agreement,
                agreement_note: add.agreement_note,
                extent: add.extent,
                note: add.note,
            };
            accession::add(&mut archive, &new, &super::agent(add.agent.as_deref()))?;
            super::note(format!(
                "accession {} recorded; import into it with `custos import PATH --accession {}`",
                new.number.trim(),
                new.number.trim()
            ));
            if let Some(item) = new.agreement_item {
                super::note(format!(
                    "item {item} is its donor agreement: only the custodian sees it from now on"
                ));
            }
            Ok(())
        }
        AccessionAction::List { access, output } => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let reader = Reader {
                access: super::access(&archive, &access)?,
                today: custos::clock::today(),
            };
            let rep = report::make(&archive, reader, Which::AccessionGroups)?;
            for n in &rep.notes {
                super::note(n);
            }
            let mut out = super::Stdout::new();
            super::report::render(out.w(), output.format, rep)?;
            out.finish()
        }
    }
}

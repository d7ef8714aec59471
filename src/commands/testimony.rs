//! `custos testimony set ID --narrator N`: link an item to its narrator
//! (`ops::set_testimony`), and the checks of the interview options that
//! `import --narrator N` shares.

use std::path::Path;

use custos::archive::{Archive, Mode};
use custos::cli::{InterviewArgs, TestimonyArgs, TestimonyCommand, TestimonySetArgs};
use custos::edtf::Edtf;
use custos::error::{Error, Result};
use custos::keys::KeyFile;
use custos::model::NarratorId;
use custos::ops;
use custos::ops::TestimonyFields;

pub fn run(archive_arg: Option<&Path>, a: TestimonyArgs) -> Result<()> {
    match a.command {
        TestimonyCommand::Set(a) => set(archive_arg, a),
    }
}

/// Checks the interview flags and the narrator before anything is written.
pub(crate) fn fields(
    archive: &Archive,
    narrator: NarratorId,
    i: &InterviewArgs,
) -> Result<TestimonyFields> {
    let interview_date = i
        .interview_date
        .as_deref()
        .map(str::parse::<Edtf>)
        .transpose()
        .map_err(|e| Error::usage(format!("--interview-date: {e}")))?;
    let nonempty = |flag: &str, v: &Option<String>| -> Result<Option<String>> {
        match v {
            Some(s) if s.trim().is_empty() => {
                Err(Error::usage(format!("--{flag} cannot be empty")))
            }
            other => Ok(other.as_ref().map(|s| s.trim().to_string())),
        }
    };
    ops::testimony::require_narrator(archive, narrator)?;
    Ok(TestimonyFields {
        narrator,
        interview_date,
        interview_place: nonempty("interview-place", &i.interview_place)?,
        interviewer: nonempty("interviewer", &i.interviewer)?,
    })
}

fn set(archive_arg: Option<&Path>, a: TestimonySetArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let fields = fields(&archive, a.narrator, &a.interview)?;
    let agent = super::agent(a.agent.as_deref());
    let id = a.id;
    let has_consent = ops::set_testimony(
        &mut archive,
        &ops::SetTestimony {
            id,
            fields: fields.clone(),
            agent,
            key: KeyFile::new(a.key.as_deref()),
        },
    )?;
    super::note(format!(
        "item {id} is a testimony of narrator {}",
        fields.narrator
    ));
    if !has_consent {
        super::note(format!(
            "no consent recorded: item {id} is closed below custodian until `custos consent {id} grant ...`"
        ));
    }
    Ok(())
}

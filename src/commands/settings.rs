//! `custos settings [KEY [VALUE]]`: show or change the archive's settings
//! (today only `intake`, the access new imports start with).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{SettingKey, SettingsArgs};
use custos::error::{Error, Result};
use custos::model::Intake;
use custos::output::{self, col, Column};

const COLUMNS: &[Column] = &[col("key", "Setting"), col("value", "Value")];

pub fn run(archive_arg: Option<&Path>, a: SettingsArgs) -> Result<()> {
    match (a.key, a.value) {
        (Some(SettingKey::Intake), Some(v)) => {
            let intake: Intake = v
                .parse()
                .map_err(|e: String| Error::usage(format!("settings intake: {e}")))?;
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let agent = super::agent(None);
            custos::ops::access::set_intake(&mut archive, intake, &agent)?;
            super::note(format!(
                "intake is now {intake}: items imported from now on start {}",
                match intake {
                    Intake::Closed =>
                        "closed below custodian until opened with `custos access ID --open`",
                    Intake::Open => "open",
                }
            ));
            Ok(())
        }
        (None, Some(v)) => Err(Error::usage(format!(
            "settings: {v:?} needs a setting name first, e.g. `custos settings intake {v}`"
        ))),
        (key, None) => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let mut rows = Vec::new();
            if key.is_none() || key == Some(SettingKey::Intake) {
                rows.push(
                    serde_json::json!({"key": "intake", "value": archive.intake()?.as_str()}),
                );
            }
            let mut out = super::Stdout::new();
            output::render_list(out.w(), a.output.format, COLUMNS, &rows)?;
            out.finish()
        }
    }
}

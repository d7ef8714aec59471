//! `custos settings [KEY [VALUE]] [--user] [--unset]`: show or change the
//! archive's `intake` (in the catalogue, logged) and the defaults kept in
//! `custos.toml` or the user's config file (by, organization, access).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{SettingKey, SettingsArgs};
use custos::config::{self, Config, Defaults};
use custos::error::{Error, Result};
use custos::model::{Access, Intake};
use custos::output::{self, col, Column};
use serde_json::json;

const COLUMNS: &[Column] = &[
    col("key", "Setting"),
    col("value", "Value"),
    col("from", "From"),
];

pub fn run(archive_arg: Option<&Path>, a: SettingsArgs) -> Result<()> {
    match (a.key, a.value.clone()) {
        (Some(SettingKey::Intake), Some(v)) if !a.user => set_intake(archive_arg, &v),
        (Some(key), value) if value.is_some() || a.unset => {
            set_default(archive_arg, key, value.as_deref(), a.user)
        }
        (None, Some(v)) => Err(Error::usage(format!(
            "settings: {v:?} needs a setting name first, e.g. `custos settings intake {v}`"
        ))),
        (None, None) if a.unset => Err(Error::usage("--unset needs a setting name")),
        (key, _) => show(archive_arg, key, a.output.format),
    }
}

fn set_intake(archive_arg: Option<&Path>, v: &str) -> Result<()> {
    let intake: Intake = v
        .parse()
        .map_err(|e: String| Error::usage(format!("settings intake: {e}")))?;
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(None);
    custos::ops::access::set_intake(&mut archive, intake, &agent)?;
    super::note(format!(
        "intake is now {intake}: items imported from now on start {}",
        match intake {
            Intake::Closed => "closed below custodian until opened with `custos access ID --open`",
            Intake::Open => "open",
        }
    ));
    Ok(())
}

/// Writes one key of a config file (the archive's, or with `--user` the
/// user's); None removes it.
fn set_default(
    archive_arg: Option<&Path>,
    key: SettingKey,
    value: Option<&str>,
    user: bool,
) -> Result<()> {
    let path = if user {
        config::user_file().ok_or_else(|| Error::usage("no config folder for this user"))?
    } else {
        let root = custos::archive::locate(archive_arg)?;
        root.join(config::ARCHIVE_FILE)
    };
    let mut d = config::read(&path)?;
    let text = |v: Option<&str>| -> Result<Option<String>> {
        match v.map(str::trim) {
            Some("") => Err(Error::usage(
                "the value cannot be empty; use --unset to remove it",
            )),
            other => Ok(other.map(str::to_string)),
        }
    };
    match key {
        SettingKey::By => d.by = text(value)?,
        SettingKey::Organization => d.organization = text(value)?,
        SettingKey::Access => {
            d.access = value
                .map(|v| v.parse::<Access>())
                .transpose()
                .map_err(|e| Error::usage(format!("settings access: {e}")))?
        }
        SettingKey::Intake => {
            d.intake = value
                .map(|v| v.parse::<Intake>())
                .transpose()
                .map_err(|e| Error::usage(format!("settings intake: {e}")))?
        }
    }
    config::write(&path, &d)?;
    let name = key_name(key);
    match value {
        Some(v) => super::note(format!("{name} = {v:?} in {}", path.display())),
        None => super::note(format!("{name} removed from {}", path.display())),
    }
    Ok(())
}

fn key_name(key: SettingKey) -> &'static str {
    match key {
        SettingKey::Intake => "intake",
        SettingKey::By => "by",
        SettingKey::Organization => "organization",
        SettingKey::Access => "access",
    }
}

fn show(archive_arg: Option<&Path>, key: Option<SettingKey>, format: output::Format) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let config = Config::load(Some(archive.root()))?;
    let eff: Defaults = config.effective();
    let from = |o: Option<config::Origin>| match o {
        Some(config::Origin::Archive) => config::ARCHIVE_FILE.to_string(),
        Some(config::Origin::User) => config::user_file()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        None => "default".to_string(),
    };
    let wanted = |k: SettingKey| key.is_none() || key == Some(k);
    let mut rows = Vec::new();
    if wanted(SettingKey::Intake) {
        rows.push(
            json!({"key": "intake", "value": archive.intake()?.as_str(), "from": "catalogue"}),
        );
        if let Some(i) = eff.intake {
            rows.push(json!({"key": "intake (your imports)", "value": i.as_str(),
                             "from": from(config.origin(|d| d.intake.is_some()))}));
        }
    }
    if wanted(SettingKey::By) {
        rows.push(json!({"key": "by", "value": super::agent(None),
                         "from": from(config.origin(|d| d.by.is_some()))
                             .replace("default", "login name")}));
    }
    if wanted(SettingKey::Organization) {
        rows.push(json!({"key": "organization", "value": eff.organization,
                         "from": from(config.origin(|d| d.organization.is_some()))}));
    }
    if wanted(SettingKey::Access) {
        let (value, origin) = match eff.access {
            Some(a) => (a, from(config.origin(|d| d.access.is_some()))),
            None => (
                archive.default_access()?,
                "catalogue (init --default-access)".into(),
            ),
        };
        rows.push(json!({"key": "access", "value": value.as_str(), "from": origin}));
    }
    let mut out = super::Stdout::new();
    output::render_list(out.w(), format, COLUMNS, &rows)?;
    out.finish()
}

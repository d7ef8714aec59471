//! Where an S3 site's credentials come from, in this order: the site's own
//! credentials file (refused unless it is mode 0600), the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the
//! shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/credentials`) under the site's profile, `AWS_PROFILE` or
//! `default`. The `object_store` crate does not read the shared file, so it
//! is parsed here (a plain INI file).
//!
//! Secrets are held in `secrecy` types from the moment they are read; no
//! error built here quotes a line of a credentials file. Nothing here
//! stores anything or contacts a site.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

pub struct Credentials {
    pub key_id: SecretString,
    pub secret: SecretString,
    pub token: Option<SecretString>,
}

impl Credentials {
    /// The values an error message must never carry.
    pub fn secrets(&self) -> Vec<String> {
        let mut v = vec![
            self.key_id.expose_secret().to_string(),
            self.secret.expose_secret().to_string(),
        ];
        if let Some(t) = &self.token {
            v.push(t.expose_secret().to_string());
        }
        v.retain(|s| s.len() >= 4);
        v
    }
}

/// Refuses a credentials file others may read.
pub fn check_private(path: &Path) -> Result<()> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::usage(format!(
            "{}: credentials file is readable by others (mode {mode:o}); run `chmod 600 {}` first",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// Finds the credentials of the site named `site`.
pub fn resolve(site: &str, file: Option<&Path>, profile: Option<&str>) -> Result<Credentials> {
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    if let Some(file) = file {
        check_private(file)?;
        let profile = profile.or(env_profile.as_deref()).unwrap_or("default");
        return from_file(file, profile)?.ok_or_else(|| {
            Error::usage(format!(
                "site {site}: {} has no profile [{profile}] with aws_access_key_id and aws_secret_access_key",
                file.display()
            ))
        });
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if profile.is_none() {
        if let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            return Ok(Credentials {
                key_id: id.into(),
                secret: secret.into(),
                token: var("AWS_SESSION_TOKEN").map(Into::into),
            });
        }
    }
    let shared = var("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws").join("credentials")));
    let profile = profile.or(env_profile.as_deref()).unwrap_or("default");
    if let Some(path) = shared.filter(|p| p.exists()) {
        if let Some(c) = from_file(&path, profile)? {
            return Ok(c);
        }
    }
    Err(Error::usage(format!(
        "site {site}: no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         put a [{profile}] profile in ~/.aws/credentials, or give the site --credentials-file"
    )))
}

/// The profile's credentials from an INI file, None if it has none.
fn from_file(path: &Path, profile: &str) -> Result<Option<Credentials>> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(parse(&text, profile))
}

fn parse(text: &str, profile: &str) -> Option<Credentials> {
    let mut section = String::new();
    let (mut id, mut secret, mut token) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            section = name
                .strip_prefix("profile ")
                .unwrap_or(name)
                .trim()
                .to_string();
            continue;
        }
        if section != profile {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v: SecretString = v.trim().to_string().into();
        match k.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => id = Some(v),
            "aws_secret_access_key" => secret = Some(v),
            "aws_session_token" => token = Some(v),
            _ => {}
        }
    }
    Some(Credentials {
        key_id: id?,
        secret: secret?,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# fictional keys\n[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s3cr3t-default\n\n[profile vault]\naws_access_key_id=AKVAULT\naws_secret_access_key=s3cr3t-vault\naws_session_token = tok-vault\n";

    #[test]
    fn profiles_are_read_apart() {
        let d = parse(FILE, "default").expect("default");
        assert_eq!(d.key_id.expose_secret(), "AKDEFAULT");
        assert_eq!(d.secret.expose_secret(), "s3cr3t-default");
        assert!(d.token.is_none());
        let v = parse(FILE, "vault").expect("vault");
        assert_eq!(v.secret.expose_secret(), "s3cr3t-vault");
        assert_eq!(
            v.token.as_ref().map(|t| t.expose_secret()),
            Some("tok-vault")
        );
        assert!(parse(FILE, "other").is_none());
    }

    #[test]
    fn a_profile_without_a_secret_is_no_credentials() {
        assert!(parse("[default]\naws_access_key_id = AK\n", "default").is_none());
    }

    #[test]
    fn a_shared_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("creds");
        fs::write(&p, FILE).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        let e = resolve("vault", Some(&p), None).err().expect("refused");
        assert!(e.to_string().contains("chmod 600"), "{e}");
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        let c = resolve("vault", Some(&p), Some("vault")).expect("read");
        assert_eq!(c.key_id.expose_secret(), "AKVAULT");
    }
}

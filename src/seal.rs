//! Sealing: age (X25519) encryption of legal identities and redaction terms
//! to the archive's custodian recipient, and the custodian's secret key file.
//!
//! The archive stores only the public recipient; the secret key lives in a
//! file outside the archive, so a copied or seized archive folder alone
//! reveals nothing sealed. Every secret value passes through `secrecy`
//! types, whose `Debug` prints `[REDACTED]`. This module must not touch the
//! catalogue, print, or put a secret (or a sealed value) into an error
//! message: errors name files and ids, never contents.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::error::{Error, Result};

/// The archive's public custodian recipient (`age1…`): safe to store and print.
#[derive(Clone, Debug)]
pub struct Recipient(age::x25519::Recipient);

impl Recipient {
    pub fn as_string(&self) -> String {
        self.0.to_string()
    }
}

impl FromStr for Recipient {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        age::x25519::Recipient::from_str(s.trim())
            .map(Recipient)
            .map_err(|e| {
                Error::Failed(format!(
                    "the archive's custodian_recipient setting is not an age recipient ({e})"
                ))
            })
    }
}

/// The custodian's secret key. Never printed: `Debug` is redacted.
pub struct Key(age::x25519::Identity);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key([REDACTED])")
    }
}

impl Key {
    pub fn generate() -> Key {
        Key(age::x25519::Identity::generate())
    }

    pub fn recipient(&self) -> Recipient {
        Recipient(self.0.to_public())
    }

    /// Reads an age identity file (`# comments` and one `AGE-SECRET-KEY-1…`
    /// line). A file that holds no identity is a usage error; the content
    /// is never quoted back.
    pub fn read(path: &Path) -> Result<Key> {
        let text = SecretString::from(fs::read_to_string(path).map_err(|e| Error::io(path, e))?);
        let line = text
            .expose_secret()
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string);
        let line = SecretString::from(line.unwrap_or_default());
        age::x25519::Identity::from_str(line.expose_secret())
            .map(Key)
            .map_err(|_| {
                Error::usage(format!(
                    "{}: not an age secret key file (expected a line starting AGE-SECRET-KEY-1)",
                    path.display()
                ))
            })
    }

    /// Checks that this key opens what is sealed to `recipient`: a key for
    /// another archive is refused before anything is decrypted.
    pub fn check(&self, recipient: &Recipient) -> Result<()> {
        if self.0.to_public().to_string() == recipient.0.to_string() {
            Ok(())
        } else {
            Err(Error::WrongKey)
        }
    }

    /// Writes the key as an age identity file with mode 0600, refusing to
    /// overwrite anything: losing a key loses every sealed identity.
    pub fn write_new(&self, path: &Path) -> Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| Error::io(parent, e))?;
        }
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::usage(format!(
                        "{} already exists; custos never overwrites a key file. Choose another --out",
                        path.display()
                    ))
                } else {
                    Error::io(path, e)
                }
            })?;
        let secret = self.0.to_string();
        let body = SecretString::from(format!(
            "# custos custodian key, created {}\n# public key: {}\n{}\n",
            crate::clock::now_rfc3339(),
            self.0.to_public(),
            secret.expose_secret()
        ));
        f.write_all(body.expose_secret().as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io(path, e))?;
        Ok(())
    }
}

/// Where `key init` writes the key when not told: the user's config folder,
/// one file per archive.
pub fn default_key_path(archive_id: &str) -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("custos").join(format!("{archive_id}.key")))
}

/// Encrypts `plain` to the recipient.
pub fn seal(to: &Recipient, plain: &[u8]) -> Result<Vec<u8>> {
    age::encrypt(&to.0, plain).map_err(|e| Error::Failed(format!("cannot seal a value: {e}")))
}

/// Decrypts a sealed value. A key that does not open it is `WrongKey`;
/// damaged ciphertext is a failure naming `what` (an id, not a value).
pub fn open(key: &Key, sealed: &[u8], what: &str) -> Result<SecretBox<Vec<u8>>> {
    use age::DecryptError as D;
    match age::decrypt(&key.0, sealed) {
        Ok(plain) => Ok(SecretBox::new(Box::new(plain))),
        Err(D::NoMatchingKeys) | Err(D::DecryptionFailed) | Err(D::KeyDecryptionFailed) => {
            Err(Error::WrongKey)
        }
        Err(_) => Err(Error::Failed(format!(
            "{what}: the sealed value is damaged and cannot be opened"
        ))),
    }
}

/// Decrypts a sealed UTF-8 text.
pub fn open_string(key: &Key, sealed: &[u8], what: &str) -> Result<SecretString> {
    let plain = open(key, sealed, what)?;
    let text = std::str::from_utf8(plain.expose_secret())
        .map_err(|_| Error::Failed(format!("{what}: the sealed value is not UTF-8 text")))?;
    Ok(SecretString::from(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key() {
        let k = Key::generate();
        let sealed = seal(&k.recipient(), b"CANARY-Legal-Name").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"CANARY".as_slice()));
        let plain = open_string(&k, &sealed, "narrator 1").unwrap();
        assert_eq!(plain.expose_secret(), "CANARY-Legal-Name");
        let other = Key::generate();
        assert!(matches!(
            open(&other, &sealed, "narrator 1"),
            Err(Error::WrongKey)
        ));
        assert!(matches!(other.check(&k.recipient()), Err(Error::WrongKey)));
        k.check(&k.recipient()).unwrap();
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let k = Key::generate();
        let shown = format!("{k:?}");
        assert!(!shown.contains("AGE-SECRET-KEY"), "{shown}");
        let s = SecretString::from("CANARY-Secret".to_string());
        assert!(!format!("{s:?}").contains("CANARY"));
        let sealed = seal(&k.recipient(), b"CANARY-x").unwrap();
        let b = open(&k, &sealed, "x").unwrap();
        assert!(!format!("{b:?}").contains("CANARY"));
    }

    #[test]
    fn key_files_round_trip_and_are_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/k.key");
        let k = Key::generate();
        k.write_new(&p).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let back = Key::read(&p).unwrap();
        back.check(&k.recipient()).unwrap();
        assert!(matches!(
            Key::generate().write_new(&p),
            Err(Error::Usage(_))
        ));
        let junk = dir.path().join("junk");
        fs::write(&junk, "AGE-SECRET-KEY-CANARY").unwrap();
        let err = Key::read(&junk).unwrap_err().to_string();
        assert!(!err.contains("CANARY"), "{err}");
    }
}

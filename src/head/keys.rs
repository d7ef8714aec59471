//! Minisign keys and signatures for signed heads, through the `minisign`
//! crate (the format the `minisign` tool reads: `minisign -Vm FILE -p
//! KEY.pub` checks what is signed here).
//!
//! It never prints, never writes a secret key over an existing file or
//! without mode 0600, and never hands the `minisign` crate a `None`
//! password: the crate would then prompt on its own and write to stdout,
//! which carries data only. Secret keys and passwords live in types whose
//! `Debug` does not show them.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use minisign::{
    ErrorKind, KeyPair, PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox,
};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// How a new secret key is stored: encrypted with a password (scrypt, as
/// the `minisign` tool does by default) or in clear (`minisign -G -W`).
pub enum Protection {
    Password(SecretString),
    None,
}

/// A public key as the `minisign` tool writes it, with its key id.
#[derive(Clone)]
pub struct Public {
    key: PublicKey,
}

impl Public {
    /// Reads a `.pub` file (`untrusted comment:` line, then the key), or a
    /// file holding only the base64 key as `minisign -P` takes it.
    pub fn read(path: &Path) -> Result<Public> {
        let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let parsed = if text.trim_start().starts_with("untrusted comment:") {
            PublicKeyBox::from_string(&text).and_then(PublicKey::from_box)
        } else {
            PublicKey::from_base64(text.trim())
        };
        parsed.map(|key| Public { key }).map_err(|e| {
            Error::usage(format!(
                "{}: not a minisign public key ({e}); give the .pub file `custos key init --signing` wrote",
                path.display()
            ))
        })
    }

    /// The key id as minisign prints it: 16 upper-case hex digits.
    pub fn key_id(&self) -> String {
        key_id(self.key.keynum())
    }

    pub fn base64(&self) -> String {
        self.key.to_base64()
    }

    fn file_text(&self) -> Result<String> {
        self.key
            .to_box()
            .map(|b| b.into_string())
            .map_err(|e| Error::Failed(format!("cannot encode the public key: {e}")))
    }
}

/// A decrypted secret key, ready to sign.
pub struct Secret {
    key: SecretKey,
    public: Public,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // minisign's own Debug prints the key bytes.
        write!(f, "Secret([REDACTED], key id {})", self.public.key_id())
    }
}

impl Secret {
    pub fn public(&self) -> &Public {
        &self.public
    }

    /// Reads a secret key file; `password` is asked for only when the key
    /// is encrypted (a clear key never needs one).
    pub fn read(path: &Path, password: impl FnOnce() -> Result<SecretString>) -> Result<Secret> {
        let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let bad = |e: &dyn fmt::Display| {
            Error::usage(format!(
                "{}: not a minisign secret key ({e}); give the file `custos key init --signing` wrote",
                path.display()
            ))
        };
        let boxed = || SecretKeyBox::from_string(&text).map_err(|e| bad(&e));
        let key = if stored_encrypted(&text) {
            let pw = password()?;
            SecretKey::from_box(boxed()?, Some(pw.expose_secret().to_string())).map_err(|e| {
                match e.kind() {
                    // The checksum of the decrypted key did not match.
                    ErrorKind::Verify => Error::usage(format!(
                        "{}: wrong password for this signing key",
                        path.display()
                    )),
                    _ => bad(&e),
                }
            })?
        } else {
            SecretKey::from_unencrypted_box(boxed()?).map_err(|e| bad(&e))?
        };
        let public = PublicKey::from_secret_key(&key)
            .map(|key| Public { key })
            .map_err(|e| bad(&e))?;
        Ok(Secret { key, public })
    }

    /// Signs `data`; `trusted` is the signed comment `minisign -V` prints.
    pub fn sign(&self, data: &[u8], trusted: &str) -> Result<String> {
        minisign::sign(
            Some(&self.public.key),
            &self.key,
            data,
            Some(trusted),
            Some("signature of a custos head statement (minisign -Vm FILE -p KEY.pub)"),
        )
        .map(|b| b.into_string())
        .map_err(|e| Error::Failed(format!("cannot sign: {e}")))
    }
}

/// Where the public key of secret key file `secret` goes: the same name
/// with `.pub` as its extension, as `minisign -G` names its pair.
pub fn public_path(secret: &Path) -> Result<PathBuf> {
    if secret.extension().is_some_and(|e| e == "pub") {
        return Err(Error::usage(format!(
            "{}: a secret key file may not end in .pub; its public key is written beside it with that extension",
            secret.display()
        )));
    }
    Ok(secret.with_extension("pub"))
}

/// Creates a key pair: the secret at `secret` (mode 0600), the public key
/// beside it (see `public_path`). Neither file may exist already.
pub fn generate(secret: &Path, protection: Protection, comment: &str) -> Result<Public> {
    let public_file = public_path(secret)?;
    for p in [secret, public_file.as_path()] {
        if p.exists() {
            return Err(Error::usage(format!(
                "{} already exists; custos never overwrites a key file. Choose another --out",
                p.display()
            )));
        }
    }
    let pair = match protection {
        Protection::None => KeyPair::generate_unencrypted_keypair(),
        Protection::Password(pw) => {
            if pw.expose_secret().is_empty() {
                return Err(Error::usage(
                    "the password is empty; give one, or --no-password for a key in clear",
                ));
            }
            KeyPair::generate_encrypted_keypair(Some(pw.expose_secret().to_string()))
        }
    }
    .map_err(|e| Error::Failed(format!("cannot generate a signing key: {e}")))?;
    let public = Public { key: pair.pk };
    let secret_text = SecretString::from(
        pair.sk
            .to_box(Some(comment))
            .map_err(|e| Error::Failed(format!("cannot encode the secret key: {e}")))?
            .into_string(),
    );
    write_new(secret, secret_text.expose_secret().as_bytes(), 0o600)?;
    if let Err(e) = write_new(&public_file, public.file_text()?.as_bytes(), 0o644) {
        let _ = fs::remove_file(secret);
        return Err(e);
    }
    Ok(public)
}

/// Checks `sig` (a `.minisig` file's text) over `data` with `public`.
/// Errors say what failed: the key id, or the signature itself.
pub fn verify(public: &Public, data: &[u8], sig: &str, sig_path: &Path) -> Result<()> {
    let sbox = SignatureBox::from_string(sig).map_err(|e| {
        Error::Failed(format!(
            "{}: not a minisign signature ({e}): the signature file was damaged or altered",
            sig_path.display()
        ))
    })?;
    let signer = key_id(sbox.keynum());
    if signer != public.key_id() {
        return Err(Error::Failed(format!(
            "{}: signed by key {signer}, not by the public key given (key {}): wrong public key, or a signature made elsewhere",
            sig_path.display(),
            public.key_id()
        )));
    }
    minisign::verify(
        &public.key,
        &sbox,
        std::io::Cursor::new(data),
        true,
        false,
        false,
    )
    .map_err(|e| {
        Error::Failed(format!(
            "{}: BAD SIGNATURE ({e}): the statement or its signature was altered after signing",
            sig_path.display()
        ))
    })
}

/// Whether a secret key file's key is encrypted (its KDF is set), read
/// before any password is asked; a file that cannot be read as a key is
/// left to the parser, which names what is wrong.
fn stored_encrypted(text: &str) -> bool {
    use base64::Engine;
    text.lines()
        .nth(1)
        .and_then(|l| {
            base64::engine::general_purpose::STANDARD
                .decode(l.trim())
                .ok()
        })
        .and_then(|b| SecretKey::from_bytes(&b).ok())
        .is_some_and(|k| k.is_encrypted())
}

fn key_id(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    let n = keynum.len().min(8);
    b[..n].copy_from_slice(&keynum[..n]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// Writes a new file (never over an existing one) with `mode`, durably,
/// creating its folder owner-only if needed.
pub(crate) fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
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
        .mode(mode)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::usage(format!(
                    "{} already exists; custos never overwrites it",
                    path.display()
                ))
            } else {
                Error::io(path, e)
            }
        })?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_key_signs_and_its_public_key_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let sk = dir.path().join("k.key");
        let public = generate(&sk, Protection::None, "test key").unwrap();
        let pk_path = dir.path().join("k.pub");
        assert_eq!(Public::read(&pk_path).unwrap().key_id(), public.key_id());
        let mode = fs::metadata(&sk).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let secret = Secret::read(&sk, || panic!("a clear key needs no password")).unwrap();
        assert!(!format!("{secret:?}").contains(&public.base64()));
        let sig = secret.sign(b"statement", "custos head").unwrap();
        verify(&public, b"statement", &sig, &pk_path).unwrap();
        let err = verify(&public, b"statemenT", &sig, &pk_path).unwrap_err();
        assert!(err.to_string().contains("BAD SIGNATURE"), "{err}");
        assert!(generate(&sk, Protection::None, "again").is_err());
    }

    #[test]
    fn an_encrypted_key_needs_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let sk = dir.path().join("p.key");
        let pw = || Ok(SecretString::from("fictional password".to_string()));
        let public = generate(&sk, Protection::Password(pw().unwrap()), "c").unwrap();
        let secret = Secret::read(&sk, pw).unwrap();
        assert_eq!(secret.public().key_id(), public.key_id());
        let wrong = Secret::read(&sk, || Ok(SecretString::from("nope".to_string())));
        assert!(matches!(wrong, Err(Error::Usage(_))), "{wrong:?}");
    }

    #[test]
    fn another_key_is_named_by_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let a = generate(&dir.path().join("a.key"), Protection::None, "a").unwrap();
        let b = generate(&dir.path().join("b.key"), Protection::None, "b").unwrap();
        let sa = Secret::read(&dir.path().join("a.key"), || unreachable!()).unwrap();
        let sig = sa.sign(b"x", "t").unwrap();
        let err = verify(&b, b"x", &sig, Path::new("x.minisig")).unwrap_err();
        assert!(err.to_string().contains(&a.key_id()), "{err}");
        assert!(public_path(Path::new("k.pub")).is_err());
        assert_eq!(
            public_path(Path::new("d/k.key")).unwrap(),
            Path::new("d/k.pub")
        );
    }
}

//! Web tokens (issue 15): create one (a random secret shown once, stored
//! only as its SHA-256), revoke one, check a presented secret, and record
//! a research reader's item views and downloads. Creation and revocation
//! are events; each write is one transaction.
//!
//! A token raises a web reader to its level, never to custodian. This
//! module never prints and never decides what a level may see.

use base64::Engine;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::tokens::{self, NewToken};
use crate::error::{Error, Result};
use crate::model::{Access, ItemId};

pub use crate::catalogue::tokens::{AccessLogRow, TokenRow};

/// Random bytes in a secret (256 bits).
const SECRET_BYTES: usize = 32;
/// Every secret starts so, so a leaked one is recognisable in logs.
pub const PREFIX: &str = "custos_";

/// A new token: its row id and the secret, which exists nowhere else.
pub struct Created {
    pub id: i64,
    pub secret: String,
}

/// A presented secret that is valid today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Valid {
    pub id: i64,
    pub access: Access,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a token granting `access` (public or research) to the reader
/// holding it, valid through `expires`.
pub fn create(
    archive: &mut Archive,
    access: Access,
    label: &str,
    expires: NaiveDate,
    today: NaiveDate,
    by: &str,
) -> Result<Created> {
    let label = label.trim();
    if label.is_empty() {
        return Err(Error::usage(
            "--label cannot be empty: say who holds the token",
        ));
    }
    if !crate::policy::served_on_web(access) {
        return Err(Error::usage(
            "custodian is never served on the web; a token grants public or research",
        ));
    }
    if expires < today {
        return Err(Error::usage(format!(
            "--expires {expires} is in the past; a token must be valid at least today"
        )));
    }
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Failed(format!("no randomness for a token: {e}")))?;
    let secret = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let h = hash(&secret);
    let now = crate::clock::now_rfc3339();
    let expires = expires.format("%Y-%m-%d").to_string();
    let id = archive.write(|tx| {
        let id = tokens::insert(
            tx,
            &NewToken {
                hash: &h,
                label,
                access: access.as_str(),
                created_at: &now,
                created_by: by,
                expires: &expires,
            },
        )?;
        let detail = serde_json::json!({
            "token": id,
            "label": label,
            "access": access.as_str(),
            "expires": expires,
        });
        EventLog::new(tx)?.append(
            EventType::TokenCreation,
            None,
            by,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(id)
    })?;
    Ok(Created { id, secret })
}

/// Revokes token `id` at once; refused when there is no such token or it
/// is revoked already.
pub fn revoke(archive: &mut Archive, id: i64, by: &str) -> Result<TokenRow> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let Some(t) = tokens::get(tx, id)? else {
            return Err(Error::usage(format!("no token {id} in this archive")));
        };
        if !tokens::revoke(tx, id, &now)? {
            return Err(Error::usage(format!(
                "token {id} was revoked already, at {}",
                t.revoked_at.as_deref().unwrap_or("?")
            )));
        }
        let detail = serde_json::json!({ "token": id, "label": t.label });
        EventLog::new(tx)?.append(
            EventType::TokenRevocation,
            None,
            by,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(t)
    })
}

/// Every token, for the custodian (never a secret: there is none stored).
pub fn list(archive: &Archive) -> Result<Vec<TokenRow>> {
    tokens::list(archive.conn())
}

/// The token a presented secret is, when it is known, not revoked and not
/// past its last day; None otherwise (forged, revoked and expired alike).
pub fn check(archive: &Archive, secret: &str, today: NaiveDate) -> Result<Option<Valid>> {
    if !secret.starts_with(PREFIX) || secret.len() > 128 {
        return Ok(None);
    }
    let Some(t) = tokens::by_hash(archive.conn(), &hash(secret))? else {
        return Ok(None);
    };
    let expires = NaiveDate::parse_from_str(&t.expires, "%Y-%m-%d").ok();
    if t.revoked_at.is_some() || expires.is_none_or(|e| e < today) {
        return Ok(None);
    }
    let access = match t.access.parse::<Access>() {
        Ok(a) if crate::policy::served_on_web(a) => a,
        _ => return Ok(None),
    };
    Ok(Some(Valid { id: t.id, access }))
}

/// What a research reader did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    View,
    Download,
}

/// Logs one view or download by token `token` (None: an anonymous reader
/// of a server run at research level).
pub fn log_access(
    archive: &mut Archive,
    token: Option<i64>,
    item: ItemId,
    what: Use,
) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    let what = match what {
        Use::View => "view",
        Use::Download => "download",
    };
    archive.write(|tx| tokens::log_access(tx, token, item.0, what, &now))
}

/// The research access log, oldest first, for the custodian.
pub fn access_log(archive: &Archive) -> Result<Vec<AccessLogRow>> {
    tokens::access_log(archive.conn())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::InitOptions;
    use crate::model::Intake;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_token_is_valid_until_revoked_or_expired_and_stored_only_as_a_hash() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Archive::init(
            &dir.path().join("a"),
            &InitOptions {
                default_access: Access::Public,
                intake: Intake::Open,
            },
        )
        .unwrap();
        let today = day("2026-11-29");
        let t = create(
            &mut a,
            Access::Research,
            "Dr. Invented",
            day("2026-12-31"),
            today,
            "me",
        )
        .unwrap();
        assert!(t.secret.starts_with(PREFIX) && t.secret.len() > 40);
        let ok = Some(Valid {
            id: t.id,
            access: Access::Research,
        });
        assert_eq!(check(&a, &t.secret, today).unwrap(), ok);
        assert_eq!(check(&a, &t.secret, day("2026-12-31")).unwrap(), ok);
        assert_eq!(check(&a, &t.secret, day("2027-01-01")).unwrap(), None);
        let forged = format!("{}x", t.secret);
        assert_eq!(check(&a, &forged, today).unwrap(), None);
        let stored: i64 = a
            .conn()
            .query_row(
                "SELECT count(*) FROM web_tokens WHERE hash = ?1",
                [hash(&t.secret)],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, 1);
        let secret_anywhere: i64 = a
            .conn()
            .query_row(
                "SELECT count(*) FROM web_tokens WHERE hash = ?1 OR label = ?1",
                [&t.secret],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(secret_anywhere, 0);
        revoke(&mut a, t.id, "me").unwrap();
        assert_eq!(check(&a, &t.secret, today).unwrap(), None);
        assert!(revoke(&mut a, t.id, "me").is_err());
        assert!(create(
            &mut a,
            Access::Custodian,
            "x",
            day("2026-12-31"),
            today,
            "me"
        )
        .is_err());
        assert!(create(
            &mut a,
            Access::Research,
            "x",
            day("2026-11-28"),
            today,
            "me"
        )
        .is_err());
    }
}

//! The access decision, in one place: for an access level and what is known
//! about an item (its kind, current consent, narrator's anonymity, whether it
//! is consent evidence), whether it is listed, shown closed, shown as a
//! tombstone, or open — and if open, which fields may appear.
//!
//! Every read path (list, show, query, search snippets, reports, exports,
//! the import summary, error messages) asks this module; nothing else reads
//! consent or identity columns to decide visibility. `sql` gives predicates
//! that agree with [`decide`] (a test checks every combination), `present`
//! shapes records accordingly. This module decides; it never prints.

pub mod history;
pub mod passage;
pub mod present;
pub mod sql;
pub mod view;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Access, Anonymity, ConsentStatus, ItemAccess, Kind, Scope};

/// The current consent of a testimony (the latest consent event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub status: ConsentStatus,
    pub scope: Option<Scope>,
    pub date: String,
    pub embargo_until: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// What the policy needs to know about an item; loaded only by this
/// module's SQL (`sql::FACTS_COLUMNS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub kind: Kind,
    pub consent: Option<Consent>,
    pub anonymity: Option<Anonymity>,
    /// Referenced as the evidence of a consent: a signed release names the
    /// narrator, so it is the custodian's alone.
    pub is_evidence: bool,
    /// Has redaction terms: readers below custodian get the redacted copy.
    pub redacted: bool,
    /// The item's own access state (any kind; `custos access`), and the
    /// day it ends (open on the day). A testimony is governed by both this
    /// and its consent: the stricter wins ([`decide`]).
    pub item_access: ItemAccess,
    pub item_access_until: Option<NaiveDate>,
    /// Deaccessioned (`custos deaccession`): gone from every reader's view
    /// for good, whatever the rest says. Loaded with `item_access` Closed,
    /// so code reading only that still finds it closed.
    pub deaccessioned: Option<Deaccession>,
}

/// Why and when an item left the collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deaccession {
    /// The day (YYYY-MM-DD).
    pub on: String,
    pub reason: String,
}

impl Facts {
    /// The item's own restriction as it holds today: None when open or
    /// when its end date has come.
    pub fn own_restriction(&self, today: NaiveDate) -> Option<ItemAccess> {
        match self.item_access {
            ItemAccess::Open => None,
            level if self.item_access_until.is_none_or(|u| today < u) => Some(level),
            _ => None,
        }
    }

    /// The facts consent, evidence and redaction make, without the item's
    /// own access (for comparing with a source that does not carry it).
    pub fn without_own_access(self) -> Facts {
        Facts {
            item_access: ItemAccess::Open,
            item_access_until: None,
            ..self
        }
    }
}

/// How an item appears to a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not listed, not counted, not found.
    Hidden,
    /// Listed by id, kind and collection only; `until` is the embargo end
    /// (None while consent is pending).
    Closed {
        until: Option<NaiveDate>,
    },
    /// Withdrawn or deaccessioned, seen by the custodian: id, the day it
    /// went, and why.
    Tombstone {
        gone: Gone,
        on: String,
        reason: Option<String>,
    },
    Open(Grant),
}

/// How an item became a tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// Its narrator withdrew consent (a testimony).
    Withdrawn,
    /// Removed from the collection by `custos deaccession`.
    Deaccessioned,
}

/// What an open item may show beyond its catalogue description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Show the redacted copy of title, description and text.
    pub redact: bool,
    /// Narrator's birth year, places and notes, interviewer.
    pub quasi_identifiers: bool,
    /// Origin, original file name and path (file names carry people's names).
    pub origin: bool,
    /// Consent reasons, evidence and event details.
    pub custodial_detail: bool,
    /// The object's SHA-256 and size. They are those of the unredacted
    /// original, so for a redacted item they would let anyone confirm a
    /// guessed name by hashing it into the public text: the custodian's
    /// alone then (`sql::DIGEST_BELOW_CUSTODIAN` is the SQL form).
    pub digest: bool,
}

impl Grant {
    pub const FULL: Grant = Grant {
        redact: false,
        quasi_identifiers: true,
        origin: true,
        custodial_detail: true,
        digest: true,
    };
}

/// The access class of an item, as the `access` field reports it: a
/// property of the item and the date, not of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessClass {
    Open,
    Restricted,
    Closed,
    Withdrawn,
    Deaccessioned,
}

impl AccessClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessClass::Open => "open",
            AccessClass::Restricted => "restricted",
            AccessClass::Closed => "closed",
            AccessClass::Withdrawn => "withdrawn",
            AccessClass::Deaccessioned => "deaccessioned",
        }
    }
}

/// Which consent scopes a reader at this level may see.
pub fn scopes_for(access: Access) -> &'static [Scope] {
    match access {
        Access::Public => &[Scope::Public],
        Access::Research => &[Scope::Research, Scope::Publication, Scope::Public],
        Access::Custodian => &[
            Scope::Archive,
            Scope::Research,
            Scope::Publication,
            Scope::Public,
        ],
    }
}

/// Whether `new` lets some reader see what `old` kept from them: a level
/// that sees scope `new` but not `old`.
pub fn widens(new: Scope, old: Scope) -> bool {
    [Access::Public, Access::Research, Access::Custodian]
        .iter()
        .any(|&a| scopes_for(a).contains(&new) && !scopes_for(a).contains(&old))
}

/// True while an embargo ending on `until` holds: closed the day before,
/// open on the day.
pub fn embargoed(until: Option<NaiveDate>, today: NaiveDate) -> bool {
    until.is_some_and(|u| today < u)
}

/// The stricter of what consent allows and what the item's own access
/// allows: an item restriction never opens what consent closes or hides,
/// and closes (id, kind and collection only) what consent would open.
/// `closed` reaches everyone below custodian; `research` everyone below
/// research. The custodian sees every item whatever its own access. A
/// deaccessioned item is hidden below custodian and a tombstone for the
/// custodian, whatever else holds.
pub fn decide(access: Access, f: &Facts, today: NaiveDate) -> Decision {
    if let Some(d) = &f.deaccessioned {
        return if access == Access::Custodian {
            Decision::Tombstone {
                gone: Gone::Deaccessioned,
                on: d.on.clone(),
                reason: Some(d.reason.clone()),
            }
        } else {
            Decision::Hidden
        };
    }
    let by_consent = decide_by_consent(access, f, today);
    if access == Access::Custodian {
        return by_consent;
    }
    let holds = match f.own_restriction(today) {
        None => false,
        Some(ItemAccess::Research) => access != Access::Research,
        Some(_) => true,
    };
    if !holds {
        return by_consent;
    }
    let own_until = f.item_access_until;
    match by_consent {
        Decision::Hidden => Decision::Hidden,
        // Both close it: it opens when both have ended; an open-ended one
        // (pending consent, a closure without a date) never says when.
        Decision::Closed { until } => Decision::Closed {
            until: until.zip(own_until).map(|(a, b)| a.max(b)),
        },
        Decision::Open(_) | Decision::Tombstone { .. } => Decision::Closed { until: own_until },
    }
}

/// What consent (and evidence, redaction, anonymity) alone decide.
fn decide_by_consent(access: Access, f: &Facts, today: NaiveDate) -> Decision {
    if access == Access::Custodian {
        return match &f.consent {
            Some(c) if f.kind == Kind::Testimony && c.status == ConsentStatus::Withdrawn => {
                Decision::Tombstone {
                    gone: Gone::Withdrawn,
                    on: c.date.clone(),
                    reason: c.reason.clone(),
                }
            }
            _ => Decision::Open(Grant::FULL),
        };
    }
    if f.is_evidence {
        return Decision::Hidden;
    }
    // A redacted item's file name and origin may hold the names redacted
    // from its text; redaction does not rewrite them.
    let below = Grant {
        redact: true,
        quasi_identifiers: true,
        origin: !f.redacted,
        custodial_detail: false,
        digest: !f.redacted,
    };
    if f.kind != Kind::Testimony {
        return Decision::Open(below);
    }
    let Some(c) = &f.consent else {
        return Decision::Closed { until: None };
    };
    match c.status {
        ConsentStatus::Pending => Decision::Closed { until: None },
        ConsentStatus::Withdrawn => Decision::Hidden,
        ConsentStatus::Granted | ConsentStatus::Restricted => {
            let in_scope = c.scope.is_some_and(|s| scopes_for(access).contains(&s));
            if !in_scope {
                Decision::Hidden
            } else if embargoed(c.embargo_until, today) {
                Decision::Closed {
                    until: c.embargo_until,
                }
            } else {
                Decision::Open(Grant {
                    quasi_identifiers: f.anonymity != Some(Anonymity::Anonymous),
                    origin: false,
                    ..below
                })
            }
        }
    }
}

/// The stricter of the consent's class and the item's own access: open <
/// restricted < closed < withdrawn; deaccessioned above all.
pub fn access_class(f: &Facts, today: NaiveDate) -> AccessClass {
    if f.deaccessioned.is_some() {
        return AccessClass::Deaccessioned;
    }
    let rank = |c: AccessClass| match c {
        AccessClass::Open => 0,
        AccessClass::Restricted => 1,
        AccessClass::Closed => 2,
        AccessClass::Withdrawn => 3,
        AccessClass::Deaccessioned => 4,
    };
    let own = match f.own_restriction(today) {
        None | Some(ItemAccess::Open) => AccessClass::Open,
        Some(ItemAccess::Research) => AccessClass::Restricted,
        Some(ItemAccess::Closed) => AccessClass::Closed,
    };
    let by_consent = consent_class(f, today);
    if rank(own) > rank(by_consent) {
        own
    } else {
        by_consent
    }
}

fn consent_class(f: &Facts, today: NaiveDate) -> AccessClass {
    if f.is_evidence {
        return AccessClass::Restricted;
    }
    if f.kind != Kind::Testimony {
        return AccessClass::Open;
    }
    match &f.consent {
        None => AccessClass::Closed,
        Some(c) => match c.status {
            ConsentStatus::Pending => AccessClass::Closed,
            ConsentStatus::Withdrawn => AccessClass::Withdrawn,
            _ if embargoed(c.embargo_until, today) => AccessClass::Closed,
            ConsentStatus::Granted if c.scope == Some(Scope::Public) => AccessClass::Open,
            _ => AccessClass::Restricted,
        },
    }
}

/// How a narrator appears to a reader: None when hidden. Below custodian a
/// narrator exists only through a testimony the reader may open (else the
/// narrator's mere existence could say who spoke to the archive), and an
/// anonymous narrator's quasi-identifiers stay with the custodian.
pub fn narrator(access: Access, anonymity: Anonymity, has_open_testimony: bool) -> Option<Grant> {
    if access == Access::Custodian {
        return Some(Grant::FULL);
    }
    has_open_testimony.then_some(Grant {
        redact: true,
        quasi_identifiers: anonymity != Anonymity::Anonymous,
        origin: false,
        custodial_detail: false,
        digest: false,
    })
}

/// What a reader may see of an item's consent history: an open item's as
/// its grant allows; a tombstone's in full (only the custodian is given
/// tombstones, and keeps the history of a withdrawal); nothing otherwise.
pub fn consent_history(decision: &Decision) -> Option<Grant> {
    match decision {
        Decision::Open(g) => Some(*g),
        Decision::Tombstone { .. } => Some(Grant::FULL),
        Decision::Closed { .. } | Decision::Hidden => None,
    }
}

/// What a reader may see of an item's own access history: as of its
/// consent history (the same readers, the same detail).
pub fn access_history(decision: &Decision) -> Option<Grant> {
    consent_history(decision)
}

/// Whether the web portal may serve a reader at this level (by
/// `serve --access` or a token): never the custodian, whose work stays on
/// the command line.
pub fn served_on_web(access: Access) -> bool {
    access != Access::Custodian
}

/// Whether this reader sees every item in full, so that counts never
/// include items closed to them and terms no item uses are worth listing.
pub fn sees_everything(access: Access) -> bool {
    access == Access::Custodian
}

/// Whether this reader sees the sites that hold copies and each item's
/// copies there: site URLs and bucket names can say where a collection is
/// kept, so the custodian alone (`site list`, `show`).
pub fn sees_copies(access: Access) -> bool {
    access == Access::Custodian
}

/// Whether this reader reads originals where a redacted copy exists,
/// searches the index of originals, and queries origin and custodial
/// fields unguarded: the custodian alone.
pub fn reads_originals(access: Access) -> bool {
    access == Access::Custodian
}

/// Whether raw SQL at this level reads the catalogue's own tables (with
/// withdrawn testimonies' rows tombstoned), rather than views the policy
/// fills with what `query` shows.
pub fn raw_sql_reads_catalogue(access: Access) -> bool {
    access == Access::Custodian
}

/// Whether a bag made at this level carries the custodian's state of its
/// items (consent histories, evidence, narrators, redactions) so that a
/// round trip restores it.
pub fn bag_carries_custodian_state(access: Access) -> bool {
    access == Access::Custodian
}

/// How the events of an item the catalogue no longer describes (purged
/// rows, unknown ids) are decided: the custodian keeps that history, as a
/// tombstone; nobody else sees it.
pub fn vanished(access: Access) -> Decision {
    if access == Access::Custodian {
        Decision::Tombstone {
            gone: Gone::Withdrawn,
            on: String::new(),
            reason: None,
        }
    } else {
        Decision::Hidden
    }
}

/// The level `narrator show --reveal` reads at when none is given: only the
/// custodian may unseal.
pub const REVEAL_LEVEL: Access = Access::Custodian;

/// The level a write operation selects at (`access --query`): whoever
/// changes the archive works on all of it.
pub const WRITER_LEVEL: Access = Access::Custodian;

/// The level `log --head --sign` states the head at when none is given: a
/// statement names event ids and counts, which only this level sees
/// (`history::head_id`).
pub const SIGNING_LEVEL: Access = Access::Custodian;

/// Whether a reader at this level may unseal a legal identity (they still
/// need the key): the custodian only.
pub fn may_reveal(access: Access) -> bool {
    access == Access::Custodian
}

/// Whether an item may be purged for good: only a testimony whose current
/// consent is withdrawn. Err says why not, for the user.
pub fn purgeable(f: &Facts) -> Result<(), &'static str> {
    if f.deaccessioned.is_some() {
        return Err("it was deaccessioned; `custos deaccession ID --purge-bytes` erases a deaccessioned item's bytes");
    }
    if f.kind != Kind::Testimony {
        return Err("only testimonies can be purged, and only after consent is withdrawn");
    }
    match &f.consent {
        Some(c) if c.status == ConsentStatus::Withdrawn => Ok(()),
        _ => Err("its consent is not withdrawn; purge erases only withdrawn testimonies (record the withdrawal with `custos consent ID withdraw` first)"),
    }
}

pub mod download;
#[cfg(test)]
mod tests;

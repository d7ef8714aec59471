//! The append-only event log: PREMIS-style events chained by SHA-256.
//!
//! Each event's hash covers its canonical form and the previous event's
//! hash, so editing, deleting or reordering history is detectable. The
//! free-text `detail` is covered through a salted hash: a purge may erase a
//! detail and its salt (what it said) while the chain still verifies.
//! Appending must happen inside a write transaction taken with BEGIN
//! IMMEDIATE, so two writers can never fork the chain.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256 as Hasher};

use crate::error::Result;
use crate::model::{ItemId, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The kinds of event, spelled as stored and as `custos log --type` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Creation,
    Ingestion,
    MessageDigestCalculation,
    MetadataModification,
    FixityCheck,
    ConsentChange,
    Reveal,
    Redaction,
    Export,
    Withdrawal,
    Purge,
    /// Files removed that no catalogue row named (`verify --remove-untracked`).
    Deletion,
    /// An item's own access changed (`custos access`, or a closed intake).
    AccessChange,
    /// An accession was recorded (`custos accession add`).
    Accession,
    /// A term's name added or removed, or its label chosen (`terms name`).
    NameChange,
    /// A claim added or removed (`custos claim`).
    ClaimChange,
    /// A copy of an object confirmed at a site (`replicate`, `repair`).
    Replication,
    /// A recording's transcript was set or replaced (`transcript set`).
    TranscriptChange,
    /// Segments were added to a recording (`segment add`, `segment import`).
    SegmentChange,
    /// A passage of a recording was closed or reopened (`restrict`).
    PassageRestriction,
    /// A web token was created (`custos token create`).
    TokenCreation,
    /// A web token was revoked (`custos token revoke`).
    TokenRevocation,
    /// An item left the collection for good, or its bytes were erased
    /// afterwards (`custos deaccession`).
    Deaccession,
}

impl EventType {
    pub fn parse(s: &str) -> Option<EventType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }

    pub const ALL: &'static [EventType] = &[
        EventType::Creation,
        EventType::Ingestion,
        EventType::MessageDigestCalculation,
        EventType::MetadataModification,
        EventType::FixityCheck,
        EventType::ConsentChange,
        EventType::Reveal,
        EventType::Redaction,
        EventType::Export,
        EventType::Withdrawal,
        EventType::Purge,
        EventType::Deletion,
        EventType::AccessChange,
        EventType::Accession,
        EventType::NameChange,
        EventType::ClaimChange,
        EventType::Replication,
        EventType::TranscriptChange,
        EventType::SegmentChange,
        EventType::PassageRestriction,
        EventType::TokenCreation,
        EventType::TokenRevocation,
        EventType::Deaccession,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Creation => "creation",
            EventType::Ingestion => "ingestion",
            EventType::MessageDigestCalculation => "message_digest_calculation",
            EventType::MetadataModification => "metadata_modification",
            EventType::FixityCheck => "fixity_check",
            EventType::ConsentChange => "consent_change",
            EventType::Reveal => "reveal",
            EventType::Redaction => "redaction",
            EventType::Export => "export",
            EventType::Withdrawal => "withdrawal",
            EventType::Purge => "purge",
            EventType::Deletion => "deletion",
            EventType::AccessChange => "access_change",
            EventType::Accession => "accession",
            EventType::NameChange => "name_change",
            EventType::ClaimChange => "claim_change",
            EventType::Replication => "replication",
            EventType::TranscriptChange => "transcript_change",
            EventType::SegmentChange => "segment_change",
            EventType::PassageRestriction => "passage_restriction",
            EventType::TokenCreation => "token_creation",
            EventType::TokenRevocation => "token_revocation",
            EventType::Deaccession => "deaccession",
        }
    }
}

/// One event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub item_id: Option<ItemId>,
    pub agent: String,
    pub outcome: String,
    pub detail: Option<serde_json::Value>,
    #[serde(skip)]
    pub detail_salt: Option<Vec<u8>>,
    pub detail_hash: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Appends events to the chain within one transaction, remembering the head
/// and the next id so a bulk import does not look them up once per event.
/// Both stay right because appending happens inside a BEGIN IMMEDIATE
/// transaction: no other writer can append while this log lives.
pub struct EventLog<'c> {
    conn: &'c Connection,
    head: String,
    next_id: i64,
    /// Random bytes drawn in bulk, handed out 16 at a time as salts.
    salts: Vec<u8>,
}

/// Salts drawn from the OS per refill (one getrandom call for 256 events).
const SALT_LEN: usize = 16;
const SALT_BATCH: usize = 256;

impl<'c> EventLog<'c> {
    pub fn new(conn: &'c Connection) -> Result<Self> {
        let (last, head) = head_with_id(conn)?;
        Ok(EventLog {
            conn,
            head,
            next_id: last + 1,
            salts: Vec::new(),
        })
    }

    fn salt(&mut self) -> Vec<u8> {
        if self.salts.is_empty() {
            self.salts = random_bytes(SALT_LEN * SALT_BATCH);
        }
        self.salts.split_off(self.salts.len() - SALT_LEN)
    }

    pub fn append(
        &mut self,
        kind: EventType,
        item_id: Option<ItemId>,
        agent: &str,
        outcome: &str,
        detail: Option<&serde_json::Value>,
        at: &str,
    ) -> Result<i64> {
        let detail_text = detail.map(|d| d.to_string());
        let salt = detail_text.as_ref().map(|_| self.salt());
        let detail_hash = detail_hash(salt.as_deref(), detail_text.as_deref());
        let id = self.next_id;
        let hash = event_hash(&Canonical {
            id,
            at,
            kind: kind.as_str(),
            item_id: item_id.map(|i| i.0),
            agent,
            outcome,
            detail_hash: &detail_hash,
            prev_hash: &self.head,
        });
        self.conn
            .prepare_cached(
                "INSERT INTO events (id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                id,
                at,
                kind.as_str(),
                item_id,
                agent,
                outcome,
                detail_text,
                salt,
                detail_hash,
                self.head,
                hash
            ])?;
        self.head = hash;
        self.next_id += 1;
        Ok(id)
    }
}

/// The hash of the newest event, None for an empty log.
pub fn head(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT hash FROM events ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// The fields an event's hash covers, in a fixed order.
pub struct Canonical<'a> {
    pub id: i64,
    pub at: &'a str,
    pub kind: &'a str,
    pub item_id: Option<i64>,
    pub agent: &'a str,
    pub outcome: &'a str,
    pub detail_hash: &'a str,
    pub prev_hash: &'a str,
}

/// Length-prefixed fields: no value can be forged by moving a separator.
pub fn event_hash(c: &Canonical<'_>) -> String {
    let mut h = Hasher::new();
    h.update(b"custos-event/1\n");
    let item = c.item_id.map(|i| i.to_string()).unwrap_or_default();
    let id = c.id.to_string();
    for field in [
        id.as_str(),
        c.at,
        c.kind,
        item.as_str(),
        c.agent,
        c.outcome,
        c.detail_hash,
        c.prev_hash,
    ] {
        let mut digits = [0u8; 20];
        h.update(decimal(field.len(), &mut digits));
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b"\n");
    }
    Sha256::from_digest(&h.finalize()).to_string()
}

/// `n` in decimal, as `n.to_string()` spells it, without allocating (the
/// chain check hashes eight lengths per event).
fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

pub fn detail_hash(salt: Option<&[u8]>, detail: Option<&str>) -> String {
    let mut h = Hasher::new();
    if let Some(s) = salt {
        h.update(s);
    }
    if let Some(d) = detail {
        h.update(d.as_bytes());
    }
    Sha256::from_digest(&h.finalize()).to_string()
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    // Without randomness each salt still separates equal details by time.
    if getrandom::fill(&mut bytes).is_err() {
        let t = crate::clock::now().timestamp_nanos_opt().unwrap_or(0);
        for (i, salt) in bytes.chunks_mut(SALT_LEN).enumerate() {
            let v = t.wrapping_add(i as i64).to_le_bytes();
            salt[..8].copy_from_slice(&v);
        }
    }
    bytes
}

/// Events about one item, oldest first.
pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<Event>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT_EVENT} WHERE item_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([item], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What `custos log` asks for; every value is bound, never spliced.
#[derive(Debug, Default)]
pub struct LogFilter {
    pub item: Option<ItemId>,
    /// RFC 3339 UTC, or a date (events on or after its start).
    pub since: Option<String>,
    /// Event type names (checked against [`EventType::ALL`] by the caller).
    pub types: Vec<String>,
}

/// Events matching the filter, oldest first.
pub fn list(conn: &Connection, f: &LogFilter) -> Result<Vec<Event>> {
    let types = (!f.types.is_empty()).then(|| serde_json::Value::from(f.types.clone()).to_string());
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_EVENT} WHERE (?1 IS NULL OR item_id = ?1) AND (?2 IS NULL OR at >= ?2)
           AND (?3 IS NULL OR type IN (SELECT value FROM json_each(?3))) ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![f.item, f.since, types], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest event's id and hash, (0, GENESIS) for an empty log.
pub fn head_with_id(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_else(|| (0, GENESIS.to_string())))
}

pub const SELECT_EVENT: &str = "SELECT id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash FROM events";

pub fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let detail: Option<String> = r.get(6)?;
    Ok(Event {
        id: r.get(0)?,
        at: r.get(1)?,
        kind: r.get(2)?,
        item_id: r.get(3)?,
        agent: r.get(4)?,
        outcome: r.get(5)?,
        detail: detail.map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d))),
        detail_salt: r.get(7)?,
        detail_hash: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        c
    }

    #[test]
    fn events_chain_to_their_predecessor() {
        let c = log_db();
        let mut log = EventLog::new(&c).unwrap();
        let d = serde_json::json!({"note": "first"});
        log.append(
            EventType::Creation,
            None,
            "tester",
            "success",
            Some(&d),
            "2026-01-01T00:00:00Z",
        )
        .unwrap();
        log.append(
            EventType::Ingestion,
            Some(ItemId(1)),
            "tester",
            "success",
            None,
            "2026-01-01T00:00:01Z",
        )
        .unwrap();
        let mut stmt = c.prepare(&format!("{SELECT_EVENT} ORDER BY id")).unwrap();
        let events: Vec<Event> = stmt
            .query_map([], row_to_event)
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(events[0].prev_hash, GENESIS);
        assert_eq!(events[1].prev_hash, events[0].hash);
        for e in &events {
            let recomputed = event_hash(&Canonical {
                id: e.id,
                at: &e.at,
                kind: &e.kind,
                item_id: e.item_id.map(|i| i.0),
                agent: &e.agent,
                outcome: &e.outcome,
                detail_hash: &e.detail_hash,
                prev_hash: &e.prev_hash,
            });
            assert_eq!(recomputed, e.hash);
        }
        let text = events[0].detail.as_ref().unwrap().to_string();
        assert_eq!(
            detail_hash(events[0].detail_salt.as_deref(), Some(&text)),
            events[0].detail_hash
        );
        assert_eq!(head(&c).unwrap().unwrap(), events[1].hash);
    }

    #[test]
    fn lengths_are_spelled_in_decimal() {
        for n in [0usize, 7, 10, 64, 99, 100, 12345, usize::MAX] {
            let mut buf = [0u8; 20];
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn moving_a_separator_changes_the_hash() {
        let make = |agent, outcome| {
            event_hash(&Canonical {
                id: 1,
                at: "a",
                kind: "b",
                item_id: None,
                agent,
                outcome,
                detail_hash: "f",
                prev_hash: GENESIS,
            })
        };
        assert_ne!(make("c\n1:d", "e"), make("c", "d\ne"));
    }
}

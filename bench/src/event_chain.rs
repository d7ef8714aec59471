//! The generated catalogue's event log: the two events a real import
//! records for each new item (`ingestion`, then
//! `message_digest_calculation`), chained exactly as custos chains them, so
//! that `verify` finds the chain intact and an import into the catalogue
//! appends to a log of a real archive's length. Details are left empty
//! (their hash covers nothing); a real ingestion event carries a short
//! JSON detail and its salt.
//!
//! It writes events rows only, inside the generator's own transactions.

use rusqlite::{params, Connection};

use custos::bench_support::{detail_hash, event_hash, Canonical, GENESIS};

pub struct Chain {
    head: String,
    next_id: i64,
    empty_detail: String,
}

impl Chain {
    pub fn new() -> Chain {
        Chain {
            head: GENESIS.to_string(),
            next_id: 1,
            empty_detail: detail_hash(None, None),
        }
    }

    /// Appends one item's two import events, recorded at `at` by `agent`.
    pub fn append_item(
        &mut self,
        conn: &Connection,
        item: i64,
        at: &str,
        agent: &str,
    ) -> rusqlite::Result<()> {
        let mut insert = conn.prepare_cached(
            "INSERT INTO events (id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, 'success', NULL, NULL, ?6, ?7, ?8)",
        )?;
        for kind in ["ingestion", "message_digest_calculation"] {
            let hash = event_hash(&Canonical {
                id: self.next_id,
                at,
                kind,
                item_id: Some(item),
                agent,
                outcome: "success",
                detail_hash: &self.empty_detail,
                prev_hash: &self.head,
            });
            insert.execute(params![
                self.next_id,
                at,
                kind,
                item,
                agent,
                self.empty_detail,
                self.head,
                hash
            ])?;
            self.head = hash;
            self.next_id += 1;
        }
        Ok(())
    }
}

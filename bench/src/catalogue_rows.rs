//! One batch of generated items into the catalogue: objects, items, text,
//! full-text index, provenance, terms, testimonies, consent, and the two
//! chained events of each item. Plain inserts inside one transaction; the
//! indexes and triggers were set aside by `catalogue::generate`.

use rusqlite::{params, Connection};

use custos::edtf::Edtf;

use super::Item;
use crate::Res;

pub(super) fn insert_batch(
    conn: &mut Connection,
    batch: &[Item],
    chain: &mut crate::event_chain::Chain,
) -> Res<()> {
    let tx = conn.transaction()?;
    {
        let mut obj = tx.prepare_cached(
            "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut item = tx.prepare_cached(
            "INSERT INTO items (id, object_id, title, kind, description, creator, date, date_lower, date_upper, language, collection, created_at, updated_at, size, date_span)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11,
                     coalesce((SELECT size FROM objects WHERE id = ?1), 0),
                     CAST(julianday(?8) - julianday(?7) AS INTEGER))",
        )?;
        let mut text =
            tx.prepare_cached("INSERT INTO item_text (item_id, text) VALUES (?1, ?2)")?;
        let mut fts =
            tx.prepare_cached("INSERT INTO item_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?;
        let mut prov = tx.prepare_cached(
            "INSERT INTO provenance (item_id, origin, original_name, original_path, method, ingested_at, ingested_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut term =
            tx.prepare_cached("INSERT INTO item_terms (item_id, term_id) VALUES (?1, ?2)")?;
        let mut testi = tx.prepare_cached(
            "INSERT INTO testimonies (item_id, narrator_id, interview_date, interview_place, interviewer)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut cev = tx.prepare_cached(
            "INSERT INTO consent_events (item_id, status, scope, date, evidence_item_id, embargo_until, reason, recorded_at, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut ccur = tx.prepare_cached(
            "INSERT INTO consent_current (item_id, event_id, status, scope, date, evidence_item_id, embargo_until, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for it in batch {
            obj.execute(params![it.id, it.sha, it.size, it.media_type, it.at])?;
            item.execute(params![
                it.id,
                it.title,
                it.kind,
                it.description,
                it.creator,
                it.date.as_ref().map(Edtf::as_str),
                it.date.as_ref().and_then(Edtf::lower),
                it.date.as_ref().and_then(Edtf::upper),
                it.language,
                it.collection,
                it.at,
            ])?;
            text.execute(params![it.id, it.text])?;
            chain.append_item(&tx, it.id, &it.at, it.agent)?;
            fts.execute(params![it.id, it.title, it.text])?;
            let path = format!("/intake/{}/{}", &it.at[..7], it.name);
            let method = if it.id % 3 == 0 { "manifest" } else { "file" };
            prov.execute(params![
                it.id,
                it.origin,
                it.name.as_bytes(),
                path.as_bytes(),
                method,
                it.at,
                it.agent
            ])?;
            for t in &it.terms {
                term.execute(params![it.id, t + 1])?;
            }
            if let Some(t) = &it.testimony {
                testi.execute(params![
                    it.id,
                    t.narrator,
                    t.interview_date,
                    t.place,
                    t.interviewer
                ])?;
                let mut last = None;
                for c in &t.consents {
                    cev.execute(params![
                        it.id, c.status, c.scope, c.date, c.evidence, c.embargo, c.reason, it.at,
                        it.agent
                    ])?;
                    last = Some((tx.last_insert_rowid(), c));
                }
                if let Some((ev, c)) = last {
                    ccur.execute(params![
                        it.id, ev, c.status, c.scope, c.date, c.evidence, c.embargo, c.reason
                    ])?;
                }
            }
        }
    }
    tx.commit()?;
    Ok(())
}

//! Controlled vocabularies: terms (events, places, subjects, agents) and
//! their links to items; tagging, untagging, renaming, merging, counting.
//!
//! Two spellings are one term when their keys agree: the key is the label
//! after Unicode NFC normalisation, case folding and whitespace collapsing,
//! so "Şuşa" typed with a combining cedilla and "ŞUŞA" are the same term.
//! Counting asks the policy which items a reader may see; this module never
//! decides visibility itself, never prints, and never logs events (callers
//! do, inside the same transaction).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::model::{Access, ItemId, Vocab};
use crate::policy::sql as policy_sql;

/// The comparison key of a label: NFC, lower-cased, inner whitespace
/// collapsed to one space, trimmed. Lower-casing can denormalise (a few
/// characters decompose), so NFC is applied again after it.
pub fn key(label: &str) -> String {
    let nfc: String = label.nfc().collect();
    let folded: String = nfc.to_lowercase().nfc().collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A label as stored: NFC, whitespace collapsed; refuses empty labels.
pub fn clean_label(vocab: Vocab, label: &str) -> Result<String> {
    let nfc: String = label.nfc().collect();
    let clean = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() {
        return Err(Error::usage(format!("--{vocab}: a term cannot be empty")));
    }
    if clean.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "--{vocab}: a term cannot contain control characters"
        )));
    }
    Ok(clean)
}

/// A term and how many items the reader may see carry it.
#[derive(Debug, Clone, Serialize)]
pub struct TermCount {
    pub vocab: Vocab,
    pub label: String,
    pub items: i64,
}

/// The id and label of the term that has this name (any of its names,
/// `catalogue::names`), if one does; refused when two terms share it.
pub fn find(conn: &Connection, vocab: Vocab, label: &str) -> Result<Option<(i64, String)>> {
    super::names::resolve(conn, vocab, label)
}

/// The term's id, creating it (with this label) when new.
pub fn ensure(conn: &Connection, vocab: Vocab, label: &str) -> Result<i64> {
    let label = clean_label(vocab, label)?;
    if let Some((id, _)) = find(conn, vocab, &label)? {
        return Ok(id);
    }
    conn.prepare_cached("INSERT INTO terms (vocab, label, key) VALUES (?1, ?2, ?3)")?
        .execute(params![vocab, label, key(&label)])?;
    let id = conn.last_insert_rowid();
    super::names::add_label_name(conn, id, &label)?;
    Ok(id)
}

/// Links the item to the term (created when new); false if already linked.
pub fn tag(conn: &Connection, item: ItemId, vocab: Vocab, label: &str) -> Result<bool> {
    super::items::ensure_changeable(conn, item)?;
    let term = ensure(conn, vocab, label)?;
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO item_terms (item_id, term_id) VALUES (?1, ?2)")?
        .execute(params![item, term])?;
    Ok(n > 0)
}

/// Unlinks the item from the term; false if it was not linked. The term
/// itself stays (it may be reused); `terms` lists only terms in use.
pub fn untag(conn: &Connection, item: ItemId, vocab: Vocab, label: &str) -> Result<bool> {
    let Some((term, _)) = find(conn, vocab, label)? else {
        return Ok(false);
    };
    let n = conn
        .prepare_cached("DELETE FROM item_terms WHERE item_id = ?1 AND term_id = ?2")?
        .execute(params![item, term])?;
    Ok(n > 0)
}

/// The terms of one item, by vocabulary then label.
pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<(Vocab, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT tm.vocab, tm.label FROM item_terms it JOIN terms tm ON tm.id = it.term_id
         WHERE it.item_id = ?1 ORDER BY tm.vocab, tm.key",
    )?;
    let rows = stmt.query_map([item], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Terms with the number of items carrying them that this reader may see
/// in full. Below custodian a term only counts open items (a term is a
/// field beyond id, kind and collection, so a closed item must not be
/// counted under it), and terms with no such item are not listed at all:
/// a term's label alone can say what a closed testimony is about.
pub fn counts(
    conn: &Connection,
    access: Access,
    today: chrono::NaiveDate,
    vocab: Option<Vocab>,
) -> Result<Vec<TermCount>> {
    let listed = policy_sql::listed(access);
    let open = policy_sql::open(access, today);
    let mut params: Vec<rusqlite::types::Value> = Vec::new();
    params.extend(listed.params);
    params.extend(open.params);
    let vocab_sql = match vocab {
        Some(v) => {
            params.push(rusqlite::types::Value::Text(v.as_str().into()));
            "tm.vocab = ?"
        }
        None => "1",
    };
    let keep_unused = if crate::policy::sees_everything(access) {
        ""
    } else {
        "HAVING items > 0"
    };
    let sql = format!(
        "SELECT tm.vocab, tm.label, count(i.id) AS items
         FROM terms tm
         LEFT JOIN (item_terms it JOIN items i ON i.id = it.item_id
                    {join}) ON it.term_id = tm.id AND {listed} AND {open}
         WHERE {vocab_sql}
         GROUP BY tm.id {keep_unused}
         ORDER BY tm.vocab, tm.key",
        join = policy_sql::FACTS_JOIN,
        listed = listed.sql,
        open = open.sql,
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
        Ok(TermCount {
            vocab: r.get(0)?,
            label: r.get(1)?,
            items: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a rename or merge changed, for the event log and the summary.
#[derive(Debug, Clone, Serialize)]
pub struct TermChange {
    pub vocab: Vocab,
    pub from: String,
    pub to: String,
    /// Items whose links moved (merge) or whose term was relabelled (rename).
    pub items: Vec<ItemId>,
}

fn items_of(conn: &Connection, term: i64) -> Result<Vec<ItemId>> {
    let mut stmt =
        conn.prepare_cached("SELECT item_id FROM item_terms WHERE term_id = ?1 ORDER BY item_id")?;
    let rows = stmt.query_map([term], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn missing(vocab: Vocab, label: &str) -> Error {
    Error::usage(format!(
        "no {vocab} term {label:?}; `custos terms --vocab {vocab}` lists them"
    ))
}

/// Relabels a term. A new label whose key is another term's is refused
/// (that is a merge); a new label with the same key just fixes spelling.
pub fn rename(conn: &Connection, vocab: Vocab, old: &str, new: &str) -> Result<TermChange> {
    let (id, old_label) = find(conn, vocab, old)?.ok_or_else(|| missing(vocab, old))?;
    let new_label = clean_label(vocab, new)?;
    if let Some((other, other_label)) = find(conn, vocab, &new_label)? {
        if other != id {
            return Err(Error::usage(format!(
                "{vocab} term {other_label:?} already exists; use `custos terms merge {vocab} {old:?} {other_label:?}`"
            )));
        }
    }
    if let Some((other, other_label)) = conn
        .query_row(
            "SELECT id, label FROM terms WHERE vocab = ?1 AND key = ?2 AND id <> ?3",
            params![vocab, key(&new_label), id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
    {
        return Err(Error::usage(format!(
            "{vocab} term {other} is labelled {other_label:?}; two terms cannot share a label"
        )));
    }
    conn.execute(
        "UPDATE terms SET label = ?2, key = ?3 WHERE id = ?1",
        params![id, new_label, key(&new_label)],
    )?;
    // The old label stays one of the term's names; the new one joins them
    // (or, when it only fixes the spelling, replaces the old spelling).
    conn.execute(
        "UPDATE term_names SET text = ?3 WHERE term_id = ?1 AND key = ?2",
        params![id, key(&new_label), new_label],
    )?;
    super::names::add_label_name(conn, id, &new_label)?;
    Ok(TermChange {
        vocab,
        from: old_label,
        to: new_label,
        items: items_of(conn, id)?,
    })
}

/// Moves every link of `from` onto `into` and removes `from`.
pub fn merge(conn: &Connection, vocab: Vocab, from: &str, into: &str) -> Result<TermChange> {
    let (src, src_label) = find(conn, vocab, from)?.ok_or_else(|| missing(vocab, from))?;
    let (dst, dst_label) = find(conn, vocab, into)?.ok_or_else(|| missing(vocab, into))?;
    if src == dst {
        return Err(Error::usage(format!(
            "{from:?} and {into:?} are already the same {vocab} term"
        )));
    }
    let items = items_of(conn, src)?;
    conn.execute(
        "INSERT OR IGNORE INTO item_terms (item_id, term_id)
         SELECT item_id, ?2 FROM item_terms WHERE term_id = ?1",
        params![src, dst],
    )?;
    conn.execute("DELETE FROM item_terms WHERE term_id = ?1", [src])?;
    // Every name and claim of the merged term stays, on the term it joins.
    super::names::move_all(conn, src, dst)?;
    conn.execute(
        "UPDATE claims SET subject_term = ?2 WHERE subject_term = ?1",
        params![src, dst],
    )?;
    // Segments of recordings link terms too (migration 0010).
    conn.execute(
        "INSERT OR IGNORE INTO segment_terms (segment_id, item_id, term_id)
         SELECT segment_id, item_id, ?2 FROM segment_terms WHERE term_id = ?1",
        params![src, dst],
    )?;
    conn.execute("DELETE FROM segment_terms WHERE term_id = ?1", [src])?;
    conn.execute("DELETE FROM terms WHERE id = ?1", [src])?;
    Ok(TermChange {
        vocab,
        from: src_label,
        to: dst_label,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        c.execute_batch(
            "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (1, printf('%064d', 1), 1, 'text/plain', 'x');
             INSERT INTO items (id, object_id, title, kind, created_at, updated_at) VALUES (1, 1, 't', 'article', 'x', 'x');",
        )
        .unwrap();
        c
    }

    #[test]
    fn keys_fold_case_and_normalisation() {
        // S with cedilla precomposed vs S + combining cedilla.
        assert_eq!(key("\u{15e}u\u{15f}a"), key("S\u{327}us\u{327}a"));
        assert_eq!(key("ŞUŞA"), key("şuşa"));
        assert_eq!(key("  Sumgait   pogrom "), "sumgait pogrom");
    }

    #[test]
    fn two_spellings_are_one_term_and_merge_moves_links() {
        let c = db();
        assert!(tag(&c, ItemId(1), Vocab::Place, "Şuşa").unwrap());
        assert!(!tag(&c, ItemId(1), Vocab::Place, "S\u{327}US\u{327}A").unwrap());
        let n: i64 = c
            .query_row("SELECT count(*) FROM terms", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        tag(&c, ItemId(1), Vocab::Place, "Shusha").unwrap();
        let ch = merge(&c, Vocab::Place, "shusha", "şuşa").unwrap();
        assert_eq!(ch.items, vec![ItemId(1)]);
        assert_eq!(for_item(&c, ItemId(1)).unwrap().len(), 1);
        assert!(rename(&c, Vocab::Place, "Şuşa", "Shushi").is_ok());
        tag(&c, ItemId(1), Vocab::Place, "Other").unwrap();
        assert!(rename(&c, Vocab::Place, "other", "SHUSHI").is_err());
        assert!(untag(&c, ItemId(1), Vocab::Place, "other").unwrap());
        assert!(clean_label(Vocab::Event, "  ").is_err());
    }

    #[test]
    fn rename_and_merge_keep_every_name_and_any_name_finds_the_term() {
        use crate::catalogue::names;
        let c = db();
        tag(&c, ItemId(1), Vocab::Place, "Stepanakert").unwrap();
        let (id, _) = find(&c, Vocab::Place, "stepanakert").unwrap().unwrap();
        rename(&c, Vocab::Place, "Stepanakert", "Khankendi").unwrap();
        assert_eq!(
            find(&c, Vocab::Place, "STEPANAKERT").unwrap().unwrap().0,
            id
        );
        assert_eq!(
            find(&c, Vocab::Place, "khankendi").unwrap().unwrap(),
            (id, "Khankendi".into())
        );
        tag(&c, ItemId(1), Vocab::Place, "Степанакерт").unwrap();
        let (other, _) = find(&c, Vocab::Place, "Степанакерт").unwrap().unwrap();
        assert_ne!(other, id);
        merge(&c, Vocab::Place, "Степанакерт", "Stepanakert").unwrap();
        let all: Vec<String> = names::list(&c, id)
            .unwrap()
            .into_iter()
            .map(|n| n.text)
            .collect();
        assert_eq!(all, ["Khankendi", "Stepanakert", "Степанакерт"]);
        // A name two terms share finds neither, and says which.
        tag(&c, ItemId(1), Vocab::Place, "Shusha").unwrap();
        let (shusha, _) = find(&c, Vocab::Place, "Shusha").unwrap().unwrap();
        names::add(
            &c,
            shusha,
            &names::NewName {
                text: "Khankendi".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let e = find(&c, Vocab::Place, "khankendi").unwrap_err().to_string();
        assert!(
            e.contains("ambiguous") && e.contains("Shusha") && e.contains("Khankendi"),
            "{e}"
        );
        assert_eq!(
            names::terms_matching(&c, Vocab::Place, "степ").unwrap(),
            vec![id]
        );
    }
}

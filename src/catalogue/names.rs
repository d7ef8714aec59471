//! The names of a term: every spelling, language and script a term is
//! known by, with who uses it and where it is attested (migration 0009).
//! The term's label is always one of its names; any name finds the term,
//! and a name two terms share finds neither (the caller is told both).
//!
//! Rows only: this module never decides who may see a name or its source
//! (`policy::view::claims` does), never prints and never logs events.

use rusqlite::{params, Connection, OptionalExtension};

use super::terms::key;
use crate::error::{Error, Result};
use crate::model::{ItemId, Vocab};

/// A name's key across scripts and diacritics, for finding a term by a
/// spelling it does not store: the key (`terms::key`) transliterated to
/// ASCII by `any_ascii` (Cyrillic, Armenian, Georgian, Greek, Latin with
/// diacritics and letters such as ə), lower-cased, non-alphanumerics
/// dropped. "Цхинвали", "ცხინვალი" and "Tskhinvali" agree, so do
/// "Xankəndi" and "Xankendi". Transliteration schemes differ (Цхинвал is
/// "Tskhinval", not "Tskhinvali"), so this widens a query only; a name is
/// never attached or refused by it.
pub fn translit(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // Compatibility forms first (the micro sign is a Greek mu, a ligature
    // its letters), so case and form do not change the answer.
    // Full case folding (ῷ and its capital fold alike), as redaction does.
    let compat: String = s.nfkc().collect();
    let folded: String = caseless::default_case_fold_str(&compat).nfkc().collect();
    any_ascii::any_ascii(&folded)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// One name as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRecord {
    pub id: i64,
    pub term_id: i64,
    pub text: String,
    pub lang: Option<String>,
    pub script: Option<String>,
    pub form: Option<String>,
    pub used_by: Option<String>,
    pub source_item: Option<ItemId>,
    pub locator: Option<String>,
    pub citation: Option<String>,
    pub period: Option<String>,
    /// The term's display label is this name.
    pub is_label: bool,
}

/// The attributes of a new name (text validated by the caller).
#[derive(Debug, Clone, Default)]
pub struct NewName {
    pub text: String,
    pub lang: Option<String>,
    pub script: Option<String>,
    pub form: Option<String>,
    pub used_by: Option<String>,
    pub source_item: Option<ItemId>,
    pub locator: Option<String>,
    pub citation: Option<String>,
    pub period: Option<String>,
}

/// The term of this vocabulary that has a name with this key: None when no
/// term has it; refused (exit 2) when two or more do, naming them.
pub fn resolve(conn: &Connection, vocab: Vocab, name: &str) -> Result<Option<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT t.id, t.label FROM term_names n JOIN terms t ON t.id = n.term_id
         WHERE t.vocab = ?1 AND n.key = ?2 ORDER BY t.id",
    )?;
    let found: Vec<(i64, String)> = stmt
        .query_map(params![vocab, key(name)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => Err(Error::usage(format!(
            "{vocab} name {name:?} is ambiguous: it is a name of {}; name the term by its label",
            found
                .iter()
                .map(|(id, l)| format!("term {id} {l:?}"))
                .collect::<Vec<_>>()
                .join(" and ")
        ))),
    }
}

/// Adds the first name of a new term (its label).
pub fn add_label_name(conn: &Connection, term: i64, label: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO term_names (term_id, text, key) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![term, label, key(label)])?;
    Ok(())
}

/// Adds a name to the term; refused when the term already has it.
pub fn add(conn: &Connection, term: i64, n: &NewName) -> Result<i64> {
    let k = key(&n.text);
    let exists: Option<String> = conn
        .prepare_cached("SELECT text FROM term_names WHERE term_id = ?1 AND key = ?2")?
        .query_row(params![term, k], |r| r.get(0))
        .optional()?;
    if let Some(t) = exists {
        return Err(Error::usage(format!(
            "the term already has the name {t:?} (`custos terms name remove` it first to change its attributes)"
        )));
    }
    if let Some(item) = n.source_item {
        super::items::ensure_changeable(conn, item)?;
    }
    conn.prepare_cached(
        "INSERT INTO term_names (term_id, text, key, lang, script, form, used_by, source_item, locator, citation, period)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        term,
        n.text,
        k,
        n.lang,
        n.script,
        n.form,
        n.used_by,
        n.source_item,
        n.locator,
        n.citation,
        n.period
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Every name of the term, the label first, then in the order added.
pub fn list(conn: &Connection, term: i64) -> Result<Vec<NameRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.id, n.term_id, n.text, n.lang, n.script, n.form, n.used_by, n.source_item,
                n.locator, n.citation, n.period, n.key = t.key
         FROM term_names n JOIN terms t ON t.id = n.term_id
         WHERE n.term_id = ?1 ORDER BY n.key = t.key DESC, n.id",
    )?;
    let rows = stmt.query_map([term], |r| {
        Ok(NameRecord {
            id: r.get(0)?,
            term_id: r.get(1)?,
            text: r.get(2)?,
            lang: r.get(3)?,
            script: r.get(4)?,
            form: r.get(5)?,
            used_by: r.get(6)?,
            source_item: r.get(7)?,
            locator: r.get(8)?,
            citation: r.get(9)?,
            period: r.get(10)?,
            is_label: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The name of the term with this key.
fn name_of(conn: &Connection, term: i64, text: &str) -> Result<NameRecord> {
    let k = key(text);
    list(conn, term)?
        .into_iter()
        .find(|n| key(&n.text) == k)
        .ok_or_else(|| {
            Error::usage(format!(
                "the term has no name {text:?}; `custos terms name list` shows its names"
            ))
        })
}

/// Removes a name; the label and the last name are not removed.
pub fn remove(conn: &Connection, term: i64, text: &str) -> Result<NameRecord> {
    let n = name_of(conn, term, text)?;
    if n.is_label {
        return Err(Error::usage(format!(
            "{:?} is the term's label; choose another label first (`custos terms label`)",
            n.text
        )));
    }
    conn.execute("DELETE FROM term_names WHERE id = ?1", [n.id])?;
    Ok(n)
}

/// Makes one of the term's names its display label; returns the old label.
pub fn set_label(conn: &Connection, vocab: Vocab, term: i64, text: &str) -> Result<String> {
    let n = name_of(conn, term, text)?;
    let old: String = conn.query_row("SELECT label FROM terms WHERE id = ?1", [term], |r| {
        r.get(0)
    })?;
    let k = key(&n.text);
    let clash: Option<String> = conn
        .query_row(
            "SELECT label FROM terms WHERE vocab = ?1 AND key = ?2 AND id <> ?3",
            params![vocab, k, term],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = clash {
        return Err(Error::usage(format!(
            "another {vocab} term is labelled {other:?}; two terms cannot share a label"
        )));
    }
    conn.execute(
        "UPDATE terms SET label = ?2, key = ?3 WHERE id = ?1",
        params![term, n.text, k],
    )?;
    Ok(old)
}

/// Moves every name of `from` onto `into` (a name both have stays once).
pub fn move_all(conn: &Connection, from: i64, into: i64) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO term_names (term_id, text, key, lang, script, form, used_by, source_item, locator, citation, period)
         SELECT ?2, text, key, lang, script, form, used_by, source_item, locator, citation, period
         FROM term_names WHERE term_id = ?1 ORDER BY id",
        params![from, into],
    )?;
    conn.execute("DELETE FROM term_names WHERE term_id = ?1", [from])?;
    Ok(())
}

/// The ids of every term with a name containing `key` (query's substring
/// match) — used by tests; the query compiles the same condition in SQL.
#[cfg(test)]
pub fn terms_matching(conn: &Connection, vocab: Vocab, k: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT t.id FROM term_names n JOIN terms t ON t.id = n.term_id
         WHERE t.vocab = ?1 AND instr(n.key, ?2) > 0 ORDER BY t.id",
    )?;
    let rows = stmt.query_map(params![vocab, k], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many items carrying the term this reader may see in full (as
/// `terms::counts` counts them): below custodian a term with none is not
/// shown at all, since its names alone can say what a closed item is about.
pub fn open_items(
    conn: &Connection,
    term: i64,
    access: crate::model::Access,
    today: chrono::NaiveDate,
) -> Result<i64> {
    use crate::policy::sql as policy_sql;
    let listed = policy_sql::listed(access);
    let open = policy_sql::open(access, today);
    let mut params: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Integer(term)];
    params.extend(listed.params);
    params.extend(open.params);
    let sql = format!(
        "SELECT count(*) FROM item_terms it JOIN items i ON i.id = it.item_id {join}
         WHERE it.term_id = ? AND {listed} AND {open}",
        join = policy_sql::FACTS_JOIN,
        listed = listed.sql,
        open = open.sql,
    );
    Ok(conn.query_row(&sql, rusqlite::params_from_iter(params), |r| r.get(0))?)
}

#[cfg(test)]
mod translit_tests {
    use super::translit;
    use proptest::prelude::*;

    #[test]
    fn spellings_across_scripts_agree() {
        for (a, b) in [
            ("Tskhinvali", "Цхинвали"),
            ("Tskhinvali", "ცხინვალი"),
            ("Xankendi", "Xankəndi"),
            ("Stepanakert", "Степанакерт"),
            ("Shusha", "Шуша"),
            ("Şuşa", "Susa"),
            ("Athina", "Αθηνα"),
        ] {
            assert_eq!(translit(a), translit(b), "{a} / {b}");
        }
        assert_ne!(translit("Stepanakert"), translit("Khankendi"));
        assert_eq!(translit("Степанакерт"), "stepanakert");
    }

    proptest! {
        /// Folding anything is idempotent, ASCII, and blind to spacing.
        #[test]
        fn folding_is_stable(s in "\\PC{0,40}") {
            let f = translit(&s);
            prop_assert!(f.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
            prop_assert_eq!(translit(&f), f.clone());
            prop_assert_eq!(translit(&format!("  {s} ")), f);
        }

        /// In the scripts it claims (Latin with its diacritics, Cyrillic,
        /// Armenian, Georgian, Greek), folding is blind to case.
        #[test]
        fn folding_is_blind_to_case(
            s in "[a-zA-Z\\u{00C0}-\\u{024F}\\u{0259}\\u{0400}-\\u{04FF}\\u{0531}-\\u{0587}\\u{10A0}-\\u{10FA}\\u{0370}-\\u{03FF} ]{0,30}"
        ) {
            prop_assert_eq!(translit(&s.to_uppercase()), translit(&s.to_lowercase()));
        }

        /// Every Cyrillic, Armenian, Georgian or Greek word folds to the
        /// same ASCII as its own transliteration does.
        #[test]
        fn a_word_and_its_transliteration_agree(
            s in "[\\u{0410}-\\u{044F}\\u{0531}-\\u{0556}\\u{10D0}-\\u{10F0}\\u{03B1}-\\u{03C9}]{1,20}"
        ) {
            let ascii = any_ascii::any_ascii(&s);
            prop_assert_eq!(translit(&s), translit(&ascii));
        }
    }
}

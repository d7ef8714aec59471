//! The levels of object digests against a model (a map of object id to
//! digest), after random sequences of the writes that touch them: new
//! objects, purges (which replace a digest), deletions and merges.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rusqlite::{params, Connection, OptionalExtension};

use super::{disagreement, settle_with};

const BY_DIGEST: &str = by_digest!();
const BY_NEW_DIGEST: &str = by_new_digest!();

fn catalogue() -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    crate::archive::migrate::migrate(&mut c).unwrap();
    c
}

fn digest(n: u32) -> String {
    format!("{n:064x}")
}

fn insert(c: &Connection, sha: &str) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO objects (sha256, size, media_type, stored_at) VALUES (?1, 1, 'text/plain', 'now')",
        [sha],
    )?;
    Ok(c.last_insert_rowid())
}

/// The object with digest `sha`, asked both ways, which must agree.
fn find(c: &Connection, sha: &str) -> Option<i64> {
    let ask =
        |sql: &str| -> Option<i64> { c.query_row(sql, [sha], |r| r.get(0)).optional().unwrap() };
    let found = ask(BY_DIGEST);
    assert_eq!(ask(BY_NEW_DIGEST), found, "by_new_digest! for {sha}");
    found
}

/// Every level into level 2, as repeated merges would leave it.
fn settle_all(c: &Connection) -> rusqlite::Result<()> {
    for l in 0..2 {
        c.execute_batch(&format!(
            "INSERT INTO object_digests_2 SELECT sha256, object_id FROM object_digests_{l} ORDER BY sha256;
             DELETE FROM object_digests_{l};"
        ))?;
    }
    Ok(())
}

fn unique_indexes_on_objects(c: &Connection) -> i64 {
    c.query_row(
        "SELECT count(*) FROM pragma_index_list('objects') WHERE \"unique\"",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn level_sizes(c: &Connection) -> [i64; 3] {
    [0, 1, 2].map(|l| {
        c.query_row(
            &format!("SELECT count(*) FROM object_digests_{l}"),
            [],
            |r| r.get(0),
        )
        .unwrap()
    })
}

#[derive(Debug, Clone)]
enum Op {
    New(u32),
    /// Replaces the digest of the n-th live object (as a purge does).
    Change(usize, u32),
    Delete(usize),
    Settle,
    SettleAll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u32..40).prop_map(Op::New),
        1 => (0usize..40, 0u32..40).prop_map(|(i, d)| Op::Change(i, d)),
        1 => (0usize..40).prop_map(Op::Delete),
        2 => Just(Op::Settle),
        1 => Just(Op::SettleAll),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_digest_is_found_once_whatever_the_merges(ops in prop::collection::vec(op(), 1..60)) {
        let c = catalogue();
        let mut model: BTreeMap<i64, String> = BTreeMap::new();
        for op in ops {
            match op {
                Op::New(d) => {
                    let sha = digest(d);
                    let taken = model.values().any(|s| *s == sha);
                    match insert(&c, &sha) {
                        Ok(id) => { prop_assert!(!taken); model.insert(id, sha); }
                        Err(e) => {
                            prop_assert!(taken, "refused a new digest: {e}");
                            prop_assert!(e.to_string().contains("UNIQUE constraint failed: objects.sha256"));
                        }
                    }
                }
                Op::Change(i, d) => {
                    let Some((&id, _)) = model.iter().nth(i % model.len().max(1)) else { continue };
                    let sha = digest(d + 1000);
                    let taken = model.iter().any(|(other, s)| *other != id && *s == sha);
                    match c.execute("UPDATE objects SET sha256 = ?2 WHERE id = ?1", params![id, sha]) {
                        Ok(_) => { prop_assert!(!taken); model.insert(id, sha); }
                        Err(_) => prop_assert!(taken),
                    }
                }
                Op::Delete(i) => {
                    let Some((&id, _)) = model.iter().nth(i % model.len().max(1)) else { continue };
                    c.execute("DELETE FROM objects WHERE id = ?1", [id]).unwrap();
                    model.remove(&id);
                }
                // Level 1 merges into level 2 from 4 digests on, so that
                // short sequences reach every level.
                Op::Settle => { settle_with(&c, 4).unwrap(); }
                Op::SettleAll => settle_all(&c).unwrap(),
            }
            for (id, sha) in &model {
                prop_assert_eq!(find(&c, sha), Some(*id));
            }
            prop_assert_eq!(level_sizes(&c).iter().sum::<i64>(), model.len() as i64);
            prop_assert_eq!(disagreement(&c).unwrap(), None);
        }
        for d in 0..40 {
            let sha = digest(d);
            prop_assert_eq!(find(&c, &sha), model.iter().find(|(_, s)| **s == sha).map(|(id, _)| *id));
        }
    }
}

#[test]
fn an_import_lands_in_level_0_and_settling_moves_it_down_in_key_order() {
    let c = catalogue();
    for d in [5, 3, 9] {
        insert(&c, &digest(d)).unwrap();
    }
    assert_eq!(level_sizes(&c), [3, 0, 0]);
    let s = settle_with(&c, 4).unwrap();
    assert_eq!((s.into_level_1, s.into_level_2), (3, 0));
    assert_eq!(level_sizes(&c), [0, 3, 0]);
    for d in [1, 7] {
        insert(&c, &digest(d)).unwrap();
    }
    let s = settle_with(&c, 4).unwrap();
    assert_eq!((s.into_level_1, s.into_level_2), (2, 5));
    assert_eq!(level_sizes(&c), [0, 0, 5]);
    // A digest in level 2 is refused again, as the UNIQUE constraint did.
    let e = insert(&c, &digest(9)).unwrap_err();
    assert!(
        e.to_string()
            .contains("UNIQUE constraint failed: objects.sha256"),
        "{e}"
    );
    assert_eq!(find(&c, &digest(9)), Some(3));
}

#[test]
fn a_level_out_of_step_with_objects_is_named() {
    let c = catalogue();
    let id = insert(&c, &digest(1)).unwrap();
    insert(&c, &digest(2)).unwrap();
    settle_all(&c).unwrap();
    assert_eq!(disagreement(&c).unwrap(), None);
    c.execute("DELETE FROM object_digests_2 WHERE object_id = ?1", [id])
        .unwrap();
    let d = disagreement(&c).unwrap().expect("a missing digest");
    assert!(
        d.contains(&format!("object {id}")) && d.contains(&digest(1)),
        "{d}"
    );
    c.execute(
        "INSERT INTO object_digests_0 (sha256, object_id) VALUES (?1, ?2)",
        params![digest(1), id],
    )
    .unwrap();
    c.execute(
        "INSERT INTO object_digests_1 (sha256, object_id) VALUES (?1, ?2)",
        params![digest(1), id],
    )
    .unwrap();
    let d = disagreement(&c).unwrap().expect("a digest in two levels");
    assert!(d.contains("two levels"), "{d}");
}

/// A digest in level 2 is found by the import's lookup through its
/// prefix; a prefix lost behind custos's back hides it from that lookup,
/// and `verify --full` names it.
#[test]
fn a_digest_without_its_prefix_is_named() {
    let c = catalogue();
    let id = insert(&c, &digest(7)).unwrap();
    settle_all(&c).unwrap();
    assert_eq!(find(&c, &digest(7)), Some(id));
    c.execute("DELETE FROM object_digest_prefixes", []).unwrap();
    let new: Option<i64> = c
        .query_row(BY_NEW_DIGEST, [digest(7)], |r| r.get(0))
        .optional()
        .unwrap();
    assert_eq!(new, None);
    let d = disagreement(&c)
        .unwrap()
        .expect("a digest without its prefix");
    assert!(
        d.contains(&format!("object {id}")) && d.contains("without its prefix"),
        "{d}"
    );
}

/// The readers' lookups search each level by its key; a plan that scanned
/// a level would read a million rows per file imported.
#[test]
fn a_lookup_by_digest_searches_every_level_by_key() {
    let c = catalogue();
    let lookups = [
        BY_DIGEST.to_string(),
        crate::catalogue::items::FIND_OBJECT.to_string(),
        crate::ingest::OBJECT_LOOKUP.to_string(),
        BY_NEW_DIGEST.to_string(),
    ];
    for sql in lookups {
        let plan: Vec<String> = c
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([digest(1)], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let gated = sql.contains("object_digest_prefixes");
        for level in 0..3 {
            let table = match (level, gated) {
                (2, true) => "d".to_string(),
                _ => format!("object_digests_{level}"),
            };
            assert!(
                plan.iter().any(|p| p.starts_with(&format!(
                    "SEARCH {table} USING PRIMARY KEY (sha256=?)"
                ))),
                "{sql}: {plan:?}"
            );
        }
        if gated {
            // The prefixes are the outer loop: level 2 is searched only
            // for a digest whose prefix is there.
            let at = |s: &str| plan.iter().position(|p| p.starts_with(s));
            let prefix = at("SEARCH p USING PRIMARY KEY (prefix=?)");
            let level_2 = at("SEARCH d USING PRIMARY KEY (sha256=?)");
            assert!(prefix.is_some() && prefix < level_2, "{sql}: {plan:?}");
        }
        assert!(
            !plan.iter().any(|p| p.starts_with("SCAN")),
            "{sql}: {plan:?}"
        );
    }
}

/// Migration 0028 rebuilds `objects` without its UNIQUE constraint: every
/// row keeps its id, what refers to an object still does, and every digest
/// is settled in level 2.
#[test]
fn the_migration_moves_every_digest_to_level_2_and_keeps_every_reference() {
    let mut c = Connection::open_in_memory().unwrap();
    c.pragma_update(None, "foreign_keys", "ON").unwrap();
    crate::archive::migrate::apply_before(&c, "0028");
    c.execute_batch(
        "INSERT INTO objects (id, sha256, size, media_type, stored_at, purged_at)
             VALUES (3, printf('%064d', 9), 10, 'text/plain', 'x', NULL),
                    (5, printf('%064d', 4), 0, 'application/octet-stream', 'y', 'z'),
                    (8, printf('%064d', 6), 7, 'audio/wav', 'w', NULL);
         INSERT INTO events (id, at, type, agent, outcome, detail_hash, prev_hash, hash)
             VALUES (2, 'b', 'fixity_check', 'x', 'success', 'd2', 'h1', 'h2');
         INSERT INTO fixity (object_id, checked_at, outcome, run_event_id) VALUES (5, 'x', 'ok', 2);",
    )
    .unwrap();
    let rows = |c: &Connection| -> Vec<String> {
        c.prepare("SELECT id || '|' || sha256 || '|' || size || '|' || media_type || '|' || stored_at || '|' || ifnull(purged_at, '-') FROM objects ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let kept = rows(&c);
    crate::archive::migrate::migrate(&mut c).unwrap();
    assert_eq!(rows(&c), kept);
    assert_eq!(level_sizes(&c), [0, 0, 3]);
    let prefixes: i64 = c
        .query_row("SELECT count(*) FROM object_digest_prefixes", [], |r| {
            r.get(0)
        })
        .unwrap();
    // The three digests share their first eight digits (zeros): one prefix.
    assert_eq!(prefixes, 1, "migration 0029 keeps the prefixes of level 2");
    for (id, n) in [(3, 9), (5, 4), (8, 6)] {
        assert_eq!(find(&c, &format!("{n:064}")), Some(id));
    }
    let unique = unique_indexes_on_objects(&c);
    assert_eq!(unique, 0, "no index of the digests is left on objects");
    assert!(
        insert(&c, &format!("{:064}", 4)).is_err(),
        "a settled digest is refused again"
    );
    let fixity: i64 = c
        .query_row("SELECT object_id FROM fixity", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fixity, 5);
    assert!(
        c.execute("UPDATE fixity SET object_id = 99", []).is_err(),
        "references to objects are enforced again"
    );
    let legacy: i64 = c
        .pragma_query_value(None, "legacy_alter_table", |r| r.get(0))
        .unwrap();
    assert_eq!(legacy, 0);
    assert_eq!(disagreement(&c).unwrap(), None);
}

/// A migration that fails names the statement, not the rest of its SQL,
/// and leaves the catalogue at its version.
#[test]
fn a_failed_migration_names_its_statement_and_changes_nothing() {
    let mut c = Connection::open_in_memory().unwrap();
    let before = crate::archive::migrate::apply_before(&c, "0028");
    c.execute_batch("CREATE TABLE object_digests_0 (x)")
        .unwrap();
    let e = crate::archive::migrate::migrate(&mut c)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("0028_object_digests_in_levels.sql failed: table object_digests_0 already exists, in the statement beginning `CREATE TABLE object_digests_0 (`")
            && e.ends_with("the archive is unchanged"),
        "{e}"
    );
    assert!(
        !e.contains("TRIGGER"),
        "the rest of the SQL is left out: {e}"
    );
    let version: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, before as i64);
    let objects_unique = unique_indexes_on_objects(&c);
    assert_eq!(objects_unique, 1, "the rebuild before it was rolled back");
}

//! Schema migrations: the SQL files in `migrations/`, applied in order and
//! tracked with `PRAGMA user_version`, as cargo's sqlite module does.
//!
//! Never reorder or remove an entry, never edit a released file: a
//! migration's position is its version number. Pragmas that are not schema
//! (WAL, synchronous, ...) are set at open, not here.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// (file name, SQL). The version after applying entry i is i + 1.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial.sql",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        "0002_fixity.sql",
        include_str!("../../migrations/0002_fixity.sql"),
    ),
    (
        "0003_query_indexes.sql",
        include_str!("../../migrations/0003_query_indexes.sql"),
    ),
    (
        "0004_derived_columns.sql",
        include_str!("../../migrations/0004_derived_columns.sql"),
    ),
    (
        "0005_fts_tuning.sql",
        include_str!("../../migrations/0005_fts_tuning.sql"),
    ),
    (
        "0006_policy_tallies.sql",
        include_str!("../../migrations/0006_policy_tallies.sql"),
    ),
    (
        "0007_consent_guards.sql",
        include_str!("../../migrations/0007_consent_guards.sql"),
    ),
    (
        "0008_item_access.sql",
        include_str!("../../migrations/0008_item_access.sql"),
    ),
    (
        "0009_names_claims.sql",
        include_str!("../../migrations/0009_names_claims.sql"),
    ),
    (
        "0010_recordings.sql",
        include_str!("../../migrations/0010_recordings.sql"),
    ),
    (
        "0011_sites.sql",
        include_str!("../../migrations/0011_sites.sql"),
    ),
    (
        "0012_accessions.sql",
        include_str!("../../migrations/0012_accessions.sql"),
    ),
    (
        "0013_web.sql",
        include_str!("../../migrations/0013_web.sql"),
    ),
    (
        "0014_perf.sql",
        include_str!("../../migrations/0014_perf.sql"),
    ),
    (
        "0015_description.sql",
        include_str!("../../migrations/0015_description.sql"),
    ),
    (
        "0016_deaccession.sql",
        include_str!("../../migrations/0016_deaccession.sql"),
    ),
    (
        "0017_notes.sql",
        include_str!("../../migrations/0017_notes.sql"),
    ),
    (
        "0018_fold.sql",
        include_str!("../../migrations/0018_fold.sql"),
    ),
    (
        "0019_kind_order.sql",
        include_str!("../../migrations/0019_kind_order.sql"),
    ),
    (
        "0020_intake_once.sql",
        include_str!("../../migrations/0020_intake_once.sql"),
    ),
    (
        "0021_fts_without_text.sql",
        include_str!("../../migrations/0021_fts_without_text.sql"),
    ),
    (
        "0022_no_secure_delete_on_contentless.sql",
        include_str!("../../migrations/0022_no_secure_delete_on_contentless.sql"),
    ),
    (
        "0023_tally_holdings.sql",
        include_str!("../../migrations/0023_tally_holdings.sql"),
    ),
    (
        "0024_events_hash_unindexed.sql",
        include_str!("../../migrations/0024_events_hash_unindexed.sql"),
    ),
    (
        "0025_tally_years.sql",
        include_str!("../../migrations/0025_tally_years.sql"),
    ),
    (
        "0026_fts_automerge.sql",
        include_str!("../../migrations/0026_fts_automerge.sql"),
    ),
    (
        "0027_fts_crisismerge.sql",
        include_str!("../../migrations/0027_fts_crisismerge.sql"),
    ),
    (
        "0028_object_digests_in_levels.sql",
        include_str!("../../migrations/0028_object_digests_in_levels.sql"),
    ),
    (
        "0029_object_digest_prefixes.sql",
        include_str!("../../migrations/0029_object_digest_prefixes.sql"),
    ),
];

/// Migrations that rebuild a table other tables refer to (create a copy,
/// drop the old, rename the copy), with that table. SQLite's procedure for
/// that runs with foreign keys off, or the drop would refuse the rows that
/// name the old table; the tables that refer to it are checked before the
/// migration commits, and it fails if more of their references are broken
/// than before (a catalogue with an old broken reference still upgrades).
const REBUILDS_A_TABLE: &[(&str, &str)] = &[
    ("0024_events_hash_unindexed.sql", "events"),
    ("0028_object_digests_in_levels.sql", "objects"),
];

/// The guards of migration 0007. Tests of derived state (tallies, the SQL
/// form of the policy) drop them to drive the catalogue through every
/// combination of inputs, including those the guards make unreachable.
#[cfg(test)]
pub(crate) fn drop_guards(conn: &Connection) {
    for t in [
        "items_testimony_stays",
        "consent_needs_testimony",
        "testimony_row_needs_kind",
        "purged_no_consent",
        "purged_no_terms",
        "purged_no_testimony",
        "purged_no_redaction",
        "purged_no_edit",
        "deaccessioned_stays",
        "deaccessioned_no_edit",
    ] {
        conn.execute_batch(&format!("DROP TRIGGER {t}"))
            .expect("guard trigger exists");
    }
}

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the schema up to date. Each migration runs in its own transaction
/// together with the version bump, so a crash leaves a whole version.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version = current_version(conn)?;
    if version > latest_version() {
        return Err(Error::Corrupt {
            path: "custos.db".into(),
            reason: format!(
                "catalogue schema version {version} is newer than this custos understands ({}); upgrade custos",
                latest_version()
            ),
        });
    }
    if version < latest_version() {
        register_functions(conn)?;
    }
    // With secure_delete ON, SQLite zeroes every page a migration frees,
    // and a DROP of a large table (0021 drops the old full-text indexes)
    // then kept them all in memory: 1.9 GiB for a million items, growing
    // with the catalogue. FAST still zeroes what it can without more I/O;
    // what a migration drops is derived or copied data, and purged
    // material was zeroed and vacuumed away when it was purged.
    let secure: i64 = conn.pragma_query_value(None, "secure_delete", |r| r.get(0))?;
    if version < latest_version() && secure == 1 {
        conn.pragma_update(None, "secure_delete", "FAST")?;
    }
    let applied = apply(conn, version);
    if secure == 1 {
        conn.pragma_update(None, "secure_delete", "ON")?;
    }
    applied
}

fn apply(conn: &mut Connection, mut version: i64) -> Result<()> {
    while version < latest_version() {
        let (name, sql) = MIGRATIONS[version as usize];
        let rebuild = REBUILDS_A_TABLE
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, table)| *table);
        // The pragma is a no-op inside a transaction: set it before.
        let keys: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        if rebuild.is_some() {
            conn.pragma_update(None, "foreign_keys", "OFF")?;
        }
        let applied = apply_one(conn, name, sql, version + 1, rebuild);
        if rebuild.is_some() {
            conn.pragma_update(None, "foreign_keys", keys)?;
        }
        applied?;
        version += 1;
    }
    Ok(())
}

fn apply_one(
    conn: &mut Connection,
    name: &str,
    sql: &str,
    version: i64,
    rebuild: Option<&str>,
) -> Result<()> {
    let failed = |e: String| {
        Error::Failed(format!(
            "migration {name} failed: {e}; the archive is unchanged"
        ))
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let broken_before = match rebuild {
        Some(table) => broken_references_to(&tx, table)?,
        None => 0,
    };
    tx.execute_batch(sql)
        .map_err(|e| failed(statement_error(&e)))?;
    if let Some(table) = rebuild {
        let broken = broken_references_to(&tx, table)?;
        if broken > broken_before {
            return Err(failed(format!(
                "{} reference(s) to {table} would no longer hold",
                broken - broken_before
            )));
        }
    }
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()?;
    Ok(())
}

/// A failed statement's message. rusqlite's own puts the rest of the
/// migration's SQL after it, hundreds of lines; the statement's first line
/// says which one failed.
fn statement_error(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqlInputError { msg, sql, .. } => {
            let first = sql
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("--"))
                .unwrap_or("");
            format!("{msg}, in the statement beginning `{first}`")
        }
        other => other.to_string(),
    }
}

/// Broken foreign keys in the tables that refer to `table` (any of their
/// foreign keys, not only those to `table`).
fn broken_references_to(conn: &Connection, table: &str) -> Result<i64> {
    let children: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT m.name FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND f.\"table\" = ?1",
        )?
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut broken = 0;
    for child in children {
        broken += conn.query_row(
            "SELECT count(*) FROM pragma_foreign_key_check(?1)",
            [&child],
            |r| r.get::<_, i64>(0),
        )?;
    }
    Ok(broken)
}

/// The Rust functions a migration's SQL calls to fill a new derived table
/// from the rows already there (0018: the folded full-text twins).
fn register_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("custos_fold_text", 1, flags, |ctx| {
        let s: Option<String> = ctx.get(0)?;
        Ok(s.map(|s| crate::fold::fold_text(&s)))
    })?;
    conn.create_scalar_function("custos_needs_fold", 2, flags, |ctx| {
        let a: Option<String> = ctx.get(0)?;
        let b: Option<String> = ctx.get(1)?;
        Ok(crate::fold::needs_fold(&[
            a.as_deref().unwrap_or(""),
            b.as_deref().unwrap_or(""),
        ]))
    })?;
    Ok(())
}

/// Brings an empty catalogue to the version before the migration whose
/// file name starts with `name`, as an older custos left it, for tests of
/// that migration; returns that version.
#[cfg(test)]
pub(crate) fn apply_before(conn: &Connection, name: &str) -> usize {
    register_functions(conn).expect("functions for the migrations");
    let before = MIGRATIONS
        .iter()
        .position(|(file, _)| file.starts_with(name))
        .expect("a migration of that name");
    for (_, sql) in &MIGRATIONS[..before] {
        conn.execute_batch(sql).expect("an older migration");
    }
    conn.pragma_update(None, "user_version", before as i64)
        .expect("the version");
    before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_to_an_empty_database_and_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('items','objects','provenance','events')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 4);
        migrate(&mut conn).unwrap();
        assert_eq!(current_version(&conn).unwrap(), latest_version());
    }

    /// Migrations run with secure_delete FAST (see `migrate`), and a
    /// writer's ON is back when they are done, failed or not.
    #[test]
    fn secure_delete_is_on_again_after_the_migrations() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "secure_delete", "ON").unwrap();
        migrate(&mut conn).unwrap();
        let on: i64 = conn
            .pragma_query_value(None, "secure_delete", |r| r.get(0))
            .unwrap();
        assert_eq!(on, 1);
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "secure_delete", "ON").unwrap();
        conn.execute_batch("CREATE TABLE items (x)").unwrap();
        assert!(migrate(&mut conn).is_err(), "0001 cannot apply here");
        let on: i64 = conn
            .pragma_query_value(None, "secure_delete", |r| r.get(0))
            .unwrap();
        assert_eq!(on, 1);
    }

    #[test]
    fn every_migration_opens_with_a_why_comment() {
        for (name, sql) in MIGRATIONS {
            assert!(
                sql.starts_with("-- why:"),
                "{name} must open with '-- why:'"
            );
        }
    }

    #[test]
    fn every_full_text_index_merges_a_little_at_each_write() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        for t in crate::catalogue::fts::ALL_TABLES {
            let get = |k: &str| -> i64 {
                conn.query_row(
                    &format!("SELECT v FROM {t}_config WHERE k = ?1"),
                    [k],
                    |r| r.get(0),
                )
                .unwrap()
            };
            // Above `automerge`, or every merge is a whole-level crisis merge.
            assert_eq!((get("automerge"), get("crisismerge")), (16, 64), "{t}");
        }
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(Error::Corrupt { .. })));
    }

    /// An archive indexed before 0018 gets its folded twins filled from
    /// what its indexes already hold, twinned only where the text needs it.
    #[test]
    fn the_folded_twins_are_filled_from_an_older_catalogue() {
        let conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..17] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 17).unwrap();
        conn.execute_batch(
            "INSERT INTO item_fts (rowid, title, body) VALUES (4, 'A fictional letter', 'from Цхинвали');
             INSERT INTO item_fts (rowid, title, body) VALUES (5, 'Plain', 'from Gori');
             INSERT INTO item_fts_timed (rowid, text, item_id, start_ms, end_ms, source)
                 VALUES (9, 'в Xankəndi', 4, 0, 10, 'cue');",
        )
        .unwrap();
        let mut conn = conn;
        migrate(&mut conn).unwrap();
        let hits = |t: &str, w: &str| -> Vec<i64> {
            let mut s = conn
                .prepare(&format!("SELECT rowid FROM {t} WHERE {t} MATCH ?1"))
                .unwrap();
            s.query_map([format!("\"{w}\"")], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        assert_eq!(hits("item_fts_fold", "tskhinvali"), [4]);
        assert!(
            hits("item_fts_fold", "gori").is_empty(),
            "ASCII is not twinned"
        );
        assert_eq!(hits("item_fts_timed_fold", "xankendi"), [9]);
    }

    /// A catalogue at the version before 0024, foreign keys on.
    fn before_0024() -> (Connection, usize) {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let before = super::apply_before(&conn, "0024");
        (conn, before)
    }

    /// 0024 rebuilds the event log without the index of its hashes: every
    /// row is kept with its id, what refers to an event still does, and
    /// foreign keys are enforced again afterwards.
    #[test]
    fn the_event_log_is_rebuilt_without_its_hash_index_and_keeps_every_reference() {
        let (mut conn, _) = before_0024();
        conn.execute_batch(
            "INSERT INTO objects (id, sha256, size, media_type, stored_at)
                 VALUES (1, printf('%064d', 1), 10, 'text/plain', 'x');
             INSERT INTO events (id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash)
                 VALUES (1, 'a', 'ingestion', NULL, 'x', 'success', '{}', x'01', 'd1', 'p1', 'h1'),
                        (2, 'b', 'fixity_check', NULL, 'x', 'success', NULL, NULL, 'd2', 'h1', 'h2'),
                        (7, 'c', 'fixity_check', 5, 'x', 'failure', NULL, NULL, 'd3', 'h2', 'h3');
             INSERT INTO fixity (object_id, checked_at, outcome, run_event_id)
                 VALUES (1, 'x', 'ok', 2);",
        )
        .unwrap();
        let rows = |c: &Connection| -> Vec<String> {
            c.prepare("SELECT id || '|' || at || '|' || type || '|' || ifnull(item_id, '-') || '|' || agent || '|' || outcome || '|' || ifnull(detail, '-') || '|' || ifnull(hex(detail_salt), '-') || '|' || detail_hash || '|' || prev_hash || '|' || hash FROM events ORDER BY id")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        let kept = rows(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(rows(&conn), kept);
        let unique: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_index_list('events') WHERE \"unique\"",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(unique, 0, "no index of the hashes is left");
        let mut indexes: Vec<String> = conn
            .prepare("SELECT name FROM pragma_index_list('events') ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        indexes.sort();
        assert_eq!(indexes, ["events_fixity", "events_item", "events_type"]);
        let on: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(on, 1, "foreign keys are enforced again");
        let broken: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
        // The fixity row still names its run, and a reference to an event
        // that does not exist is refused as before.
        let run: i64 = conn
            .query_row("SELECT run_event_id FROM fixity", [], |r| r.get(0))
            .unwrap();
        assert_eq!(run, 2);
        assert!(conn
            .execute("UPDATE fixity SET run_event_id = 99", [])
            .is_err());
    }

    /// A rebuild that would break a reference is not committed.
    #[test]
    fn a_rebuild_that_loses_a_referenced_row_fails_and_changes_nothing() {
        let (mut conn, before) = before_0024();
        conn.execute_batch(
            "INSERT INTO objects (id, sha256, size, media_type, stored_at)
                 VALUES (1, printf('%064d', 1), 10, 'text/plain', 'x');
             INSERT INTO events (id, at, type, agent, outcome, detail_hash, prev_hash, hash)
                 VALUES (2, 'b', 'fixity_check', 'x', 'success', 'd2', 'h1', 'h2');
             INSERT INTO fixity (object_id, checked_at, outcome, run_event_id)
                 VALUES (1, 'x', 'ok', 2);",
        )
        .unwrap();
        // The same rebuild as 0024, but one that forgets the rows, run as
        // `apply` runs it.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        let (name, sql) = MIGRATIONS[before];
        let lossy = sql.replace("FROM events ORDER BY id", "FROM events WHERE 0");
        let err = super::apply_one(&mut conn, name, &lossy, before as i64 + 1, Some("events"))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("1 reference(s) to events would no longer hold"),
            "{err}"
        );
        assert_eq!(current_version(&conn).unwrap(), before as i64);
        let events: i64 = conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(events, 1, "the old table is still there");
    }
}

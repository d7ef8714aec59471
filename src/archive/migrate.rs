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
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql).map_err(|e| {
            Error::Failed(format!(
                "migration {name} failed: {e}; the archive is unchanged"
            ))
        })?;
        version += 1;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
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
}

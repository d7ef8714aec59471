//! The tallies against recounts, after random sequences of the writes
//! custos makes (links, merges, testimonies, consent, evidence, sizes,
//! purges), and the reports that read them against the joins they replace.

use proptest::prelude::*;
use rusqlite::{params, Connection};

use super::disagreements;

mod reports;
use reports::check_reports;

const ITEMS: i64 = 6;
const NARRATORS: i64 = 4;
/// Terms 1..=3 are events, 4..=6 places, 7 a subject.
const TERMS: i64 = 7;
const NOW: &str = "2026-01-01T00:00:00Z";

#[derive(Debug, Clone)]
enum Op {
    Link(i64, i64),
    Unlink(i64, i64),
    /// Moves every link of the first term to the second (`terms merge`).
    Merge(i64, i64),
    Testimony(i64, Option<i64>),
    Untestimony(i64),
    Consent(
        i64,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    ),
    ClearConsent(i64),
    Evidence(i64),
    Resize(i64, i64),
    Kind(i64, &'static str),
    Purge(i64),
    /// A new item; closed: as an import with a closed intake writes it
    /// (inserted closed by `items::insert_item`, then its access event).
    NewItem {
        closed: bool,
    },
    /// An access change (level, end day), as catalogue/access.rs records it.
    Access(i64, &'static str, Option<&'static str>),
    /// An edit of the groups the holdings tally keys by: collection,
    /// language and the interval's lower end (its decade).
    Describe(
        i64,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    ),
}

fn op() -> impl Strategy<Value = Op> {
    let item = 1..=ITEMS + 2;
    let term = 1..=TERMS;
    prop_oneof![
        4 => (item.clone(), term.clone()).prop_map(|(i, t)| Op::Link(i, t)),
        2 => (item.clone(), term.clone()).prop_map(|(i, t)| Op::Unlink(i, t)),
        1 => (term.clone(), term).prop_map(|(a, b)| Op::Merge(a, b)),
        2 => (item.clone(), proptest::option::of(1..=NARRATORS)).prop_map(|(i, n)| Op::Testimony(i, n)),
        1 => item.clone().prop_map(Op::Untestimony),
        4 => (
            item.clone(),
            prop::sample::select(vec!["pending", "granted", "restricted", "withdrawn"]),
            prop::sample::select(vec![None, Some("archive"), Some("research"), Some("public")]),
            // Days on both sides of the days the reports are read on, in
            // their year and in others (the year tallies of 0025).
            prop::sample::select(vec![
                None,
                Some("2026-06-14"),
                Some("2026-06-16"),
                Some("2027-03-01"),
                Some("2025-11-30"),
            ]),
        )
            .prop_map(|(i, s, sc, e)| Op::Consent(i, s, sc, e)),
        1 => item.clone().prop_map(Op::ClearConsent),
        1 => item.clone().prop_map(Op::Evidence),
        1 => (item.clone(), 0..1000i64).prop_map(|(i, s)| Op::Resize(i, s)),
        1 => (item.clone(), prop::sample::select(vec!["article", "testimony", "letter"]))
            .prop_map(|(i, k)| Op::Kind(i, k)),
        1 => item.clone().prop_map(Op::Purge),
        1 => any::<bool>().prop_map(|closed| Op::NewItem { closed }),
        3 => (
            item.clone(),
            prop::sample::select(vec!["open", "closed", "research"]),
            prop::sample::select(vec![
                None,
                Some("2026-06-14"),
                Some("2026-06-16"),
                Some("2027-03-01"),
            ]),
        )
            .prop_map(|(i, l, u)| Op::Access(i, l, if l == "open" { None } else { u })),
        // An empty collection beside none: the tally's key keeps them apart.
        3 => (
            item.clone(),
            prop::sample::select(vec![None, Some(""), Some("Letters"), Some("Tapes")]),
            prop::sample::select(vec![None, Some("hy"), Some("ka")]),
            prop::sample::select(vec![None, Some("1988-02-27"), Some("1989"), Some("1990-01")]),
        )
            .prop_map(|(i, c, l, d)| Op::Describe(i, c, l, d)),
    ]
}

fn catalogue() -> Connection {
    catalogue_before(None)
}

/// The test catalogue at the version before the named migration, or at
/// the newest.
fn catalogue_before(migration: Option<&str>) -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    match migration {
        None => crate::archive::migrate::migrate(&mut c).unwrap(),
        Some(name) => {
            crate::archive::migrate::apply_before(&c, name);
        }
    }
    crate::archive::migrate::drop_guards(&c);
    for _ in 0..ITEMS {
        new_item(&c);
    }
    for n in 1..=NARRATORS {
        c.execute(
            "INSERT INTO narrators (id, display, anonymity, created_at) VALUES (?1, ?2, ?3, ?4)",
            // NOCASE order, ties by id, and a narrator without a display form.
            params![
                n,
                [Some("Zoë"), Some("alpha"), Some("Alpha"), None][n as usize - 1],
                ["named", "anonymous", "pseudonymous"][n as usize % 3],
                NOW
            ],
        )
        .unwrap();
    }
    for t in 1..=TERMS {
        let vocab = match t {
            1..=3 => "event",
            4..=6 => "place",
            _ => "subject",
        };
        c.execute(
            "INSERT INTO terms (id, vocab, label, key) VALUES (?1, ?2, ?3, ?3)",
            params![t, vocab, format!("term {t}")],
        )
        .unwrap();
    }
    c
}

/// The next object (and item) id, with its object row written.
fn new_object(c: &Connection) -> i64 {
    let id: i64 = c
        .query_row("SELECT ifnull(max(id), 0) + 1 FROM objects", [], |r| {
            r.get(0)
        })
        .unwrap();
    c.execute(
        "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, 'text/plain', ?4)",
        params![id, format!("{id:064x}"), id * 10, NOW],
    )
    .unwrap();
    id
}

fn new_item(c: &Connection) {
    let id = new_object(c);
    // As catalogue/items.rs does: the insert sets the derived size itself.
    c.execute(
        "INSERT INTO items (id, object_id, title, kind, size, created_at, updated_at)
         VALUES (?1, ?1, 't', 'article', ?2, ?3, ?3)",
        params![id, id * 10, NOW],
    )
    .unwrap();
}

fn new_item_closed(c: &Connection) -> i64 {
    let id = new_object(c);
    let new = crate::catalogue::items::NewItem::bare(
        "t",
        crate::model::Kind::Article,
        crate::model::Intake::Closed,
    );
    crate::catalogue::items::insert_item(c, id, &new, NOW)
        .unwrap()
        .0
}

fn exists(c: &Connection, item: i64) -> bool {
    c.query_row("SELECT count(*) FROM items WHERE id = ?1", [item], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap()
        == 1
}

/// Applies one write the way the catalogue code does; writes that custos
/// would refuse (an unknown item) are skipped.
fn apply(c: &Connection, op: &Op) {
    let item = match op {
        Op::Link(i, _)
        | Op::Unlink(i, _)
        | Op::Testimony(i, _)
        | Op::Untestimony(i)
        | Op::Consent(i, ..)
        | Op::ClearConsent(i)
        | Op::Evidence(i)
        | Op::Resize(i, _)
        | Op::Kind(i, _)
        | Op::Access(i, ..)
        | Op::Describe(i, ..)
        | Op::Purge(i) => *i,
        Op::Merge(..) | Op::NewItem { .. } => 1,
    };
    if !exists(c, item) {
        return;
    }
    let x = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
        c.execute(sql, p).unwrap();
    };
    match *op {
        Op::Link(i, t) => x(
            "INSERT OR IGNORE INTO item_terms (item_id, term_id) VALUES (?1, ?2)",
            &[&i, &t],
        ),
        Op::Unlink(i, t) => x(
            "DELETE FROM item_terms WHERE item_id = ?1 AND term_id = ?2",
            &[&i, &t],
        ),
        Op::Merge(a, b) => {
            let same_vocab: bool = c
                .query_row(
                    "SELECT (SELECT vocab FROM terms WHERE id = ?1) = (SELECT vocab FROM terms WHERE id = ?2)",
                    [a, b],
                    |r| r.get(0),
                )
                .unwrap();
            if a != b && same_vocab {
                x(
                    "INSERT OR IGNORE INTO item_terms (item_id, term_id)
                     SELECT item_id, ?2 FROM item_terms WHERE term_id = ?1",
                    &[&a, &b],
                );
                x("DELETE FROM item_terms WHERE term_id = ?1", &[&a]);
            }
        }
        Op::Testimony(i, n) => {
            x(
                "INSERT INTO testimonies (item_id, narrator_id) VALUES (?1, ?2)
                 ON CONFLICT (item_id) DO UPDATE SET narrator_id = excluded.narrator_id",
                &[&i, &n],
            );
            x(
                "UPDATE items SET kind = 'testimony' WHERE id = ?1 AND kind <> 'testimony'",
                &[&i],
            );
        }
        Op::Untestimony(i) => x("DELETE FROM testimonies WHERE item_id = ?1", &[&i]),
        Op::Consent(i, status, scope, embargo) => {
            x(
                "INSERT INTO consent_events (item_id, status, scope, date, embargo_until, recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, '2026-01-01', ?4, ?5, 'test')",
                &[&i, &status, &scope, &embargo, &NOW],
            );
            x(
                "INSERT INTO consent_current (item_id, event_id, status, scope, date, embargo_until)
                 VALUES (?1, last_insert_rowid(), ?2, ?3, '2026-01-01', ?4)
                 ON CONFLICT (item_id) DO UPDATE SET event_id = excluded.event_id,
                    status = excluded.status, scope = excluded.scope, embargo_until = excluded.embargo_until",
                &[&i, &status, &scope, &embargo],
            );
        }
        Op::ClearConsent(i) => x("DELETE FROM consent_current WHERE item_id = ?1", &[&i]),
        Op::Evidence(i) => x(
            "INSERT INTO consent_events (item_id, status, scope, date, evidence_item_id, recorded_at, recorded_by)
             VALUES (1, 'granted', 'public', '2020-01-01', ?1, ?2, 'test')",
            &[&i, &NOW],
        ),
        Op::Resize(i, size) => x(
            "UPDATE objects SET size = ?2 WHERE id = (SELECT object_id FROM items WHERE id = ?1)",
            &[&i, &size],
        ),
        Op::Kind(i, kind) => x("UPDATE items SET kind = ?2 WHERE id = ?1", &[&i, &kind]),
        // What purge.rs does to the rows the tallies count.
        Op::Purge(i) => {
            x("DELETE FROM item_terms WHERE item_id = ?1", &[&i]);
            x("DELETE FROM testimonies WHERE item_id = ?1", &[&i]);
            x(
                "UPDATE objects SET size = 0 WHERE id = (SELECT object_id FROM items WHERE id = ?1)",
                &[&i],
            );
        }
        Op::NewItem { closed: false } => new_item(c),
        Op::NewItem { closed: true } => {
            let id = new_item_closed(c);
            access_event(c, id, "closed", None);
        }
        Op::Access(i, level, until) => access_event(c, i, level, until),
        Op::Describe(i, collection, language, date) => x(
            "UPDATE items SET collection = ?2, language = ?3, date_lower = ?4 WHERE id = ?1",
            &[&i, &collection, &language, &date],
        ),
    }
}

fn access_event(c: &Connection, i: i64, level: &str, until: Option<&str>) {
    let x = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
        c.execute(sql, p).unwrap();
    };
    x(
        "INSERT INTO events (at, type, item_id, agent, outcome, detail_hash, prev_hash, hash)
         VALUES (?1, 'access_change', ?2, 'test', 'success', '', '', lower(hex(randomblob(32))))",
        &[&NOW, &i],
    );
    x(
        "INSERT INTO access_events (item_id, level, until, event_id, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, last_insert_rowid(), ?4, 'test')",
        &[&i, &level, &until, &NOW],
    );
}

/// Items whose own access columns differ from their latest access event
/// (or, with none, from open).
fn access_out_of_step(c: &Connection) -> i64 {
    c.query_row(
        "SELECT count(*) FROM items i
          WHERE (i.access_level, i.access_until) IS NOT
                (SELECT CASE a.level WHEN 'open' THEN NULL ELSE a.level END, a.until
                   FROM access_events a WHERE a.item_id = i.id ORDER BY a.id DESC LIMIT 1)
            AND NOT (i.access_level IS NULL AND i.access_until IS NULL
                     AND NOT EXISTS (SELECT 1 FROM access_events a WHERE a.item_id = i.id))",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn tallies_match_a_recount_after_any_writes(ops in prop::collection::vec(op(), 1..60)) {
        let c = catalogue();
        for op in &ops {
            apply(&c, op);
        }
        prop_assert_eq!(disagreements(&c).unwrap(), Vec::<String>::new());
        prop_assert_eq!(access_out_of_step(&c), 0);
        check_reports(&c);
    }
}

#[test]
fn a_drifted_tally_is_reported_with_its_row() {
    let c = catalogue();
    apply(&c, &Op::Link(2, 4));
    assert!(disagreements(&c).unwrap().is_empty());
    // Only a writer bypassing the triggers could do this.
    c.execute_batch("DROP TRIGGER tally_link_insert").unwrap();
    apply(&c, &Op::Link(3, 4));
    let found = disagreements(&c).unwrap();
    // Item 3 is counted under the place vocabulary and under term 4.
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("tally_vocab"), "{}", found[0]);
    assert!(
        found[0].contains("first stored: (place, article, 0, NULL, NULL, NULL, NULL, NULL, 1, 20)"),
        "{}",
        found[0]
    );
    assert!(found[1].starts_with("tally_terms"), "{}", found[1]);
    assert!(
        found[1].contains("first stored: (4, article, 0, NULL, NULL, NULL, NULL, NULL, 1, 20)"),
        "{}",
        found[1]
    );
    assert!(
        found[1].contains("first recounted: (4, article, 0, NULL, NULL, NULL, NULL, NULL, 2, 50)"),
        "{}",
        found[1]
    );
}

#[test]
fn the_migration_counts_what_an_older_catalogue_holds() {
    let c = Connection::open_in_memory().unwrap();
    crate::archive::migrate::apply_before(&c, "0006");
    // The writes of a catalogue made before the tallies existed.
    c.execute_batch(
        "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES
            (1, printf('%064d', 1), 10, 'text/plain', 'x'), (2, printf('%064d', 2), 20, 'text/plain', 'x'),
            (3, printf('%064d', 3), 30, 'text/plain', 'x');
         INSERT INTO items (id, object_id, title, kind, size, created_at, updated_at) VALUES
            (1, 1, 't', 'article', 10, 'x', 'x'), (2, 2, 't', 'testimony', 20, 'x', 'x'),
            (3, 3, 't', 'testimony', 30, 'x', 'x');
         INSERT INTO narrators (id, anonymity, created_at) VALUES (1, 'anonymous', 'x');
         INSERT INTO testimonies (item_id, narrator_id) VALUES (2, 1), (3, 1);
         INSERT INTO consent_events (id, item_id, status, scope, date, recorded_at, recorded_by)
            VALUES (1, 2, 'granted', 'public', '2026-01-01', 'x', 'x');
         INSERT INTO consent_current (item_id, event_id, status, scope, date) VALUES (2, 1, 'granted', 'public', '2026-01-01');
         INSERT INTO terms (id, vocab, label, key) VALUES (1, 'place', 'P', 'p'), (2, 'place', 'Q', 'q'), (3, 'event', 'E', 'e');
         INSERT INTO item_terms (item_id, term_id) VALUES (1, 1), (1, 2), (2, 1), (3, 3);",
    )
    .unwrap();
    let mut c = c;
    crate::archive::migrate::migrate(&mut c).unwrap();
    assert!(disagreements(&c).unwrap().is_empty());
    let places: (i64, i64) = c
        .query_row(
            "SELECT sum(items), sum(size) FROM tally_vocab WHERE vocab = 'place'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(places, (2, 30), "items 1 and 2 have a place, item 1 twice");
    let narrated: i64 = c
        .query_row(
            "SELECT sum(testimonies) FROM tally_narrators WHERE narrator_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(narrated, 2);
    check_reports(&c);
}

/// Migration 0025: the dated rows an older catalogue kept by day become
/// one row per year in the tally and stay by day in the day tally; every
/// report reads as it did, on days in and outside those years.
#[test]
fn the_year_tallies_take_over_the_days_an_older_catalogue_kept() {
    let mut c = catalogue_before(Some("0025"));
    let ops = [
        Op::Kind(1, "testimony"),
        Op::Kind(2, "testimony"),
        Op::Kind(3, "testimony"),
        Op::Consent(1, "granted", Some("public"), Some("2027-03-01")),
        Op::Consent(2, "granted", Some("public"), Some("2027-08-01")),
        Op::Consent(3, "granted", Some("research"), Some("2026-06-16")),
        Op::Link(1, 4),
        Op::Link(2, 4),
        Op::Link(3, 5),
        Op::Access(4, "closed", Some("2027-03-01")),
        Op::Describe(1, Some("Tapes"), Some("hy"), Some("1988-02-27")),
        Op::Describe(2, Some("Tapes"), Some("hy"), Some("1989")),
    ];
    for op in &ops {
        apply(&c, op);
    }
    crate::archive::migrate::migrate(&mut c).unwrap();
    assert_eq!(disagreements(&c).unwrap(), Vec::<String>::new());
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM tally_terms WHERE term_id = 4 AND consent_embargo IS NOT NULL"),
        1,
        "items 1 and 2 share a year row under place 4"
    );
    assert_eq!(
        count("SELECT consent_embargo = '2027-12-31' FROM tally_terms WHERE term_id = 4 AND consent_embargo IS NOT NULL"),
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM tally_terms_day WHERE term_id = 4"),
        2,
        "and keep a day row each"
    );
    assert_eq!(
        count("SELECT count(*) FROM tally_items_day WHERE consent_embargo IS NULL AND access_until IS NULL"),
        0,
        "a day tally holds dated rows only"
    );
    check_reports(&c);
    // Written after the migration too: its triggers keep both.
    for op in [
        Op::Consent(2, "granted", Some("public"), Some("2026-06-14")),
        Op::Unlink(1, 4),
        Op::Access(4, "open", None),
    ] {
        apply(&c, &op);
    }
    assert_eq!(disagreements(&c).unwrap(), Vec::<String>::new());
    check_reports(&c);
}

#[test]
fn links_are_never_rewritten_and_terms_keep_their_vocabulary() {
    let c = catalogue();
    apply(&c, &Op::Link(1, 1));
    let e = c
        .execute("UPDATE item_terms SET term_id = 2 WHERE item_id = 1", [])
        .unwrap_err();
    assert!(e.to_string().contains("never updated"), "{e}");
    let e = c
        .execute("UPDATE terms SET vocab = 'place' WHERE id = 1", [])
        .unwrap_err();
    assert!(e.to_string().contains("another vocabulary"), "{e}");
    // Renaming keeps the vocabulary, and is allowed.
    c.execute(
        "UPDATE terms SET label = 'renamed', vocab = 'event' WHERE id = 1",
        [],
    )
    .unwrap();
}

/// A year tally read as it is gives a wrong count for this year's days, so
/// only `policy::sql::tally_sum` reads the four item tallies (and this
/// module recounts them, the migrations write them, the archive stands
/// them in). A report that named one would pass its own tests on days
/// outside the years its fixtures use; this finds it by name instead.
#[test]
fn only_the_policy_reads_the_item_tallies() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("bench/src"), &mut files);
    let allowed = [
        "src/policy/sql.rs",
        "src/catalogue/tally.rs",
        "src/catalogue/tally/tests.rs",
        "src/archive/migrate.rs",
        "src/archive/mod.rs",
    ];
    let mut found = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if allowed.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for name in [
            "tally_items",
            "tally_vocab",
            "tally_terms",
            "tally_holdings",
        ] {
            if text.contains(name) {
                found.push(format!("{rel} names {name}"));
            }
        }
    }
    assert!(files.len() > 100, "the sources were found: {}", files.len());
    assert_eq!(found, Vec::<String>::new());
}

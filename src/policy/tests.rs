//! Table-driven tests of the policy: hand-written expectations for the
//! cases archivists reason about, then every combination of kind × consent
//! state × scope × embargo × anonymity × evidence × item access (level and
//! end day) × access level checked
//! for agreement between `decide`, `access_class` and their SQL forms.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::sql::{self, Filter};
use super::*;
use crate::model::{Access, Anonymity, ConsentStatus as S, ItemAccess, Kind, Scope};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-06-15";

fn testimony(
    status: Option<S>,
    scope: Option<Scope>,
    embargo: Option<&str>,
    anon: Anonymity,
) -> Facts {
    Facts {
        kind: Kind::Testimony,
        consent: status.map(|status| Consent {
            status,
            scope,
            date: "2020-01-01".into(),
            embargo_until: embargo.map(d),
            reason: None,
        }),
        anonymity: Some(anon),
        is_evidence: false,
        redacted: false,
        item_access: ItemAccess::Open,
        item_access_until: None,
        deaccessioned: None,
    }
}

fn document() -> Facts {
    Facts {
        kind: Kind::Article,
        consent: None,
        anonymity: None,
        is_evidence: false,
        redacted: false,
        item_access: ItemAccess::Open,
        item_access_until: None,
        deaccessioned: None,
    }
}

/// `f` with its own access set.
fn own(f: Facts, level: ItemAccess, until: Option<&str>) -> Facts {
    Facts {
        item_access: level,
        item_access_until: until.map(d),
        ..f
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Hidden,
    Closed(Option<&'static str>),
    Tombstone,
    /// Open, with: quasi-identifiers shown?, origin shown?, redacted?
    Open {
        quasi: bool,
        origin: bool,
        redact: bool,
    },
}

fn check(access: Access, f: &Facts, want: Want) {
    let got = decide(access, f, d(TODAY));
    let ok = match (&got, &want) {
        (Decision::Hidden, Want::Hidden) => true,
        (Decision::Closed { until }, Want::Closed(w)) => *until == w.map(d),
        (Decision::Tombstone { .. }, Want::Tombstone) => true,
        (
            Decision::Open(g),
            Want::Open {
                quasi,
                origin,
                redact,
            },
        ) => g.quasi_identifiers == *quasi && g.origin == *origin && g.redact == *redact,
        _ => false,
    };
    assert!(ok, "{access:?} {f:?}: got {got:?}, want {want:?}");
}

#[test]
fn expectations_archivists_rely_on() {
    use Access::*;
    use Anonymity::*;
    let open_named = Want::Open {
        quasi: true,
        origin: false,
        redact: true,
    };
    let open_anon = Want::Open {
        quasi: false,
        origin: false,
        redact: true,
    };
    let full = Want::Open {
        quasi: true,
        origin: true,
        redact: false,
    };
    let doc_below = Want::Open {
        quasi: true,
        origin: true,
        redact: true,
    };

    // Documents are open to everyone.
    check(Public, &document(), doc_below);
    check(
        Custodian,
        &document(),
        Want::Open {
            quasi: true,
            origin: true,
            redact: false,
        },
    );
    // A consent's evidence (a signed release) is the custodian's alone.
    let evidence = Facts {
        is_evidence: true,
        ..document()
    };
    check(Research, &evidence, Want::Hidden);
    check(Public, &evidence, Want::Hidden);
    check(Custodian, &evidence, full);

    // No consent or pending: closed, without a date.
    check(
        Research,
        &testimony(None, None, None, Named),
        Want::Closed(None),
    );
    check(
        Public,
        &testimony(Some(S::Pending), None, None, Named),
        Want::Closed(None),
    );
    check(
        Custodian,
        &testimony(None, None, None, Named),
        Want::Open {
            quasi: true,
            origin: true,
            redact: false,
        },
    );

    // Scope decides who sees a granted testimony.
    check(
        Public,
        &testimony(Some(S::Granted), Some(Scope::Public), None, Named),
        Want::Open {
            quasi: true,
            origin: false,
            redact: true,
        },
    );
    check(
        Public,
        &testimony(Some(S::Granted), Some(Scope::Public), None, Anonymous),
        Want::Open {
            quasi: false,
            origin: false,
            redact: true,
        },
    );
    check(
        Public,
        &testimony(Some(S::Granted), Some(Scope::Research), None, Named),
        Want::Hidden,
    );
    check(
        Public,
        &testimony(Some(S::Granted), Some(Scope::Publication), None, Named),
        Want::Hidden,
    );
    check(
        Research,
        &testimony(Some(S::Granted), Some(Scope::Publication), None, Named),
        open_named,
    );
    check(
        Research,
        &testimony(Some(S::Restricted), Some(Scope::Research), None, Anonymous),
        open_anon,
    );
    check(
        Research,
        &testimony(Some(S::Granted), Some(Scope::Archive), None, Named),
        Want::Hidden,
    );
    check(
        Custodian,
        &testimony(Some(S::Granted), Some(Scope::Archive), None, Anonymous),
        Want::Open {
            quasi: true,
            origin: true,
            redact: false,
        },
    );

    // Embargo: closed the day before, open on the day, for those in scope.
    check(
        Research,
        &testimony(
            Some(S::Granted),
            Some(Scope::Research),
            Some("2026-06-16"),
            Named,
        ),
        Want::Closed(Some("2026-06-16")),
    );
    check(
        Research,
        &testimony(Some(S::Granted), Some(Scope::Research), Some(TODAY), Named),
        Want::Open {
            quasi: true,
            origin: false,
            redact: true,
        },
    );
    check(
        Public,
        &testimony(
            Some(S::Granted),
            Some(Scope::Research),
            Some("2030-01-01"),
            Named,
        ),
        Want::Hidden,
    );
    check(
        Custodian,
        &testimony(
            Some(S::Granted),
            Some(Scope::Research),
            Some("2030-01-01"),
            Named,
        ),
        Want::Open {
            quasi: true,
            origin: true,
            redact: false,
        },
    );

    // Withdrawn: gone below custodian, a tombstone for the custodian.
    for a in [Public, Research] {
        check(
            a,
            &testimony(Some(S::Withdrawn), Some(Scope::Public), None, Named),
            Want::Hidden,
        );
    }
    check(
        Custodian,
        &testimony(Some(S::Withdrawn), None, None, Named),
        Want::Tombstone,
    );
}

#[test]
fn access_classes() {
    let t = |s, sc, e| access_class(&testimony(s, sc, e, Anonymity::Named), d(TODAY));
    assert_eq!(access_class(&document(), d(TODAY)), AccessClass::Open);
    assert_eq!(t(None, None, None), AccessClass::Closed);
    assert_eq!(
        t(Some(S::Granted), Some(Scope::Public), None),
        AccessClass::Open
    );
    assert_eq!(
        t(Some(S::Granted), Some(Scope::Research), None),
        AccessClass::Restricted
    );
    assert_eq!(
        t(Some(S::Granted), Some(Scope::Public), Some("2027-01-01")),
        AccessClass::Closed
    );
    assert_eq!(t(Some(S::Withdrawn), None, None), AccessClass::Withdrawn);
}

/// Every combination the catalogue can hold.
fn all_facts() -> Vec<Facts> {
    let mut out = vec![
        document(),
        Facts {
            is_evidence: true,
            ..document()
        },
    ];
    let statuses = [
        None,
        Some(S::Pending),
        Some(S::Granted),
        Some(S::Restricted),
        Some(S::Withdrawn),
    ];
    let scopes = [
        None,
        Some(Scope::Archive),
        Some(Scope::Research),
        Some(Scope::Publication),
        Some(Scope::Public),
    ];
    let embargoes = [None, Some("2026-06-14"), Some(TODAY), Some("2026-06-16")];
    for status in statuses {
        for scope in scopes {
            for embargo in embargoes {
                for anon in [Anonymity::Named, Anonymity::Anonymous] {
                    for is_evidence in [false, true] {
                        if status.is_none() && (scope.is_some() || embargo.is_some()) {
                            continue;
                        }
                        out.push(Facts {
                            is_evidence,
                            ..testimony(status, scope, embargo, anon)
                        });
                    }
                }
            }
        }
    }
    // Every item access (level × end day before, on and after today, or
    // none) over every consent state above.
    let owns = [
        (ItemAccess::Closed, None),
        (ItemAccess::Closed, Some("2026-06-14")),
        (ItemAccess::Closed, Some(TODAY)),
        (ItemAccess::Closed, Some("2026-06-16")),
        (ItemAccess::Research, None),
        (ItemAccess::Research, Some(TODAY)),
        (ItemAccess::Research, Some("2026-06-16")),
    ];
    let base = out.clone();
    for (level, until) in owns {
        out.extend(base.iter().map(|f| own(f.clone(), level, until)));
    }
    // Deaccessioned, over every consent state (loaded with its level
    // closed, without an end).
    out.extend(base.iter().map(|f| deaccessioned(f.clone())));
    out
}

fn deaccessioned(f: Facts) -> Facts {
    Facts {
        item_access: ItemAccess::Closed,
        item_access_until: None,
        deaccessioned: Some(Deaccession {
            on: "2026-01-02".into(),
            reason: "returned to the donor".into(),
        }),
        ..f
    }
}

fn catalogue_of(facts: &[Facts]) -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    crate::archive::migrate::migrate(&mut c).unwrap();
    crate::archive::migrate::drop_guards(&c);
    let now = "2026-01-01T00:00:00Z";
    for (n, f) in facts.iter().enumerate() {
        let id = n as i64 + 1;
        c.execute(
            "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (?1, ?2, 1, 'text/plain', ?3)",
            params![id, format!("{id:064x}"), now],
        )
        .unwrap();
        c.execute(
            "INSERT INTO items (id, object_id, title, kind, created_at, updated_at) VALUES (?1, ?1, 't', ?2, ?3, ?3)",
            params![id, f.kind, now],
        )
        .unwrap();
        // The derived columns as the access_events trigger sets them.
        if f.item_access != ItemAccess::Open {
            c.execute(
                "UPDATE items SET access_level = ?2, access_until = ?3 WHERE id = ?1",
                params![
                    id,
                    f.item_access,
                    f.item_access_until.map(|e| e.to_string())
                ],
            )
            .unwrap();
        }
        if let Some(a) = f.anonymity {
            c.execute(
                "INSERT INTO narrators (id, anonymity, created_at) VALUES (?1, ?2, ?3)",
                params![id, a, now],
            )
            .unwrap();
            c.execute(
                "INSERT INTO testimonies (item_id, narrator_id) VALUES (?1, ?1)",
                [id],
            )
            .unwrap();
        }
        if let Some(k) = &f.consent {
            c.execute(
                "INSERT INTO consent_events (id, item_id, status, scope, date, embargo_until, recorded_at, recorded_by)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, 'test')",
                params![id, k.status, k.scope, k.date, k.embargo_until.map(|e| e.to_string()), now],
            )
            .unwrap();
            c.execute(
                "INSERT INTO consent_current (item_id, event_id, status, scope, date, embargo_until)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5)",
                params![id, k.status, k.scope, k.date, k.embargo_until.map(|e| e.to_string())],
            )
            .unwrap();
        }
    }
    c.execute(
        "INSERT INTO events (id, at, type, agent, outcome, detail_hash, prev_hash, hash)
         VALUES (1, ?1, 'deaccession', 'test', 'success', '', '', '')",
        [now],
    )
    .unwrap();
    for (n, f) in facts.iter().enumerate() {
        if let Some(dx) = &f.deaccessioned {
            c.execute(
                "INSERT INTO deaccessions (item_id, reason, event_id, recorded_at, recorded_by)
                 VALUES (?1, ?2, 1, ?3, 'test')",
                params![n as i64 + 1, dx.reason, format!("{}T10:00:00Z", dx.on)],
            )
            .unwrap();
        }
    }
    // Evidence links: a consent event on a placeholder item citing each.
    for (n, f) in facts.iter().enumerate() {
        if f.is_evidence {
            c.execute(
                "INSERT INTO consent_events (item_id, status, scope, date, evidence_item_id, recorded_at, recorded_by)
                 VALUES (1, 'granted', 'public', '2020-01-01', ?1, ?2, 'test')",
                params![n as i64 + 1, now],
            )
            .unwrap();
        }
    }
    c
}

fn ids(c: &Connection, f: &Filter) -> BTreeSet<i64> {
    let sql = format!(
        "SELECT i.id FROM items i {} WHERE {}",
        sql::FACTS_JOIN,
        f.sql
    );
    let mut stmt = c.prepare(&sql).unwrap();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn sql_predicates_agree_with_decide_on_every_combination() {
    let facts = all_facts();
    let c = catalogue_of(&facts);
    // Item 1 carries the placeholder evidence events; its own facts as
    // loaded are the truth for it.
    let loaded: Vec<Facts> = (1..=facts.len() as i64)
        .map(|id| {
            sql::load_facts(&c, crate::model::ItemId(id))
                .unwrap()
                .unwrap()
        })
        .collect();
    for (n, (want, got)) in facts.iter().zip(&loaded).enumerate().skip(1) {
        assert_eq!(want, got, "facts of item {} did not round-trip", n + 1);
    }
    let today = d(TODAY);
    for access in Access::ALL {
        let listed: BTreeSet<i64> = loaded
            .iter()
            .enumerate()
            .filter(|(_, f)| decide(*access, f, today) != Decision::Hidden)
            .map(|(n, _)| n as i64 + 1)
            .collect();
        let open: BTreeSet<i64> = loaded
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(decide(*access, f, today), Decision::Open(_)))
            .map(|(n, _)| n as i64 + 1)
            .collect();
        assert_eq!(
            ids(&c, &sql::listed(*access)),
            listed,
            "listed at {access:?}"
        );
        assert_eq!(
            ids(&c, &sql::open(*access, today)),
            open,
            "open at {access:?}"
        );
        assert!(open.is_subset(&listed));
    }
    let class = sql::access_class(today);
    let mut stmt = c
        .prepare(&format!(
            "SELECT i.id, {} FROM items i {} ORDER BY i.id",
            class.sql,
            sql::FACTS_JOIN
        ))
        .unwrap();
    let rows: Vec<(i64, String)> = stmt
        .query_map(rusqlite::params_from_iter(class.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, sql_class) in rows {
        let f = &loaded[id as usize - 1];
        assert_eq!(
            sql_class,
            access_class(f, today).as_str(),
            "access class of {f:?}"
        );
    }
}

mod deaccession;
mod item_access;
mod views;

//! How the typed views present what a decision grants: closed items keep
//! id, kind and collection; open ones below custodian use the redacted
//! copy and lose a redacted item's digest, size and origin.

use super::*;

#[test]
fn presenting_a_closed_item_keeps_only_id_kind_collection() {
    let rec = record("CANARY", None);
    let v = shown(
        &Decision::Closed {
            until: Some(d("2031-01-01")),
        },
        AccessClass::Closed,
        rec,
        None,
    )
    .unwrap();
    assert_eq!(v["title"], serde_json::Value::Null);
    assert_eq!(v["sha256"], serde_json::Value::Null);
    assert_eq!(v["collection"], "C");
    assert_eq!(v["closed_until"], "2031-01-01");
    assert!(!v.to_string().contains("CANARY"));
}

#[test]
fn presenting_open_below_custodian_uses_the_redacted_copy() {
    let rec = record("About CANARY", Some("CANARY"));
    let grant = Grant {
        redact: true,
        quasi_identifiers: false,
        origin: false,
        custodial_detail: false,
        digest: false,
    };
    let copy = present::RedactedCopy {
        title: "About [redacted]".into(),
        description: Some("[redacted]".into()),
        text: Some("t".into()),
    };
    let v = shown(&Decision::Open(grant), AccessClass::Open, rec, Some(&copy)).unwrap();
    assert!(!v.to_string().contains("CANARY"), "{v}");
    assert_eq!(
        present::text(&Decision::Open(grant), Some("CANARY"), Some(&copy)).as_deref(),
        Some("t")
    );
    assert_eq!(present::text(&Decision::Hidden, Some("CANARY"), None), None);
}

#[test]
fn contentless_items_reads_only_the_main_catalogue() {
    // The custodian's raw SQL shadows item tables with TEMP views; the
    // predicate building them must not read those views.
    let sql = sql::contentless_items();
    for t in ["items", "consent_current", "testimonies", "narrators"] {
        assert!(sql.contains(&format!("main.{t}")), "{t}: {sql}");
    }
    assert!(!sql.contains("JOIN consent_current"), "{sql}");
}

#[test]
fn a_redacted_items_digest_size_and_origin_are_the_custodians_alone() {
    let article = |redacted| Facts {
        redacted,
        ..document()
    };
    let public = testimony(
        Some(S::Granted),
        Some(Scope::Public),
        None,
        Anonymity::Named,
    );
    for access in [Access::Public, Access::Research] {
        for (facts, origin_plain) in [(article(false), true), (public.clone(), false)] {
            let Decision::Open(plain) = decide(access, &facts, d(TODAY)) else {
                panic!("open")
            };
            assert!(plain.digest && plain.origin == origin_plain);
            let redacted = Facts {
                redacted: true,
                ..facts
            };
            let Decision::Open(g) = decide(access, &redacted, d(TODAY)) else {
                panic!("open")
            };
            assert!(!g.digest && !g.origin, "{access:?}: {g:?}");
        }
    }
    let Decision::Open(g) = decide(Access::Custodian, &article(true), d(TODAY)) else {
        panic!("open")
    };
    assert!(g.digest && g.origin);
    let rec = record("t", None);
    let g = Grant {
        digest: false,
        origin: false,
        ..Grant::FULL
    };
    let v = shown(&Decision::Open(g), AccessClass::Open, rec, None).unwrap();
    for k in ["sha256", "size", "origin", "original_name"] {
        assert!(v[k].is_null(), "{k}: {v}");
    }
}

/// An item record whose origin names CANARY.
pub(super) fn record(
    title: &str,
    description: Option<&str>,
) -> crate::catalogue::items::ItemRecord {
    crate::catalogue::items::ItemRecord {
        id: crate::model::ItemId(3),
        title: title.into(),
        kind: Kind::Testimony,
        date: None,
        sha256: crate::model::Sha256::from_digest(&[7; 32]),
        size: 3,
        media_type: "text/plain".into(),
        original_name: Some("CANARY.txt".into()),
        origin: Some("file:///CANARY.txt".into()),
        ingested_at: None,
        ingested_by: None,
        language: None,
        collection: Some("C".into()),
        creator: None,
        description: description.map(str::to_string),
        coverage: None,
        rights: None,
        location: None,
    }
}

/// The typed view as JSON, as every read path renders it.
fn shown(
    d: &Decision,
    class: AccessClass,
    rec: crate::catalogue::items::ItemRecord,
    copy: Option<&present::RedactedCopy>,
) -> Option<serde_json::Value> {
    super::view::item(d, class, rec, copy).map(|v| serde_json::to_value(v).unwrap())
}

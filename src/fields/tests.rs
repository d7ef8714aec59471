//! The registry and the typed records, the query allow-list, the manifest
//! columns and the edit rules say the same about every field.

use super::*;
use crate::catalogue::items::{self, ItemRecord};
use crate::model::{ItemId, Kind, Sha256};
use crate::policy::view::{self, CLOSED_KEEPS};
use crate::policy::{AccessClass, Decision, Grant};
use crate::query::fields::{self as qf, Vis};

fn record() -> ItemRecord {
    ItemRecord {
        id: ItemId(1),
        title: "t".into(),
        kind: Kind::Article,
        date: Some("1990".into()),
        sha256: Sha256::from_digest(&[1; 32]),
        size: 1,
        media_type: "text/plain".into(),
        original_name: Some("n".into()),
        origin: Some("o".into()),
        ingested_at: Some("a".into()),
        ingested_by: Some("b".into()),
        language: Some("en".into()),
        collection: Some("c".into()),
        creator: Some("cr".into()),
        description: Some("d".into()),
        coverage: Some("1988/1990".into()),
        rights: Some("CC-BY-4.0".into()),
        location: Some("Box 3".into()),
    }
}

fn keys(v: serde_json::Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn names() -> Vec<String> {
    ITEM_FIELDS.iter().map(|f| f.name.to_string()).collect()
}

#[test]
fn the_record_and_its_view_have_the_registry_fields_in_order() {
    assert_eq!(keys(serde_json::to_value(record()).unwrap()), names());
    let v = view::item(
        &Decision::Open(Grant::FULL),
        AccessClass::Open,
        record(),
        None,
    )
    .unwrap();
    let mut want = names();
    want.push("access".into());
    assert_eq!(keys(serde_json::to_value(v).unwrap()), want);
    let all: Vec<&str> = all_columns().iter().map(|c| c.key).collect();
    assert_eq!(all, want);
}

#[test]
fn what_each_field_is_seen_under_is_what_the_view_does() {
    let closed: Vec<&str> = ITEM_FIELDS
        .iter()
        .filter(|f| f.seen == Seen::Listed)
        .map(|f| f.name)
        .collect();
    assert_eq!(closed, CLOSED_KEEPS);
    for (seen, grant) in [
        (
            Seen::Digest,
            Grant {
                digest: false,
                ..Grant::FULL
            },
        ),
        (
            Seen::Origin,
            Grant {
                origin: false,
                ..Grant::FULL
            },
        ),
    ] {
        let v = serde_json::to_value(
            view::item(&Decision::Open(grant), AccessClass::Open, record(), None).unwrap(),
        )
        .unwrap();
        for f in ITEM_FIELDS {
            assert_eq!(
                v[f.name].is_null(),
                f.seen == seen,
                "{} under {grant:?}",
                f.name
            );
        }
    }
}

#[test]
fn query_fields_match_the_registry() {
    for f in ITEM_FIELDS {
        let q = qf::lookup(f.name);
        assert_eq!(q.is_some(), f.query, "{}: query field", f.name);
        if let Some(q) = q {
            let want = match f.seen {
                Seen::Listed => Vis::Listed,
                Seen::Origin => Vis::Origin,
                Seen::Open | Seen::Digest => Vis::Open,
            };
            assert_eq!(q.vis, want, "{}: visibility", f.name);
        }
    }
}

#[test]
fn manifest_columns_match_the_registry() {
    for f in ITEM_FIELDS {
        assert_eq!(
            crate::manifest::Field::from_name(f.name).is_some(),
            f.manifest,
            "{}: manifest column",
            f.name
        );
    }
}

#[test]
fn edit_rules_come_from_the_registry() {
    let mut editable: Vec<&str> = ITEM_FIELDS
        .iter()
        .filter(|f| f.edit != Edit::Fixed)
        .map(|f| f.name)
        .collect();
    let mut fields: Vec<&str> = items::Field::ALL.iter().map(|f| f.name()).collect();
    fields.sort_unstable();
    editable.sort_unstable();
    assert_eq!(fields, editable);
    for f in items::Field::ALL {
        let def = get(f.name()).unwrap();
        assert!(matches!(def.stored, Stored::Item(c) if c == f.name()));
        assert_eq!(f.clearable(), def.edit == Edit::Clearable);
        assert_eq!(f.shown_beside_redacted_text(), def.beside_redacted);
    }
}

//! Hand-written expectations of deaccession (issue 18): gone below
//! custodian whatever consent or item access say, a tombstone with its day
//! and reason for the custodian, and its own access class; the agreement
//! with the SQL form over every combination is in the parent module.

use super::*;

#[test]
fn a_deaccessioned_item_is_gone_below_custodian_and_a_tombstone_above() {
    let public = testimony(
        Some(S::Granted),
        Some(Scope::Public),
        None,
        Anonymity::Named,
    );
    let research_only = own(document(), ItemAccess::Research, None);
    for f in [document(), public, research_only] {
        let gone = deaccessioned(f);
        check(Access::Public, &gone, Want::Hidden);
        check(Access::Research, &gone, Want::Hidden);
        match decide(Access::Custodian, &gone, d(TODAY)) {
            Decision::Tombstone {
                gone: g,
                on,
                reason,
            } => {
                assert_eq!(g, Gone::Deaccessioned);
                assert_eq!(on, "2026-01-02");
                assert_eq!(reason.as_deref(), Some("returned to the donor"));
            }
            other => panic!("custodian: {other:?}"),
        }
        assert_eq!(access_class(&gone, d(TODAY)), AccessClass::Deaccessioned);
        // Even a withdrawn testimony's history is the deaccession's now,
        // and purge leaves it to `deaccession --purge-bytes`.
        assert!(purgeable(&gone).is_err());
    }
}

#[test]
fn its_tombstone_view_keeps_only_id_kind_collection_day_and_reason() {
    let d = Decision::Tombstone {
        gone: Gone::Deaccessioned,
        on: "2026-01-02".into(),
        reason: Some("returned".into()),
    };
    let v = super::super::view::item(
        &d,
        AccessClass::Deaccessioned,
        super::views::record("CANARY", Some("CANARY")),
        None,
    )
    .map(|v| serde_json::to_value(v).unwrap())
    .unwrap();
    assert_eq!(v["access"], "deaccessioned");
    assert_eq!(v["deaccessioned_on"], "2026-01-02");
    assert_eq!(v["deaccession_reason"], "returned");
    assert!(v["withdrawn_on"].is_null());
    assert!(!v.to_string().contains("CANARY"), "{v}");
}

//! Hand-written expectations of how an item's own access (issue 18)
//! combines with consent; the agreement of `decide` and its SQL form over
//! every combination is in the parent module.

use super::*;

#[test]
fn the_stricter_of_consent_and_item_access_wins() {
    use Access::*;
    let doc_below = Want::Open {
        quasi: true,
        origin: true,
        redact: true,
    };
    let full = Want::Open {
        quasi: true,
        origin: true,
        redact: false,
    };
    // A closed document: closed to all below custodian, without an end or
    // until its end; open on the end day.
    let closed = own(document(), ItemAccess::Closed, None);
    check(Public, &closed, Want::Closed(None));
    check(Research, &closed, Want::Closed(None));
    check(Custodian, &closed, full);
    let until = own(document(), ItemAccess::Closed, Some("2026-06-16"));
    check(Research, &until, Want::Closed(Some("2026-06-16")));
    check(
        Research,
        &own(document(), ItemAccess::Closed, Some(TODAY)),
        doc_below,
    );
    // Restricted to research: research sees it, public sees it closed.
    let research = own(document(), ItemAccess::Research, Some("2027-01-01"));
    check(Research, &research, doc_below);
    check(Public, &research, Want::Closed(Some("2027-01-01")));
    // A public testimony closed by its item access is closed; an item
    // access never opens what consent closes or hides.
    let public = testimony(
        Some(S::Granted),
        Some(Scope::Public),
        None,
        Anonymity::Named,
    );
    check(
        Public,
        &own(public.clone(), ItemAccess::Closed, None),
        Want::Closed(None),
    );
    let hidden = testimony(
        Some(S::Granted),
        Some(Scope::Research),
        None,
        Anonymity::Named,
    );
    check(
        Public,
        &own(hidden.clone(), ItemAccess::Research, None),
        Want::Hidden,
    );
    let pending = testimony(Some(S::Pending), None, None, Anonymity::Named);
    check(
        Research,
        &own(pending, ItemAccess::Closed, Some("2030-01-01")),
        Want::Closed(None),
    );
    // Two ends: it opens when both have come.
    let embargoed = testimony(
        Some(S::Granted),
        Some(Scope::Public),
        Some("2028-01-01"),
        Anonymity::Named,
    );
    check(
        Public,
        &own(embargoed, ItemAccess::Closed, Some("2030-01-01")),
        Want::Closed(Some("2030-01-01")),
    );
    let withdrawn = testimony(Some(S::Withdrawn), None, None, Anonymity::Named);
    check(
        Custodian,
        &own(withdrawn.clone(), ItemAccess::Closed, None),
        Want::Tombstone,
    );
    check(
        Research,
        &own(withdrawn.clone(), ItemAccess::Open, None),
        Want::Hidden,
    );
    // Evidence stays the custodian's whatever its item access.
    let evidence = Facts {
        is_evidence: true,
        ..own(document(), ItemAccess::Open, None)
    };
    check(Public, &evidence, Want::Hidden);
    // Classes: the stricter.
    let t = d(TODAY);
    assert_eq!(access_class(&closed, t), AccessClass::Closed);
    assert_eq!(access_class(&research, t), AccessClass::Restricted);
    assert_eq!(
        access_class(&own(public, ItemAccess::Research, None), t),
        AccessClass::Restricted
    );
    assert_eq!(
        access_class(&own(withdrawn, ItemAccess::Closed, None), t),
        AccessClass::Withdrawn
    );
    assert_eq!(
        access_class(&own(hidden, ItemAccess::Closed, Some(TODAY)), t),
        AccessClass::Restricted
    );
}

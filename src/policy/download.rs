//! Whether an item's stored original may leave the archive to a reader
//! (the portal's `/items/N/original`), and if not, why. The original is
//! the unredacted, unsilenced object: it carries every name a redaction
//! replaced, every passage a restriction closed, and a narrator's voice.
//! So the rule is narrower than "the item is open": the item must be open
//! with its digest (never a redacted item), a testimony's narrator must
//! not be anonymous (the voice and the words identify), no passage may be
//! closed at the reader's level, consent evidence never leaves, and the
//! custodian level is never served on the web at all.
//!
//! It decides only; it reads no catalogue, opens no file and never prints.

use chrono::NaiveDate;

use super::passage::Passage;
use super::{decide, served_on_web, Decision, Facts};
use crate::model::{Access, Anonymity, Kind};

/// Why an original may not leave. [`Refusal::Hidden`] is answered exactly
/// as a missing item; the others may be told to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The reader may not know the item exists (answer as missing).
    Hidden,
    /// The level is the custodian's, which the portal never serves.
    NotServed,
    /// The item is listed but closed (embargo, pending consent, its own
    /// access) or withdrawn.
    Closed,
    /// The item is redacted: its original holds the redacted names.
    Redacted,
    /// A testimony whose narrator is anonymous, or whose narrator the
    /// catalogue does not record (so cannot be shown not to be).
    AnonymousNarrator,
    /// A passage of the recording is closed at this level.
    ClosedPassage,
}

impl Refusal {
    /// One plain sentence for the reader (never names the item's content).
    pub fn explain(self) -> &'static str {
        match self {
            Refusal::Hidden => "There is nothing at this address.",
            Refusal::NotServed => "Originals are not served at this level.",
            Refusal::Closed => {
                "This item is closed at this level, so its original cannot be downloaded."
            }
            Refusal::Redacted => {
                "Parts of this item are withheld at this level, and its original would show them, so only the redacted text is shown here."
            }
            Refusal::AnonymousNarrator => {
                "The narrator of this testimony is anonymous; the original recording or document could identify them, so it stays in the archive."
            }
            Refusal::ClosedPassage => {
                "A passage of this recording is closed at this level; the original would contain it, so only the access copy is offered."
            }
        }
    }
}

/// Whether the original of an item with `facts` and `passages` may be
/// downloaded by a reader at `access` on `today`: Ok, or the first reason
/// it may not.
pub fn original_may_leave(
    access: Access,
    facts: &Facts,
    passages: &[Passage],
    today: NaiveDate,
) -> Result<(), Refusal> {
    let decision = decide(access, facts, today);
    // Evidence names the narrator: hidden below custodian by `decide`,
    // and never a download even for the custodian.
    if decision == Decision::Hidden || facts.is_evidence {
        return Err(Refusal::Hidden);
    }
    if !served_on_web(access) {
        return Err(Refusal::NotServed);
    }
    let grant = match decision {
        Decision::Open(g) => g,
        Decision::Hidden => return Err(Refusal::Hidden),
        Decision::Closed { .. } | Decision::Tombstone { .. } => return Err(Refusal::Closed),
    };
    if !grant.digest || facts.redacted {
        return Err(Refusal::Redacted);
    }
    if facts.kind == Kind::Testimony
        && !matches!(
            facts.anonymity,
            Some(Anonymity::Named | Anonymity::Pseudonymous)
        )
    {
        return Err(Refusal::AnonymousNarrator);
    }
    if passages.iter().any(|p| p.closes(access, today)) {
        return Err(Refusal::ClosedPassage);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{Interval, TimeCode};
    use crate::model::{ConsentStatus, ItemAccess, Scope};
    use crate::policy::passage::PassageLevel;
    use crate::policy::Consent;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
    }

    fn facts(kind: Kind, scope: Option<Scope>, anon: Option<Anonymity>) -> Facts {
        Facts {
            kind,
            consent: scope.map(|s| Consent {
                status: ConsentStatus::Granted,
                scope: Some(s),
                date: "2020-01-01".into(),
                embargo_until: None,
                reason: None,
            }),
            anonymity: anon,
            is_evidence: false,
            redacted: false,
            item_access: ItemAccess::Open,
            item_access_until: None,
            deaccessioned: None,
        }
    }

    fn passage(level: PassageLevel, lifted: bool, until: Option<NaiveDate>) -> Passage {
        Passage {
            id: 1,
            range: Interval {
                start: TimeCode(0),
                end: TimeCode(1000),
            },
            level,
            until,
            reason: "fictional".into(),
            lifted,
            recorded_at: String::new(),
            recorded_by: String::new(),
        }
    }

    const LEVELS: [Access; 3] = [Access::Public, Access::Research, Access::Custodian];

    #[test]
    fn an_open_document_may_leave_below_custodian_and_never_at_custodian() {
        let f = facts(Kind::Article, None, None);
        assert_eq!(original_may_leave(Access::Public, &f, &[], day()), Ok(()));
        assert_eq!(original_may_leave(Access::Research, &f, &[], day()), Ok(()));
        assert_eq!(
            original_may_leave(Access::Custodian, &f, &[], day()),
            Err(Refusal::NotServed)
        );
    }

    #[test]
    fn a_redacted_item_never_leaves() {
        let f = Facts {
            redacted: true,
            ..facts(Kind::Article, None, None)
        };
        for a in [Access::Public, Access::Research] {
            assert_eq!(
                original_may_leave(a, &f, &[], day()),
                Err(Refusal::Redacted)
            );
        }
    }

    #[test]
    fn a_deaccessioned_item_is_hidden_at_every_level() {
        let f = Facts {
            item_access: ItemAccess::Closed,
            deaccessioned: Some(crate::policy::Deaccession {
                on: "2026-01-02".into(),
                reason: "returned".into(),
            }),
            ..facts(Kind::Article, None, None)
        };
        for a in [Access::Public, Access::Research] {
            assert_eq!(
                original_may_leave(a, &f, &[], day()),
                Err(Refusal::Hidden),
                "{a:?}"
            );
        }
        assert!(original_may_leave(Access::Custodian, &f, &[], day()).is_err());
    }

    #[test]
    fn evidence_is_hidden_at_every_level() {
        let f = Facts {
            is_evidence: true,
            ..facts(Kind::Article, None, None)
        };
        for a in LEVELS {
            assert_eq!(original_may_leave(a, &f, &[], day()), Err(Refusal::Hidden));
        }
    }

    #[test]
    fn a_testimony_leaves_only_with_a_narrator_known_not_anonymous() {
        for (anon, want) in [
            (Some(Anonymity::Named), Ok(())),
            (Some(Anonymity::Pseudonymous), Ok(())),
            (Some(Anonymity::Anonymous), Err(Refusal::AnonymousNarrator)),
            (None, Err(Refusal::AnonymousNarrator)),
        ] {
            let f = facts(Kind::Testimony, Some(Scope::Public), anon);
            assert_eq!(
                original_may_leave(Access::Public, &f, &[], day()),
                want,
                "{anon:?}"
            );
        }
    }

    #[test]
    fn consent_out_of_scope_is_hidden_and_pending_is_closed() {
        let research_only = facts(
            Kind::Testimony,
            Some(Scope::Research),
            Some(Anonymity::Named),
        );
        assert_eq!(
            original_may_leave(Access::Public, &research_only, &[], day()),
            Err(Refusal::Hidden)
        );
        assert_eq!(
            original_may_leave(Access::Research, &research_only, &[], day()),
            Ok(())
        );
        let pending = facts(Kind::Testimony, None, Some(Anonymity::Named));
        assert_eq!(
            original_may_leave(Access::Research, &pending, &[], day()),
            Err(Refusal::Closed)
        );
        let own = Facts {
            item_access: ItemAccess::Closed,
            ..facts(Kind::Article, None, None)
        };
        assert_eq!(
            original_may_leave(Access::Research, &own, &[], day()),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn a_passage_closed_at_the_level_keeps_the_original_in() {
        let f = facts(Kind::Testimony, Some(Scope::Public), Some(Anonymity::Named));
        let research = [passage(PassageLevel::Research, false, None)];
        assert_eq!(
            original_may_leave(Access::Public, &f, &research, day()),
            Err(Refusal::ClosedPassage)
        );
        assert_eq!(
            original_may_leave(Access::Research, &f, &research, day()),
            Ok(())
        );
        let custodian = [passage(PassageLevel::Custodian, false, None)];
        assert_eq!(
            original_may_leave(Access::Research, &f, &custodian, day()),
            Err(Refusal::ClosedPassage)
        );
        // Lifted, or past its day: no longer closed.
        let lifted = [passage(PassageLevel::Custodian, true, None)];
        let ended = [passage(PassageLevel::Custodian, false, Some(day()))];
        assert_eq!(
            original_may_leave(Access::Public, &f, &lifted, day()),
            Ok(())
        );
        assert_eq!(
            original_may_leave(Access::Public, &f, &ended, day()),
            Ok(())
        );
    }

    /// Every combination: an allowed original is one the reader sees open
    /// with its digest, not redacted, not evidence, of no anonymous
    /// testimony, with no passage closed to the reader, below custodian.
    #[test]
    fn every_combination_agrees_with_the_rule() {
        let kinds = [Kind::Article, Kind::Testimony];
        let scopes = [
            None,
            Some(Scope::Archive),
            Some(Scope::Research),
            Some(Scope::Public),
        ];
        let anons = [
            None,
            Some(Anonymity::Named),
            Some(Anonymity::Pseudonymous),
            Some(Anonymity::Anonymous),
        ];
        let passages = [
            vec![],
            vec![passage(PassageLevel::Research, false, None)],
            vec![passage(PassageLevel::Custodian, false, None)],
        ];
        let mut allowed = 0;
        for kind in kinds {
            for scope in scopes {
                for anon in anons {
                    for redacted in [false, true] {
                        for evidence in [false, true] {
                            for own in [ItemAccess::Open, ItemAccess::Research, ItemAccess::Closed]
                            {
                                for ps in &passages {
                                    for access in LEVELS {
                                        let f = Facts {
                                            redacted,
                                            is_evidence: evidence,
                                            item_access: own,
                                            ..facts(kind, scope, anon)
                                        };
                                        let got = original_may_leave(access, &f, ps, day());
                                        let d = decide(access, &f, day());
                                        if d == Decision::Hidden {
                                            assert_eq!(got, Err(Refusal::Hidden));
                                        }
                                        if got.is_ok() {
                                            allowed += 1;
                                            assert!(
                                                matches!(d, Decision::Open(g) if g.digest),
                                                "{f:?} {access}"
                                            );
                                            assert!(access != Access::Custodian);
                                            assert!(!redacted && !evidence);
                                            assert!(
                                                kind != Kind::Testimony
                                                    || anon
                                                        .is_some_and(|a| a != Anonymity::Anonymous)
                                            );
                                            assert!(ps.iter().all(|p| !p.closes(access, day())));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The rule is not vacuous.
        assert!(allowed > 0);
    }
}

//! The transition test's checks on sequences written out by hand: the
//! findings of issue 11, and the cases later issues added, each as the
//! shortest sequence that showed it.

use super::passages::RecOp;
use super::{run_case, Op};

fn rec(op: RecOp) -> Op {
    Op::Rec(op)
}

/// A restriction on the live recording `item` picks (`passages::pick`).
fn restrict(item: u8, range: u8, research: bool, until: bool) -> Op {
    Op::Rec(RecOp::Restrict {
        item,
        range,
        research,
        until,
    })
}

/// The same checks on sequences written out by hand: each of the findings
/// 1, 4, 7, 8 and 9 of issue 11 as the shortest sequence that showed it.
#[test]
fn the_findings_as_sequences() {
    let cases: Vec<Vec<Op>> = vec![
        // Issue 14: copies at a site, then a withdrawal and a purge, which
        // must reach the site; a round trip and a second replicate after.
        vec![
            Op::Grant {
                item: 1,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::Replicate,
            Op::Withdraw { item: 1 },
            Op::Purge { item: 1 },
            Op::RoundTrip,
            Op::Replicate,
        ],
        // 1: an edit of kind opened a pending testimony.
        vec![Op::EditKind { item: 1, kind: 0 }],
        // 4: a duplicate with --narrator stayed open.
        vec![Op::ImportDup {
            item: 0,
            narrator: true,
            kind: false,
        }],
        vec![Op::ImportDup {
            item: 0,
            narrator: false,
            kind: true,
        }],
        // 7: a redacted name as an agent term.
        vec![
            Op::Grant {
                item: 1,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::Redact { item: 1 },
            Op::TagName { item: 1 },
        ],
        vec![
            Op::Grant {
                item: 1,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::TagName { item: 1 },
            Op::Redact { item: 1 },
        ],
        // 8: restrict widened research to public.
        vec![
            Op::Grant {
                item: 1,
                scope: 1,
                embargo: false,
                evidence: None,
            },
            Op::Restrict {
                item: 1,
                scope: 3,
                embargo: false,
            },
        ],
        // A signed head outlives a purge (erased details) and a round trip
        // (a new archive, which it no longer vouches for).
        vec![
            Op::SignHead,
            Op::Withdraw { item: 1 },
            Op::Purge { item: 1 },
            Op::SignHead,
            Op::Export { level: 2 },
            Op::RoundTrip,
            Op::SignHead,
        ],
        // Issue 18: a document closed, restricted until a day, reopened;
        // a testimony granted for the public but closed by its access; an
        // item taken in closed; a custodian round trip keeps each item's access.
        vec![
            Op::Access {
                item: 0,
                level: 1,
                until: false,
            },
            Op::Export { level: 0 },
            Op::Access {
                item: 0,
                level: 2,
                until: true,
            },
            Op::Export { level: 1 },
            Op::Clock,
            Op::Grant {
                item: 1,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::Access {
                item: 1,
                level: 1,
                until: false,
            },
            Op::Import {
                testimony: false,
                narrator: false,
                closed: true,
            },
            Op::Access {
                item: 0,
                level: 0,
                until: false,
            },
            Op::RoundTrip,
            Op::Access {
                item: 0,
                level: 0,
                until: false,
            },
        ],
        // 9: consent on a purged tombstone, then a public export.
        vec![
            Op::Grant {
                item: 1,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::Withdraw { item: 1 },
            Op::Purge { item: 1 },
            Op::Grant {
                item: 1,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::Export { level: 0 },
        ],
        // Issue 13: claims from a testimony granted, restricted, withdrawn
        // and purged, across exports and a round trip.
        vec![
            Op::Import {
                testimony: true,
                narrator: false,
                closed: false,
            },
            Op::Claim { item: 2 },
            Op::Grant {
                item: 2,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            Op::Claim { item: 2 },
            Op::Restrict {
                item: 2,
                scope: 1,
                embargo: false,
            },
            Op::Export { level: 0 },
            Op::Export { level: 2 },
            Op::RoundTrip,
            Op::Withdraw { item: 2 },
            Op::Claim { item: 0 },
            Op::Purge { item: 2 },
        ],
        // Issue 12: a recording's passage closed below custodian, then
        // below research until a day, lifted, the day passing; combined
        // with a kind edit, consent, a redaction, exports and a round trip.
        vec![
            rec(RecOp::Import {
                testimony: false,
                narrator: false,
            }),
            restrict(2, 0, false, false),
            Op::Export { level: 0 },
            restrict(2, 2, true, true),
            rec(RecOp::Lift { item: 2, which: 0 }),
            restrict(2, 1, true, true),
            Op::Export { level: 1 },
            Op::Clock,
            Op::EditKind { item: 2, kind: 2 },
            Op::Grant {
                item: 2,
                scope: 3,
                embargo: false,
                evidence: None,
            },
            restrict(2, 0, false, false),
            Op::Export { level: 0 },
            Op::Redact { item: 2 },
            Op::Export { level: 2 },
            Op::RoundTrip,
        ],
        // Issue 12: a narrated recording granted for research, a passage
        // closed to public, then withdrawn and purged; another deaccessioned
        // under a restriction.
        vec![
            rec(RecOp::Import {
                testimony: true,
                narrator: true,
            }),
            Op::Grant {
                item: 2,
                scope: 1,
                embargo: false,
                evidence: None,
            },
            restrict(2, 0, true, false),
            Op::Access {
                item: 2,
                level: 2,
                until: true,
            },
            rec(RecOp::Import {
                testimony: false,
                narrator: false,
            }),
            restrict(3, 1, false, false),
            Op::Deaccession {
                item: 3,
                purge_bytes: false,
            },
            Op::Withdraw { item: 2 },
            Op::Export { level: 1 },
            Op::Purge { item: 2 },
        ],
    ];
    for ops in cases {
        if let Err(e) = run_case(&ops) {
            panic!("{ops:?}: {e}");
        }
    }
}

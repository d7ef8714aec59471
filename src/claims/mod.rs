//! What a source says, as a value with the interval it implies: the parsing
//! of a claim's value (`value`) and the one rule that says whether the
//! claims about one subject and property disagree (`dispute`).
//!
//! `value` and `dispute` are pure functions over values: they read no
//! archive, never decide who may see a claim (the policy does, before
//! `dispute` is asked) and never merge values — a dispute is reported,
//! never resolved. `bag` carries claims out in exports and back in.

pub mod bag;
pub mod dispute;
pub mod value;

pub use dispute::{disputed, Interval};
pub use value::{parse, ClaimKind, ParsedValue};

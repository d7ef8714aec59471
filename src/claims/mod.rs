//! What a source says, as a value with the interval it implies: the parsing
//! of a claim's value (`value`) and the one rule that says whether the
//! claims about one subject and property disagree (`dispute`).
//!
//! Pure functions over values: nothing here reads the archive, decides who
//! may see a claim (the policy does, before `dispute` is asked) or merges
//! values — a dispute is reported, never resolved.

pub mod dispute;
pub mod value;

pub use dispute::{disputed, Interval};
pub use value::{parse, ClaimKind, ParsedValue};

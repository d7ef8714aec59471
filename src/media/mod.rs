//! Recordings as recordings: typed time codes and intervals
//! ([`TimeCode`], [`Interval`]) and the technical metadata read from a
//! recording's bytes at import ([`probe`]).
//!
//! It reads bytes and parses values; it must not touch the catalogue or
//! decide who may see anything (that is `policy`).

pub mod probe;
mod timecode;

pub use probe::Technical;
pub use timecode::{Interval, TimeCode};

//! custos: an archive manager for documents and oral-history testimonies.
//!
//! The library does the work; the `custos` binary (`main.rs` and its
//! `commands/`) parses arguments, calls the library's read path, write
//! operations and reports, renders, and maps errors to exit codes. ARCHITECTURE.md (at the
//! repository's root) is the map of the code and its invariants; the README
//! is the contract (commands, JSON shapes, exit codes).
//!
//! # Boundaries the compiler keeps
//!
//! The commands live in the binary, outside this crate, so they reach only
//! what is public here: the read path (`reader`, `query`, `report`,
//! `export`), the write operations (`ops`, `ingest`, `redact`, `purge`,
//! `backup`) and rendering. The rows (`catalogue`) and the archive's SQL
//! connection are private to the library, so a command can neither read a
//! table around the policy nor write one around an operation:
//!
//! ```compile_fail
//! use custos::catalogue::items; // private: the rows are the library's
//! ```
//!
//! ```compile_fail
//! fn sql(a: &custos::archive::Archive) {
//!     let _ = a.conn(); // private: no SQL outside the library
//! }
//! ```
//!
//! ```
//! // What a command does use: an archive, a reader at a level.
//! fn show(a: &custos::archive::Archive) -> custos::error::Result<()> {
//!     let r = custos::reader::Reader::new(a, custos::model::Access::Public, custos::clock::today());
//!     let _ = r.item(custos::model::ItemId(1))?;
//!     Ok(())
//! }
//! ```

pub mod access_copy;
pub mod archive;
pub mod backup;
pub mod bagit;
pub(crate) mod catalogue;
pub mod claims;
pub mod cli;
pub mod clock;
pub mod config;
pub mod edtf;
pub mod error;
pub mod export;
pub mod fields;
pub mod fixity;
pub mod fold;
pub mod head;
pub mod ingest;
pub mod keys;
pub mod language;
pub mod manifest;
pub mod media;
pub mod model;
pub mod ocfl;
pub mod ops;
pub mod output;
pub mod policy;
pub mod purge;
pub mod query;
pub mod reader;
pub mod redact;
pub mod report;
pub mod restore;
pub mod rights;
pub mod seal;
pub mod sites;
pub mod store;
pub mod transcript;

/// The chained event log's hash format, for checking a history without
/// custos's own verifier (the tests recompute the chain with it).
pub mod event_format {
    pub use crate::catalogue::events::{
        detail_hash, event_hash, row_to_event, Canonical, GENESIS, SELECT_EVENT,
    };
}

/// What the benchmark harness needs beyond the public API: it writes a
/// million-item catalogue with SQL, chains its events as custos does, then
/// derives the tallies.
#[cfg(feature = "bench")]
pub mod bench_support {
    pub use crate::catalogue::digests::rebuild as rebuild_object_digests;
    pub use crate::catalogue::events::{detail_hash, event_hash, Canonical, GENESIS};
    pub use crate::catalogue::tally::rebuild as rebuild_tallies;
}

//! custos: an archive manager for documents and oral-history testimonies.
//!
//! The library does the work; `main.rs` only parses arguments, calls
//! [`commands::run`] and maps errors to exit codes. ARCHITECTURE.md (at the
//! repository's root) is the map of the code and its invariants; the README
//! is the contract (commands, JSON shapes, exit codes).

pub mod archive;
pub mod bagit;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod edtf;
pub mod error;
pub mod export;
pub mod fixity;
pub mod ingest;
pub mod manifest;
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
pub mod seal;
pub mod store;

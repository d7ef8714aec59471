//! Integration tests: one binary, one module per command, sharing a small
//! temp-dir harness (`harness.rs`). Each test runs the real `custos` binary.

mod backup;
mod bag;
mod consent;
mod crash;
mod edit;
mod export;
mod harness;
mod import;
mod init;
mod key;
mod leak;
mod list_show;
mod log;
mod manifest;
mod narrator;
mod pdf;
mod purge;
mod query;
mod redact;
mod redaction_variants;
mod report;
mod sample;
mod seed;
mod tally;
mod terms;
mod verify;

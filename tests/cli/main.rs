//! Integration tests: one binary, one module per command, sharing a small
//! temp-dir harness (`harness.rs`). Each test runs the real `custos` binary.

mod backup;
mod bag;
mod bag_roundtrip;
mod bag_versions;
mod consent;
mod consent_guards;
mod crash;
mod edit;
mod export;
mod harness;
mod import;
mod import_safety;
mod init;
mod interrupt;
mod key;
mod leak;
mod list_show;
mod log;
mod manifest;
mod narrator;
mod ocfl;
mod output_safety;
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
mod transitions;
mod verify;
mod verify_policy;

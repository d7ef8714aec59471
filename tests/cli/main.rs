//! Integration tests: one binary, one module per command, sharing a small
//! temp-dir harness (`harness.rs`). Each test runs the real `custos` binary.

mod bag;
mod harness;

mod consent;
mod edit;
mod export;
mod import;
mod init;
mod list_show;
mod query;
mod report;
mod sample;
mod terms;

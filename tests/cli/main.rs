//! Integration tests: one binary, one module per command, sharing a small
//! temp-dir harness (`harness.rs`). Each test runs the real `custos` binary.

mod harness;
mod query;
mod report;
mod sample;
mod terms;

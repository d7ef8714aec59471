//! Integration tests: one binary, one module per command, sharing a small
//! temp-dir harness (`harness.rs`). Each test runs the real `custos` binary.

mod harness;
mod key;
mod narrator;
mod purge;
mod redact;
mod seed;

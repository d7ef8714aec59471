//! Integration tests: one binary, one module per command, sharing a small
//! temp-dir harness (`harness.rs`). Each test runs the real `custos` binary.

mod backup;
mod crash;
mod harness;
mod log;
mod verify;

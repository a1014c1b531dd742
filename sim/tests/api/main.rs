//! HTTP-level tests of the simulator, with plain reqwest (no SDK).

mod answers;
mod binary;
mod callouts;
mod common;
mod limits_faults;
mod protocol;
mod queries;
mod threads;
mod webhooks;

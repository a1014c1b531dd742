//! Limits shared across workers through a real Redis (feature `redis`): each test starts its own
//! `redis-server` on a free port and the simulator with its thread limit enforced. Without
//! `redis-server` installed the tests are skipped with a notice (a failure with
//! `AUTOTASK_REQUIRE_REDIS=1`, as CI sets it).
//!
//! Each test also runs its load without the mechanism it checks (no shared limits, no shared budget),
//! and asserts that this control run breaks the limit: a test whose load could not break the limit
//! would prove nothing.

mod budget;
mod concurrency;
mod fallback;
mod processes;
mod support;

//! The services for py-autotask names that are not Autotask entities, the write journal, the aliases
//! and the coverage table, all against the in-process simulator.

#[path = "../support/sim.rs"]
mod sim_support;

mod analytics;
mod api_usage;
mod audit_log;
mod coverage;
mod export;
mod health;
mod journal;
mod performance;

//! End-to-end tests of the `autotask` binary against an in-process simulator.

mod connection;
mod discovery;
mod export;
mod filters;
mod reading;
mod support;
mod webhooks;
mod writing;

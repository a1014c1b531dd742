//! Webhooks end to end: signature vectors, registration through `client.webhooks()`, and the whole loop
//! (simulator callout → receiver → `autotask::webhooks::verify` → typed `Callout`).

#[path = "../support/sim.rs"]
mod sim_support;

mod callouts;
mod receiver;
mod register;
mod signatures;

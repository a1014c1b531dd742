//! Starting the in-process simulator and a client pointed at it, shared by the integration test binaries
//! (include with `#[path = "../support/sim.rs"] mod sim_support;` or `#[path = "support/sim.rs"]`).

#![allow(dead_code)]

use autotask::{Client, ClientBuilder, RetryPolicy};
use autotask_sim::{RunningSimulator, Seed, Simulator, SimulatorBuilder};
use std::time::Duration;

/// A client builder for `sim` with the default credentials and fast retries.
pub fn client_builder(sim: &RunningSimulator) -> ClientBuilder {
    Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(sim.base_url())
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
}

/// Starts `builder` and connects a client to it.
pub async fn start_with(builder: SimulatorBuilder) -> (RunningSimulator, Client) {
    let sim = builder.start().await.expect("simulator starts");
    let client = client_builder(&sim).build().expect("client builds");
    (sim, client)
}

/// A simulator with `seed` and a client connected to it.
pub async fn start(seed: Seed) -> (RunningSimulator, Client) {
    start_with(Simulator::builder().seed(seed)).await
}

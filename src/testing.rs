//! A simulated Autotask tenant for your own integration tests (cargo feature `testing`), the way
//! go-autotask ships `autotasktest`: one line gives a test a running [`autotask-sim`](autotask_sim)
//! simulator with the demo data and a [`Client`] pointed at it with its credentials.
//!
//! ```toml
//! [dev-dependencies]
//! autotask = { version = "0.1", features = ["testing"] }
//! ```
//!
//! ```
//! # #[cfg(feature = "service_desk")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (sim, client) = autotask::testing::start().await;
//!
//! let ticket = client.tickets().get(1).await.unwrap().expect("the demo data has ticket 1");
//! assert!(ticket.title.is_some());
//! // The simulator records what the client sent.
//! assert_eq!(sim.requests().last().unwrap().method, "GET");
//! # }
//! # #[cfg(not(feature = "service_desk"))]
//! # fn main() {}
//! ```
//!
//! [`start_with`] takes a configured [`SimulatorBuilder`] (limits, latency, faults, your own data), and
//! [`client_builder`] gives a [`ClientBuilder`] for a running simulator when the client needs other
//! settings (retry policy, impersonation, ...). The simulator's whole API is re-exported as [`sim`].
//! The demo data, the credentials and the simulator's behaviour are described in `sim/README.md`.

pub use autotask_sim as sim;

use crate::{Client, ClientBuilder};
use autotask_sim::{RunningSimulator, Seed, SeedSize, Simulator, SimulatorBuilder};

/// Starts a simulator with the demo data (default sizes: 25 companies, 500 tickets, ...) on a free
/// loopback port, and a client for it.
///
/// # Panics
/// When the simulator cannot start (no loopback port free); meant for tests.
pub async fn start() -> (RunningSimulator, Client) {
    start_with(Simulator::builder().seed(Seed::Demo(SeedSize::default()))).await
}

/// Starts `builder` and a client for it.
///
/// # Panics
/// When the simulator cannot start (e.g. its port is taken, or its state file is unreadable); meant for
/// tests.
pub async fn start_with(builder: SimulatorBuilder) -> (RunningSimulator, Client) {
    let sim = builder
        .start()
        .await
        .unwrap_or_else(|e| panic!("the Autotask simulator did not start: {e}"));
    let client = client_builder(&sim)
        .build()
        .unwrap_or_else(|e| panic!("a client for the simulator did not build: {e}"));
    (sim, client)
}

/// A client builder pointed at `sim` with the built-in demo user's credentials
/// ([`sim::DEFAULT_USERNAME`], [`sim::DEFAULT_SECRET`], [`sim::DEFAULT_INTEGRATION_CODE`]).
pub fn client_builder(sim: &RunningSimulator) -> ClientBuilder {
    Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(sim.base_url())
}

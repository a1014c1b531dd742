//! The servers a bench runs against: started in-process by default, or given by the peers script
//! (`scripts/bench-peers.sh`), which starts them once for the Python and the Rust side alike.
//!
//! * `BENCH_FIXED_URL`: base URL of a `fixed-page-server`;
//! * `BENCH_SIM_URL_<ms>` (e.g. `BENCH_SIM_URL_150`): base URL of an `autotask-sim` started with
//!   `--latency-ms <ms>`;
//! * `BENCH_TICKETS`: tickets of an in-process simulator (default 100,000).

use crate::fixed::FixedServer;
use autotask_sim::{RunningSimulator, Seed, SeedSize, Simulator};
use std::time::Duration;

/// A simulator to page through.
pub struct SimTarget {
    /// Its base URL, `http://127.0.0.1:PORT/ATServicesRest/`.
    pub base_url: String,
    /// Added to every request, inside its thread slot.
    pub latency: Duration,
    /// Where it runs, for the report.
    pub origin: String,
    running: Option<RunningSimulator>,
}

/// `BENCH_TICKETS`, else 100,000 (2,000 in a smoke run).
pub fn tickets() -> usize {
    crate::rounds::env_or("BENCH_TICKETS", 100_000, 2_000)
}

impl SimTarget {
    /// The simulator for `latency`: `BENCH_SIM_URL_<ms>` when set, else an in-process one seeded with
    /// [`tickets()`] demo tickets (no notes, no time entries), no hourly limit in reach, and `latency`
    /// added to every request (`Simulator::builder().request_latency`).
    pub async fn start(latency: Duration) -> SimTarget {
        let key = format!("BENCH_SIM_URL_{}", latency.as_millis());
        if let Ok(url) = std::env::var(&key) {
            return SimTarget {
                base_url: url,
                latency,
                origin: format!("external ({key})"),
                running: None,
            };
        }
        Self::start_in_process(latency, tickets()).await
    }

    /// An in-process simulator with `tickets` demo tickets (no notes, no time entries), no hourly
    /// limit in reach, and `latency` added to every request.
    pub async fn start_in_process(latency: Duration, tickets: usize) -> SimTarget {
        let sim = Simulator::builder()
            .seed(Seed::Demo(SeedSize {
                tickets,
                notes_per_ticket: 0,
                time_entries_per_ticket: 0,
                ..SeedSize::default()
            }))
            // Far above what the bench sends: no threshold latency tier, no refusal.
            .hourly_threshold(100_000_000)
            .request_latency(latency)
            .start()
            .await
            .expect("simulator starts");
        SimTarget {
            base_url: sim.base_url().to_string(),
            latency,
            origin: format!("in-process, {tickets} demo tickets"),
            running: Some(sim),
        }
    }

    /// Stops an in-process simulator.
    pub async fn shutdown(mut self) {
        if let Some(sim) = self.running.take() {
            sim.shutdown().await;
        }
    }
}

/// The fixed-bytes server: `BENCH_FIXED_URL` when set (`None` then), else one started in-process on
/// the captured page.
pub async fn fixed_server() -> (String, Option<FixedServer>) {
    if let Ok(url) = std::env::var("BENCH_FIXED_URL") {
        return (url, None);
    }
    let server = FixedServer::start_local(crate::fixture::page_bytes().into())
        .await
        .expect("fixed server starts");
    (server.base_url(), Some(server))
}

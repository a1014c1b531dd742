//! Batch writes and compensating transactions against the in-process simulator: results, the requests
//! actually sent (method, path, order, count) and the simulator's records afterwards.

#[path = "../support/sim.rs"]
mod sim_support;

mod batch;
mod transactions;

use autotask_sim::RunningSimulator;
use serde_json::json;

/// Inserts a ticket directly into the simulator (no request logged) and returns its id.
pub fn insert_ticket(sim: &RunningSimulator, title: &str) -> i64 {
    sim.insert(
        "Tickets",
        json!({"companyID": 0, "title": title, "status": 1, "priority": 2}),
    )
    .expect("ticket inserted")
}

/// `(method, path after /V1.0/)` of every logged request, oldest first.
pub fn requests(sim: &RunningSimulator) -> Vec<(String, String)> {
    sim.requests()
        .into_iter()
        .map(|r| {
            let path = r
                .path
                .split_once("/V1.0/")
                .map_or(r.path.clone(), |(_, rest)| rest.to_string());
            (r.method, path)
        })
        .collect()
}

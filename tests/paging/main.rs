//! Paging (issue 13): the parallel stream against the sequential one record for record (sparse ids,
//! injected faults, records created during the run), the per-endpoint thread limit shared with other
//! work, how many pages wait for the consumer, the sequential stream's prefetch, and pages decoded
//! straight from the answer (unknown fields kept, a record that does not fit reported in its place).

#[path = "../support/sim.rs"]
mod sim_support;

#[path = "../support/stub.rs"]
mod stub;

mod decode;
mod parallel;
mod prefetch;

use autotask_sim::RunningSimulator;
use serde_json::json;

/// Inserts `n` tickets, the `i`th with status `status(i)`.
pub fn insert_tickets(sim: &RunningSimulator, n: usize, status: impl Fn(usize) -> i32) {
    for i in 0..n {
        sim.insert(
            "Tickets",
            json!({"companyID": 0, "title": format!("ticket {i}"), "status": status(i), "priority": 2}),
        )
        .unwrap();
    }
}

/// Query pages (not counts, not one-record probes) the simulator answered.
pub fn page_requests(sim: &RunningSimulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.contains("Tickets/query") && !r.path.contains("/count"))
        .filter(|r| {
            r.body
                .as_ref()
                .and_then(|b| b.get("MaxRecords"))
                .and_then(|m| m.as_u64())
                != Some(1)
        })
        .count()
}

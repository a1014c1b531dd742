//! Caching, user-defined fields and picklist labels against the in-process simulator: results, and the
//! exact requests made (or not made) as the simulator's request log shows them.

#[path = "../support/sim.rs"]
mod sim_support;

mod cache;
mod picklists;
mod udf;

use autotask_sim::{LoggedRequest, RunningSimulator};
use serde_json::{json, Value};

/// Inserts a ticket straight into the simulator's store; its id.
fn insert_ticket(sim: &RunningSimulator, title: &str) -> i64 {
    sim.insert(
        "Tickets",
        json!({"companyID": 0, "title": title, "status": 1, "priority": 2}),
    )
    .expect("ticket inserted")
}

/// `(method, path without the /ATServicesRest/V1.0/ prefix)` of every logged request.
fn sent(sim: &RunningSimulator) -> Vec<(String, String)> {
    sim.requests()
        .iter()
        .map(|r: &LoggedRequest| {
            let path = r
                .path
                .split_once("/V1.0/")
                .map_or(r.path.as_str(), |(_, rest)| rest);
            (r.method.clone(), path.to_string())
        })
        .collect()
}

/// The body of the last logged request with this method.
fn last_body(sim: &RunningSimulator, method: &str) -> Value {
    sim.requests()
        .iter()
        .rev()
        .find(|r| r.method == method)
        .and_then(|r| r.body.clone())
        .unwrap_or_else(|| panic!("no {method} request with a body"))
}

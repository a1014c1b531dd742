//! The py-autotask helper methods (`autotask::helpers`) against the simulator: each helper's result and
//! the exact requests it made (method, path, count, and the filter or body where it matters).

#[path = "../support/sim.rs"]
mod sim_support;

#[cfg(feature = "crm")]
mod companies;
#[cfg(feature = "configuration_items")]
mod configuration_items;
#[cfg(feature = "crm")]
mod contacts;
#[cfg(feature = "contracts")]
mod contracts;
#[cfg(any(feature = "finance", feature = "crm"))]
mod finance;
#[cfg(feature = "projects")]
mod projects;
#[cfg(feature = "service_desk")]
mod tickets;

use autotask_sim::RunningSimulator;
use serde_json::Value;

/// One logged request as `"METHOD Path"`, the path relative to `V1.0/` and without its query string
/// (`"POST Tickets/query/next"`).
pub fn calls(sim: &RunningSimulator) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| {
            let path = r.path.split('?').next().unwrap_or_default();
            let relative = path
                .to_ascii_lowercase()
                .find("/v1.0/")
                .map(|i| &path[i + "/v1.0/".len()..])
                .unwrap_or(path);
            format!("{} {relative}", r.method)
        })
        .collect()
}

/// The JSON bodies of the logged requests, in order (`Null` for requests without one).
pub fn bodies(sim: &RunningSimulator) -> Vec<Value> {
    sim.requests()
        .into_iter()
        .map(|r| r.body.unwrap_or(Value::Null))
        .collect()
}

/// `n` copies of `call`.
pub fn repeated(call: &str, n: usize) -> Vec<String> {
    vec![call.to_string(); n]
}

/// A date-time `days` from now, in the API's format.
pub fn days_from_now(days: i64) -> String {
    autotask::model::wire::datetime::format(&(chrono::Utc::now() + chrono::Duration::days(days)))
}

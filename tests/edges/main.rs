//! The SDK at its edges (issue 10): a hostile local server scripted per test (foreign page links in every
//! odd form, redirects, loops, huge, endless and malformed answers, lost answers on each verb), secrets
//! in `Debug`, misreported outcomes, limits keyed as the server keys them, input refused before sending,
//! tracing under a real subscriber, and a fault soak against the simulator.

#[path = "../support/stub.rs"]
mod stub;

#[path = "../support/sim.rs"]
mod sim_support;

mod bounds;
mod first_contact;
mod input;
mod limits;
mod outcomes;
mod security;
mod soak;
mod spans;

use autotask::{Client, ClientBuilder};
use serde_json::{json, Value};
use stub::Stub;

/// A client for `stub` (base `…/ATServicesRest/`), with fast retries.
pub fn builder_for(stub: &Stub) -> ClientBuilder {
    stub.client_builder()
}

/// [`builder_for`], built.
pub fn client_for(stub: &Stub) -> Client {
    builder_for(stub).build().unwrap()
}

/// A ticket record as the API sends it.
pub fn ticket(id: i64) -> Value {
    json!({"id": id, "title": format!("t{id}"), "status": 1, "priority": 2, "companyID": 0, "userDefinedFields": []})
}

/// A query page of tickets `ids` with `next` as its `nextPageUrl`.
pub fn page(ids: impl IntoIterator<Item = i64>, next: Option<String>) -> Value {
    let items: Vec<Value> = ids.into_iter().map(ticket).collect();
    json!({"items": items, "pageDetails": {"count": items.len(), "requestCount": 500, "prevPageUrl": null, "nextPageUrl": next}})
}

/// `host:port` of a stub.
pub fn authority(stub: &Stub) -> String {
    stub.base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

//! The captured page: the simulator's answer to `POST /V1.0/Tickets/query` over its 500 demo tickets
//! (default demo data: every ticket field present, null where empty, user-defined fields on every
//! ticket), exactly as it went over the wire. Checked in, so every run and every client decodes the
//! same bytes; [`capture`] makes a new one (`fixed-page-server capture`).

use autotask_sim::{Seed, SeedSize, Simulator};
use std::path::PathBuf;

/// Tickets in the captured page (one full page: the API's largest `MaxRecords`).
pub const PAGE_TICKETS: usize = 500;

/// The query body the page answers: every ticket (`id >= 0`), 500 per page.
pub const QUERY_BODY: &str = r#"{"filter":[{"op":"gte","field":"id","value":0}],"MaxRecords":500}"#;

/// `benches/fixtures/tickets-page-500.json`.
pub fn page_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/tickets-page-500.json")
}

/// The captured page's bytes.
pub fn page_bytes() -> Vec<u8> {
    let path = page_path();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (make it with `cargo run -p autotask-bench-support --bin fixed-page-server -- capture`)",
            path.display()
        )
    })
}

/// Starts an in-process simulator with the default demo data set (500 tickets) and returns its answer
/// to [`QUERY_BODY`], byte for byte.
pub async fn capture() -> Vec<u8> {
    let sim = Simulator::builder()
        .seed(Seed::Demo(SeedSize::with_tickets(PAGE_TICKETS)))
        .start()
        .await
        .expect("simulator starts");
    let answer = crate::plain::demo_client()
        .post(format!("{}V1.0/Tickets/query", sim.base_url()))
        .header("Content-Type", "application/json")
        .body(QUERY_BODY)
        .send()
        .await
        .expect("query answered");
    assert!(answer.status().is_success(), "{}", answer.status());
    let bytes = answer.bytes().await.expect("body read").to_vec();
    sim.shutdown().await;
    let page: serde_json::Value = serde_json::from_slice(&bytes).expect("the page is JSON");
    let items = page["items"].as_array().map_or(0, Vec::len);
    assert_eq!(items, PAGE_TICKETS, "a full page");
    assert!(
        page["pageDetails"]["nextPageUrl"].is_null(),
        "the only page: a stream over the fixed server ends after it"
    );
    bytes
}

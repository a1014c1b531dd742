//! Decoding one 500-ticket page, side by side in one run: the SDK through its public API against a local
//! server that answers every request with the captured page (`benches/fixtures/tickets-page-500.json`),
//! against the baselines a user could write by hand on the same bytes.
//!
//! Cases (each round runs every case for at least `BENCH_MIN_SECS`, default 1 s, after a warm-up call;
//! a sample is the mean time of one page in that round):
//! * `sdk page()`: `client.tickets().query().page()` over HTTP (the call in [`sdk_page`]);
//! * `reqwest typed`: a reqwest POST and one `serde_json::from_slice` into `PageOf<Ticket>` (the SDK's
//!   `Ticket` type) over HTTP: the same work the SDK's call has to do;
//! * `transport only`: the same reqwest POST, the body read and dropped: what the server and loopback
//!   cost, the part of every HTTP case that is not decoding;
//! * `serde Value (memory)`: `serde_json::from_slice::<Value>` of the page bytes already in memory;
//! * `serde typed (memory)`: `serde_json::from_slice::<PageOf<Ticket>>` of the bytes in memory, one
//!   typed pass: the ceiling for the SDK's `Ticket` type as it is.
//!
//! Run: `cargo bench -p autotask --bench decode` (`BENCH_ROUNDS`, `BENCH_MIN_SECS`, `BENCH_CASES`,
//! `BENCH_FIXED_URL` and `BENCH_JSON`: see `benches/support`). `scripts/bench-peers.sh` runs it next to
//! py-autotask. Without `--bench` (`cargo test --benches`) it is a quick smoke run.

use autotask::entities::Ticket;
use autotask::Client;
use autotask_bench_support::fixture::{self, PAGE_TICKETS, QUERY_BODY};
use autotask_bench_support::plain::{self, PageOf};
use autotask_bench_support::rounds::{self, Bench};
use autotask_bench_support::targets;
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

mod sdk_under_test;

/// The SDK under test: one page of the tickets query through the public API; the records it decoded.
async fn sdk_page(client: &Client) -> usize {
    let page = client.tickets().query().page().await.expect("sdk page");
    page.items.len()
}

fn min_time() -> Duration {
    Duration::from_secs_f64(rounds::env_or("BENCH_MIN_SECS", 1.0, 0.0))
}

/// Runs `page` (one page, returning its record count) repeatedly for at least `min` after one warm-up
/// call; the mean time of one page.
async fn per_page<F, Fut>(min: Duration, mut page: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = usize>,
{
    assert_eq!(page().await, PAGE_TICKETS, "a whole page decoded");
    let started = Instant::now();
    let mut calls = 0u32;
    while started.elapsed() < min || calls < 3 {
        assert_eq!(page().await, PAGE_TICKETS);
        calls += 1;
    }
    started.elapsed() / calls
}

#[tokio::main]
async fn main() {
    let bytes = fixture::page_bytes();
    let (base_url, _server) = targets::fixed_server().await;
    let client = sdk_under_test::client(&base_url);
    let http = plain::demo_client();
    let query_url = format!("{base_url}V1.0/Tickets/query");
    let rounds = rounds::rounds(5);
    let min = min_time();
    let unit = format!(
        "one page of {PAGE_TICKETS} tickets, {} bytes; server {base_url}",
        bytes.len()
    );
    let mut bench = Bench::new("decode", &unit);
    let records = PAGE_TICKETS as u64;
    for round in 1..=rounds {
        if rounds::enabled("sdk page()") {
            let t = per_page(min, || sdk_page(&client)).await;
            let note = "client.tickets().query().page() over HTTP";
            bench.record("sdk page()", note, round, records, t);
        }
        if rounds::enabled("reqwest typed") {
            let t = per_page(min, || async {
                let page: PageOf<Ticket> = plain::post_page(&http, &query_url, QUERY_BODY).await;
                page.items.len()
            })
            .await;
            let note = "reqwest POST + one from_slice into PageOf<Ticket>, over HTTP";
            bench.record("reqwest typed", note, round, records, t);
        }
        if rounds::enabled("transport only") {
            let t = per_page(min, || async {
                let answer = http
                    .post(&query_url)
                    .header("Content-Type", "application/json")
                    .body(QUERY_BODY)
                    .send()
                    .await
                    .expect("sent");
                let body = answer.bytes().await.expect("read");
                assert_eq!(body.len(), bytes.len());
                PAGE_TICKETS
            })
            .await;
            let note = "reqwest POST, body read and dropped (no decode)";
            bench.record("transport only", note, round, records, t);
        }
        if rounds::enabled("serde Value (memory)") {
            let t = per_page(min, || async {
                let page: Value = serde_json::from_slice(&bytes).expect("JSON");
                page["items"].as_array().map_or(0, Vec::len)
            })
            .await;
            let note = "serde_json::from_slice::<Value> of the bytes in memory";
            bench.record("serde Value (memory)", note, round, records, t);
        }
        if rounds::enabled("serde typed (memory)") {
            let t = per_page(min, || async {
                let page: PageOf<Ticket> = serde_json::from_slice(&bytes).expect("typed page");
                page.items.len()
            })
            .await;
            let note = "serde_json::from_slice::<PageOf<Ticket>> of the bytes in memory, one pass";
            bench.record("serde typed (memory)", note, round, records, t);
        }
    }
    bench.report("sdk page()");
    if let (Some(transport), Some(sdk)) =
        (bench.median("transport only"), bench.median("sdk page()"))
    {
        println!(
            "\ntransport share of the SDK's page: {:.1}% (median transport-only time / median sdk page() time)",
            100.0 * transport / sdk
        );
    }
}

//! Throughput of the simulator over loopback: get-by-id requests per second with 8 concurrent connections,
//! and the time to page through 25,000 and 100,000 seeded tickets with a filter (cost linear in records).
//!
//! Run: `cargo bench -p autotask-sim`.

#[path = "support/mod.rs"]
mod support;

use autotask_sim::{Seed, SeedSize, Simulator};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 8;
const GET_DURATION: Duration = Duration::from_secs(3);
const TICKETS: usize = 100_000;

async fn page_through(
    client: &reqwest::Client,
    base: &str,
    max_id: i64,
) -> (usize, usize, Duration) {
    let body = json!({"filter": [
        {"op": "lte", "field": "id", "value": max_id},
        {"op": "or", "items": [{"op": "gte", "field": "priority", "value": 1}, {"op": "exist", "field": "title"}]}
    ]});
    let started = Instant::now();
    let mut url = format!("{base}V1.0/Tickets/query");
    let (mut records, mut pages) = (0, 0);
    loop {
        let page: Value = client
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        records += page["items"].as_array().map_or(0, Vec::len);
        pages += 1;
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    (records, pages, started.elapsed())
}

#[tokio::main]
async fn main() {
    let seeding = Instant::now();
    let sim = Simulator::builder()
        .seed(Seed::Demo(SeedSize {
            tickets: TICKETS,
            notes_per_ticket: 0,
            time_entries_per_ticket: 0,
            ..SeedSize::default()
        }))
        .hourly_threshold(u64::MAX / 8)
        .thread_limit(1_000)
        .start()
        .await
        .unwrap();
    println!("seeded {TICKETS} tickets in {:.2?}", seeding.elapsed());
    let base = sim.base_url().to_string();

    let deadline = Instant::now() + GET_DURATION;
    let mut tasks = Vec::new();
    for worker in 0..CONNECTIONS {
        let (client, base) = (support::client(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            let mut id = 1 + worker as i64 * 1_000;
            while Instant::now() < deadline {
                support::get_ticket(&client, &base, id).await;
                done += 1;
                id = id % TICKETS as i64 + 1;
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    println!(
        "get-by-id: {total} requests in {:.1?} with {CONNECTIONS} connections = {:.0} requests/s",
        GET_DURATION,
        total as f64 / GET_DURATION.as_secs_f64()
    );

    let client = support::client();
    for max_id in [25_000, 100_000] {
        let (records, pages, elapsed) = page_through(&client, &base, max_id).await;
        println!(
            "paging (filter id<=N and (priority>=1 or title exists)): {records} records in {pages} pages, {:.2?} = {:.1} µs/record",
            elapsed,
            elapsed.as_secs_f64() * 1e6 / records as f64
        );
    }
    sim.shutdown().await;
}

//! Speed-up of `create_batch` over one-by-one `create` calls, against the in-process simulator with added
//! per-request latency, measured side by side in one run.
//!
//! Two kinds of latency, each with its own simulator:
//! * **threshold tier**: `Simulator::builder().latency(d, d)`, Autotask's delay once a tenant has used half
//!   of its hourly request threshold. The bench first spends that half with fast reads, so every measured
//!   request is delayed. The delay is added before the simulator takes a thread slot.
//! * **slow server**: a `FaultKind::Delay(d)` rule on every POST, which holds the request's thread slot
//!   while it waits (like server processing time), so the simulator's limit of 3 threads is exercised.
//!
//! Both run with the client's default limit of 3 requests in flight per endpoint and retries off, so a
//! request refused by the simulator's thread limit would show up as a failure.
//!
//! Run: `cargo bench -p autotask --bench batch --profile dev` (the timings are dominated by the added
//! latency, so an optimised build changes nothing measurable).

use autotask::entities::{NewTicket, TicketPriority, TicketStatus};
use autotask::{Client, RetryPolicy};
use autotask_sim::{FaultKind, FaultRule, RunningSimulator, Simulator, SimulatorBuilder};
use futures::StreamExt;
use std::time::{Duration, Instant};

/// Tickets created per measurement (each way).
const TICKETS: usize = 60;
/// Added latency per request.
const LATENCY: Duration = Duration::from_millis(100);
/// Hourly threshold of the "threshold tier" simulator; half of it is spent before measuring.
const THRESHOLD: u64 = 1_000;

fn connect(sim: &RunningSimulator) -> Client {
    Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(sim.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

fn tickets(label: &str) -> Vec<NewTicket> {
    (0..TICKETS)
        .map(|i| {
            NewTicket::new(
                0,
                TicketPriority::MEDIUM,
                TicketStatus::NEW,
                format!("{label} {i}"),
            )
        })
        .collect()
}

/// Sequential `create` calls, then one `create_batch` of the same size; prints both and the ratio.
async fn compare(name: &str, sim: &RunningSimulator, client: &Client) {
    let sequential_records = tickets("sequential");
    let started = Instant::now();
    for record in &sequential_records {
        client
            .tickets()
            .create(record)
            .await
            .expect("sequential create");
    }
    let sequential = started.elapsed();

    let batch_records = tickets("batch");
    let started = Instant::now();
    let results = client.tickets().create_batch(&batch_records).await;
    let batch = started.elapsed();
    assert!(results.all_succeeded(), "{:?}", results.failed());
    assert_eq!(sim.count("Tickets"), 2 * TICKETS);
    assert!(
        sim.requests().iter().all(|r| r.status == 200),
        "a request was refused"
    );

    println!(
        "{name}: {TICKETS} creates, {LATENCY:?} added per request: sequential {:.2?} ({:.1} creates/s), \
         create_batch {:.2?} ({:.1} creates/s), speed-up {:.2}x",
        sequential,
        TICKETS as f64 / sequential.as_secs_f64(),
        batch,
        TICKETS as f64 / batch.as_secs_f64(),
        sequential.as_secs_f64() / batch.as_secs_f64()
    );
}

async fn start(builder: SimulatorBuilder) -> RunningSimulator {
    builder.start().await.expect("simulator starts")
}

#[tokio::main]
async fn main() {
    // Threshold tier: spend half the hourly threshold with fast reads, then every request is delayed.
    let sim = start(
        Simulator::builder()
            .hourly_threshold(THRESHOLD)
            .latency(LATENCY, LATENCY),
    )
    .await;
    let client = connect(&sim);
    let spend = THRESHOLD / 2 - 1;
    let handle = client.tickets();
    futures::stream::iter(0..spend)
        .map(|_| handle.get(1))
        .buffer_unordered(3)
        .for_each(|r| {
            r.expect("warm-up read");
            futures::future::ready(())
        })
        .await;
    sim.clear_requests();
    compare("threshold tier (latency)", &sim, &client).await;
    sim.shutdown().await;

    // Slow server: the delay holds one of the simulator's 3 thread slots.
    let sim = start(
        Simulator::builder()
            .thread_limit(3)
            .fault(FaultRule::new(FaultKind::Delay(LATENCY)).method("POST")),
    )
    .await;
    let client = connect(&sim);
    compare("slow server (Delay fault)", &sim, &client).await;
    sim.shutdown().await;
}

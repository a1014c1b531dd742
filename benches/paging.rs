//! Paging through 100,000 tickets, side by side in one run, against the simulator with a fixed latency
//! added to every request (0 ms, and 150 ms, about what a real Autotask zone takes per query page):
//! * `sdk stream()`: the SDK's sequential stream (`sdk_under_test::stream_all_tickets`);
//! * `reqwest loop`: a plain reqwest loop over `nextPageUrl`, one typed `from_slice` per page into the
//!   SDK's `Ticket`;
//! * `sdk parallel(3)`: the SDK's parallel stream, up to 3 pages at a time, in id order
//!   ([`sdk_parallel`]);
//! * `sdk 3 partitions`: three SDK streams over id ranges run concurrently by hand ([`sdk_partitions`]),
//!   as many as the API's thread limit allows per endpoint (records not in one id order).
//!
//! Every case delivers every ticket as a typed `Ticket` (counted; nothing is collected).
//!
//! Run: `cargo bench -p autotask --bench paging` (`BENCH_ROUNDS` (default 3), `BENCH_TICKETS` (default
//! 100,000), `BENCH_LATENCIES_MS` (default `0,150`), `BENCH_SIM_URL_<ms>`, `BENCH_CASES`, `BENCH_JSON`:
//! see `benches/support`). `scripts/bench-peers.sh` runs it next to py-autotask and Python loops. Without
//! `--bench` (`cargo test --benches`) it is a quick smoke run (2,000 tickets, 0 and 20 ms).

use autotask::entities::Ticket;
use autotask::{Client, Filter, Op};
use autotask_bench_support::fixture::QUERY_BODY;
use autotask_bench_support::plain;
use autotask_bench_support::rounds::{self, Bench};
use autotask_bench_support::targets::SimTarget;
use futures::TryStreamExt;
use std::time::{Duration, Instant};

mod sdk_under_test;

/// Every ticket through the SDK's parallel stream (`parallel(3)`, the API's limit per endpoint), in id
/// order; the number of records.
async fn sdk_parallel(client: &Client) -> u64 {
    client
        .tickets()
        .query()
        .parallel(autotask::ops::DEFAULT_PARALLEL_PAGES)
        .stream()
        .try_fold(0u64, |n, _ticket: Ticket| async move { Ok(n + 1) })
        .await
        .expect("sdk parallel stream")
}

/// Every ticket through `parts` SDK streams over id ranges, run concurrently: `query/count` and the
/// lowest id (a one-record page) give the ranges, the last one is open-ended so that nothing is missed
/// whatever the ids' density. Kept next to the SDK's own parallel stream as the by-hand reference.
async fn sdk_partitions(client: &Client, parts: i64) -> u64 {
    let tickets = client.tickets();
    let total = tickets.query().count().await.expect("count") as i64;
    let first = tickets.query().max_records(1).page().await.expect("probe");
    let Some(lowest) = first.items.first().map(|t| t.id) else {
        return 0;
    };
    let step = (total + parts - 1) / parts;
    let streams = (0..parts).map(|k| {
        let from = lowest + k * step;
        let mut query = tickets
            .query()
            .filter(Filter::condition("id", Op::Gte, from));
        if k + 1 < parts {
            query = query.filter(Filter::condition("id", Op::Lt, from + step));
        }
        async move {
            query
                .stream()
                .try_fold(0u64, |n, _ticket: Ticket| async move { Ok(n + 1) })
                .await
                .expect("partition stream")
        }
    });
    futures::future::join_all(streams).await.into_iter().sum()
}

fn latencies() -> Vec<Duration> {
    let default = if rounds::smoke() { "0,20" } else { "0,150" };
    std::env::var("BENCH_LATENCIES_MS")
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| Duration::from_millis(s.trim().parse().expect("BENCH_LATENCIES_MS: numbers")))
        .collect()
}

#[tokio::main]
async fn main() {
    let rounds = rounds::rounds(3);
    for latency in latencies() {
        let target = SimTarget::start(latency).await;
        let client = sdk_under_test::client(&target.base_url);
        let http = plain::demo_client();
        let expected = client.tickets().query().count().await.expect("count");
        let unit = format!(
            "all {expected} tickets, {} ms added per request; simulator {}",
            latency.as_millis(),
            target.origin
        );
        let mut bench = Bench::new(&format!("paging {} ms", latency.as_millis()), &unit);
        for round in 1..=rounds {
            if rounds::enabled("sdk stream()") {
                let started = Instant::now();
                let n = sdk_under_test::stream_all_tickets(&client).await;
                let note = "client.tickets().query().stream(), sequential";
                bench.record("sdk stream()", note, round, n, started.elapsed());
                assert_eq!(n, expected);
            }
            if rounds::enabled("sdk parallel(3)") {
                let started = Instant::now();
                let n = sdk_parallel(&client).await;
                let note = "client.tickets().query().parallel(3).stream(), in id order";
                bench.record("sdk parallel(3)", note, round, n, started.elapsed());
                assert_eq!(n, expected);
            }
            if rounds::enabled("reqwest loop") {
                let started = Instant::now();
                let n = plain::query_loop::<Ticket>(
                    &http,
                    &target.base_url,
                    "Tickets",
                    QUERY_BODY,
                    drop,
                )
                .await;
                let note = "plain reqwest loop over nextPageUrl, typed from_slice per page";
                bench.record("reqwest loop", note, round, n, started.elapsed());
                assert_eq!(n, expected);
            }
            if rounds::enabled("sdk 3 partitions") {
                let started = Instant::now();
                let n = sdk_partitions(&client, 3).await;
                let note =
                    "three SDK streams over id ranges, concurrently (count + probe included)";
                bench.record("sdk 3 partitions", note, round, n, started.elapsed());
                assert_eq!(n, expected);
            }
        }
        bench.report("sdk stream()");
        println!(
            "\npeak RSS of this process so far: {} (with an in-process simulator it includes the \
             simulator's records; run one case alone against BENCH_SIM_URL_<ms> for the client's own)",
            rounds::peak_rss()
        );
        target.shutdown().await;
    }
}

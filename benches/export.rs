//! Exporting every ticket column, side by side in one run, against the in-process simulator (no added
//! latency) with `BENCH_EXPORT_TICKETS` demo tickets (default 10,000), every output to `io::sink()`:
//! * `export() JSON Lines` and `export() CSV`: `client.export().format(..).entity("Tickets", ..)` (the
//!   calls in [`sdk_export`]);
//! * `export() CSV, formulas escaped`: the same with `.escape_formulas(true)`;
//! * `sdk JSON stream only`: the records the export writes, fetched by the SDK's dynamic stream
//!   (`serde_json::Value` per record) with nothing written: the fetch an export cannot be faster than;
//! * `sdk stream() only`: the SDK's typed stream with nothing written;
//! * `reqwest loop → JSON Lines`: a plain reqwest loop over `nextPageUrl` decoding each page into
//!   `serde_json::Value` records and writing each one as a JSON line: the raw speed an export can reach.
//!
//! Run: `cargo bench -p autotask --bench export` (`BENCH_ROUNDS` (default 3), `BENCH_EXPORT_TICKETS`,
//! `BENCH_CASES`, `BENCH_JSON`). Without `--bench` (`cargo test --benches`) it is a quick smoke run.

use autotask::services::ExportFormat;
use autotask::Client;
use autotask_bench_support::fixture::QUERY_BODY;
use autotask_bench_support::plain;
use autotask_bench_support::rounds::{self, Bench};
use autotask_bench_support::targets::SimTarget;
use futures::TryStreamExt;
use serde_json::Value;
use std::io::Write;
use std::time::{Duration, Instant};

mod sdk_under_test;

/// The SDK under test: all ticket columns exported in `format` to `writer`; the records written.
async fn sdk_export(
    client: &Client,
    format: ExportFormat,
    escape_formulas: bool,
    writer: &mut dyn Write,
) -> u64 {
    client
        .export()
        .format(format)
        .escape_formulas(escape_formulas)
        .entity("Tickets", writer)
        .await
        .expect("sdk export")
}

/// The SDK's dynamic stream alone (what the export fetches): every ticket as JSON, nothing written.
async fn sdk_json_stream(client: &Client) -> u64 {
    client
        .entities()
        .get_entity("Tickets")
        .expect("Tickets")
        .query()
        .stream()
        .try_fold(0u64, |n, _record: Value| async move { Ok(n + 1) })
        .await
        .expect("sdk json stream")
}

#[tokio::main]
async fn main() {
    let tickets = rounds::env_or("BENCH_EXPORT_TICKETS", 10_000, 1_000);
    let rounds = rounds::rounds(3);
    let target = SimTarget::start_in_process(Duration::ZERO, tickets).await;
    let client = sdk_under_test::client(&target.base_url);
    let http = plain::demo_client();
    let unit = format!(
        "all {tickets} tickets, every column, to io::sink(); simulator {}",
        target.origin
    );
    let mut bench = Bench::new("export", &unit);
    let expected = tickets as u64;
    for round in 1..=rounds {
        for (case, format, escape) in [
            ("export() JSON Lines", ExportFormat::JsonLines, false),
            ("export() CSV", ExportFormat::Csv, false),
            ("export() CSV, formulas escaped", ExportFormat::Csv, true),
        ] {
            if rounds::enabled(case) {
                let started = Instant::now();
                let n = sdk_export(&client, format, escape, &mut std::io::sink()).await;
                let note = format!(
                    "client.export().format({format:?}).escape_formulas({escape}).entity(\"Tickets\", sink)"
                );
                bench.record(case, &note, round, n, started.elapsed());
                assert_eq!(n, expected);
            }
        }
        if rounds::enabled("sdk JSON stream only") {
            let started = Instant::now();
            let n = sdk_json_stream(&client).await;
            let note =
                "client.entities().get_entity(\"Tickets\")?.query().stream(), nothing written";
            bench.record("sdk JSON stream only", note, round, n, started.elapsed());
            assert_eq!(n, expected);
        }
        if rounds::enabled("sdk stream() only") {
            let started = Instant::now();
            let n = sdk_under_test::stream_all_tickets(&client).await;
            let note = "client.tickets().query().stream(), nothing written";
            bench.record("sdk stream() only", note, round, n, started.elapsed());
            assert_eq!(n, expected);
        }
        if rounds::enabled("reqwest loop") {
            let started = Instant::now();
            let mut sink = std::io::sink();
            let write = |record: Value| {
                serde_json::to_writer(&mut sink, &record).expect("written");
                sink.write_all(b"\n").expect("written");
            };
            let n = plain::query_loop(&http, &target.base_url, "Tickets", QUERY_BODY, write).await;
            let note = "plain reqwest loop, Value per record, one JSON line each";
            bench.record(
                "reqwest loop → JSON Lines",
                note,
                round,
                n,
                started.elapsed(),
            );
            assert_eq!(n, expected);
        }
    }
    bench.report("export() JSON Lines");
    target.shutdown().await;
}

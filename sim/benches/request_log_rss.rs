//! Memory of a simulator left under load: resident set size (RSS) of the `autotask-sim` process before
//! and after N requests (default 1,000,000), with the bounded request log (the default 10,000 entries)
//! and, side by side in the same run, with a log large enough to keep every request (what the
//! simulator did before the log was bounded).
//!
//! Run: `cargo bench -p autotask-sim --bench request_log_rss` (`REQUESTS=n` to change N). Linux only
//! (reads `/proc/<pid>/status`).

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const WORKERS: usize = 8;
const TICKETS: i64 = 500;

/// RSS of `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

/// Starts the binary on a free port; returns the process and its base URL.
fn start(log_capacity: usize) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_autotask-sim"))
        .args(["--port", "0", "--seed", "demo", "--tickets"])
        .arg(TICKETS.to_string())
        .args([
            "--threshold",
            "1000000000000",
            "--threads",
            "1000",
            "--request-log",
        ])
        .arg(log_capacity.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the autotask-sim binary starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the listening line");
    // Keep reading, so the simulator never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base = line
        .split_whitespace()
        .last()
        .expect("autotask-sim listening; base URL <url>")
        .to_string();
    (child, base)
}

/// `requests` GETs of tickets by id, from `WORKERS` keep-alive connections.
async fn load(base: &str, requests: u64) {
    let per_worker = requests / WORKERS as u64;
    let tasks: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let (client, base) = (support::client(), base.to_string());
            tokio::spawn(async move {
                let mut id = 1 + worker as i64 * 50;
                for _ in 0..per_worker {
                    support::get_ticket(&client, &base, id).await;
                    id = id % TICKETS + 1;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

struct Run {
    label: String,
    before_kib: u64,
    after_kib: u64,
    seconds: f64,
}

async fn measure(label: &str, log_capacity: usize, requests: u64) -> Run {
    let (mut child, base) = start(log_capacity);
    // Warm up connections and allocator pools, so "before" is the steady state of an idle sandbox.
    load(&base, 8_000).await;
    let before_kib = rss_kib(child.id());
    let started = Instant::now();
    load(&base, requests).await;
    let seconds = started.elapsed().as_secs_f64();
    let after_kib = rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    Run {
        label: label.to_string(),
        before_kib,
        after_kib,
        seconds,
    }
}

#[tokio::main]
async fn main() {
    let requests: u64 = std::env::var("REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runs = [
        measure(
            "bounded log (10,000, the default)",
            autotask_sim::DEFAULT_LOG_CAPACITY,
            requests,
        )
        .await,
        measure(
            "log keeping every request (the old behaviour)",
            requests as usize + 10_000,
            requests,
        )
        .await,
    ];
    println!(
        "{requests} GET /V1.0/Tickets/{{id}} from {WORKERS} connections, {TICKETS} demo tickets"
    );
    println!("| log | RSS before | RSS after | growth | requests/s |");
    println!("| --- | --- | --- | --- | --- |");
    for run in &runs {
        println!(
            "| {} | {:.1} MiB | {:.1} MiB | {:+.1} MiB | {:.0} |",
            run.label,
            run.before_kib as f64 / 1024.0,
            run.after_kib as f64 / 1024.0,
            (run.after_kib as f64 - run.before_kib as f64) / 1024.0,
            requests as f64 / run.seconds
        );
    }
    let growth = |r: &Run| r.after_kib.saturating_sub(r.before_kib).max(1) as f64;
    println!(
        "growth ratio, unbounded / bounded: {:.1}",
        growth(&runs[1]) / growth(&runs[0])
    );
}

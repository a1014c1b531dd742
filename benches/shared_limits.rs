//! Four workers on one endpoint, 150 ms per request: limits shared through Redis against per-process
//! limits (each worker allows 3 in flight, so 12 meet the API's limit of 3; the refused requests are
//! retried with the default policy's backoff). Both runs side by side, same simulator, same load:
//! every worker keeps 3 requests going for the whole run.
//!
//! Run: `cargo bench -p autotask --features redis --bench shared_limits --profile dev [-- SECONDS]`
//! (default 30 s per mode; 2 s without `--bench`, the smoke run of `cargo test --benches`). Needs
//! `redis-server` on PATH; the bench starts its own on a free port. The timings are dominated by the
//! 150 ms latency, so an optimised build changes nothing measurable.

use autotask::shared_limits::SharedLimits;
use autotask::{Client, Error};
use autotask_bench_support::rounds;
use autotask_sim::{RunningSimulator, Simulator};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WORKERS: usize = 4;
const IN_FLIGHT_PER_WORKER: usize = 3;
const LATENCY: Duration = Duration::from_millis(150);

#[derive(Debug, Default)]
struct Run {
    completed: u64,
    failed: u64,
    thread_limit_refusals: u64,
    elapsed: Duration,
}

impl Run {
    fn per_minute(&self) -> f64 {
        self.completed as f64 * 60.0 / self.elapsed.as_secs_f64()
    }
}

fn clients(sim: &RunningSimulator, redis: Option<&str>) -> Vec<Client> {
    (0..WORKERS)
        .map(|_| {
            let mut builder = Client::builder()
                .username(autotask_sim::DEFAULT_USERNAME)
                .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
                .secret(autotask_sim::DEFAULT_SECRET)
                .base_url(sim.base_url());
            if let Some(url) = redis {
                builder = builder.shared_limits(SharedLimits::new(url));
            }
            builder.build().expect("client builds")
        })
        .collect()
}

async fn run(sim: &RunningSimulator, workers: Vec<Client>, length: Duration) -> Run {
    let refused_before = sim
        .request_counts()
        .by_status
        .get(&429)
        .copied()
        .unwrap_or(0);
    let completed = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + length;
    let mut tasks = Vec::new();
    for worker in &workers {
        for _ in 0..IN_FLIGHT_PER_WORKER {
            let (worker, completed, failed) = (worker.clone(), completed.clone(), failed.clone());
            tasks.push(tokio::spawn(async move {
                let mut id = 0;
                while Instant::now() < deadline {
                    id += 1;
                    match worker.tickets().get(id).await {
                        Ok(_) => completed.fetch_add(1, Ordering::Relaxed),
                        Err(Error::ThreadLimit { .. }) | Err(_) => {
                            failed.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            }));
        }
    }
    for task in tasks {
        task.await.expect("worker task");
    }
    let refused = sim
        .request_counts()
        .by_status
        .get(&429)
        .copied()
        .unwrap_or(0)
        - refused_before;
    Run {
        completed: completed.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        thread_limit_refusals: refused,
        elapsed: started.elapsed(),
    }
}

#[tokio::main]
async fn main() {
    // Without `--bench` (`cargo test --benches`, `--all-targets`) a 2 s smoke run per mode.
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if rounds::smoke() { 2 } else { 30 });
    let length = Duration::from_secs(seconds);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut redis = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server on PATH (apt-get install redis-server)");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "redis-server did not listen on port {port} within 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!("redis://127.0.0.1:{port}/");
    let sim = Simulator::builder()
        .request_latency(LATENCY)
        .start()
        .await
        .expect("simulator starts");

    let per_process = run(&sim, clients(&sim, None), length).await;
    let shared = run(&sim, clients(&sim, Some(&url)), length).await;
    let _ = redis.kill();
    let _ = redis.wait();

    let ideal = 3.0 * 60.0 / LATENCY.as_secs_f64();
    println!(
        "{WORKERS} workers x {IN_FLIGHT_PER_WORKER} tasks, one endpoint (Tickets), {} ms per request, thread limit 3, {seconds} s per mode; ideal {ideal:.0} requests/min\n",
        LATENCY.as_millis()
    );
    println!("| limits | requests completed/min | thread-limit errors (refused requests) | calls failed after retries |");
    println!("|---|---:|---:|---:|");
    for (name, r) in [
        ("per-process (3 per worker)", &per_process),
        ("shared through Redis", &shared),
    ] {
        println!(
            "| {name} | {:.0} | {} | {} |",
            r.per_minute(),
            r.thread_limit_refusals,
            r.failed
        );
    }
    println!(
        "\nshared / per-process throughput: {:.2}",
        shared.per_minute() / per_process.per_minute().max(f64::MIN_POSITIVE)
    );
    // The figures are printed first; a shared run that met the thread limit (Redis not reached, say)
    // is a broken measurement, not a result.
    assert_eq!(
        (shared.thread_limit_refusals, shared.failed),
        (0, 0),
        "the shared run must meet no thread-limit error"
    );
    assert!(shared.completed > 0 && per_process.completed > 0);
}

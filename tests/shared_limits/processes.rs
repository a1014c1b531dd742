//! Separate OS processes: this test binary started again as a worker (the ignored test
//! `worker_process`, configured through environment variables), as a real deployment runs several
//! programs against one Redis.

use crate::support::{redis_or_skip, refusals, Sampler};
use autotask::shared_limits::SharedLimits;
use autotask::{Client, Error, RetryPolicy};
use autotask_sim::Simulator;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Starts a worker process: `mode` is `hammer` (GETs on Tickets from 6 tasks, then a `RESULT` line)
/// or `hold` (3 tasks sending GETs on Tickets until killed).
fn spawn_worker(sim_base: &str, redis: Option<&str>, mode: &str, lease: Duration) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--ignored",
            "--exact",
            "processes::worker_process",
            "--nocapture",
        ])
        .env("AUTOTASK_WORKER_SIM", sim_base)
        .env("AUTOTASK_WORKER_MODE", mode)
        .env("AUTOTASK_WORKER_LEASE_MS", lease.as_millis().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    match redis {
        Some(url) => command.env("AUTOTASK_WORKER_REDIS", url),
        None => command.env_remove("AUTOTASK_WORKER_REDIS"),
    };
    command.spawn().expect("the worker process starts")
}

/// The worker's `RESULT ok=N thread_limit=N other=N` line.
fn result_of(child: Child) -> (u64, u64, u64) {
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| panic!("no RESULT line from the worker: {text}"));
    let number = |key: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (number("ok"), number("thread_limit"), number("other"))
}

#[test]
#[ignore = "a worker process of the multi-process tests, started by them"]
fn worker_process() {
    let Ok(base) = std::env::var("AUTOTASK_WORKER_SIM") else {
        return;
    };
    let mode = std::env::var("AUTOTASK_WORKER_MODE").unwrap();
    let lease_ms: u64 = std::env::var("AUTOTASK_WORKER_LEASE_MS")
        .unwrap()
        .parse()
        .unwrap();
    let mut builder = Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(base)
        .retry_policy(RetryPolicy::none());
    if let Ok(url) = std::env::var("AUTOTASK_WORKER_REDIS") {
        builder =
            builder.shared_limits(SharedLimits::new(url).lease(Duration::from_millis(lease_ms)));
    }
    let client = builder.build().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        if mode == "hold" {
            println!("HOLDING");
            let tasks: Vec<_> = (0..3)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        loop {
                            let _ = client.tickets().get(1).await;
                        }
                    })
                })
                .collect();
            futures::future::join_all(tasks).await;
            return;
        }
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    let mut counts = (0u64, 0u64, 0u64);
                    for i in 0..5 {
                        match client.tickets().get(i + 1).await {
                            Ok(_) => counts.0 += 1,
                            Err(Error::ThreadLimit { .. }) => counts.1 += 1,
                            Err(_) => counts.2 += 1,
                        }
                    }
                    counts
                })
            })
            .collect();
        let mut total = (0, 0, 0);
        for task in tasks {
            let (ok, thread, other) = task.await.unwrap();
            total = (total.0 + ok, total.1 + thread, total.2 + other);
        }
        println!(
            "RESULT ok={} thread_limit={} other={}",
            total.0, total.1, total.2
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_worker_processes_share_three_slots() {
    let Some(redis) = redis_or_skip("four_worker_processes_share_three_slots") else {
        return;
    };
    let sim = Arc::new(
        Simulator::builder()
            .request_latency(Duration::from_millis(40))
            .start()
            .await
            .unwrap(),
    );
    let lease = Duration::from_secs(2);
    let run = |redis: Option<String>| {
        let base = sim.base_url().to_string();
        tokio::task::spawn_blocking(move || {
            let workers: Vec<Child> = (0..4)
                .map(|_| spawn_worker(&base, redis.as_deref(), "hammer", lease))
                .collect();
            workers
                .into_iter()
                .map(result_of)
                .fold((0, 0, 0), |a, r| (a.0 + r.0, a.1 + r.1, a.2 + r.2))
        })
    };
    // Control: the same four processes limiting only themselves overflow the API's limit.
    let (_, thread_limit, _) = run(None).await.unwrap();
    assert!(
        thread_limit > 0,
        "the load must overflow without shared limits"
    );

    let refused_before = refusals(&sim);
    let sampler = Sampler::start(
        sim.clone(),
        autotask_sim::DEFAULT_INTEGRATION_CODE,
        &["Tickets"],
    );
    let (ok, thread_limit, other) = run(Some(redis.url())).await.unwrap();
    let (most, _) = sampler.stop();
    assert_eq!((ok, thread_limit, other), (4 * 6 * 5, 0, 0));
    assert_eq!(refusals(&sim), refused_before);
    assert_eq!(most, [3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_frees_its_slots_within_the_lease() {
    let Some(redis) = redis_or_skip("a_killed_worker_frees_its_slots_within_the_lease") else {
        return;
    };
    let latency = Duration::from_secs(1);
    let lease = Duration::from_secs(2);
    let sim = Simulator::builder()
        .request_latency(latency)
        .start()
        .await
        .unwrap();
    let code = autotask_sim::DEFAULT_INTEGRATION_CODE;
    let mut worker = spawn_worker(sim.base_url(), Some(&redis.url()), "hold", lease);
    let mut stdout = BufReader::new(worker.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim() != "HOLDING" {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the worker ended early"
        );
    }
    let waiting = Instant::now();
    while sim.threads_in_use(code, "Tickets") < 3 {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the worker never held 3 slots"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Kill it (SIGKILL: no release is sent) in the middle of its second round of requests, with
    // leases renewed at least once by then. Not at a round's end: a task between releasing one slot
    // and taking the next holds nothing, and the new client would get that slot at once (seen under
    // CPU load when the kill came one latency after the first round began). The simulator counting 3
    // requests in flight just before the kill proves 3 leases were held: a lease is taken before its
    // request is sent and given back after the answer.
    tokio::time::sleep(latency + latency / 2).await;
    while sim.threads_in_use(code, "Tickets") < 3 {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the worker stopped holding 3 slots"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    worker.kill().unwrap();
    worker.wait().unwrap();
    let killed = Instant::now();

    let client = crate::support::builder(&sim, code)
        .shared_limits(SharedLimits::new(redis.url()).lease(lease))
        .build()
        .unwrap();
    client
        .tickets()
        .get(1)
        .await
        .expect("a slot is free again, and no thread-limit error");
    let took = killed.elapsed();
    // The dead worker's leases had between two thirds of a lease and a whole lease left: the request
    // waited for them (proof the slots were held), then ran for `latency`.
    assert!(
        took >= latency + lease * 2 / 3 - Duration::from_millis(200),
        "the request did not wait for the dead worker's leases ({took:?})"
    );
    assert!(
        took <= latency + lease + Duration::from_millis(1_500),
        "the slots were not freed within the lease ({took:?})"
    );
}

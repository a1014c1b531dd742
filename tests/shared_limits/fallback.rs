//! Redis unreachable at start or stopped mid-run: requests go on with the in-process limits, each
//! client warns once, nothing is lost or duplicated, and shared limits come back with Redis.

use crate::support::{builder, free_port, redis_or_skip, RedisServer};
use autotask::entities::NewCompany;
use autotask::shared_limits::{SharedLimits, SharedLimitsMode};
use autotask::RetryPolicy;
use autotask_sim::Simulator;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FALLBACK_WARNING: &str = "falling back to in-process limits";

/// Captures the formatted tracing output of the current thread (the tests run on a current-thread
/// runtime, so every task's events land here).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    fn count(&self, text: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .matches(text)
            .count()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn redis_stopped_mid_run_loses_and_duplicates_nothing_and_warns_once_per_client() {
    let Some(mut redis) = redis_or_skip("redis_stopped_mid_run") else {
        return;
    };
    let captured = Captured::default();
    let _guard = captured.install();
    let sim = Simulator::builder()
        .request_latency(Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            builder(&sim, autotask_sim::DEFAULT_INTEGRATION_CODE)
                .retry_policy(RetryPolicy {
                    max_retries: 30,
                    initial_backoff: Duration::from_millis(5),
                    max_backoff: Duration::from_millis(100),
                    ..RetryPolicy::default()
                })
                .shared_limits(
                    SharedLimits::new(redis.url()).retry_redis_every(Duration::from_secs(600)),
                )
                .build()
                .unwrap()
        })
        .collect();
    let mut tasks = Vec::new();
    for (w, worker) in workers.iter().enumerate() {
        for t in 0..2 {
            let worker = worker.clone();
            tasks.push(tokio::spawn(async move {
                let mut created = Vec::new();
                for i in 0..12 {
                    let name = format!("w{w}-t{t}-{i}");
                    let id = worker
                        .companies()
                        .create(&NewCompany::new(1, &name, "555-0100"))
                        .await
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    created.push((name, id));
                }
                created
            }));
        }
    }
    while sim.count("Companies") < 30 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(workers
        .iter()
        .all(|w| w.shared_limits_mode() == Some(SharedLimitsMode::Shared)));
    redis.kill();
    let mut created = Vec::new();
    for task in tasks {
        created.extend(task.await.unwrap());
    }
    let names: BTreeSet<&str> = created.iter().map(|(n, _)| n.as_str()).collect();
    let ids: BTreeSet<i64> = created.iter().map(|(_, id)| *id).collect();
    assert_eq!((names.len(), ids.len()), (96, 96));
    let stored: Vec<String> = sim
        .records("Companies")
        .iter()
        .filter_map(|r| r["companyName"].as_str().map(String::from))
        .collect();
    assert_eq!(stored.len(), 96, "every create stored once, none twice");
    assert_eq!(stored.iter().collect::<BTreeSet<_>>().len(), 96);
    for worker in &workers {
        assert!(matches!(
            worker.shared_limits_mode(),
            Some(SharedLimitsMode::Fallback { .. })
        ));
    }
    assert_eq!(
        captured.count(FALLBACK_WARNING),
        4,
        "one warning per client, not one per request"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn unreachable_redis_at_start_falls_back_and_shared_limits_return_with_it() {
    if redis_or_skip("unreachable_redis_at_start").is_none() {
        return;
    }
    let captured = Captured::default();
    let _guard = captured.install();
    let sim = Simulator::builder().start().await.unwrap();
    let port = free_port();
    let client = builder(&sim, autotask_sim::DEFAULT_INTEGRATION_CODE)
        .shared_limits(
            SharedLimits::new(format!("redis://127.0.0.1:{port}/"))
                .retry_redis_every(Duration::from_millis(200))
                .threshold_poll_interval(None),
        )
        .build()
        .unwrap();
    assert_eq!(
        client.shared_limits_mode(),
        Some(SharedLimitsMode::Connecting)
    );
    for i in 0..10 {
        client.tickets().get(i + 1).await.unwrap();
    }
    assert!(matches!(
        client.shared_limits_mode(),
        Some(SharedLimitsMode::Fallback { .. })
    ));
    assert_eq!(captured.count(FALLBACK_WARNING), 1);

    let _redis = RedisServer::start_on(port);
    let started = Instant::now();
    while client.shared_limits_mode() != Some(SharedLimitsMode::Shared) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "shared limits never came back"
        );
        client.tickets().get(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let counted = |c: &autotask::Client| c.shared_usage().map_or(0, |u| u.integration_requests);
    let before = counted(&client);
    client.tickets().get(1).await.unwrap();
    assert_eq!(counted(&client), before + 1, "counted in Redis again");
    assert_eq!(captured.count(FALLBACK_WARNING), 1, "{}", captured.text());
}

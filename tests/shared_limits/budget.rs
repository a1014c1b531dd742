//! The shared hourly budget: N requests across workers is never exceeded, every worker slows down at
//! the configured levels (also one that has sent nothing yet), requests stop before the threshold by
//! default, and `ThresholdInformation` is polled by one worker for all.

use crate::support::{builder, redis_or_skip, RedisServer};
use autotask::shared_limits::{SharedLimits, UsageLevel};
use autotask::{Client, Error};
use autotask_sim::Simulator;
use futures::StreamExt;
use std::time::{Duration, Instant};

fn budget_client(sim: &autotask_sim::RunningSimulator, limits: SharedLimits) -> Client {
    builder(sim, autotask_sim::DEFAULT_INTEGRATION_CODE)
        .shared_limits(limits)
        .build()
        .unwrap()
}

/// What the API and the budget made of a burst of requests.
#[derive(Debug, Default, PartialEq)]
struct Spent {
    /// Answered by the API.
    answered: u64,
    /// Sent, and refused by the API's thread limit (possible only where the thread limit is not
    /// shared: the control run's workers each allow 3 in flight).
    thread_limited: u64,
    /// Refused by the shared budget before sending.
    refused: u64,
}

/// Every worker tries `per_worker` GETs at once.
async fn spend(workers: &[Client], per_worker: usize, run: &'static str) -> Spent {
    let mut handles = Vec::new();
    for worker in workers {
        for i in 0..per_worker {
            let worker = worker.clone();
            handles.push(tokio::spawn(async move {
                worker.tickets().get(i as i64 + 1).await.map(|_| ())
            }));
        }
    }
    let mut spent = Spent::default();
    for handle in handles {
        match handle.await.unwrap() {
            Ok(()) => spent.answered += 1,
            Err(Error::ThreadLimit { .. }) => spent.thread_limited += 1,
            Err(Error::SharedBudgetReached { .. }) => spent.refused += 1,
            Err(e) => panic!("{run}: unexpected error: {e}"),
        }
    }
    spent
}

fn limits(redis: &RedisServer, db: usize) -> SharedLimits {
    SharedLimits::new(format!("{}{db}", redis.url()))
        .hourly_budget(30)
        .stop_at(1.0)
        .no_slow_down()
        .threshold_poll_interval(None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_budget_of_n_requests_is_never_exceeded() {
    let Some(redis) = redis_or_skip("a_shared_budget_of_n_requests_is_never_exceeded") else {
        return;
    };
    let sim = Simulator::builder().start().await.unwrap();
    // Control: four workers counting alone (each in its own Redis database) spend 4 × 15 > 30.
    let alone: Vec<Client> = (1..=4)
        .map(|db| budget_client(&sim, limits(&redis, db)))
        .collect();
    let before = sim.request_counts().total;
    let spent = spend(&alone, 15, "control").await;
    assert_eq!(
        (spent.refused, sim.request_counts().total - before),
        (0, 60),
        "counting alone, every worker stays within its own budget only: all 60 sent ({spent:?})"
    );

    let before = sim.request_counts().total;
    let shared: Vec<Client> = (0..4)
        .map(|_| budget_client(&sim, limits(&redis, 0)))
        .collect();
    let spent = spend(&shared, 15, "shared").await;
    assert_eq!(
        spent,
        Spent {
            answered: 30,
            thread_limited: 0,
            refused: 30
        }
    );
    assert_eq!(
        sim.request_counts().total - before,
        30,
        "exactly the budget reached the API; the refused requests were never sent"
    );
    for worker in &shared {
        let still = worker.tickets().get(1).await;
        assert!(
            matches!(still, Err(Error::SharedBudgetReached { .. })),
            "still stopped: {still:?}"
        );
        let usage = worker.shared_usage().expect("usage after requests");
        assert_eq!(usage.integration_requests, 30);
        assert_eq!(usage.level, UsageLevel::Stopped);
    }
}

/// A simulator whose tenant threshold is `threshold`, and shared limits that know it without polling.
async fn with_threshold(
    redis: &RedisServer,
    threshold: u64,
) -> (autotask_sim::RunningSimulator, SharedLimits) {
    let sim = Simulator::builder()
        .hourly_threshold(threshold)
        .start()
        .await
        .unwrap();
    let limits = SharedLimits::new(redis.url())
        .assumed_threshold(threshold)
        .threshold_poll_interval(None);
    (sim, limits)
}

fn expected_level(k: u64) -> UsageLevel {
    let delay = |ms| Duration::from_millis(ms);
    match k {
        40.. => UsageLevel::Stopped,
        36.. => UsageLevel::SlowedDown {
            from: 0.9,
            delay: delay(120),
        },
        30.. => UsageLevel::SlowedDown {
            from: 0.75,
            delay: delay(80),
        },
        20.. => UsageLevel::SlowedDown {
            from: 0.5,
            delay: delay(40),
        },
        _ => UsageLevel::Normal,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_worker_slows_down_at_the_configured_levels_and_stops_at_the_limit() {
    let Some(redis) = redis_or_skip("every_worker_slows_down_at_the_configured_levels") else {
        return;
    };
    let (sim, limits) = with_threshold(&redis, 40).await;
    let limits = limits
        .slow_down_at(0.5, Duration::from_millis(40))
        .slow_down_at(0.75, Duration::from_millis(80))
        .slow_down_at(0.9, Duration::from_millis(120))
        .stop_at(1.0);
    let a = budget_client(&sim, limits.clone());
    let b = budget_client(&sim, limits);
    let mut a_levels = a.usage_levels().unwrap();
    let seen = tokio::spawn(async move {
        let mut seen = Vec::new();
        while a_levels.changed().await.is_ok() {
            let level = a_levels.borrow_and_update().clone();
            let stop = level == UsageLevel::Stopped;
            seen.push(level);
            if stop {
                break;
            }
        }
        seen
    });
    // A sends the first 25 requests alone; B's first request (the 26th) is already slowed down.
    for k in 1..=40u64 {
        let worker = if k <= 24 || k % 2 == 1 { &a } else { &b };
        let started = Instant::now();
        worker.tickets().get(1).await.unwrap();
        let took = started.elapsed();
        assert_eq!(sim.threshold_count(), k);
        let usage = worker.shared_usage().unwrap();
        assert_eq!(usage.level, expected_level(k), "after request {k}");
        if let UsageLevel::SlowedDown { delay, .. } = expected_level(k) {
            assert!(
                took >= delay,
                "request {k} took {took:?}, less than {delay:?}"
            );
        }
    }
    assert_eq!(
        b.shared_usage().unwrap().integration_requests,
        40,
        "B counts A's requests too"
    );
    // The 41st is refused before it is sent: the API never sees the tenant suspended.
    for worker in [&a, &b] {
        let refused = worker.tickets().get(1).await.unwrap_err();
        assert!(
            matches!(&refused, Error::SharedBudgetReached { .. }),
            "{refused}"
        );
    }
    assert_eq!(sim.threshold_count(), 40);
    let seen = tokio::time::timeout(Duration::from_secs(5), seen)
        .await
        .unwrap()
        .unwrap();
    let froms: Vec<String> = seen.iter().map(|l| format!("{l:?}")).collect();
    assert_eq!(
        seen,
        [
            expected_level(20),
            expected_level(31),
            expected_level(37),
            UsageLevel::Stopped
        ],
        "A's watch channel, level by level: {froms:?}"
    );
}

/// The defaults: slow-down at 50% (100 ms before each request), 75% (500 ms) and 90% (2 s), and
/// requests stop before the tenant's threshold (at 98% of it), so the API never suspends the tenant.
/// A second worker without slow-down spends the budget quickly in between, sharing the count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_workers_slow_down_at_50_75_90_percent_and_stop_before_the_threshold() {
    let Some(redis) = redis_or_skip("by_default_workers_slow_down_and_stop") else {
        return;
    };
    let (sim, defaults) = with_threshold(&redis, 100).await;
    let filler = budget_client(&sim, defaults.clone().no_slow_down());
    let observed = budget_client(&sim, defaults);
    let slowed = |from, ms| UsageLevel::SlowedDown {
        from,
        delay: Duration::from_millis(ms),
    };
    // (the tenant's request count after the observed worker's request, its level and least duration)
    let steps = [
        (49, UsageLevel::Normal, 0),
        (50, slowed(0.5, 100), 100),
        (75, slowed(0.75, 500), 500),
        (90, slowed(0.9, 2_000), 2_000),
        (98, UsageLevel::Stopped, 0),
    ];
    for (count, level, least_ms) in steps {
        while sim.threshold_count() < count - 1 {
            filler.tickets().get(1).await.unwrap();
        }
        let started = Instant::now();
        observed.tickets().get(1).await.unwrap();
        let took = started.elapsed();
        assert_eq!(sim.threshold_count(), count);
        assert_eq!(observed.shared_usage().unwrap().level, level, "at {count}");
        assert!(
            took >= Duration::from_millis(least_ms),
            "request {count} took {took:?}"
        );
    }
    // The 99th would pass 98%: refused for both workers, never sent.
    for worker in [&observed, &filler] {
        let refused = worker.tickets().get(1).await.unwrap_err();
        assert!(
            matches!(refused, Error::SharedBudgetReached { .. }),
            "{refused}"
        );
    }
    assert_eq!(sim.threshold_count(), 98);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn threshold_information_is_polled_by_one_worker_for_all() {
    let Some(redis) = redis_or_skip("threshold_information_is_polled_by_one_worker_for_all") else {
        return;
    };
    let other = autotask_sim::ApiUser::new("other@example.com", "secret2", "OTHERCODE");
    let sim = Simulator::builder()
        .user(other)
        .hourly_threshold(4_000)
        .request_latency(Duration::from_millis(10))
        .start()
        .await
        .unwrap();
    // Another integration of the tenant has sent 250 requests.
    let outsider = autotask::Client::builder()
        .username("other@example.com")
        .integration_code("OTHERCODE")
        .secret("secret2")
        .base_url(sim.base_url())
        .build()
        .unwrap();
    let outsider = &outsider;
    futures::stream::iter(0..250)
        .map(|_| async move { outsider.companies().get(1).await.unwrap() })
        .buffer_unordered(3)
        .collect::<Vec<_>>()
        .await;
    let polls = |sim: &autotask_sim::RunningSimulator| {
        sim.requests()
            .iter()
            .filter(|r| r.path.to_ascii_lowercase().contains("thresholdinformation"))
            .count()
    };
    let run = |workers: Vec<Client>| async move {
        let deadline = Instant::now() + Duration::from_millis(1_500);
        let mut handles = Vec::new();
        for worker in &workers {
            let worker = worker.clone();
            handles.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    worker.tickets().get(1).await.unwrap();
                }
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
        workers
    };
    let settings = |db: usize| {
        SharedLimits::new(format!("{}{db}", redis.url()))
            .threshold_poll_interval(Some(Duration::from_millis(300)))
            .slow_down_at(0.05, Duration::from_millis(1))
    };
    // Control: workers that do not share (each its own Redis database) each poll.
    let before = polls(&sim);
    run((1..=3)
        .map(|db| budget_client(&sim, settings(db)))
        .collect())
    .await;
    let alone = polls(&sim) - before;

    let before = polls(&sim);
    let workers = run((0..3).map(|_| budget_client(&sim, settings(0))).collect()).await;
    let shared = polls(&sim) - before;
    assert!(
        (1..=1_500 / 300 + 2).contains(&shared),
        "one poll per interval for all workers, not one each: {shared} polls"
    );
    assert!(
        alone >= 2 * shared,
        "control: {alone} polls alone vs {shared} shared"
    );
    // Every worker knows the tenant's threshold and the outsider's usage from the shared answer.
    for worker in &workers {
        let usage = worker.shared_usage().unwrap();
        assert_eq!(usage.threshold, 4_000, "{usage:?}");
        assert!(
            usage.tenant_requests >= usage.integration_requests + 250,
            "{usage:?}"
        );
        assert!(
            matches!(usage.level, UsageLevel::SlowedDown { from, .. } if from == 0.05),
            "{usage:?}"
        );
    }
}

//! The shared thread limit: four independent clients on one endpoint never have more than three
//! requests in flight as the simulator counts them, other endpoints run beside them, a worker far from
//! Redis gets its turn, leases are renewed while long requests run, and tenants and integrations
//! sharing one Redis do not block each other.

use crate::support::{builder, clients, hammer, redis_or_skip, refusals, slow_proxy, Sampler};
use autotask::shared_limits::{SharedLimits, SharedLimitsMode};
use autotask_sim::Simulator;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_clients_never_exceed_three_on_one_endpoint_while_others_run_in_parallel() {
    let Some(redis) = redis_or_skip("four_clients_never_exceed_three_on_one_endpoint") else {
        return;
    };
    let sim = Arc::new(
        Simulator::builder()
            .request_latency(Duration::from_millis(40))
            .start()
            .await
            .unwrap(),
    );
    let code = autotask_sim::DEFAULT_INTEGRATION_CODE;

    // Control: four workers each limiting only themselves (3 each) overflow the API's 3.
    let control = hammer(&clients(&sim, None, 4), "Tickets", 6, 3).await;
    assert!(
        control.thread_limit_errors > 0 && refusals(&sim) > 0,
        "the load must overflow the limit without shared limits: {control:?}"
    );
    let refused_before = refusals(&sim);

    let workers = clients(&sim, Some(&redis), 4);
    let sampler = Sampler::start(sim.clone(), code, &["Tickets", "Companies"]);
    let (tickets, companies) = tokio::join!(
        hammer(&workers, "Tickets", 6, 5),
        hammer(&workers, "Companies", 6, 5)
    );
    let (most, together) = sampler.stop();

    for outcome in [&tickets, &companies] {
        assert_eq!(outcome.thread_limit_errors, 0, "{outcome:?}");
        assert!(outcome.other_errors.is_empty(), "{outcome:?}");
        assert_eq!(outcome.ok, 4 * 6 * 5);
    }
    assert_eq!(refusals(&sim), refused_before, "the simulator refused none");
    assert_eq!(
        most,
        [3, 3],
        "at most (and at full load exactly) 3 per endpoint"
    );
    assert!(
        together > 3,
        "Companies ran beside Tickets (at most {together} together)"
    );
    for worker in &workers {
        assert_eq!(worker.shared_limits_mode(), Some(SharedLimitsMode::Shared));
    }
}

/// A worker far from Redis (every byte to and from it 5 ms late) beside a near one whose six tasks
/// keep every slot taken and three more requests waiting. Slots go first come, first served, so the
/// far worker gets its turn like any of the near worker's tasks. Without the queue each freed slot
/// would go to whoever asks first after the release, always the near worker, which hears of it
/// first: the far worker would starve. Seen with the queue disabled in the acquire script (a slot
/// to whoever finds one free): 1 far request in the 3 s while each near task made 14, and without
/// the 3 s cut-off one far request waited 35 to 52 s; with the queue, 9 against 12.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_far_from_redis_gets_its_turn_beside_a_busy_near_one() {
    let Some(redis) = redis_or_skip("a_worker_far_from_redis_gets_its_turn") else {
        return;
    };
    let sim = Simulator::builder()
        .request_latency(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let code = autotask_sim::DEFAULT_INTEGRATION_CODE;
    let far_port = slow_proxy(redis.port, Duration::from_millis(5)).await;
    let limits = |url: String| SharedLimits::new(url).threshold_poll_interval(None);
    let near = builder(&sim, code)
        .shared_limits(limits(redis.url()))
        .build()
        .unwrap();
    let far = builder(&sim, code)
        .shared_limits(limits(format!("redis://127.0.0.1:{far_port}/")))
        .build()
        .unwrap();
    // Both connected before the race starts.
    near.tickets().get(1).await.unwrap();
    far.tickets().get(1).await.unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let near_done = Arc::new(AtomicU64::new(0));
    let near_tasks: Vec<_> = (0..6)
        .map(|_| {
            let (near, stop, done) = (near.clone(), stop.clone(), near_done.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    near.tickets().get(1).await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while sim.threads_in_use(code, "Tickets") < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let near_before = near_done.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut far_done = 0u64;
    while let Ok(answer) = tokio::time::timeout_at(deadline.into(), far.tickets().get(1)).await {
        answer.unwrap();
        far_done += 1;
    }
    let near_per_task = (near_done.load(Ordering::Relaxed) - near_before) as f64 / 6.0;
    stop.store(true, Ordering::Relaxed);
    for task in near_tasks {
        task.await.unwrap();
    }
    assert!(
        far_done as f64 >= near_per_task / 2.0,
        "the far worker starved: {far_done} requests while each near task made {near_per_task:.1}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leases_are_renewed_while_requests_outlive_them() {
    let Some(redis) = redis_or_skip("leases_are_renewed_while_requests_outlive_them") else {
        return;
    };
    // Requests take 4 lease times: without renewal, the slots would expire under them.
    let lease = Duration::from_millis(400);
    let sim = Arc::new(
        Simulator::builder()
            .request_latency(lease * 4)
            .start()
            .await
            .unwrap(),
    );
    let code = autotask_sim::DEFAULT_INTEGRATION_CODE;
    let client = || {
        builder(&sim, code)
            .shared_limits(SharedLimits::new(redis.url()).lease(lease))
            .build()
            .unwrap()
    };
    let (first, second) = (client(), client());
    let started = Instant::now();
    let holders: Vec<_> = (0..3)
        .map(|i| {
            let c = first.clone();
            tokio::spawn(async move { c.tickets().get(i + 1).await.map(|_| Instant::now()) })
        })
        .collect();
    while sim.threads_in_use(code, "Tickets") < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Well past the lease, the second worker asks for a slot: it must wait for the first three.
    tokio::time::sleep(lease * 2).await;
    let waited = second.tickets().get(9).await.map(|_| Instant::now());
    let mut first_done = Vec::new();
    for holder in holders {
        first_done.push(holder.await.unwrap().expect("the long requests succeed"));
    }
    let second_done = waited.expect("no thread-limit error: the slots were still held");
    let earliest = first_done.iter().min().unwrap();
    assert!(
        second_done >= *earliest,
        "the fourth request ended only after a slot was released ({:?} vs {:?} after start)",
        second_done - started,
        *earliest - started
    );
}

/// Keys are namespaced by (API base URL, integration code): another integration code on the same
/// tenant, and the same integration code on another tenant (a second simulator, another base URL),
/// each get their own 3 slots from the one Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tenants_and_integrations_sharing_one_redis_do_not_block_each_other() {
    let Some(redis) = redis_or_skip("tenants_and_integrations_sharing_one_redis") else {
        return;
    };
    let other = autotask_sim::ApiUser::new("other@example.com", "secret2", "OTHERCODE");
    let start = |user: Option<autotask_sim::ApiUser>| async {
        let mut sim = Simulator::builder().request_latency(Duration::from_millis(40));
        if let Some(user) = user {
            sim = sim.user(user);
        }
        Arc::new(sim.start().await.unwrap())
    };
    let (sim, second_tenant) = (start(Some(other)).await, start(None).await);
    let code = autotask_sim::DEFAULT_INTEGRATION_CODE;
    let ours = clients(&sim, Some(&redis), 2);
    let theirs: Vec<_> = (0..2)
        .map(|_| {
            autotask::Client::builder()
                .username("other@example.com")
                .integration_code("OTHERCODE")
                .secret("secret2")
                .base_url(sim.base_url())
                .retry_policy(autotask::RetryPolicy::none())
                .shared_limits(SharedLimits::new(redis.url()))
                .build()
                .unwrap()
        })
        .collect();
    let elsewhere = clients(&second_tenant, Some(&redis), 2);
    let integrations = Sampler::of(sim.clone(), &[(code, "Tickets"), ("OTHERCODE", "Tickets")]);
    let tenants = Sampler::across(&[
        (sim.clone(), code, "Tickets"),
        (second_tenant.clone(), code, "Tickets"),
    ]);
    let (a, b, c) = tokio::join!(
        hammer(&ours, "Tickets", 4, 5),
        hammer(&theirs, "Tickets", 4, 5),
        hammer(&elsewhere, "Tickets", 4, 5)
    );
    let (most, integrations_together) = integrations.stop();
    let (most_per_tenant, tenants_together) = tenants.stop();
    for outcome in [&a, &b, &c] {
        assert_eq!(outcome.thread_limit_errors, 0, "{outcome:?}");
        assert!(outcome.other_errors.is_empty(), "{outcome:?}");
    }
    assert_eq!(most, [3, 3], "each integration code has its own 3 slots");
    assert_eq!(most_per_tenant, [3, 3], "each tenant has its own 3 slots");
    assert!(
        integrations_together > 3,
        "both integrations ran at once (at most {integrations_together} together)"
    );
    assert!(
        tenants_together > 3,
        "both tenants ran at once (at most {tenants_together} together)"
    );
}

//! `client.performance()`: per-endpoint latency and error counts measured by the client.

use crate::sim_support::start;
use autotask_sim::Seed;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn latency_and_errors_are_counted_per_endpoint() {
    let (sim, client) = start(Seed::None).await;
    client.tickets().query().count().await.unwrap();
    let tickets = client.entities().get_entity("Tickets").unwrap();
    let refused = tickets
        .create(&json!({"title": "missing required fields"}))
        .await;
    assert!(refused.is_err());
    client.companies().query().count().await.unwrap();
    sim.clear_requests();

    let performance = client.performance();
    let tickets = performance.endpoint("tickets").unwrap();
    assert_eq!(
        (tickets.requests, tickets.errors, tickets.retries),
        (2, 1, 0)
    );
    assert!((tickets.error_rate - 0.5).abs() < 1e-9);
    assert!(tickets.max_latency >= tickets.mean_latency && tickets.mean_latency > Duration::ZERO);
    let companies = performance.endpoint("Companies").unwrap();
    assert_eq!((companies.requests, companies.errors), (1, 0));
    assert!(performance.endpoint("Contacts").is_none());

    let rows = performance.by_endpoint();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .windows(2)
        .all(|w| w[0].mean_latency >= w[1].mean_latency));
    let total = performance.total();
    assert_eq!((total.requests, total.errors), (3, 1));
    assert!(total.max_latency == tickets.max_latency.max(companies.max_latency));
    assert!(
        sim.requests().is_empty(),
        "performance figures need no request"
    );
}

//! `client.api_usage()`: the real ThresholdInformation, this client's per-endpoint counts, advice.

use crate::sim_support::{client_builder, start_with};
use autotask::services::RateLimitLevel;
use autotask_sim::Simulator;

#[tokio::test]
async fn current_usage_is_the_threshold_information_answer() {
    let (sim, client) = start_with(Simulator::builder().hourly_threshold(100)).await;
    for _ in 0..3 {
        client.tickets().query().count().await.unwrap();
    }
    sim.clear_requests();
    let usage = client.api_usage().get_current_usage().await.unwrap();
    assert_eq!(usage.threshold, 100);
    assert_eq!(usage.timeframe_minutes, 60);
    // The three counts plus the ThresholdInformation call itself, which the API counts too.
    assert_eq!(usage.current_count, 4);
    assert_eq!(usage.current_count, sim.threshold_count());
    assert_eq!(usage.remaining(), 96);
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/ATServicesRest/V1.0/ThresholdInformation")
    );
}

#[tokio::test]
async fn usage_by_endpoint_counts_this_clients_requests_without_asking_the_api() {
    let (sim, client) = start_with(Simulator::builder()).await;
    client.tickets().query().count().await.unwrap();
    client.tickets().query().count().await.unwrap();
    client.companies().query().count().await.unwrap();
    sim.clear_requests();
    let by_endpoint = client.api_usage().get_usage_by_endpoint();
    assert_eq!(by_endpoint["Tickets"].requests, 2);
    assert_eq!(by_endpoint["Companies"].requests, 1);
    assert_eq!(by_endpoint.len(), 2);
    assert!(sim.requests().is_empty(), "no request made");
}

#[tokio::test]
async fn rate_limit_check_reports_the_latency_tier_and_advice() {
    let (sim, client) = start_with(Simulator::builder().hourly_threshold(20)).await;
    let quiet = client.api_usage().check_rate_limits().await.unwrap();
    assert_eq!(quiet.level, RateLimitLevel::Normal);
    assert!(quiet.advice.is_empty(), "{:?}", quiet.advice);
    assert_eq!(quiet.max_concurrent_per_endpoint, 3);
    for _ in 0..10 {
        client.tickets().query().count().await.unwrap();
    }
    sim.clear_requests();
    let busy = client.api_usage().check_rate_limits().await.unwrap();
    // 1 + 10 + this call = 12 of 20.
    assert_eq!(busy.usage.current_count, 12);
    assert!((busy.share_used - 0.6).abs() < 1e-9);
    assert_eq!(busy.level, RateLimitLevel::Slowed);
    assert_eq!(busy.busiest_endpoint, Some(("Tickets".to_string(), 10)));
    assert!(busy.advice[0].contains("60%") && busy.advice[0].contains("0.5 s"));
    assert!(
        busy.advice
            .iter()
            .any(|a| a.contains("Tickets alone took 10")),
        "{:?}",
        busy.advice
    );
    assert_eq!(sim.requests().len(), 1, "one ThresholdInformation request");

    let eager = client_builder(&sim)
        .max_concurrent_per_endpoint(5)
        .build()
        .unwrap();
    let report = eager.api_usage().check_rate_limits().await.unwrap();
    assert_eq!(report.max_concurrent_per_endpoint, 5);
    assert!(
        report.advice.iter().any(|a| a.contains("Itgenatr005")),
        "{:?}",
        report.advice
    );
}

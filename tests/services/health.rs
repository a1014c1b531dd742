//! `client.health()`: version, zone, latency and threshold usage from three real requests.

use crate::sim_support::start_with;
use autotask_sim::Simulator;

#[tokio::test]
async fn health_reports_version_zone_latency_and_usage() {
    let (sim, client) = start_with(
        Simulator::builder()
            .zone_name("Sim Zone 15")
            .hourly_threshold(500),
    )
    .await;
    let report = client.health().check().await.unwrap();
    assert_eq!(report.api_versions, ["V1.0"]);
    assert_eq!(report.zone.name, "Sim Zone 15");
    assert_eq!(report.zone.url, sim.base_url());
    assert!(report.base_matches_zone);
    assert_eq!(report.base_url.as_str(), format!("{}V1.0/", sim.base_url()));
    assert_eq!(report.usage.threshold, 500);
    assert_eq!(
        report.usage.current_count, 1,
        "only ThresholdInformation is counted"
    );
    assert!(report.latency > std::time::Duration::ZERO);

    let requests: Vec<_> = sim
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.status))
        .collect();
    let user = autotask_sim::DEFAULT_USERNAME.replace('@', "%40");
    assert_eq!(
        requests,
        [
            (
                "GET".into(),
                "/ATServicesRest/versioninformation".into(),
                200
            ),
            (
                "GET".into(),
                format!("/ATServicesRest/V1.0/zoneInformation?user={user}"),
                200
            ),
            (
                "GET".into(),
                "/ATServicesRest/V1.0/ThresholdInformation".into(),
                200
            ),
        ]
    );
}

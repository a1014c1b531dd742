//! First contact (issue 12): the mistakes of a first run (wrong integration code, unknown user, a base URL
//! without `/ATServicesRest/`, nothing listening, missing environment variables) are reported at once,
//! as the error kind they are, with what to fix in the message.

use crate::sim_support;
use autotask::{Client, Error, RetryPolicy};
use autotask_sim::Simulator;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_wrong_integration_code_or_an_unknown_user_is_an_authentication_error() {
    let sim = Simulator::builder().start().await.unwrap();
    let wrong_code = sim_support::client_builder(&sim)
        .integration_code("NOT-THE-CODE")
        .build()
        .unwrap();
    let error = wrong_code.tickets().get(1).await.unwrap_err();
    assert!(error.is_authentication(), "{error:?}");
    assert!(!error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("IntegrationCode"), "{error}");

    let unknown_user = sim_support::client_builder(&sim)
        .username("nobody@example.com")
        .build()
        .unwrap();
    let error = unknown_user.tickets().get(1).await.unwrap_err();
    assert!(error.is_authentication(), "{error:?}");

    // Through zone detection: zoneInformation does not know the user.
    let root = sim.base_url().replace("ATServicesRest/", "");
    let detected = Client::builder()
        .username("nobody@example.com")
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .zone_lookup_url(format!("{root}atservicesrest/"))
        .build()
        .unwrap();
    let error = detected.tickets().get(1).await.unwrap_err();
    assert!(error.is_authentication(), "{error:?}");
    assert!(error.to_string().contains("nobody@example.com"), "{error}");
}

#[tokio::test]
async fn a_base_url_without_atservicesrest_names_the_url_it_tried() {
    let sim = Simulator::builder().start().await.unwrap();
    let root = sim.base_url().replace("ATServicesRest/", "");
    let client = sim_support::client_builder(&sim)
        .base_url(root.clone())
        .build()
        .unwrap();
    let error = client
        .tickets()
        .get(1)
        .await
        .expect_err("a wrong base URL is an error, not a missing record");
    let text = error.to_string();
    assert!(text.contains(&format!("{root}V1.0/Tickets/1")), "{text}");
    assert!(text.contains("/ATServicesRest/"), "{text}");
}

#[tokio::test]
async fn connection_refused_on_the_first_request_is_reported_at_once_with_its_cause() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .username("api@example.com")
        .integration_code("CODE")
        .secret("secret")
        .base_url(format!("http://127.0.0.1:{port}/ATServicesRest/"))
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.tickets().get(1).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "reported after {:?}",
        started.elapsed()
    );
    assert!(error.is_connection(), "{error:?}");
    let text = error.to_string().to_ascii_lowercase();
    assert!(text.contains("connection refused"), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
}

#[test]
fn from_env_lists_every_missing_variable_and_tells_empty_from_missing() {
    // Only this test touches the AUTOTASK_* variables of this process.
    std::env::remove_var("AUTOTASK_USERNAME");
    std::env::set_var("AUTOTASK_INTEGRATION_CODE", "");
    std::env::remove_var("AUTOTASK_SECRET");
    std::env::remove_var("AUTOTASK_API_URL");
    std::env::remove_var("AUTOTASK_IMPERSONATION_RESOURCE_ID");
    let error = Client::from_env().unwrap_err();
    assert!(matches!(error, Error::Configuration(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("AUTOTASK_USERNAME is not set"), "{text}");
    assert!(text.contains("AUTOTASK_SECRET is not set"), "{text}");
    assert!(
        text.contains("AUTOTASK_INTEGRATION_CODE is set but empty"),
        "{text}"
    );
    std::env::remove_var("AUTOTASK_INTEGRATION_CODE");
}

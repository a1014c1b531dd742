//! Wire-format tests against a scripted stub server: exact requests the client sends, and how it reacts
//! to the answers (zones, 401, retries, lost responses, foreign page links, decoding errors).

#[path = "support/stub.rs"]
mod stub;

use autotask::entities::{NewTicket, TicketField, TicketPatch, TicketPriority, TicketStatus};
use autotask::{Client, Error, Patch, RetryPolicy, Where};
use futures::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use stub::{Reply, Stub};

fn client_for(stub: &Stub) -> Client {
    stub.client_builder()
        .integration_code("CODE")
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn ticket(id: i64) -> serde_json::Value {
    json!({"id": id, "title": format!("t{id}"), "status": 1, "priority": 2, "companyID": 0, "userDefinedFields": []})
}

#[tokio::test]
async fn zone_detection_then_authenticated_calls() {
    let stub = Stub::start(vec![]).await;
    stub.push(Reply::json(200, json!({"apiVersions": ["V1.0"]})));
    stub.push(Reply::json(200, json!({"zoneName": "Sim", "url": format!("{}ATServicesRest/", stub.base), "webUrl": "x", "ci": 1})));
    stub.push(Reply::json(200, json!({"item": ticket(5)})));
    let client = Client::builder()
        .username("zone-user@example.com")
        .integration_code("CODE")
        .secret("s")
        .zone_lookup_url(format!("{}atservicesrest/", stub.base))
        .build()
        .unwrap();
    let found = client.tickets().get(5).await.unwrap().unwrap();
    assert_eq!(found.id, 5);
    let seen = stub.seen();
    assert_eq!(seen[0].target, "/atservicesrest/versioninformation");
    assert_eq!(
        seen[1].target,
        "/atservicesrest/V1.0/zoneInformation?user=zone-user%40example.com"
    );
    assert!(
        seen[0].header("Secret").is_none() && seen[1].header("UserName").is_none(),
        "zone calls carry no credentials"
    );
    assert_eq!(seen[2].target, "/ATServicesRest/V1.0/Tickets/5");
    assert_eq!(seen[2].header("ApiIntegrationCode"), Some("CODE"));
    assert_eq!(seen[2].header("UserName"), Some("zone-user@example.com"));
    assert_eq!(seen[2].header("Secret"), Some("s"));

    // The zone is cached per user: a second client for the same user asks no zone again.
    stub.push(Reply::json(200, json!({"item": ticket(6)})));
    let again = Client::builder()
        .username("zone-user@example.com")
        .integration_code("CODE")
        .secret("s")
        .zone_lookup_url(format!("{}atservicesrest/", stub.base))
        .build()
        .unwrap();
    again.tickets().get(6).await.unwrap();
    assert_eq!(stub.seen().len(), 4);
}

#[tokio::test]
async fn unauthorized_redetects_zone_once_then_fails() {
    let stub = Stub::start(vec![]).await;
    let zone = json!({"zoneName": "Sim", "url": format!("{}ATServicesRest/", stub.base), "webUrl": "x", "ci": 1});
    for reply in [
        Reply::json(200, json!({"apiVersions": ["V1.0"]})),
        Reply::json(200, zone.clone()),
        Reply::Http(401, vec![], String::new()),
        Reply::json(200, json!({"apiVersions": ["V1.0"]})),
        Reply::json(200, zone),
        Reply::Http(401, vec![], String::new()),
    ] {
        stub.push(reply);
    }
    let client = Client::builder()
        .username("moved-user@example.com")
        .integration_code("CODE")
        .secret("wrong-secret-value")
        .zone_lookup_url(format!("{}atservicesrest/", stub.base))
        .build()
        .unwrap();
    let error = client.tickets().get(1).await.unwrap_err();
    assert!(error.is_authentication(), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("wrong-secret-value"));
    assert_eq!(
        stub.seen().len(),
        6,
        "zone detected twice, the call made twice, nothing more"
    );
}

#[tokio::test]
async fn get_accepts_null_item_and_404() {
    let stub = Stub::start(vec![
        Reply::json(200, json!({"item": null})),
        Reply::json(404, json!({"errors": []})),
    ])
    .await;
    let client = client_for(&stub);
    assert!(client.tickets().get(1).await.unwrap().is_none());
    assert!(client.tickets().get(2).await.unwrap().is_none());
}

#[tokio::test]
async fn patch_sends_only_changed_fields_on_the_collection_path() {
    let stub = Stub::start(vec![Reply::json(200, json!({"itemId": 7}))]).await;
    let client = client_for(&stub);
    let mut patch = TicketPatch::new(7);
    patch.title = "New title".into();
    patch.due_date_time = Patch::Null;
    assert_eq!(client.tickets().update(&patch).await.unwrap(), 7);
    let seen = &stub.seen()[0];
    assert_eq!(seen.method, "PATCH");
    assert_eq!(seen.target, "/ATServicesRest/V1.0/Tickets");
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(
        body,
        json!({"id": 7, "title": "New title", "dueDateTime": null})
    );
}

#[tokio::test]
async fn query_pages_repost_the_same_body_until_the_end() {
    let stub = Stub::start(vec![]).await;
    let next = |n: i64| {
        format!(
            "{}ATServicesRest/V1.0/Tickets/query/next?paging=%7B%22nextIds%22%3A%5B{n}%5D%7D",
            stub.base
        )
    };
    stub.push(Reply::json(200, json!({"items": [ticket(1), ticket(2)], "pageDetails": {"count": 2, "requestCount": 2, "prevPageUrl": null, "nextPageUrl": next(2)}})));
    stub.push(Reply::json(200, json!({"items": [ticket(3), ticket(4)], "pageDetails": {"count": 2, "requestCount": 2, "prevPageUrl": null, "nextPageUrl": next(4)}})));
    stub.push(Reply::json(200, json!({"items": [ticket(5)], "pageDetails": {"count": 1, "requestCount": 2, "prevPageUrl": null, "nextPageUrl": null}})));
    let client = client_for(&stub);
    let all = client
        .tickets()
        .query()
        .filter(TicketField::Status.eq(1))
        .max_records(2)
        .all()
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|t| t.id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let seen = stub.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.method == "POST"));
    assert_eq!(seen[0].target, "/ATServicesRest/V1.0/Tickets/query");
    assert!(seen[1]
        .target
        .starts_with("/ATServicesRest/V1.0/Tickets/query/next?paging="));
    assert!(
        seen.iter().all(|s| s.body == seen[0].body),
        "every page re-posts the same body"
    );
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        body,
        json!({"filter": [{"op": "eq", "field": "status", "value": 1}], "MaxRecords": 2})
    );
}

#[tokio::test]
async fn search_links_are_followed_with_get() {
    let stub = Stub::start(vec![]).await;
    let next = format!(
        "{}ATServicesRest/V1.0/Tickets/query/next?paging=x&search=%7B%7D",
        stub.base
    );
    stub.push(Reply::json(
        200,
        json!({"items": [ticket(1)], "pageDetails": {"nextPageUrl": next}}),
    ));
    stub.push(Reply::json(
        200,
        json!({"items": [ticket(2)], "pageDetails": {"nextPageUrl": null}}),
    ));
    let client = client_for(&stub);
    assert_eq!(client.tickets().stream_all().count().await, 2);
    assert_eq!(stub.seen()[1].method, "GET");
}

#[tokio::test]
async fn next_page_on_another_host_is_refused() {
    let stub = Stub::start(vec![]).await;
    stub.push(Reply::json(200, json!({"items": [ticket(1)], "pageDetails": {"nextPageUrl": "https://evil.example.com/V1.0/Tickets/query/next?paging=1"}})));
    let client = client_for(&stub);
    let results: Vec<_> = client.tickets().stream_all().collect().await;
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(e) if matches!(e.cause(), Error::Protocol(m) if m.contains("evil.example.com"))),
        "{:?}",
        results[1]
    );
    assert_eq!(stub.seen().len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let stub = Stub::start(vec![
        Reply::Http(
            429,
            vec![("Retry-After".into(), "1".into())],
            r#"{"errors":["slow down"]}"#.into(),
        ),
        Reply::json(200, json!({"item": ticket(1)})),
    ])
    .await;
    let client = client_for(&stub);
    let started = Instant::now();
    client.tickets().get(1).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(stub.seen().len(), 2);
    assert_eq!(client.endpoint_stats()["Tickets"].retries, 1);
}

#[tokio::test]
async fn thread_limit_error_is_retried_whatever_the_status() {
    let stub = Stub::start(vec![
        Reply::json(500, json!({"errors": ["Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads has been exceeded. Itgenatr005"]})),
        Reply::json(200, json!({"itemId": 9})),
    ])
    .await;
    let client = client_for(&stub);
    let id = client
        .tickets()
        .create(&NewTicket::new(
            1,
            TicketPriority::HIGH,
            TicketStatus::NEW,
            "x",
        ))
        .await
        .unwrap();
    assert_eq!(id, 9);
    assert_eq!(stub.seen().len(), 2, "a refused create is safe to repeat");
}

#[tokio::test]
async fn lost_create_response_is_unknown_outcome_and_not_repeated() {
    let stub = Stub::start(vec![Reply::Drop]).await;
    let client = client_for(&stub);
    let error = client
        .tickets()
        .create(&NewTicket::new(
            1,
            TicketPriority::HIGH,
            TicketStatus::NEW,
            "only once",
        ))
        .await
        .unwrap_err();
    match &error {
        Error::UnknownOutcome {
            entity, payload, ..
        } => {
            assert_eq!(entity, "Tickets");
            assert_eq!(payload["title"], "only once");
        }
        other => panic!("expected UnknownOutcome, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(stub.seen().len(), 1, "the create was sent exactly once");
}

#[tokio::test]
async fn lost_read_response_is_retried() {
    let stub = Stub::start(vec![
        Reply::Drop,
        Reply::json(200, json!({"item": ticket(3)})),
    ])
    .await;
    let client = client_for(&stub);
    assert_eq!(client.tickets().get(3).await.unwrap().unwrap().id, 3);
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn decode_errors_name_the_field_and_value() {
    let mut bad = ticket(4);
    bad["createDate"] = json!("not a date");
    let stub = Stub::start(vec![Reply::json(200, json!({"item": bad}))]).await;
    let client = client_for(&stub);
    match client.tickets().get(4).await.unwrap_err() {
        Error::Decode {
            entity,
            path,
            value,
            ..
        } => {
            assert_eq!(entity, "Tickets");
            assert_eq!(path, "createDate");
            assert_eq!(value, "\"not a date\"");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_input_is_caught_before_sending() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    let too_big = client
        .tickets()
        .query()
        .max_records(501)
        .page()
        .await
        .unwrap_err();
    assert!(
        matches!(too_big, Error::InvalidInput(ref m) if m.contains("MaxRecords")),
        "{too_big:?}"
    );
    let two_udfs = client
        .tickets()
        .query()
        .udf("A", autotask::Op::Eq, "1")
        .udf("B", autotask::Op::Eq, "2")
        .count()
        .await
        .unwrap_err();
    assert!(
        matches!(two_udfs, Error::InvalidInput(ref m) if m.contains("one user-defined field")),
        "{two_udfs:?}"
    );
    let wrong_type = client
        .tickets()
        .query()
        .filter(TicketField::Status.eq("Complete"))
        .count()
        .await
        .unwrap_err();
    assert!(wrong_type.is_validation(), "{wrong_type:?}");
    let long_title = "x".repeat(256);
    let too_long = client
        .tickets()
        .create(&NewTicket::new(
            1,
            TicketPriority::HIGH,
            TicketStatus::NEW,
            long_title,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(too_long, Error::InvalidInput(ref m) if m.contains("limit is 255")),
        "{too_long:?}"
    );
    let read_only = client
        .entities()
        .get_entity("Tickets")
        .unwrap()
        .update(&json!({"id": 1, "ticketNumber": "T1"}))
        .await
        .unwrap_err();
    assert!(
        matches!(read_only, Error::InvalidInput(ref m) if m.contains("read-only")),
        "{read_only:?}"
    );
    assert!(stub.seen().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn impersonation_default_and_per_call() {
    let stub = Stub::start(vec![
        Reply::json(200, json!({"item": null})),
        Reply::json(200, json!({"item": null})),
    ])
    .await;
    let client = Client::builder()
        .username("u@example.com")
        .integration_code("CODE")
        .secret("s")
        .base_url(format!("{}ATServicesRest/", stub.base))
        .impersonate(11)
        .build()
        .unwrap();
    client.tickets().get(1).await.unwrap();
    client.impersonating(22).tickets().get(1).await.unwrap();
    let seen = stub.seen();
    assert_eq!(seen[0].header("ImpersonationResourceId"), Some("11"));
    assert_eq!(seen[1].header("ImpersonationResourceId"), Some("22"));
}

#[test]
fn https_is_required_except_loopback() {
    let error = Client::builder()
        .username("u")
        .integration_code("c")
        .secret("s")
        .base_url("http://webservices2.autotask.net/ATServicesRest/")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Configuration(_)));
}

#[tokio::test]
async fn twenty_tasks_never_exceed_three_in_flight_per_endpoint() {
    let replies = (0..20)
        .map(|i| {
            Reply::Delayed(
                Duration::from_millis(40),
                Box::new(Reply::json(200, json!({"item": ticket(i)}))),
            )
        })
        .collect();
    let stub = Stub::start(replies).await;
    let client = client_for(&stub);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.tickets().get(i + 1).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let max = stub.max_in_flight.load(std::sync::atomic::Ordering::SeqCst);
    assert!(max <= 3, "{max} requests were in flight at once");
    assert!(max >= 2, "requests did run concurrently ({max})");
    assert_eq!(stub.seen().len(), 20, "queued, not failed");
}

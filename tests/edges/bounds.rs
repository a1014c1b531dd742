//! Everything is bounded: answer sizes, error texts, the time one call takes, and the pages one stream
//! follows, whatever the server does.

use crate::stub::{Reply, Stub};
use crate::{builder_for, client_for, page, ticket};
use autotask::{Error, RetryPolicy};
use futures::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};

/// Fails the test instead of hanging when `future` does not end within `limit`.
async fn within<T>(limit: Duration, what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not end within {limit:?}"))
}

#[tokio::test]
async fn a_huge_error_body_gives_a_short_error() {
    let stub = Stub::start(vec![Reply::Huge(500, 40 << 20)]).await;
    let client = builder_for(&stub)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = within(
        Duration::from_secs(30),
        "a huge error body",
        client.tickets().get(1),
    )
    .await
    .unwrap_err();
    let shown = format!("{error}");
    assert!(
        shown.len() < 8 << 10,
        "an error text of {} bytes",
        shown.len()
    );
    let debug = format!("{error:?}");
    assert!(
        debug.len() < 16 << 10,
        "a Debug text of {} bytes",
        debug.len()
    );
}

#[tokio::test]
async fn a_success_body_above_the_cap_is_refused() {
    let stub = Stub::start(vec![Reply::Huge(200, 40 << 20)]).await;
    let client = builder_for(&stub)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let answer = within(
        Duration::from_secs(30),
        "a huge answer",
        client.tickets().get(1),
    )
    .await;
    assert!(
        matches!(&answer, Err(Error::ResponseTooLarge { limit, .. }) if *limit == autotask::DEFAULT_MAX_RESPONSE_BYTES),
        "{answer:?}"
    );
}

#[tokio::test]
async fn the_body_cap_is_configurable() {
    let big_page = page(1..=400, None);
    let size = big_page.to_string().len();
    let stub = Stub::start(vec![
        Reply::json(200, big_page.clone()),
        Reply::json(200, big_page),
    ])
    .await;
    let small = builder_for(&stub)
        .max_response_bytes(size - 1)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let refused = small.tickets().query().page().await.unwrap_err();
    assert!(
        matches!(refused, Error::ResponseTooLarge { limit, .. } if limit == size - 1),
        "{refused:?}"
    );
    let enough = builder_for(&stub).max_response_bytes(size).build().unwrap();
    assert_eq!(
        enough.tickets().query().page().await.unwrap().items.len(),
        400
    );
}

#[tokio::test]
async fn an_endless_body_ends_the_call() {
    for status in [200, 500] {
        let stub = Stub::start(vec![Reply::Endless(status)]).await;
        let client = builder_for(&stub)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let answer = within(
            Duration::from_secs(30),
            "an endless body",
            client.tickets().get(1),
        )
        .await;
        assert!(answer.is_err(), "{status}: {answer:?}");
    }
}

#[tokio::test]
async fn the_total_budget_bounds_the_whole_call() {
    let budget = Duration::from_millis(600);
    // Far below the 60 s the server stalls (and the 300 s attempt timeout), with room for a busy machine.
    const BOUND: Duration = Duration::from_secs(5);
    let policy = RetryPolicy {
        total_budget: budget,
        initial_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    // A silent server: the answer would come after 60 s.
    let silent = Stub::scripted(|_, _| {
        Reply::json_after(Duration::from_secs(60), 200, json!({"item": null}))
    })
    .await;
    let client = builder_for(&silent)
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    let started = Instant::now();
    let read = within(
        Duration::from_secs(20),
        "a read from a silent server",
        client.tickets().get(1),
    )
    .await;
    assert!(read.is_err(), "{read:?}");
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    // A create cut short by the budget may have been processed.
    let started = Instant::now();
    let new = autotask::entities::NewTag::new("slow");
    let create = within(
        Duration::from_secs(20),
        "a create on a silent server",
        client.tags().create(&new),
    )
    .await;
    assert!(
        matches!(create, Err(Error::UnknownOutcome { .. })),
        "{create:?}"
    );
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    // Slow failures, retried: the attempts together stay within the budget.
    let slow_failures = Stub::scripted(|_, _| {
        Reply::json_after(
            Duration::from_millis(250),
            500,
            json!({"errors": ["Simulated fault: internal error"]}),
        )
    })
    .await;
    let client = builder_for(&slow_failures)
        .retry_policy(policy)
        .build()
        .unwrap();
    let started = Instant::now();
    let read = within(
        Duration::from_secs(20),
        "retried slow failures",
        client.tickets().get(1),
    )
    .await;
    assert!(read.is_err(), "{read:?}");
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
}

/// Runs a stream of every ticket against `stub` and returns what it gave, bounded in time.
async fn drain(stub: &Stub) -> Vec<autotask::Result<i64>> {
    let client = client_for(stub);
    within(
        Duration::from_secs(20),
        "a stream from a looping server",
        client
            .tickets()
            .stream_all()
            .map(|t| t.map(|t| t.id))
            .collect::<Vec<_>>(),
    )
    .await
}

#[tokio::test]
async fn a_server_alternating_two_links_over_the_same_records_is_stopped() {
    let stub = Stub::scripted(|seen, _| {
        let next = if seen.target.contains("paging=a") {
            "b"
        } else {
            "a"
        };
        Reply::json(
            200,
            page(
                [1, 2],
                Some(format!(
                    "/ATServicesRest/V1.0/Tickets/query/next?paging={next}"
                )),
            ),
        )
    })
    .await;
    let results = drain(&stub).await;
    let ids: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(ids, [1, 2], "no record twice");
    assert!(
        matches!(results.last(), Some(Err(e)) if matches!(e.cause(), Error::Protocol(m) if m.contains("no record beyond"))),
        "{:?}",
        results.last()
    );
    assert!(stub.seen().len() <= 3, "{} requests", stub.seen().len());
}

#[tokio::test]
async fn a_server_minting_new_links_over_the_same_records_is_stopped() {
    let stub = Stub::scripted(|_, n| {
        Reply::json(
            200,
            page(
                [1, 2],
                Some(format!(
                    "/ATServicesRest/V1.0/Tickets/query/next?paging={n}"
                )),
            ),
        )
    })
    .await;
    let results = drain(&stub).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
    assert!(
        matches!(results.last(), Some(Err(e)) if matches!(e.cause(), Error::Protocol(_))),
        "{:?}",
        results.last()
    );
    assert!(stub.seen().len() <= 3, "{} requests", stub.seen().len());
}

#[tokio::test]
async fn a_page_that_repeats_some_records_delivers_only_new_ones() {
    let stub = Stub::scripted(|_, n| match n {
        0 => Reply::json(
            200,
            page(
                [1, 2, 3],
                Some("/ATServicesRest/V1.0/Tickets/query/next?paging=3".into()),
            ),
        ),
        _ => Reply::json(200, page([2, 3, 4], None)),
    })
    .await;
    let ids: Vec<i64> = drain(&stub).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
}

#[tokio::test]
async fn an_endless_run_of_new_records_stops_at_the_page_cap() {
    let stub = Stub::scripted(|_, n| {
        let n = n as i64;
        Reply::json(
            200,
            page(
                [n * 2 + 1, n * 2 + 2],
                Some(format!(
                    "/ATServicesRest/V1.0/Tickets/query/next?paging={n}"
                )),
            ),
        )
    })
    .await;
    let client = builder_for(&stub).max_pages_per_stream(25).build().unwrap();
    let results: Vec<_> = within(
        Duration::from_secs(20),
        "an endless stream",
        client.tickets().stream_all().collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 50);
    assert!(
        matches!(results.last(), Some(Err(e)) if matches!(e.cause(), Error::Protocol(m) if m.contains("25 pages"))),
        "{:?}",
        results.last()
    );
    assert_eq!(stub.seen().len(), 25);
}

#[tokio::test]
async fn invalid_utf8_in_an_answer_is_an_error() {
    let bad = b"{\"item\": {\"id\": 1, \"title\": \"caf\xe9\"}}".to_vec();
    let stub = Stub::start(
        (0..10)
            .map(|_| Reply::Bytes(200, vec![], bad.clone()))
            .collect(),
    )
    .await;
    let client = builder_for(&stub)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let answer = client.tickets().get(1).await;
    assert!(
        matches!(&answer, Err(Error::MalformedAnswer { reason, .. }) if reason.contains("UTF-8")),
        "{answer:?}"
    );
    let _ = ticket(1);
}

//! Hourly threshold, thread limit, fault injection, state files and the request log.

use crate::common::{error_text, start};
use autotask_sim::{FaultKind, FaultRule, Seed, SeedSize, Simulator};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn hourly_threshold_refuses_at_100_percent() {
    let h = start(Simulator::builder().hourly_threshold(5)).await;
    for n in 1..=5 {
        let (status, body) = h.get("V1.0/ThresholdInformation").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["currentTimeframeRequestCount"], n);
    }
    let (status, body) = h.get("V1.0/ThresholdInformation").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(error_text(&body).contains("threshold"));
    h.sim.reset_threshold();
    assert_eq!(h.get("V1.0/ThresholdInformation").await.0, StatusCode::OK);
}

#[tokio::test]
async fn latency_tiers_apply() {
    let h = start(
        Simulator::builder()
            .hourly_threshold(4)
            .latency(Duration::from_millis(150), Duration::from_millis(300)),
    )
    .await;
    h.get("V1.0/Modules").await;
    let started = std::time::Instant::now();
    h.get("V1.0/Modules").await; // 2 of 4: 50%
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn thread_limit_per_endpoint() {
    let h = start(Simulator::builder()).await;
    h.sim.add_fault(
        FaultRule::new(FaultKind::Delay(Duration::from_millis(600))).path_contains("/Tickets/"),
    );
    let calls = (0..5).map(|_| h.get("V1.0/Tickets/1"));
    let results = futures_join(calls).await;
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let limited: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!((ok, limited.len()), (3, 2));
    assert_eq!(
        error_text(&limited[0].1),
        "Itgenatr005: Thread Threshold Exceeded \u{2014} The Autotask API thread threshold of 3 threads has been exceeded."
    );
    assert_eq!(
        h.get("V1.0/Companies/1").await.0,
        StatusCode::OK,
        "other endpoints have their own slots"
    );
}

async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    // Poll all concurrently.
    let results = std::sync::Mutex::new(Vec::new());
    {
        let polls = pinned.iter_mut().enumerate().map(|(i, f)| {
            let results = &results;
            async move {
                let value = f.await;
                results.lock().unwrap().push((i, value));
            }
        });
        join_all(polls.collect()).await;
    }
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    out.extend(results.into_iter().map(|(_, v)| v));
    out
}

async fn join_all<F: std::future::Future<Output = ()>>(futures: Vec<F>) {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in futures.iter_mut() {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
}

#[tokio::test]
async fn each_fault_kind() {
    let h = start(Simulator::builder()).await;
    let ticket = json!({"companyID": 0, "title": "t", "status": 1, "priority": 2});

    let id = h.sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .method("GET")
            .path_contains("/Modules")
            .every_nth(2),
    );
    assert_eq!(h.get("V1.0/Modules").await.0, StatusCode::OK);
    assert_eq!(
        h.get("V1.0/Modules").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert!(h.sim.remove_fault(id));

    h.sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 7,
        })
        .next(1),
    );
    let response = h
        .request(reqwest::Method::GET, "V1.0/Modules")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(
        h.get("V1.0/Modules").await.0,
        StatusCode::OK,
        "next(1) fires once"
    );

    h.sim.add_fault(
        FaultRule::new(FaultKind::DropConnection)
            .method("POST")
            .next(1),
    );
    let dropped = h
        .request(reqwest::Method::POST, "V1.0/Tickets")
        .json(&ticket)
        .send()
        .await;
    assert!(dropped.is_err(), "transport error, not an HTTP status");
    assert_eq!(h.sim.count("Tickets"), 0, "dropped before processing");

    h.sim.add_fault(
        FaultRule::new(FaultKind::ResponseLost)
            .method("POST")
            .next(1),
    );
    let lost = h
        .request(reqwest::Method::POST, "V1.0/Tickets")
        .json(&ticket)
        .send()
        .await;
    assert!(lost.is_err());
    assert_eq!(h.sim.count("Tickets"), 1, "processed, response lost");
    let log = h.sim.requests();
    assert!(log.last().unwrap().connection_dropped);

    h.sim
        .add_fault(FaultRule::new(FaultKind::Delay(Duration::from_millis(200))).next(1));
    let started = std::time::Instant::now();
    assert_eq!(h.get("V1.0/Modules").await.0, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(200));

    h.sim
        .add_fault(FaultRule::new(FaultKind::ServerError).probability(0.5));
    let mut failures = 0;
    for _ in 0..20 {
        if h.get("V1.0/Modules").await.0 != StatusCode::OK {
            failures += 1;
        }
    }
    assert!(
        (3..=17).contains(&failures),
        "seeded probability gave {failures} of 20"
    );
    h.sim.clear_faults();
    assert_eq!(h.get("V1.0/Modules").await.0, StatusCode::OK);
}

#[tokio::test]
async fn state_is_saved_and_loaded() {
    let path = std::env::temp_dir().join(format!("autotask-sim-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let first = start(
        Simulator::builder()
            .seed(Seed::Demo(SeedSize::with_tickets(30)))
            .state_file(&path),
    )
    .await;
    let (_, created) = first
        .post(
            "V1.0/Tickets",
            json!({"companyID": 1, "title": "Persist me", "status": 1, "priority": 2}),
        )
        .await;
    let id = created["itemId"].as_i64().unwrap();
    let companies = first.sim.count("Companies");
    first.sim.shutdown().await;
    let second = start(Simulator::builder().state_file(&path)).await;
    assert_eq!(
        second.sim.get("Tickets", id).unwrap()["title"],
        "Persist me"
    );
    assert_eq!(second.sim.count("Tickets"), 31);
    assert_eq!(second.sim.count("Companies"), companies);
    drop(second);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn demo_seed_is_consistent() {
    let h = start(Simulator::builder().seed(Seed::Demo(SeedSize::with_tickets(40)))).await;
    for ticket in h.sim.records("Tickets") {
        let company = ticket["companyID"].as_i64().unwrap();
        assert!(h.sim.get("Companies", company).is_some());
    }
    let note = &h.sim.records("TicketNotes")[0];
    assert!(h
        .sim
        .get("Tickets", note["ticketID"].as_i64().unwrap())
        .is_some());
    let (_, notes) = h
        .get(&format!("V1.0/Tickets/{}/Notes", note["ticketID"]))
        .await;
    assert_eq!(notes["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn request_log_records_requests() {
    let h = start(Simulator::builder()).await;
    h.post(
        "V1.0/Tickets/query",
        json!({"filter": [{"op": "exist", "field": "id"}]}),
    )
    .await;
    h.get("V1.0/Tickets/query/count?search=%7B%7D").await;
    let log = h.sim.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].method.as_str(), log[0].path.as_str(), log[0].status),
        ("POST", "/ATServicesRest/V1.0/Tickets/query", 200)
    );
    assert!(log[0].body_size > 0);
    assert!(log[1].path.ends_with("?search=%7B%7D"));
    h.sim.clear_requests();
    assert!(h.sim.requests().is_empty());
}

#[tokio::test]
async fn demo_dates_are_relative_to_today() {
    let h = start(Simulator::builder().seed(Seed::Demo(SeedSize::default()))).await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let in_30_days = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let week_ago = (chrono::Utc::now() - chrono::Duration::days(7))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let count = |entity: &'static str, filter: serde_json::Value| {
        let h = &h;
        async move {
            let (status, body) = h
                .post(
                    &format!("V1.0/{entity}/query/count"),
                    json!({ "filter": filter }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["queryCount"].as_u64().unwrap()
        }
    };
    let expiring = count(
        "Contracts",
        json!([{"op": "eq", "field": "status", "value": 1},
               {"op": "gte", "field": "endDate", "value": today},
               {"op": "lte", "field": "endDate", "value": in_30_days}]),
    )
    .await;
    assert_eq!(expiring, 4, "contracts ending in 5, 12, 20 and 28 days");
    let recent = count(
        "Tickets",
        json!([{"op": "gte", "field": "createDate", "value": week_ago}]),
    )
    .await;
    assert!(
        (50..=70).contains(&recent),
        "{recent} of 500 tickets in the last 7 days"
    );
    let future = count(
        "Tickets",
        json!([{"op": "gt", "field": "createDate", "value": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()}]),
    )
    .await;
    assert_eq!(future, 0, "nothing is created in the future");
    let pending_quotes = count(
        "Quotes",
        json!([{"op": "eq", "field": "isActive", "value": true},
               {"op": "gte", "field": "expirationDate", "value": today}]),
    )
    .await;
    assert_eq!(pending_quotes, 5);
    let unpaid = count("Invoices", json!([{"op": "notExist", "field": "paidDate"}])).await;
    assert_eq!(unpaid, 10);
    let primary = count(
        "Contacts",
        json!([{"op": "eq", "field": "primaryContact", "value": true}]),
    )
    .await;
    assert_eq!(primary, 25, "one primary contact per customer company");
}

//! The thread limit (PROTOCOL.md §6.2): 3 concurrent requests per (integration code, entity endpoint),
//! held from accepting a request to the last byte of its answer, `ZoneInformation` exempt.

use crate::common::{concurrently, error_text, is_thread_limit, start};
use autotask_sim::{ApiUser, FaultKind, FaultRule, Simulator};
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Long enough that the requests a test starts are still in flight when it sends the next ones.
const LATENCY: Duration = Duration::from_millis(1500);
const CODE: &str = autotask_sim::DEFAULT_INTEGRATION_CODE;

fn everything() -> serde_json::Value {
    json!({"filter": [{"op": "gte", "field": "id", "value": 0}]})
}

/// Starts `requests` and returns their tasks.
fn spawn_all(
    requests: Vec<reqwest::RequestBuilder>,
) -> Vec<tokio::task::JoinHandle<(StatusCode, serde_json::Value)>> {
    requests
        .into_iter()
        .map(|request| tokio::spawn(async move { concurrently(vec![request]).await.remove(0) }))
        .collect()
}

async fn join_all(
    tasks: Vec<tokio::task::JoinHandle<(StatusCode, serde_json::Value)>>,
) -> Vec<(StatusCode, serde_json::Value)> {
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// Waits until `busy()` reports `n` slots in use (the requests are admitted and in flight).
async fn wait_for_busy(n: usize, busy: impl Fn() -> usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while busy() != n {
        assert!(
            std::time::Instant::now() < deadline,
            "{} slots busy, waiting for {n}",
            busy()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn the_fourth_concurrent_request_on_one_endpoint_is_refused() {
    let h = start(Simulator::builder().request_latency(LATENCY)).await;
    let query = || {
        h.request(Method::POST, "V1.0/Companies/query")
            .json(&everything())
    };
    let first_three = spawn_all(vec![query(), query(), query()]);
    wait_for_busy(3, || h.sim.threads_in_use(CODE, "Companies")).await;
    let answers = concurrently(vec![
        query(),
        h.request(Method::POST, "V1.0/Tickets/query")
            .json(&everything()),
        h.client
            .get(h.url("V1.0/zoneInformation?user=sim@example.com")),
    ])
    .await;
    assert!(is_thread_limit(&answers[0]), "{:?}", answers[0]);
    assert_eq!(
        error_text(&answers[0].1),
        "Itgenatr005: Thread Threshold Exceeded \u{2014} The Autotask API thread threshold of 3 threads has been exceeded."
    );
    assert_eq!(
        answers[1].0,
        StatusCode::OK,
        "another endpoint: {:?}",
        answers[1]
    );
    assert_eq!(
        answers[2].0,
        StatusCode::OK,
        "zoneInformation: {:?}",
        answers[2]
    );
    let first_three = join_all(first_three).await;
    assert!(
        first_three.iter().all(|a| a.0 == StatusCode::OK),
        "{first_three:?}"
    );
    assert_eq!(h.sim.threads_in_use(CODE, "Companies"), 0);
}

#[tokio::test]
async fn zone_information_is_exempt() {
    let h = start(Simulator::builder().request_latency(LATENCY)).await;
    let url = h.url("V1.0/zoneInformation?user=sim@example.com");
    let answers = concurrently((0..6).map(|_| h.client.get(&url)).collect()).await;
    assert!(answers.iter().all(|a| a.0 == StatusCode::OK), "{answers:?}");
}

#[tokio::test]
async fn concurrency_is_counted_per_integration_code() {
    let other = ApiUser::new("other@example.com", "other-secret", "OTHERCODE");
    let h = start(
        Simulator::builder()
            .user(other.clone())
            .request_latency(LATENCY),
    )
    .await;
    let as_demo = || {
        h.request(Method::POST, "V1.0/Companies/query")
            .json(&everything())
    };
    let as_other = || {
        h.client
            .post(h.url("V1.0/Companies/query"))
            .header("ApiIntegrationCode", &other.integration_code)
            .header("UserName", &other.username)
            .header("Secret", &other.secret)
            .json(&everything())
    };
    let demo = spawn_all(vec![as_demo(), as_demo(), as_demo()]);
    wait_for_busy(3, || h.sim.threads_in_use(CODE, "Companies")).await;
    let others = spawn_all(vec![as_other(), as_other(), as_other()]);
    wait_for_busy(3, || h.sim.threads_in_use("OTHERCODE", "Companies")).await;
    let fourth = concurrently(vec![as_demo(), as_other()]).await;
    assert!(fourth.iter().all(is_thread_limit), "{fourth:?}");
    let served: Vec<_> = join_all(demo)
        .await
        .into_iter()
        .chain(join_all(others).await)
        .collect();
    assert!(
        served.iter().all(|a| a.0 == StatusCode::OK),
        "each integration code has its own three: {served:?}"
    );
}

#[tokio::test]
async fn a_child_path_counts_against_the_child_entity() {
    let h = start(Simulator::builder().request_latency(LATENCY)).await;
    let ticket = h.ticket();
    let notes = || h.request(Method::GET, &format!("V1.0/Tickets/{ticket}/Notes"));
    let listing = spawn_all(vec![notes(), notes(), notes()]);
    wait_for_busy(3, || h.sim.threads_in_use(CODE, "TicketNotes")).await;
    let answers = concurrently(vec![
        h.request(Method::POST, "V1.0/TicketNotes/query")
            .json(&everything()),
        h.request(Method::GET, &format!("V1.0/Tickets/{ticket}")),
    ])
    .await;
    assert!(
        is_thread_limit(&answers[0]),
        "Tickets/{{id}}/Notes and TicketNotes share one endpoint: {:?}",
        answers[0]
    );
    assert_eq!(answers[1].0, StatusCode::OK, "Tickets is another endpoint");
    assert!(join_all(listing)
        .await
        .iter()
        .all(|a| a.0 == StatusCode::OK));
}

#[tokio::test]
async fn a_delay_fault_holds_the_slot() {
    let h = start(Simulator::builder()).await;
    h.sim
        .add_fault(FaultRule::new(FaultKind::Delay(LATENCY)).path_contains("/Companies/query"));
    let query = || {
        h.request(Method::POST, "V1.0/Companies/query")
            .json(&everything())
    };
    let held = spawn_all(vec![query(), query(), query()]);
    wait_for_busy(3, || h.sim.threads_in_use(CODE, "Companies")).await;
    let fourth = concurrently(vec![query()]).await;
    assert!(is_thread_limit(&fourth[0]), "{fourth:?}");
    assert!(join_all(held).await.iter().all(|a| a.0 == StatusCode::OK));
}

#[tokio::test]
async fn the_slot_is_held_until_the_answer_is_written() {
    let h = start(Simulator::builder().thread_limit(1)).await;
    let ticket = h.ticket();
    // An answer far larger than what the socket buffers between us and the simulator can hold (32 MB of
    // base64), inserted directly: the API's attachment size cap does not apply to `insert`.
    let data = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 24_000_000]);
    let attachment = h
        .sim
        .insert(
            "TicketAttachments",
            json!({"ticketID": ticket, "attachmentType": "FILE_ATTACHMENT", "fullPath": "big.bin",
                   "publish": 1, "title": "big", "data": data}),
        )
        .unwrap();
    let path = format!("/ATServicesRest/V1.0/Tickets/{ticket}/Attachments/{attachment}");
    h.sim.clear_requests();

    // A client that asks for the attachment and does not read the answer yet.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = socket.connect(h.sim.addr()).await.unwrap();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nApiIntegrationCode: {}\r\nUserName: {}\r\nSecret: {}\r\nConnection: close\r\n\r\n",
        h.sim.addr(),
        autotask_sim::DEFAULT_INTEGRATION_CODE,
        autotask_sim::DEFAULT_USERNAME,
        autotask_sim::DEFAULT_SECRET
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    // The simulator has answered (logged) it and is writing the body.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.sim.requests().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the request was never served"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let while_writing = h.get(&format!("V1.0/Tickets/{ticket}/Attachments")).await;
    assert!(
        is_thread_limit(&while_writing),
        "the slot is busy while the answer is written: {while_writing:?}"
    );
    let mut answer = Vec::new();
    slow.read_to_end(&mut answer).await.unwrap();
    assert!(answer.len() > 32_000_000);
    // Reading the whole answer means the slot is free again: no race with the release.
    let after = h.get(&format!("V1.0/Tickets/{ticket}/Attachments")).await;
    assert_eq!(after.0, StatusCode::OK, "{after:?}");
}

#[tokio::test]
async fn sequential_requests_never_find_their_own_slot_busy() {
    let h = start(Simulator::builder().thread_limit(1)).await;
    for n in 0..300 {
        let (status, body) = h.get("V1.0/Companies/entityInformation").await;
        assert_eq!(status, StatusCode::OK, "request {n}: {body}");
    }
}

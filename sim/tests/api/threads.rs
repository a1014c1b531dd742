//! The thread limit (PROTOCOL.md §6.2): 3 concurrent requests per (integration code, entity endpoint),
//! held from accepting a request to the last byte of its answer, `ZoneInformation` exempt.

use crate::common::{concurrently, error_text, is_thread_limit, start};
use autotask_sim::{ApiUser, Simulator};
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Long enough that requests sent together overlap even on a loaded machine.
const LATENCY: Duration = Duration::from_millis(800);

fn everything() -> serde_json::Value {
    json!({"filter": [{"op": "gte", "field": "id", "value": 0}]})
}

#[tokio::test]
async fn the_fourth_concurrent_request_on_one_endpoint_is_refused() {
    let h = start(Simulator::builder().request_latency(LATENCY)).await;
    let mut requests: Vec<_> = (0..4)
        .map(|_| {
            h.request(Method::POST, "V1.0/Companies/query")
                .json(&everything())
        })
        .collect();
    // Another endpoint at the same time has slots of its own.
    requests.push(
        h.request(Method::POST, "V1.0/Tickets/query")
            .json(&everything()),
    );
    let answers = concurrently(requests).await;
    let companies = &answers[..4];
    let ok = companies.iter().filter(|a| a.0 == StatusCode::OK).count();
    let refused: Vec<_> = companies.iter().filter(|a| is_thread_limit(a)).collect();
    assert_eq!((ok, refused.len()), (3, 1), "{companies:?}");
    assert_eq!(
        error_text(&refused[0].1),
        "Itgenatr005: Thread Threshold Exceeded \u{2014} The Autotask API thread threshold of 3 threads has been exceeded."
    );
    assert_eq!(answers[4].0, StatusCode::OK, "{:?}", answers[4]);
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
    let as_other = |request: reqwest::RequestBuilder| {
        request
            .header("ApiIntegrationCode", &other.integration_code)
            .header("UserName", &other.username)
            .header("Secret", &other.secret)
    };
    let mut requests: Vec<_> = (0..4)
        .map(|_| {
            h.request(Method::POST, "V1.0/Companies/query")
                .json(&everything())
        })
        .collect();
    for _ in 0..3 {
        let url = h.url("V1.0/Companies/query");
        requests.push(as_other(h.client.post(url)).json(&everything()));
    }
    let answers = concurrently(requests).await;
    let (demo, others) = answers.split_at(4);
    assert_eq!(
        demo.iter().filter(|a| is_thread_limit(a)).count(),
        1,
        "the demo code's fourth request: {demo:?}"
    );
    assert!(
        others.iter().all(|a| a.0 == StatusCode::OK),
        "another integration code has its own three: {others:?}"
    );
}

#[tokio::test]
async fn a_child_path_counts_against_the_child_entity() {
    let h = start(Simulator::builder().request_latency(LATENCY)).await;
    let ticket = h
        .sim
        .insert(
            "Tickets",
            json!({"companyID": 0, "title": "t", "status": 1, "priority": 2}),
        )
        .unwrap();
    let mut requests: Vec<_> = (0..3)
        .map(|_| h.request(Method::GET, &format!("V1.0/Tickets/{ticket}/Notes")))
        .collect();
    requests.push(
        h.request(Method::POST, "V1.0/TicketNotes/query")
            .json(&everything()),
    );
    requests.push(h.request(Method::GET, &format!("V1.0/Tickets/{ticket}")));
    let answers = concurrently(requests).await;
    assert_eq!(
        answers[..4].iter().filter(|a| is_thread_limit(a)).count(),
        1,
        "Tickets/{{id}}/Notes and TicketNotes share one endpoint: {answers:?}"
    );
    assert_eq!(answers[4].0, StatusCode::OK, "Tickets is another endpoint");
}

#[tokio::test]
async fn the_slot_is_held_until_the_answer_is_written() {
    let h = start(Simulator::builder().thread_limit(1)).await;
    let ticket = h
        .sim
        .insert(
            "Tickets",
            json!({"companyID": 0, "title": "t", "status": 1, "priority": 2}),
        )
        .unwrap();
    // An answer far larger than what the socket buffers between us and the simulator can hold.
    let data = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 6_000_000]);
    let (status, created) = h
        .post(
            &format!("V1.0/Tickets/{ticket}/Attachments"),
            json!({"attachmentType": "FILE_ATTACHMENT", "fullPath": "big.bin", "publish": 1, "title": "big", "data": data}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let path = format!(
        "/ATServicesRest/V1.0/Tickets/{ticket}/Attachments/{}",
        created["itemId"]
    );
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
    assert!(answer.len() > 8_000_000);
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

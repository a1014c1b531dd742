//! The client's limits are keyed as the server may key them: a parent-path request counts against both
//! the parent and the child entity, paths match whatever their case, zones are cached per lookup URL and
//! user.

use crate::stub::{Reply, Seen, Stub};
use crate::{builder_for, page, ticket};
use autotask::entities::NewTicketNote;
use autotask::{Client, Where};
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;

/// The entity a request operates on, read the way a server keying by entity would: `Tickets/5/Notes`
/// is `TicketNotes`, `TicketNotes/query` is `TicketNotes`, `Tickets/5` is `Tickets`.
fn operated_entity(seen: &Seen) -> String {
    let path = seen.path().to_ascii_lowercase();
    let rest = path.split("/v1.0/").nth(1).unwrap_or("").to_string();
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [parent, id, "notes", ..] if id.parse::<i64>().is_ok() && *parent == "tickets" => {
            "ticketnotes".into()
        }
        [first, ..] => first.to_string(),
        [] => String::new(),
    }
}

/// The entity as the first path segment names it (`Tickets/5/Notes` is `Tickets`).
fn first_segment(seen: &Seen) -> String {
    let path = seen.path().to_ascii_lowercase();
    let rest = path.split("/v1.0/").nth(1).unwrap_or("").to_string();
    rest.split('/').next().unwrap_or("").to_string()
}

#[tokio::test]
async fn parent_path_requests_stay_within_the_limit_however_the_server_counts_them() {
    let stub = Stub::scripted(|seen, _| {
        let wait = Duration::from_millis(30);
        if seen.method == "POST" && seen.path().ends_with("/Notes") {
            Reply::json_after(wait, 200, json!({"itemId": 1}))
        } else if seen.path().ends_with("/query") {
            Reply::json_after(wait, 200, page([], None))
        } else {
            Reply::json_after(wait, 200, json!({"item": ticket(1)}))
        }
    })
    .await;
    let client = builder_for(&stub).build().unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            let note = NewTicketNote::new(i + 1, "d", 1, 1);
            c.tickets().notes(i + 1).create(&note).await.map(|_| ())
        }));
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.ticket_notes()
                .query()
                .filter(autotask::entities::TicketNoteField::TicketId.eq(i + 1))
                .page()
                .await
                .map(|_| ())
        }));
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.tickets().get(i + 1).await.map(|_| ())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(stub.seen().len(), 30);
    let by_entity = stub.max_in_flight_by(operated_entity);
    let by_segment = stub.max_in_flight_by(first_segment);
    assert!(by_entity <= 3, "{by_entity} in flight on one entity");
    assert!(
        by_segment <= 3,
        "{by_segment} in flight on one first segment"
    );
}

#[tokio::test]
async fn a_base_url_in_another_case_keeps_one_limit_per_entity() {
    let stub = Stub::scripted(|seen, _| {
        let wait = Duration::from_millis(20);
        // The server writes its links in its own case.
        let n: i64 = seen
            .target
            .split("paging=")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let next =
            (n < 3).then(|| format!("/ATServicesRest/V1.0/Tickets/query/next?paging={}", n + 1));
        Reply::json_after(wait, 200, page([n * 10 + 1, n * 10 + 2], next))
    })
    .await;
    let client = Client::builder()
        .username("api@example.com")
        .integration_code("CODE")
        .secret("s")
        .base_url(format!("{}atservicesrest/v1.0/", stub.base))
        .build()
        .unwrap();
    let streams: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.tickets().stream_all().count().await })
        })
        .collect();
    for stream in streams {
        assert_eq!(stream.await.unwrap(), 8);
    }
    assert_eq!(stub.seen().len(), 32);
    let max = stub.max_in_flight_by(first_segment);
    assert!(max <= 3, "{max} Tickets requests in flight at once");
    let stats = client.endpoint_stats();
    assert_eq!(stats.keys().collect::<Vec<_>>(), ["Tickets"], "{stats:?}");
}

#[tokio::test]
async fn zones_are_cached_per_lookup_url_and_user() {
    let zone_stub = || async {
        let stub = Stub::start(vec![]).await;
        stub.push(Reply::json(200, json!({"apiVersions": ["V1.0"]})));
        stub.push(Reply::json(
            200,
            json!({"zoneName": "Z", "url": format!("{}ATServicesRest/", stub.base), "webUrl": "x", "ci": 1}),
        ));
        stub.push(Reply::json(200, json!({"item": ticket(1)})));
        stub.push(Reply::json(200, json!({"item": ticket(1)})));
        stub
    };
    let (first, second) = (zone_stub().await, zone_stub().await);
    let client = |lookup: &Stub| {
        Client::builder()
            .username("same-user@example.com")
            .integration_code("CODE")
            .secret("s")
            .zone_lookup_url(format!("{}atservicesrest/", lookup.base))
            .build()
            .unwrap()
    };
    client(&first).tickets().get(1).await.unwrap();
    client(&second).tickets().get(1).await.unwrap();
    let second_seen = second.seen();
    assert_eq!(second_seen.len(), 3, "{second_seen:?}");
    assert!(second_seen[0].target.ends_with("/versioninformation"));
    assert!(second_seen[2].target.ends_with("/Tickets/1"));
    // The same lookup URL and user reuse the zone.
    client(&first).tickets().get(1).await.unwrap();
    assert_eq!(first.seen().len(), 4);
}

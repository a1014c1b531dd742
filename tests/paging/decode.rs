//! Pages decode straight from the answer: unknown fields are kept, a record that does not fit is
//! reported in its place (entity, field path, value) without losing the others, a garbled page is
//! retried, and `{"errors":[...]}` stays the API's error.

use crate::stub::{Reply, Stub};
use autotask::{Client, Decimal, Error};
use futures::StreamExt;
use serde_json::{json, Value};
use std::str::FromStr;

fn client_for(stub: &Stub) -> Client {
    stub.client_builder().build().unwrap()
}

/// The error of the first page of a ticket query answered by `stub`.
async fn page_error(stub: &Stub) -> Error {
    client_for(stub).tickets().query().page().await.unwrap_err()
}

fn ticket(id: i64) -> Value {
    json!({"id": id, "title": format!("t{id}"), "status": 1, "companyID": 0, "userDefinedFields": []})
}

fn page(items: Vec<Value>) -> Reply {
    Reply::json(
        200,
        json!({"items": items, "pageDetails": {"count": 3, "requestCount": 500, "prevPageUrl": null, "nextPageUrl": null}}),
    )
}

#[tokio::test]
async fn unknown_fields_are_kept_and_wire_forms_read() {
    let mut first = ticket(1);
    first["brandNewField"] = json!({"nested": [1, 2]});
    first["anotherNewOne"] = json!("x");
    first["estimatedHours"] = json!(3.5000);
    first["createDate"] = json!("2016-03-30T13:10:35.563");
    first["userDefinedFields"] = Value::Null;
    // Keys in any order, `id` last.
    let reordered = json!({"title": "t2", "userDefinedFields": [{"name": "Colour", "value": "red"}], "status": 1, "id": 2});
    let stub = Stub::start(vec![page(vec![first, reordered])]).await;
    let client = client_for(&stub);
    let tickets = client.tickets().query().page().await.unwrap().items;
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0].extra["brandNewField"], json!({"nested": [1, 2]}));
    assert_eq!(tickets[0].extra["anotherNewOne"], json!("x"));
    assert_eq!(tickets[0].extra.len(), 2);
    assert_eq!(
        tickets[0].estimated_hours,
        Some(Decimal::from_str("3.5").unwrap())
    );
    assert_eq!(
        tickets[0].create_date.map(|d| d.to_rfc3339()),
        Some("2016-03-30T13:10:35.563+00:00".to_string())
    );
    assert!(tickets[0].user_defined_fields.is_empty());
    assert_eq!(tickets[1].id, 2);
    assert_eq!(tickets[1].title.as_deref(), Some("t2"));
    assert_eq!(
        tickets[1].user_defined_fields[0].value.as_deref(),
        Some("red")
    );
    assert!(tickets[1].extra.is_empty());
    // What was read is sent back as read, unknown fields included.
    let back = serde_json::to_value(&tickets[0]).unwrap();
    assert_eq!(back["brandNewField"], json!({"nested": [1, 2]}));
}

#[tokio::test]
async fn a_record_that_does_not_fit_is_reported_in_its_place() {
    let mut bad = ticket(2);
    bad["createDate"] = json!("not a date");
    let items = vec![ticket(1), bad, ticket(3)];
    let stub = Stub::start(vec![page(items.clone()), page(items)]).await;
    let client = client_for(&stub);
    let results: Vec<autotask::Result<i64>> = client
        .tickets()
        .query()
        .stream()
        .map(|r| r.map(|t| t.id))
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap(), &1);
    assert_eq!(results[2].as_ref().unwrap(), &3);
    match &results[1] {
        Err(Error::Decode {
            entity,
            path,
            value,
            ..
        }) => {
            assert_eq!(entity, "Tickets");
            assert_eq!(path, "createDate");
            assert_eq!(value, "\"not a date\"");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    // page() fails with the same error.
    match client.tickets().query().page().await {
        Err(Error::Decode { path, .. }) => assert_eq!(path, "createDate"),
        other => panic!("expected Decode, got {other:?}"),
    }
    // A record without its id does not fit either.
    let stub = Stub::start(vec![page(vec![json!({"title": "no id"})])]).await;
    let error = page_error(&stub).await;
    assert!(
        matches!(&error, Error::Decode { message, .. } if message.contains("id")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_garbled_page_is_retried_and_errors_stay_the_apis() {
    let good =
        serde_json::to_string(&json!({"items": [ticket(1)], "pageDetails": {"nextPageUrl": null}}))
            .unwrap();
    let cut = good[..good.len() / 2].to_string();
    let stub = Stub::start(vec![
        Reply::Http(200, vec![], cut),
        Reply::Http(200, vec![], good),
    ])
    .await;
    let client = client_for(&stub);
    let tickets = client.tickets().query().page().await.unwrap().items;
    assert_eq!(tickets[0].id, 1);
    assert_eq!(stub.seen().len(), 2, "the garbled answer was asked again");

    // `{"errors":[...]}` with status 200 is the API's error, whatever else the answer holds.
    let stub = Stub::start(vec![Reply::json(
        200,
        json!({"items": [], "errors": ["Unable to find Tickets: field missingField does not exist"]}),
    )])
    .await;
    let error = page_error(&stub).await;
    assert!(error.to_string().contains("missingField"), "{error}");
    assert!(!matches!(error, Error::Protocol(_)), "{error:?}");
    // An answer without `items` is a protocol error.
    let stub = Stub::start(vec![Reply::json(200, json!({"pageDetails": {}}))]).await;
    let error = page_error(&stub).await;
    assert!(
        matches!(&error, Error::Protocol(m) if m.contains("items")),
        "{error:?}"
    );
}

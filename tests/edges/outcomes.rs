//! Outcomes are reported as they happened: a delete whose answer was lost, answers that are `200` but
//! not a success, creates whose success cannot be read, transient server errors on safe requests.

use crate::stub::{Reply, Stub};
use crate::{client_for, page, ticket};
use autotask::entities::{NewTag, NewTicket, TicketPatch, TicketPriority, TicketStatus};
use autotask::{Error, Where};
use futures::StreamExt;
use serde_json::json;

const NO_MATCH: &str = "No message. No matching records found. The logged in Resource may not have the required permissions to delete the data.";

#[tokio::test]
async fn a_delete_whose_answer_was_lost_and_is_then_not_found_succeeded() {
    for lost in [
        Reply::Drop,
        Reply::Http(502, vec![], "<html>bad gateway</html>".into()),
        Reply::Http(200, vec![], String::new()),
    ] {
        let stub = Stub::start(vec![lost.clone(), Reply::json(500, json!({"errors": [NO_MATCH]}))]).await;
        let client = client_for(&stub);
        client
            .tags()
            .delete(5)
            .await
            .unwrap_or_else(|e| panic!("{lost:?} then not found: {e:?}"));
        let seen = stub.seen();
        assert_eq!(seen.len(), 2, "{lost:?}");
        assert!(seen.iter().all(|s| s.method == "DELETE" && s.target.ends_with("/Tags/5")));
    }
}

#[tokio::test]
async fn a_delete_of_a_missing_record_is_not_found() {
    let stub = Stub::start(vec![Reply::json(500, json!({"errors": [NO_MATCH]}))]).await;
    let client = client_for(&stub);
    let error = client.tags().delete(5).await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(stub.seen().len(), 1);
}

#[tokio::test]
async fn a_200_with_errors_is_an_error_on_every_verb() {
    let errors = || Reply::json(200, json!({"errors": ["Value cannot be null. Parameter name: title"]}));
    let stub = Stub::start((0..8).map(|_| errors()).collect()).await;
    let client = client_for(&stub);
    let get = client.tickets().get(1).await;
    assert!(get.as_ref().is_err_and(Error::is_validation), "{get:?}");
    let delete = client.tags().delete(1).await;
    assert!(delete.as_ref().is_err_and(Error::is_validation), "{delete:?}");
    let mut patch = TicketPatch::new(1);
    patch.title = "t".into();
    let update = client.tickets().update(&patch).await;
    assert!(update.as_ref().is_err_and(Error::is_validation), "{update:?}");
    let create = client.tags().create(&NewTag::new("label")).await;
    assert!(create.as_ref().is_err_and(Error::is_validation), "{create:?}");
    let query = client.tickets().query().page().await;
    assert!(query.as_ref().is_err_and(Error::is_validation), "{query:?}");
    assert_eq!(stub.seen().len(), 5, "validation texts are not retried");
}

#[tokio::test]
async fn an_empty_200_is_an_error_not_a_missing_record() {
    let empty = || Reply::Http(200, vec![], String::new());
    let stub = Stub::start((0..30).map(|_| empty()).collect()).await;
    let client = client_for(&stub);
    let get = client.tickets().get(1).await;
    assert!(get.is_err(), "{get:?}");
    let delete = client.tags().delete(1).await;
    assert!(delete.is_err(), "{delete:?}");
    let mut patch = TicketPatch::new(1);
    patch.title = "t".into();
    let update = client.tickets().update(&patch).await;
    assert!(update.is_err(), "{update:?}");
}

#[tokio::test]
async fn an_empty_200_on_a_read_is_retried() {
    let stub = Stub::start(vec![
        Reply::Http(200, vec![], String::new()),
        Reply::json(200, json!({"item": ticket(3)})),
    ])
    .await;
    let client = client_for(&stub);
    assert_eq!(client.tickets().get(3).await.unwrap().unwrap().id, 3);
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn a_create_whose_success_cannot_be_read_has_an_unknown_outcome() {
    for answer in [
        Reply::json(200, json!({"itemId": "abc"})),
        Reply::json(200, json!({"itemId": 0})),
        Reply::json(200, json!({"itemId": -4})),
        Reply::json(200, json!({"itemId": 1.5})),
        Reply::json(200, json!({})),
        Reply::json(200, json!({"item": {"id": 4}})),
        Reply::Http(200, vec![], String::new()),
        Reply::Http(200, vec![], "<html>ok</html>".into()),
        Reply::Bytes(200, vec![], b"{\"itemId\": 5, \"x\": \"\xff\"}".to_vec()),
    ] {
        let stub = Stub::start(vec![answer.clone()]).await;
        let client = client_for(&stub);
        let new = NewTicket::new(1, TicketPriority::HIGH, TicketStatus::NEW, "created once");
        let error = client.tickets().create(&new).await.unwrap_err();
        assert!(
            matches!(&error, Error::UnknownOutcome { entity, payload, .. }
                if entity == "Tickets" && payload["title"] == "created once"),
            "{answer:?}: {error:?}"
        );
        assert_eq!(stub.seen().len(), 1, "{answer:?}: not repeated");
    }
}

#[tokio::test]
async fn transient_server_errors_on_safe_requests_are_retried() {
    let transient = || Reply::json(500, json!({"errors": ["Simulated fault: internal error"]}));
    let next = "/ATServicesRest/V1.0/Tickets/query/next?paging=2".to_string();
    let stub = Stub::start(vec![
        // get
        transient(),
        Reply::json(200, json!({"item": ticket(1)})),
        // query: first page, then the next page
        transient(),
        Reply::json(200, page([1], Some(next))),
        transient(),
        Reply::json(200, page([2], None)),
        // count
        transient(),
        Reply::json(200, json!({"queryCount": 2})),
        // patch (repeating it is harmless)
        transient(),
        Reply::json(200, json!({"itemId": 1})),
        // a create is not repeated after a server error
        transient(),
    ])
    .await;
    let client = client_for(&stub);
    assert_eq!(client.tickets().get(1).await.unwrap().unwrap().id, 1);
    let ids: Vec<i64> = client
        .tickets()
        .stream_all()
        .map(|t| t.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, [1, 2]);
    assert_eq!(client.tickets().count(autotask::entities::TicketField::Id.gt(0)).await.unwrap(), 2);
    let mut patch = TicketPatch::new(1);
    patch.title = "t".into();
    assert_eq!(client.tickets().update(&patch).await.unwrap(), 1);
    let new = NewTicket::new(1, TicketPriority::HIGH, TicketStatus::NEW, "x");
    // A create answered by a server error may have been processed: it is not repeated.
    let create = client.tickets().create(&new).await.unwrap_err();
    assert!(
        matches!(&create, Error::UnknownOutcome { reason, .. } if reason.contains("Simulated fault")),
        "{create:?}"
    );
    assert_eq!(stub.seen().len(), 11);
}

#[tokio::test]
async fn autotask_validation_texts_are_not_retried() {
    for text in [
        "maxCountOfRecordsToReturn must be between 1 and 500",
        "Unable to find ticketNoteID in the TimeEntryAttachment Entity.",
        "When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID.",
        "Conversion failed when converting varchar 'material' to data type int",
        "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.",
        "Value does not exist for the required field title.",
    ] {
        let stub = Stub::start(vec![
            Reply::json(500, json!({"errors": [text]})),
            Reply::json(200, page([1], None)),
        ])
        .await;
        let client = client_for(&stub);
        let error = client.tickets().query().page().await.unwrap_err();
        assert!(error.is_validation(), "{text}: {error:?}");
        assert_eq!(stub.seen().len(), 1, "{text}: not retried");
    }
}

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
        let stub = Stub::start(vec![
            lost.clone(),
            Reply::json(500, json!({"errors": [NO_MATCH]})),
        ])
        .await;
        let client = client_for(&stub);
        client
            .tags()
            .delete(5)
            .await
            .unwrap_or_else(|e| panic!("{lost:?} then not found: {e:?}"));
        let seen = stub.seen();
        assert_eq!(seen.len(), 2, "{lost:?}");
        assert!(seen
            .iter()
            .all(|s| s.method == "DELETE" && s.target.ends_with("/Tags/5")));
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
    let errors = || {
        Reply::json(
            200,
            json!({"errors": ["Value cannot be null. Parameter name: title"]}),
        )
    };
    let stub = Stub::start((0..8).map(|_| errors()).collect()).await;
    let client = client_for(&stub);
    let get = client.tickets().get(1).await;
    assert!(get.as_ref().is_err_and(Error::is_validation), "{get:?}");
    let delete = client.tags().delete(1).await;
    assert!(
        delete.as_ref().is_err_and(Error::is_validation),
        "{delete:?}"
    );
    let mut patch = TicketPatch::new(1);
    patch.title = "t".into();
    let update = client.tickets().update(&patch).await;
    assert!(
        update.as_ref().is_err_and(Error::is_validation),
        "{update:?}"
    );
    let create = client.tags().create(&NewTag::new("label")).await;
    assert!(
        create.as_ref().is_err_and(Error::is_validation),
        "{create:?}"
    );
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
    assert_eq!(
        client
            .tickets()
            .query()
            .filter(autotask::entities::TicketField::Id.gt(0))
            .count()
            .await
            .unwrap(),
        2
    );
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

#[tokio::test]
async fn an_interrupted_stream_says_how_far_it_got_and_resumes_after_its_last_id() {
    let next = |n: i64| {
        Some(format!(
            "/ATServicesRest/V1.0/Tickets/query/next?paging={n}"
        ))
    };
    let stub = Stub::start(vec![
        Reply::json(200, page([1, 2], next(2))),
        Reply::json(200, page([3, 4], next(4))),
        Reply::json(
            500,
            json!({"errors": ["Unable to find foo in the Tickets Entity."]}),
        ),
        // The resumed query.
        Reply::json(200, page([5, 6], None)),
    ])
    .await;
    let client = client_for(&stub);
    let query = client
        .tickets()
        .query()
        .filter(autotask::entities::TicketField::Status.eq(1));
    let results: Vec<_> = query.stream().collect().await;
    let ids: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|t| t.id))
        .collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    let Some(Err(Error::StreamInterrupted {
        delivered,
        resume,
        source,
        ..
    })) = results.last()
    else {
        panic!("{:?}", results.last());
    };
    assert_eq!(*delivered, 4);
    assert_eq!(resume.after_id, Some(4));
    assert!(source.is_validation(), "{source:?}");
    let shown = results.last().unwrap().as_ref().unwrap_err().to_string();
    assert!(
        shown.contains("after 4 records") && shown.contains("last id 4"),
        "{shown}"
    );
    let rest: Vec<i64> = query
        .resume_from(*resume)
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(rest, [5, 6]);
    let resumed_body = stub.seen()[3].json();
    assert_eq!(
        resumed_body["filter"],
        json!([{"op": "eq", "field": "status", "value": 1}, {"op": "gt", "field": "id", "value": 4}])
    );
}

/// The dynamic API's query (JSON records) says how far it got and resumes the same way, by the `id`
/// of its last record.
#[tokio::test]
async fn an_interrupted_dynamic_stream_resumes_after_its_last_id() {
    let stub = Stub::start(vec![
        Reply::json(
            200,
            page(
                [1, 2],
                Some("/ATServicesRest/V1.0/Tickets/query/next?paging=2".into()),
            ),
        ),
        Reply::json(
            500,
            json!({"errors": ["Unable to find foo in the Tickets Entity."]}),
        ),
        // The resumed query.
        Reply::json(200, page([3], None)),
    ])
    .await;
    let client = client_for(&stub);
    let query = client
        .entities()
        .get_entity("Tickets")
        .unwrap()
        .query()
        .filter(autotask::Filter::condition("status", autotask::Op::Eq, 1));
    let results: Vec<_> = query.stream().collect().await;
    let ids: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().and_then(|t| t["id"].as_i64()))
        .collect();
    assert_eq!(ids, [1, 2]);
    let Some(Err(Error::StreamInterrupted {
        delivered, resume, ..
    })) = results.last()
    else {
        panic!("{:?}", results.last());
    };
    assert_eq!((*delivered, resume.after_id), (2, Some(2)));
    let rest: Vec<i64> = query
        .resume_from(*resume)
        .all()
        .await
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(rest, [3]);
    assert_eq!(
        stub.seen()[2].json()["filter"],
        json!([{"op": "eq", "field": "status", "value": 1}, {"op": "gt", "field": "id", "value": 2}])
    );
}

#[tokio::test]
async fn a_split_query_resumes_in_the_part_it_stopped_in() {
    use autotask::entities::TicketField;
    // A long `in` list is sent as three queries; the second fails after one page.
    let stub = Stub::scripted(|_, n| match n {
        0 => Reply::json(200, page([10, 20], None)),
        1 => Reply::json(
            200,
            page(
                [5],
                Some("/ATServicesRest/V1.0/Tickets/query/next?paging=5".into()),
            ),
        ),
        2 => Reply::json(
            500,
            json!({"errors": ["Unable to find foo in the Tickets Entity."]}),
        ),
        _ => Reply::json(200, page([], None)),
    })
    .await;
    let client = client_for(&stub);
    let query = client
        .tickets()
        .query()
        .filter(TicketField::CompanyId.in_list(0..1200));
    let results: Vec<_> = query.stream().collect().await;
    let Some(Err(Error::StreamInterrupted {
        delivered, resume, ..
    })) = results.last()
    else {
        panic!("{:?}", results.last());
    };
    assert_eq!((*delivered, resume.part, resume.after_id), (3, 1, Some(5)));
    let resumed: Vec<_> = query.resume_from(*resume).stream().collect().await;
    assert!(resumed.iter().all(Result::is_ok), "{resumed:?}");
    let seen = stub.seen();
    // Part 0 is not asked again; part 1 from after id 5, then part 2 whole.
    assert_eq!(seen.len(), 5);
    assert_eq!(
        seen[3].json()["filter"][1],
        json!({"op": "gt", "field": "id", "value": 5})
    );
    assert_eq!(seen[4].json()["filter"].as_array().unwrap().len(), 1);
}

#[cfg(feature = "service_desk")]
#[tokio::test]
async fn replace_sends_the_whole_record_read_for_it_and_keeps_unknown_fields() {
    let mut full = ticket(5);
    full["description"] = json!("kept as read");
    full["futureField"] = json!("a field this SDK does not know");
    full["ticketNumber"] = json!("T20240101.0001"); // read-only: not sent
    let stub = Stub::start(vec![
        Reply::json(200, json!({"item": full})),
        Reply::json(200, json!({"itemId": 5})),
    ])
    .await;
    let client = client_for(&stub);
    let mut record = client.tickets().read_for_replace(5).await.unwrap().unwrap();
    record.title = Some("changed".into());
    assert_eq!(client.tickets().replace(&record).await.unwrap(), 5);
    let seen = stub.seen();
    assert_eq!(seen[0].target, "/ATServicesRest/V1.0/Tickets/5");
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path()),
        ("PUT", "/ATServicesRest/V1.0/Tickets")
    );
    let body = seen[1].json();
    assert_eq!(body["title"], "changed");
    assert_eq!(body["description"], "kept as read");
    assert_eq!(body["futureField"], "a field this SDK does not know");
    assert!(body.get("ticketNumber").is_none(), "{body}");
}

#[cfg(feature = "service_desk")]
#[tokio::test]
async fn replace_reads_fresh_even_with_the_record_cache_on() {
    let stub = Stub::start(vec![
        Reply::json(200, json!({"item": ticket(5)})),
        Reply::json(200, json!({"item": ticket(5)})),
    ])
    .await;
    let client = crate::builder_for(&stub)
        .cache(std::time::Duration::from_secs(600), 10)
        .build()
        .unwrap();
    client.tickets().get(5).await.unwrap();
    client.tickets().read_for_replace(5).await.unwrap();
    assert_eq!(
        stub.seen().len(),
        2,
        "the cached copy may be older than another writer's change"
    );
}

#[tokio::test]
async fn a_partial_record_is_refused_by_the_dynamic_replace() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    let tickets = client.entities().get_entity("Tickets").unwrap();
    let partial = json!({"id": 5, "title": "only the title was read"});
    let error = tickets.replace(&partial).await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("lacks") && m.contains("writable")),
        "{error:?}"
    );
    assert!(stub.seen().is_empty(), "nothing was sent");
}

#[cfg(feature = "service_desk")]
#[tokio::test]
async fn a_lost_answer_on_each_verb_is_retried_when_safe_and_reported_when_not() {
    let lost_then = |answer: Reply| async move { Stub::start(vec![Reply::Drop, answer]).await };
    // GET
    let stub = lost_then(Reply::json(200, json!({"item": ticket(1)}))).await;
    assert_eq!(
        client_for(&stub)
            .tickets()
            .get(1)
            .await
            .unwrap()
            .unwrap()
            .id,
        1
    );
    assert_eq!(stub.seen().len(), 2);
    // POST query
    let stub = lost_then(Reply::json(200, page([1], None))).await;
    assert_eq!(
        client_for(&stub)
            .tickets()
            .query()
            .page()
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(stub.seen().len(), 2);
    // PATCH
    let stub = lost_then(Reply::json(200, json!({"itemId": 1}))).await;
    let mut patch = TicketPatch::new(1);
    patch.title = "t".into();
    assert_eq!(client_for(&stub).tickets().update(&patch).await.unwrap(), 1);
    assert_eq!(stub.seen().len(), 2);
    // PUT
    let stub = Stub::start(vec![
        Reply::json(200, json!({"item": ticket(1)})),
        Reply::Drop,
        Reply::json(200, json!({"itemId": 1})),
    ])
    .await;
    let client = client_for(&stub);
    let record = client.tickets().read_for_replace(1).await.unwrap().unwrap();
    assert_eq!(client.tickets().replace(&record).await.unwrap(), 1);
    assert_eq!(stub.seen().iter().filter(|s| s.method == "PUT").count(), 2);
    // DELETE: the retry finds the record gone, so the delete was done.
    let stub = lost_then(Reply::json(500, json!({"errors": [NO_MATCH]}))).await;
    client_for(&stub).tags().delete(3).await.unwrap();
    assert_eq!(stub.seen().len(), 2);
    // POST create: reported, never repeated.
    let stub = lost_then(Reply::json(200, json!({"itemId": 9}))).await;
    let error = client_for(&stub)
        .tags()
        .create(&NewTag::new("once"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UnknownOutcome { .. }), "{error:?}");
    assert_eq!(stub.seen().len(), 1);
}

//! The client against the in-process simulator: complete paging, CRUD on root and parent paths,
//! PATCH bodies, lost responses, retries and server-side validation errors.

use autotask::entities::{
    NewTicket, NewTicketNote, TicketField, TicketPatch, TicketPriority, TicketStatus,
};
use autotask::{Error, Op, Where};

#[path = "support/sim.rs"]
mod sim_support;
use autotask_sim::{FaultKind, FaultRule, RunningSimulator, Seed, SeedSize};
use futures::TryStreamExt;
use serde_json::json;
use sim_support::start;
use std::time::{Duration, Instant};

fn insert_tickets(sim: &RunningSimulator, n: usize) {
    for i in 0..n {
        sim.insert(
            "Tickets",
            json!({"companyID": 0, "title": format!("ticket {i}"), "status": 1, "priority": 2}),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn paging_through_2501_records_returns_all_in_id_order() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 2501);
    sim.clear_requests();
    let tickets = client.tickets().query().all().await.unwrap();
    assert_eq!(tickets.len(), 2501);
    assert!(
        tickets.windows(2).all(|w| w[0].id < w[1].id),
        "ascending id order"
    );
    let requests = sim.requests();
    assert_eq!(requests.len(), 6, "500 per page: 1 query + 5 next pages");
    assert!(requests
        .iter()
        .all(|r| r.method == "POST" && r.status == 200));
    assert!(requests[1].path.contains("/Tickets/query/next?paging="));
}

#[tokio::test]
async fn max_total_records_stops_fetching_early() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 1200);
    sim.clear_requests();
    let first = client
        .tickets()
        .query()
        .max_total_records(700)
        .all()
        .await
        .unwrap();
    assert_eq!(first.len(), 700);
    assert_eq!(
        sim.requests().len(),
        2,
        "two pages are enough for 700 records"
    );
    let count = client
        .tickets()
        .query()
        .filter(TicketField::Title.begins_with("ticket 1"))
        .count()
        .await
        .unwrap();
    assert_eq!(count, 1 + 10 + 100 + 200, "ticket 1, 1x, 1xx, 1xxx");
}

#[tokio::test]
async fn long_in_lists_are_split_and_merged_without_duplicates() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 1300);
    let ids: Vec<i64> = sim
        .records("Tickets")
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let wanted: Vec<i64> = ids
        .iter()
        .copied()
        .step_by(1)
        .take(1100)
        .chain(ids.iter().copied().take(5))
        .collect();
    let found = client
        .tickets()
        .query()
        .filter(TicketField::Id.in_list(wanted.clone()))
        .all()
        .await
        .unwrap();
    assert_eq!(found.len(), 1100);
    let count = client
        .tickets()
        .query()
        .filter(TicketField::Id.in_list(wanted))
        .count()
        .await
        .unwrap();
    assert_eq!(count, 1100);
}

#[tokio::test]
async fn crud_on_root_and_parent_paths() {
    let (sim, client) = start(Seed::Demo(SeedSize::with_tickets(3))).await;
    let id = client
        .tickets()
        .create(&NewTicket::new(
            0,
            TicketPriority::MEDIUM,
            TicketStatus::NEW,
            "From the SDK",
        ))
        .await
        .unwrap();
    let ticket = client.tickets().get(id).await.unwrap().unwrap();
    assert_eq!(ticket.title.as_deref(), Some("From the SDK"));
    assert_eq!(ticket.status, Some(TicketStatus::NEW));

    sim.clear_requests();
    let mut patch = TicketPatch::new(id);
    patch.title = "Renamed".into();
    client.tickets().update(&patch).await.unwrap();
    let logged = &sim.requests()[0];
    assert_eq!(logged.method, "PATCH");
    assert!(logged.path.ends_with("/V1.0/Tickets"), "{}", logged.path);
    assert_eq!(
        logged.body.as_ref().unwrap(),
        &json!({"id": id, "title": "Renamed"})
    );
    let after = client.tickets().get(id).await.unwrap().unwrap();
    assert_eq!(after.title.as_deref(), Some("Renamed"));
    assert_eq!(
        after.priority, ticket.priority,
        "fields not sent are unchanged"
    );

    let mut note = NewTicketNote::new(id, "Called the customer", 1, 1);
    note.title = Some("Call".into());
    let note_id = client.tickets().notes(id).create(&note).await.unwrap();
    let notes = client.tickets().notes(id).list().await.unwrap();
    assert!(notes.iter().any(|n| n.id == note_id));
    assert_eq!(
        client
            .ticket_notes()
            .get(note_id)
            .await
            .unwrap()
            .unwrap()
            .ticket_id,
        Some(id)
    );

    assert!(client.tickets().get(999_999).await.unwrap().is_none());
}

#[tokio::test]
async fn lost_create_response_is_reported_and_not_duplicated() {
    let (sim, client) = start(Seed::None).await;
    sim.add_fault(
        FaultRule::new(FaultKind::ResponseLost)
            .method("POST")
            .path_contains("/V1.0/Tickets")
            .next(1),
    );
    let error = client
        .tickets()
        .create(&NewTicket::new(
            0,
            TicketPriority::LOW,
            TicketStatus::NEW,
            "once",
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UnknownOutcome { .. }), "{error:?}");
    assert_eq!(sim.count("Tickets"), 1, "processed once, not re-sent");
    let posts = sim.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn retries_respect_retry_after_and_server_errors_are_mapped() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 1);
    sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 1,
        })
        .path_contains("/Tickets/query")
        .next(1),
    );
    let started = Instant::now();
    assert_eq!(client.tickets().query().all().await.unwrap().len(), 1);
    assert!(started.elapsed() >= Duration::from_millis(950));

    let bad = client.entities().get_entity("Tickets").unwrap();
    let error = bad
        .create(&json!({"title": "no company"}))
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    assert!(!error.messages().is_empty());
    let missing = client
        .entities()
        .get_entity("ActionTypes")
        .unwrap()
        .delete(424242)
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
}

#[tokio::test]
async fn filters_run_on_the_server_as_typed() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 30);
    let some = client
        .tickets()
        .query()
        .filter(autotask::Filter::or([
            TicketField::Title.eq("ticket 3"),
            TicketField::Title.ends_with("7"),
        ]))
        .include_fields([TicketField::Title])
        .all()
        .await
        .unwrap();
    let titles: Vec<_> = some.iter().map(|t| t.title.clone().unwrap()).collect();
    assert_eq!(titles, ["ticket 3", "ticket 7", "ticket 17", "ticket 27"]);
    assert!(
        some.iter().all(|t| t.status.is_none()),
        "only included fields come back"
    );

    let sorted = client
        .tickets()
        .query_builder()
        .where_(TicketField::Title, Op::BeginsWith, "ticket 2")
        .order_by(TicketField::Id, autotask::query::Direction::Desc)
        .limit(3)
        .execute()
        .await
        .unwrap();
    assert_eq!(sorted.len(), 3);
    assert!(sorted[0].id > sorted[1].id && sorted[1].id > sorted[2].id);

    let streamed: Vec<_> = client.tickets().stream_all().try_collect().await.unwrap();
    assert_eq!(streamed.len(), 30);
}

#[tokio::test]
async fn the_dynamic_api_queries_and_counts_with_the_typed_builder_shape() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 30);
    sim.insert(
        "Tickets",
        json!({"companyID": 0, "title": "done", "status": 5, "priority": 2}),
    )
    .unwrap();
    let typed = client
        .tickets()
        .query()
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE));
    let tickets = client.entities().get_entity("tickets").unwrap();
    let dynamic = tickets
        .query()
        .filter(tickets.field("STATUS").unwrap().noteq(5));
    assert_eq!(typed.count().await.unwrap(), 30);
    assert_eq!(dynamic.count().await.unwrap(), 30);
    let records = dynamic
        .clone()
        .include_fields(["title"])
        .max_total_records(3)
        .all()
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["title"], "ticket 0");
    assert_eq!(dynamic.page().await.unwrap().items.len(), 30);

    // Names are checked against the metadata before anything is sent.
    sim.clear_requests();
    let unknown = tickets.field("colour").unwrap_err();
    assert!(
        unknown
            .to_string()
            .contains("Tickets has no field \"colour\""),
        "{unknown}"
    );
    let wrong_kind = tickets
        .query()
        .filter(
            tickets
                .field("priority")
                .unwrap()
                .eq(TicketStatus::COMPLETE),
        )
        .count()
        .await
        .unwrap_err();
    assert!(wrong_kind.is_validation(), "{wrong_kind:?}");
    let child_only = client.entities().get_entity("TicketNotes").unwrap();
    assert!(
        child_only.query().count().await.is_ok(),
        "TicketNotes has a root query"
    );
    let not_queryable = client
        .entities()
        .get_entity("TicketChecklistLibraries")
        .unwrap()
        .query()
        .count()
        .await
        .unwrap_err();
    assert!(
        not_queryable.to_string().contains("cannot be counted"),
        "{not_queryable}"
    );
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.path.contains("TicketNotes")),
        "only the TicketNotes count was sent"
    );
}

#[tokio::test]
async fn child_helpers_are_reachable_from_the_parent_handle() {
    use autotask::prelude::*;
    let (sim, client) = start(Seed::None).await;
    let ticket = client
        .tickets()
        .create_ticket(0, "Printer", "Third floor")
        .send()
        .await
        .unwrap();
    sim.clear_requests();
    let notes = client.tickets().notes(ticket.id);
    let note = notes
        .create_ticket_note("Called the customer", 1)
        .title("Call")
        .send()
        .await
        .unwrap();
    assert_eq!(note.ticket_id, Some(ticket.id));
    assert_eq!(notes.list().await.unwrap().len(), 1);
    let attachments = client.tickets().attachments(ticket.id);
    let uploaded = attachments
        .upload_attachment_bytes("log.txt", b"hello".to_vec())
        .send()
        .await
        .unwrap();
    let file = attachments
        .download_attachment(uploaded.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(file.bytes, b"hello");
    let paths: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.method,
                r.path.trim_start_matches("/ATServicesRest/V1.0/")
            )
        })
        .collect();
    assert_eq!(
        paths[0],
        format!("POST Tickets/{}/Notes", ticket.id),
        "{paths:?}"
    );
}

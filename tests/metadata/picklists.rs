//! Picklist labels ↔ values from `entityInformation/fields`: exact matches, dependent picklists,
//! errors that list candidates, caching and refresh.

use crate::sim_support::{start, start_with};
use crate::{insert_ticket, sent};
use autotask::entities::{Ticket, TicketField};
use autotask::Error;
use autotask_sim::{PicklistValue, Seed, Simulator};

fn fields_request() -> (String, String) {
    ("GET".into(), "Tickets/entityInformation/fields".into())
}

fn invalid_input(err: Error) -> String {
    match err {
        Error::InvalidInput(message) => message,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn labels_and_values_both_ways_with_one_request_per_entity() {
    let (sim, client) = start(Seed::None).await;
    let status = client.picklists().field("Tickets", "status").await.unwrap();
    assert_eq!(status.entity(), "Tickets");
    assert_eq!(status.field(), "status");
    assert_eq!(status.value_of("Complete").unwrap().as_i64(), Some(5));
    assert_eq!(status.label_of(8).unwrap(), "In Progress");
    assert_eq!(status.label_of("1").unwrap(), "New");
    assert_eq!(status.default_value().unwrap().label, "New");
    let new = status.entry(1).unwrap();
    assert!(new.is_active && new.is_system && new.parent_value.is_none());

    // A second lookup, of the same or another picklist of the entity, is answered from the cache.
    let priority = client
        .picklists()
        .field("TICKETS", "Priority")
        .await
        .unwrap();
    assert_eq!(priority.value_of("Critical").unwrap().value, "4");
    client.picklists().field("Tickets", "status").await.unwrap();
    assert_eq!(sent(&sim), [fields_request()]);
}

#[tokio::test]
async fn typed_field_names_work_too() {
    let (_sim, client) = start(Seed::None).await;
    let issue = client
        .picklists()
        .of::<Ticket>(TicketField::IssueType)
        .await
        .unwrap();
    assert_eq!(issue.value_of("Network").unwrap().as_i64(), Some(6));
}

#[tokio::test]
async fn dependent_picklists_give_the_children_of_a_parent_value() {
    let (_sim, client) = start(Seed::None).await;
    let sub = client
        .picklists()
        .field("Tickets", "subIssueType")
        .await
        .unwrap();
    assert!(sub
        .parent_field()
        .is_some_and(|p| p.eq_ignore_ascii_case("issueType")));
    let hardware = sub.children_of(4).unwrap();
    let labels: Vec<&str> = hardware
        .entries()
        .iter()
        .map(|v| v.label.as_str())
        .collect();
    assert_eq!(labels, ["Printer", "Workstation", "Server"]);
    assert_eq!(hardware.value_of("Printer").unwrap().as_i64(), Some(101));
    assert_eq!(
        (hardware.field(), hardware.narrowed_to()),
        ("subIssueType", Some("4"))
    );
    let malware = hardware.value_of("Malware").unwrap_err().to_string();
    assert!(
        malware.contains("under issueType 4") || malware.contains("under IssueType 4"),
        "Malware is a Security sub-issue: {malware}"
    );
    assert!(sub.children_of(99).unwrap().entries().is_empty());

    let status = client.picklists().field("Tickets", "status").await.unwrap();
    let err = invalid_input(status.children_of(1).unwrap_err());
    assert!(err.contains("not a dependent picklist"), "{err}");
}

#[tokio::test]
async fn unknown_and_ambiguous_labels_list_the_candidates_and_inactive_values_are_flagged() {
    let mut retired = PicklistValue::new(31, "Retired queue");
    retired.is_active = false;
    let (_sim, client) = start_with(Simulator::builder().picklist(
        "Tickets",
        "queueID",
        vec![
            PicklistValue::new(10, "Support"),
            PicklistValue::new(11, "Support"),
            PicklistValue::new(20, "Billing"),
            retired,
        ],
    ))
    .await;
    let queues = client
        .picklists()
        .field("Tickets", "queueID")
        .await
        .unwrap();

    let ambiguous = invalid_input(queues.value_of("Support").unwrap_err());
    assert!(
        ambiguous.contains("ambiguous") && ambiguous.contains("10") && ambiguous.contains("11"),
        "{ambiguous}"
    );
    let unknown = invalid_input(queues.value_of("billing").unwrap_err());
    assert!(
        unknown.contains("did you mean \"Billing\"") && unknown.contains("Retired queue"),
        "exact match only, with the candidates: {unknown}"
    );
    let unknown_value = invalid_input(queues.label_of(99).unwrap_err());
    assert!(
        unknown_value.contains("20 (\"Billing\")"),
        "{unknown_value}"
    );

    let inactive = queues.value_of("Retired queue").unwrap();
    assert_eq!(inactive.as_i64(), Some(31));
    assert!(!inactive.is_active, "found, and flagged inactive");
    assert_eq!(queues.entries().len(), 4, "inactive values are not hidden");
}

#[tokio::test]
async fn bad_entity_and_field_names_are_clear_errors() {
    let (sim, client) = start(Seed::None).await;
    let entity = invalid_input(
        client
            .picklists()
            .field("Tikets", "status")
            .await
            .unwrap_err(),
    );
    assert!(entity.contains("Tikets"), "{entity}");
    assert!(sent(&sim).is_empty(), "an unknown entity sends nothing");

    let field = invalid_input(
        client
            .picklists()
            .field("Tickets", "colour")
            .await
            .unwrap_err(),
    );
    assert!(field.contains("no field \"colour\""), "{field}");
    let not_picklist = invalid_input(
        client
            .picklists()
            .field("Tickets", "title")
            .await
            .unwrap_err(),
    );
    assert!(
        not_picklist.contains("not a picklist") && not_picklist.contains("status"),
        "lists the picklist fields: {not_picklist}"
    );
}

#[tokio::test]
async fn refresh_fetches_again_even_when_cached() {
    let (sim, client) = start(Seed::None).await;
    client.picklists().field("Tickets", "status").await.unwrap();
    client.picklists().refresh("Tickets").await.unwrap();
    client.picklists().field("Tickets", "status").await.unwrap();
    assert_eq!(sent(&sim), [fields_request(), fields_request()]);
}

#[tokio::test]
async fn query_results_can_be_labelled() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "labelled");
    let record = client
        .entities()
        .get_entity("Tickets")
        .unwrap()
        .get(id)
        .await
        .unwrap()
        .unwrap();
    let labels = client.picklists().labels("Tickets", &record).await.unwrap();
    assert_eq!(labels["status"].as_deref(), Some("New"));
    assert_eq!(labels["priority"].as_deref(), Some("Medium"));
    assert!(
        !labels.contains_key("issueType"),
        "unset picklists are left out"
    );

    let all = client.picklists().all("Tickets").await.unwrap();
    assert!(all.iter().any(|p| p.field() == "subIssueType"));
    let fields_requests = sent(&sim)
        .iter()
        .filter(|r| r.1.ends_with("entityInformation/fields"))
        .count();
    assert_eq!(fields_requests, 1);
}

#[tokio::test]
async fn labels_give_typed_values_and_a_records_value_gives_its_label_in_one_call() {
    use autotask::entities::{TicketPriority, TicketQueue, TicketStatus};
    let (sim, client) = start_with(Simulator::builder().picklist(
        "Tickets",
        "queueID",
        vec![
            PicklistValue::new(10, "Support"),
            PicklistValue::new(11, "SUPPORT"),
            PicklistValue::new(20, "Billing"),
        ],
    ))
    .await;
    let statuses = client
        .picklists()
        .of::<Ticket>(TicketField::Status)
        .await
        .unwrap();
    let waiting: TicketStatus = statuses.get("Waiting Customer").unwrap();
    assert_eq!(waiting, TicketStatus::from(7));
    // Exact first, then the one label that matches ignoring case and spaces.
    assert_eq!(
        statuses.get::<TicketStatus>("  waiting customer ").unwrap(),
        waiting
    );
    let queues = client.picklists().for_type::<TicketQueue>().await.unwrap();
    assert_eq!(
        queues.get::<TicketQueue>("Support").unwrap(),
        TicketQueue(10)
    );
    assert_eq!(
        queues.get::<TicketQueue>("billing").unwrap(),
        TicketQueue(20)
    );
    let ambiguous = invalid_input(queues.resolve("support").unwrap_err());
    assert!(
        ambiguous.contains("10") && ambiguous.contains("11"),
        "{ambiguous}"
    );
    // The newtype of another field is refused, naming both.
    let wrong = invalid_input(statuses.get::<TicketPriority>("Complete").unwrap_err());
    assert!(
        wrong.contains("Tickets.priority") && wrong.contains("Tickets.status"),
        "{wrong}"
    );

    let id = insert_ticket(&sim, "labelled");
    let ticket = client.tickets().get(id).await.unwrap().unwrap();
    assert_eq!(
        client.picklists().label(ticket.status).await.unwrap(),
        Some("New".to_string())
    );
    assert_eq!(
        client
            .picklists()
            .label(TicketStatus::COMPLETE)
            .await
            .unwrap(),
        Some("Complete".to_string())
    );
    assert_eq!(
        client.picklists().label(ticket.queue_id).await.unwrap(),
        None,
        "no value, no label"
    );
    let fields = sent(&sim)
        .iter()
        .filter(|r| **r == fields_request())
        .count();
    assert_eq!(fields, 1, "one fields request for every Tickets picklist");
}

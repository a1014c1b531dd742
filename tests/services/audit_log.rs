//! `client.audit_log()`: TicketHistory and the deletion logs, merged with the write journal.

use crate::sim_support::start;
use autotask::services::{AuditSource, AuditTrail};
use autotask::{DateTime, Error};
use autotask_sim::{FaultKind, FaultRule, RunningSimulator, Seed};
use chrono::{Duration, Utc};
use serde_json::json;

fn at(when: DateTime) -> String {
    autotask::model::wire::datetime::format(&when)
}

/// History of ticket 100 and task 200 by resources 4 and 5; one entry of each kind is old.
fn seed(sim: &RunningSimulator) {
    let now = Utc::now();
    let hours = |h: i64| at(now - Duration::hours(h));
    for (ticket, resource, action, when) in [
        (100, 4, "Status changed", 1),
        (100, 5, "Note added", 3),
        (101, 4, "Created", 90),
    ] {
        sim.insert(
            "TicketHistory",
            json!({"ticketID": ticket, "resourceID": resource, "action": action, "detail": "New -> In Progress", "date": hours(when)}),
        )
        .unwrap();
    }
    sim.insert(
        "DeletedTicketLogs",
        json!({"ticketID": 102, "ticketNumber": "T2024.0102", "ticketTitle": "dup", "deletedByResourceID": 4, "deletedDateTime": hours(2)}),
    )
    .unwrap();
    sim.insert(
        "DeletedTicketActivityLogs",
        json!({"ticketID": 100, "ticketNumber": "T2024.0100", "noteOrAttachmentTitle": "old note", "deletedByResourceID": 5, "deletedDateTime": hours(5), "typeID": 1}),
    )
    .unwrap();
    sim.insert(
        "DeletedTaskActivityLogs",
        json!({"taskID": 200, "taskNumber": "T20240001", "noteOrAttachmentTitle": "time entry", "deletedByResourceID": 4, "deletedDateTime": hours(100), "typeID": 1}),
    )
    .unwrap();
}

fn paths(sim: &RunningSimulator) -> Vec<String> {
    sim.requests().into_iter().map(|r| r.path).collect()
}

#[tokio::test]
async fn recent_activity_merges_history_deletions_and_journal_newest_first() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    let id = client
        .impersonating(4)
        .entities()
        .get_entity("Companies")
        .unwrap()
        .create(&json!({"companyName": "Acme", "companyType": 1, "isActive": true, "ownerResourceID": 4, "phone": "555"}))
        .await
        .unwrap();
    sim.clear_requests();
    let AuditTrail { events, skipped } = client.audit_log().get_recent_activity(24).await.unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let seen: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.source,
                e.entity.as_str(),
                e.entity_id,
                e.resource_id,
                e.action.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (AuditSource::Journal, "Companies", Some(id), Some(4), "POST"),
            (
                AuditSource::TicketHistory,
                "Tickets",
                Some(100),
                Some(4),
                "Status changed"
            ),
            (
                AuditSource::DeletedTicketLog,
                "Tickets",
                Some(102),
                Some(4),
                "deleted ticket"
            ),
            (
                AuditSource::TicketHistory,
                "Tickets",
                Some(100),
                Some(5),
                "Note added"
            ),
            (
                AuditSource::DeletedTicketActivityLog,
                "Tickets",
                Some(100),
                Some(5),
                "deleted ticket activity"
            ),
        ]
    );
    assert_eq!(events[2].detail, "T2024.0102 dup");
    let requests = sim.requests();
    assert_eq!(
        paths(&sim),
        [
            "/ATServicesRest/V1.0/TicketHistory/query",
            "/ATServicesRest/V1.0/DeletedTicketLogs/query",
            "/ATServicesRest/V1.0/DeletedTicketActivityLogs/query",
            "/ATServicesRest/V1.0/DeletedTaskActivityLogs/query",
        ]
    );
    let filter = &requests[0].body.as_ref().unwrap()["filter"][0];
    assert_eq!(
        (filter["field"].as_str(), filter["op"].as_str()),
        (Some("date"), Some("gte"))
    );
    let filter = &requests[3].body.as_ref().unwrap()["filter"][0];
    assert_eq!(filter["field"], "deletedDateTime");
}

#[tokio::test]
async fn by_user_and_by_entity_query_the_right_fields() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    sim.clear_requests();
    let audit = client.audit_log();
    let AuditTrail {
        events: by_user,
        skipped,
    } = audit.get_by_user(4).await.unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(by_user.len(), 4, "{by_user:?}");
    assert!(by_user.iter().all(|e| e.resource_id == Some(4)));
    assert_eq!(
        by_user.last().unwrap().source,
        AuditSource::DeletedTaskActivityLog
    );
    let fields: Vec<_> = sim
        .requests()
        .iter()
        .map(|r| {
            r.body.as_ref().unwrap()["filter"][0]["field"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        fields,
        [
            "resourceID",
            "deletedByResourceID",
            "deletedByResourceID",
            "deletedByResourceID"
        ]
    );

    sim.clear_requests();
    let ticket = audit.get_by_entity("Ticket", 100).await.unwrap().events;
    assert_eq!(ticket.len(), 3);
    assert!(ticket
        .iter()
        .all(|e| e.entity_id == Some(100) && e.entity == "Tickets"));
    assert_eq!(
        paths(&sim).len(),
        3,
        "TicketHistory and the two ticket deletion logs"
    );
    sim.clear_requests();
    let task = audit.get_by_entity("Tasks", 200).await.unwrap().events;
    assert_eq!(
        (task.len(), task[0].detail.as_str()),
        (1, "T20240001 time entry")
    );
    assert_eq!(
        paths(&sim),
        ["/ATServicesRest/V1.0/DeletedTaskActivityLogs/query"]
    );

    // No history collection for other entities: only the journal answers, without a request.
    sim.clear_requests();
    let company = client
        .entities()
        .get_entity("Companies")
        .unwrap()
        .update(&json!({"id": 1, "companyName": "x"}))
        .await;
    assert!(company.is_err(), "no company 1 in an empty simulator");
    sim.clear_requests();
    let AuditTrail { events, skipped } = audit.get_by_entity("Companies", 1).await.unwrap();
    assert!(skipped.is_empty());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].source, AuditSource::Journal);
    assert!(
        events[0].detail.starts_with("failed: "),
        "{}",
        events[0].detail
    );
    assert!(sim.requests().is_empty());
    let unknown = audit.get_by_entity("Spaceships", 1).await.unwrap_err();
    assert!(matches!(unknown, Error::InvalidInput(_)));
}

#[tokio::test]
async fn a_failing_source_is_reported_and_the_others_still_come_back() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    let id = client
        .entities()
        .get_entity("Companies")
        .unwrap()
        .create(&json!({"companyName": "Acme", "companyType": 1, "isActive": true, "ownerResourceID": 4, "phone": "555"}))
        .await
        .unwrap();
    // The API refusing (here: failing) every TicketHistory query, retries included.
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .method("POST")
            .path_contains("/TicketHistory/query"),
    );
    sim.clear_requests();
    let AuditTrail { events, skipped } = client.audit_log().get_recent_activity(24).await.unwrap();
    let seen: Vec<_> = events.iter().map(|e| (e.source, e.entity_id)).collect();
    assert_eq!(
        seen,
        [
            (AuditSource::Journal, Some(id)),
            (AuditSource::DeletedTicketLog, Some(102)),
            (AuditSource::DeletedTicketActivityLog, Some(100)),
        ]
    );
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, AuditSource::TicketHistory);
    assert!(
        !matches!(skipped[0].1, Error::InvalidInput(_)),
        "{:?}",
        skipped[0].1
    );
    // Every source was still asked after the failure.
    let asked = paths(&sim);
    for collection in [
        "DeletedTicketLogs",
        "DeletedTicketActivityLogs",
        "DeletedTaskActivityLogs",
    ] {
        assert!(
            asked.contains(&format!("/ATServicesRest/V1.0/{collection}/query")),
            "{asked:?}"
        );
    }
    assert!(asked
        .iter()
        .any(|p| p == "/ATServicesRest/V1.0/TicketHistory/query"));

    // Same for the other methods: the history of ticket 100 without TicketHistory.
    let AuditTrail {
        events: ticket,
        skipped,
    } = client
        .audit_log()
        .get_by_entity("Tickets", 100)
        .await
        .unwrap();
    assert_eq!(
        ticket.iter().map(|e| e.source).collect::<Vec<_>>(),
        [AuditSource::DeletedTicketActivityLog]
    );
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0, AuditSource::TicketHistory);
}

#[tokio::test]
async fn an_unrepresentable_window_is_refused_without_a_request() {
    let (sim, client) = start(Seed::None).await;
    sim.clear_requests();
    let refused = client
        .audit_log()
        .get_recent_activity(u32::MAX)
        .await
        .unwrap_err();
    match &refused {
        Error::InvalidInput(message) => assert!(message.contains("4294967295 hours"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(sim.requests().is_empty());
}

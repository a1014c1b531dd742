//! Tickets, TicketNotes, TicketAttachments and TicketHistory helpers.

use crate::sim_support::start;
use crate::{bodies, calls, days_from_now};
use autotask::entities::{TicketNotePublish, TicketPriority, TicketStatus};
use autotask::helpers::prelude::*;
use autotask::helpers::tickets::MAX_ATTACHMENT_BYTES;
use autotask::Error;
use autotask_sim::{FaultKind, FaultRule, RunningSimulator, Seed};
use serde_json::json;

fn insert_tickets(sim: &RunningSimulator, n: usize, company_id: i64, status: i64) {
    for i in 0..n {
        sim.insert(
            "Tickets",
            json!({"companyID": company_id, "title": format!("t{i}"), "status": status, "priority": 2}),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_created_ticket_that_cannot_be_read_back_keeps_its_id() {
    let (sim, client) = start(Seed::None).await;
    // A server error on a read is retried: fail the first attempt and all five retries.
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .method("GET")
            .path_contains("/Tickets/")
            .next(6),
    );
    let error = client
        .tickets()
        .create_ticket(42, "Printer on fire", "Third floor")
        .send()
        .await
        .unwrap_err();
    let id = error.created_id().expect("the error carries the new id");
    assert!(matches!(error, Error::CreatedButUnread { .. }), "{error:?}");
    // The ticket exists, was created once, and can be read with the id.
    assert_eq!(sim.count("Tickets"), 1);
    assert_eq!(sim.get("Tickets", id).unwrap()["title"], "Printer on fire");
    let read = format!("GET Tickets/{id}");
    assert_eq!(
        calls(&sim),
        ["POST Tickets", &read, &read, &read, &read, &read, &read]
    );
    assert!(client.tickets().get(id).await.unwrap().is_some());
}

#[tokio::test]
async fn create_ticket_posts_the_body_and_reads_the_ticket_back() {
    let (sim, client) = start(Seed::None).await;
    let ticket = client
        .tickets()
        .create_ticket(42, "Printer on fire", "Third floor")
        .priority(TicketPriority::HIGH)
        .contact_id(7)
        .send()
        .await
        .unwrap();
    assert_eq!(ticket.title.as_deref(), Some("Printer on fire"));
    assert_eq!(ticket.description.as_deref(), Some("Third floor"));
    assert_eq!(ticket.company_id, Some(42));
    assert_eq!(ticket.priority, Some(TicketPriority::HIGH));
    assert_eq!(ticket.status, Some(TicketStatus::NEW));
    assert_eq!(
        calls(&sim),
        ["POST Tickets", &format!("GET Tickets/{}", ticket.id)]
    );
    assert_eq!(
        bodies(&sim)[0],
        json!({"companyID": 42, "title": "Printer on fire", "description": "Third floor",
               "priority": 1, "status": 1, "contactID": 7})
    );
}

#[tokio::test]
async fn get_open_tickets_pages_through_all_1200_open_tickets() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 1200, 1, 1);
    insert_tickets(&sim, 300, 1, 5);
    sim.clear_requests();
    let open = client.tickets().get_open_tickets().await.unwrap();
    assert_eq!(open.len(), 1200);
    assert!(open
        .iter()
        .all(|t| t.status != Some(TicketStatus::COMPLETE)));
    assert_eq!(
        calls(&sim),
        [
            "POST Tickets/query",
            "POST Tickets/query/next",
            "POST Tickets/query/next"
        ],
        "500 + 500 + 200 records"
    );
    assert_eq!(
        bodies(&sim)[0]["filter"],
        json!([{"op": "noteq", "field": "status", "value": 5}])
    );
}

#[tokio::test]
async fn get_open_tickets_excluding_leaves_out_every_named_status() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 3, 1, 1);
    insert_tickets(&sim, 2, 1, 5);
    insert_tickets(&sim, 4, 1, 8);
    sim.clear_requests();
    let open = client
        .tickets()
        .get_open_tickets_excluding(&[TicketStatus::COMPLETE, TicketStatus::IN_PROGRESS])
        .await
        .unwrap();
    assert_eq!(open.len(), 3);
    assert_eq!(calls(&sim), ["POST Tickets/query"]);
    assert_eq!(
        bodies(&sim)[0]["filter"],
        json!([{"op": "notIn", "field": "status", "value": [5, 8]}])
    );

    sim.clear_requests();
    let empty = client.tickets().get_open_tickets_excluding(&[]).await;
    assert!(matches!(empty, Err(Error::InvalidInput(_))), "{empty:?}");
    assert!(sim.requests().is_empty(), "refused before sending");
}

#[tokio::test]
async fn get_by_account_returns_only_that_companys_tickets() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 4, 10, 1);
    insert_tickets(&sim, 6, 11, 1);
    sim.clear_requests();
    let tickets = client.tickets().get_by_account(11).await.unwrap();
    assert_eq!(tickets.len(), 6);
    assert!(tickets.iter().all(|t| t.company_id == Some(11)));
    assert_eq!(calls(&sim), ["POST Tickets/query"]);
    assert_eq!(
        bodies(&sim)[0]["filter"],
        json!([{"op": "eq", "field": "companyID", "value": 11}])
    );
}

#[tokio::test]
async fn bulk_update_status_patches_each_ticket_and_reports_per_id_in_input_order() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 5, 1, 1);
    sim.clear_requests();
    let ids = [5, 1, 999_999, 3, 2];
    let results = client
        .tickets()
        .bulk_update_status(&ids, TicketStatus::COMPLETE)
        .await;
    let order: Vec<i64> = results.iter().map(|(id, _)| *id).collect();
    assert_eq!(order, ids);
    for (id, result) in &results {
        if *id == 999_999 {
            assert!(result.is_err(), "a missing ticket fails on its own");
        } else {
            result.as_ref().unwrap();
            assert_eq!(sim.get("Tickets", *id).unwrap()["status"], 5);
        }
    }
    assert_eq!(
        sim.get("Tickets", 4).unwrap()["status"],
        1,
        "not in the list"
    );
    let patches: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 5, "one PATCH per id");
    assert!(patches
        .iter()
        .all(|r| r.body.as_ref().unwrap().as_object().unwrap().len() == 2));
}

#[tokio::test]
async fn ticket_notes_are_created_under_the_ticket_and_listed_by_ticket() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 2, 1, 1);
    sim.clear_requests();
    let note = client
        .ticket_notes()
        .create_ticket_note(2, "Customer called back", 3)
        .title("Called")
        .publish(TicketNotePublish::INTERNAL_USERS_ONLY)
        .send()
        .await
        .unwrap();
    assert_eq!(note.ticket_id, Some(2));
    assert_eq!(note.title.as_deref(), Some("Called"));
    assert_eq!(note.description.as_deref(), Some("Customer called back"));
    assert_eq!(
        calls(&sim),
        [
            "POST Tickets/2/Notes",
            &format!("GET TicketNotes/{}", note.id)
        ]
    );
    assert_eq!(bodies(&sim)[0]["noteType"], 3);
    assert_eq!(bodies(&sim)[0]["publish"], 2);

    for i in 0..3 {
        sim.insert(
            "TicketNotes",
            json!({"ticketID": 1, "description": format!("n{i}"), "noteType": 1, "publish": 1}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let notes = client.ticket_notes().get_by_ticket(1).await.unwrap();
    assert_eq!(notes.len(), 3);
    assert_eq!(calls(&sim), ["POST TicketNotes/query"]);
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("autotask-helpers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test]
async fn upload_download_and_list_ticket_attachments() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 1, 1, 1);
    let path = temp_file("report.txt");
    let content: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    std::fs::write(&path, &content).unwrap();
    sim.clear_requests();

    let attachment = client
        .ticket_attachments()
        .upload_attachment(1, &path)
        .title("Monthly report")
        .send()
        .await
        .unwrap();
    assert_eq!(attachment.title.as_deref(), Some("Monthly report"));
    assert_eq!(attachment.full_path.as_deref(), Some("report.txt"));
    assert_eq!(attachment.ticket_id, Some(1));
    assert_eq!(
        calls(&sim),
        [
            "POST Tickets/1/Attachments",
            &format!("GET TicketAttachments/{}", attachment.id)
        ]
    );
    let sent = &bodies(&sim)[0];
    assert_eq!(sent["attachmentType"], "FILE_ATTACHMENT");
    use base64::Engine;
    assert_eq!(
        sent["data"],
        base64::engine::general_purpose::STANDARD.encode(&content)
    );

    sim.clear_requests();
    let file = client
        .ticket_attachments()
        .download_attachment(1, attachment.id)
        .await
        .unwrap()
        .expect("the attachment exists");
    assert_eq!(file.bytes, content);
    assert_eq!(
        calls(&sim),
        [format!("GET Tickets/1/Attachments/{}", attachment.id)]
    );
    let missing = client
        .ticket_attachments()
        .download_attachment(1, 424_242)
        .await
        .unwrap();
    assert!(missing.is_none());

    sim.clear_requests();
    let listed = client.ticket_attachments().get_by_ticket(1).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].data.is_none(), "queries carry no data");
    assert_eq!(calls(&sim), ["POST TicketAttachments/query"]);
}

#[tokio::test]
async fn oversized_or_unreadable_attachments_are_refused_before_sending() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 1, 1, 1);
    let big = temp_file("big.bin");
    // A sparse file: the size check reads the metadata, never the content.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_ATTACHMENT_BYTES + 1)
        .unwrap();
    sim.clear_requests();

    let refused = client
        .ticket_attachments()
        .upload_attachment(1, &big)
        .send()
        .await;
    match refused {
        Err(Error::InvalidInput(message)) => {
            assert!(
                message.contains("big.bin") && message.contains("6291457"),
                "{message}"
            )
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    let in_memory = client
        .ticket_attachments()
        .upload_attachment_bytes(1, "mem.bin", vec![0; MAX_ATTACHMENT_BYTES as usize + 1])
        .send()
        .await;
    assert!(matches!(in_memory, Err(Error::InvalidInput(_))));
    let unnamed = client
        .ticket_attachments()
        .upload_attachment_bytes(1, " ", vec![1, 2, 3])
        .send()
        .await;
    assert!(matches!(unnamed, Err(Error::InvalidInput(_))));
    let missing = client
        .ticket_attachments()
        .upload_attachment(1, temp_file("does-not-exist.txt"))
        .send()
        .await;
    assert!(
        matches!(missing, Err(Error::InvalidInput(_))),
        "{missing:?}"
    );
    assert!(sim.requests().is_empty(), "nothing was sent");

    // Exactly the limit is accepted.
    let at_limit = client
        .ticket_attachments()
        .upload_attachment_bytes(1, "limit.bin", vec![7; MAX_ATTACHMENT_BYTES as usize])
        .send()
        .await
        .unwrap();
    assert_eq!(at_limit.full_path.as_deref(), Some("limit.bin"));
}

#[tokio::test]
async fn ticket_history_is_queried_by_ticket_and_recent_changes_cut_by_date() {
    let (sim, client) = start(Seed::None).await;
    for (ticket, days_ago, action) in [
        (1, 1, "edited"),
        (1, 10, "assigned"),
        (1, 30, "created"),
        (2, 1, "other"),
    ] {
        sim.insert(
            "TicketHistory",
            json!({"ticketID": ticket, "date": days_from_now(-days_ago), "action": action,
                   "detail": "", "resourceID": 4}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let history = client.ticket_history().get_ticket_history(1).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(calls(&sim), ["POST TicketHistory/query"]);
    assert_eq!(
        bodies(&sim)[0]["filter"],
        json!([{"op": "eq", "field": "ticketID", "value": 1}])
    );

    sim.clear_requests();
    let recent = client
        .ticket_history()
        .get_recent_changes(1, 14)
        .await
        .unwrap();
    let actions: Vec<_> = recent
        .iter()
        .map(|h| h.action.as_deref().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["assigned", "edited"],
        "oldest first, 30 days ago left out"
    );
    assert_eq!(calls(&sim), ["POST TicketHistory/query"]);

    // A window longer than the calendar holds everything, without overflowing.
    let all = client
        .ticket_history()
        .get_recent_changes(1, u32::MAX)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn bulk_update_status_keeps_at_most_three_patches_in_flight() {
    use autotask_sim::{FaultKind, FaultRule, Simulator};
    use std::time::{Duration, Instant};
    // The simulator answers 429 (thread limit) to a fourth concurrent request; the client's own
    // per-endpoint limit is raised so that only the helper's bound keeps the PATCHes at three.
    let sim = Simulator::builder().thread_limit(3).start().await.unwrap();
    let client = crate::sim_support::client_builder(&sim)
        .max_concurrent_per_endpoint(20)
        .retry_policy(autotask::RetryPolicy::none())
        .build()
        .unwrap();
    insert_tickets(&sim, 9, 1, 1);
    sim.add_fault(FaultRule::new(FaultKind::Delay(Duration::from_millis(60))).method("PATCH"));
    sim.clear_requests();
    let ids: Vec<i64> = (1..=9).collect();
    let started = Instant::now();
    let results = client
        .tickets()
        .bulk_update_status(&ids, TicketStatus::COMPLETE)
        .await;
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200; 9], "no request went over the thread limit");
    assert!(
        started.elapsed() >= Duration::from_millis(3 * 60),
        "nine 60 ms PATCHes three at a time take at least three rounds"
    );
}

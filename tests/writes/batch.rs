//! `create_batch`, `update_batch`, `delete_batch` on typed root and child handles and on dynamic ones.

use crate::sim_support::{client_builder, start};
use crate::{insert_ticket, requests};
use autotask::entities::{
    ContactGroup, NewContactGroup, NewTicket, NewTicketNote, TicketPatch, TicketPriority,
    TicketStatus,
};
use autotask::{BatchProgress, Error, RetryPolicy};
use autotask_sim::{FaultKind, FaultRule, Seed, Simulator};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn ticket(title: &str) -> NewTicket {
    NewTicket::new(0, TicketPriority::MEDIUM, TicketStatus::NEW, title)
}

#[tokio::test]
async fn results_keep_input_order_with_server_and_client_rejections() {
    let (sim, client) = start(Seed::None).await;
    let mut records: Vec<NewTicket> = (0..8).map(|i| ticket(&format!("batch {i}"))).collect();
    // Rejected by the server: a status outside the tenant's picklist.
    records[2].status = TicketStatus(999);
    records[5].status = TicketStatus(998);
    // Refused by the client before sending: the title is longer than the field allows.
    records[6].title = "x".repeat(300);

    let results = client.tickets().create_batch(&records).await;

    assert_eq!(results.len(), 8);
    for (index, result) in results.results().iter().enumerate() {
        match index {
            2 | 5 => assert!(
                matches!(result, Err(Error::Validation { .. })),
                "item {index}: {result:?}"
            ),
            6 => assert!(
                matches!(result, Err(Error::InvalidInput(_))),
                "item {index}: {result:?}"
            ),
            _ => {
                let id = *result.as_ref().expect("valid item created");
                assert_eq!(
                    sim.get("Tickets", id).unwrap()["title"],
                    format!("batch {index}"),
                    "item {index} got the id of its own record"
                );
            }
        }
    }
    assert_eq!(
        results
            .succeeded()
            .iter()
            .map(|(i, _)| *i)
            .collect::<Vec<_>>(),
        [0, 1, 3, 4, 7]
    );
    assert_eq!(
        results.failed().iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [2, 5, 6]
    );
    assert!(results.unknown_outcomes().is_empty());
    assert_eq!(results.ids().len(), 5);
    assert_eq!(sim.count("Tickets"), 5);
    let posts = requests(&sim)
        .iter()
        .filter(|(m, p)| m == "POST" && p == "Tickets")
        .count();
    assert_eq!(posts, 7, "one POST per item except the one refused locally");
    let as_vec: Vec<autotask::Result<i64>> = results.into();
    assert_eq!(as_vec.len(), 8);
}

#[tokio::test]
async fn never_more_than_three_in_flight_per_endpoint() {
    const DELAY: Duration = Duration::from_millis(150);
    let sim = Simulator::builder()
        .thread_limit(3)
        .fault(FaultRule::new(FaultKind::Delay(DELAY)).method("POST"))
        .start()
        .await
        .unwrap();
    // No retries: a fourth concurrent request would be refused by the simulator (Itgenatr005) and fail.
    let client = client_builder(&sim)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let records: Vec<NewTicket> = (0..9).map(|i| ticket(&format!("slow {i}"))).collect();
    let seen = Arc::new(Mutex::new(Vec::<BatchProgress>::new()));
    let log = Arc::clone(&seen);

    let started = Instant::now();
    let results = client
        .tickets()
        .create_batch(&records)
        .on_progress(move |p| log.lock().unwrap().push(p))
        .await;
    let elapsed = started.elapsed();

    assert!(results.all_succeeded(), "{results:?}");
    assert!(
        sim.requests().iter().all(|r| r.status == 200),
        "no request was refused by the thread limit"
    );
    // 9 requests of 150 ms each: at most 3 at once takes at least 3 rounds; one at a time would take 9.
    assert!(elapsed >= DELAY * 3, "{elapsed:?}: more than 3 ran at once");
    assert!(
        elapsed < DELAY * 7,
        "{elapsed:?}: the batch did not run concurrently"
    );
    let progress = seen.lock().unwrap().clone();
    assert_eq!(progress.len(), 9);
    assert!(progress
        .iter()
        .enumerate()
        .all(|(i, p)| p.completed == i + 1 && p.total == 9 && p.failed == 0));

    // Control: the same setup does catch a fourth concurrent request. A client that allows 5 in flight
    // gets thread-limit refusals, so the clean run above was not luck.
    let eager = client_builder(&sim)
        .retry_policy(RetryPolicy::none())
        .max_concurrent_per_endpoint(5)
        .build()
        .unwrap();
    let results = eager.tickets().create_batch(&records).await;
    assert!(
        results
            .failed()
            .iter()
            .any(|(_, e)| matches!(e, Error::ThreadLimit { .. })),
        "{results:?}"
    );

    // Lowering the concurrency is honoured: one at a time.
    let started = Instant::now();
    let results = client
        .tickets()
        .create_batch(&records[..3])
        .concurrency(1)
        .await;
    assert!(results.all_succeeded());
    assert!(started.elapsed() >= DELAY * 3);
}

#[tokio::test]
async fn a_lost_create_is_an_unknown_outcome_for_that_item_only_and_not_resent() {
    let (sim, client) = start(Seed::None).await;
    let records: Vec<NewTicket> = (0..6).map(|i| ticket(&format!("lost {i}"))).collect();
    sim.add_fault(
        FaultRule::new(FaultKind::ResponseLost)
            .method("POST")
            .path_contains("/V1.0/Tickets")
            .next(1),
    );

    let results = client.tickets().create_batch(&records).await;

    let unknown = results.unknown_outcomes();
    assert_eq!(unknown.len(), 1, "{results:?}");
    let (index, error) = unknown[0];
    let Error::UnknownOutcome { payload, .. } = error else {
        panic!("{error:?}")
    };
    assert_eq!(payload["title"], format!("lost {index}"));
    assert!(results.failed().is_empty());
    assert_eq!(results.succeeded().len(), 5);
    let posts_of_lost = sim
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.body
                    .as_ref()
                    .is_some_and(|b| b["title"] == payload["title"])
        })
        .count();
    assert_eq!(posts_of_lost, 1, "the lost create was sent exactly once");
    assert_eq!(sim.count("Tickets"), 6, "the simulator processed it once");
}

#[tokio::test]
async fn child_batches_under_a_parent_path() {
    let (sim, client) = start(Seed::None).await;
    let ticket_id = insert_ticket(&sim, "parent");
    let notes: Vec<NewTicketNote> = (0..4)
        .map(|i| NewTicketNote::new(ticket_id, format!("note {i}"), 1, 1))
        .collect();

    let results = client.tickets().notes(ticket_id).create_batch(&notes).await;

    assert!(results.all_succeeded(), "{results:?}");
    for (index, id) in results.succeeded() {
        assert_eq!(
            sim.get("TicketNotes", id).unwrap()["description"],
            format!("note {index}")
        );
    }
    let paths = requests(&sim);
    assert_eq!(paths.len(), 4);
    assert!(paths
        .iter()
        .all(|(m, p)| m == "POST" && *p == format!("Tickets/{ticket_id}/Notes")));

    // Checklist items can also be deleted under the parent: a missing id fails alone.
    let items: Vec<i64> = (0..3)
        .map(|i| {
            sim.insert(
                "TicketChecklistItems",
                json!({"ticketID": ticket_id, "itemName": format!("step {i}")}),
            )
            .unwrap()
        })
        .collect();
    let to_delete = [items[0], 424_242, items[2]];
    let results = client
        .tickets()
        .checklist_items(ticket_id)
        .delete_batch(&to_delete)
        .await;
    assert_eq!(results.ids(), [items[0], items[2]]);
    assert_eq!(results.failed().len(), 1);
    assert_eq!(results.failed()[0].0, 1);
    assert_eq!(sim.count("TicketChecklistItems"), 1);
}

#[tokio::test]
async fn root_update_and_delete_batches() {
    let (sim, client) = start(Seed::None).await;
    let ids: Vec<i64> = (0..3)
        .map(|i| insert_ticket(&sim, &format!("before {i}")))
        .collect();
    let mut patches: Vec<TicketPatch> = ids
        .iter()
        .chain([&999_999])
        .map(|&id| {
            let mut patch = TicketPatch::new(id);
            patch.title = format!("after {id}").into();
            patch
        })
        .collect();
    patches[1].status = TicketStatus::COMPLETE.into();

    let results = client.tickets().update_batch(&patches).await;

    assert_eq!(results.ids(), ids);
    assert_eq!(results.failed().len(), 1);
    assert_eq!(results.failed()[0].0, 3, "the missing ticket fails alone");
    for &id in &ids {
        assert_eq!(
            sim.get("Tickets", id).unwrap()["title"],
            format!("after {id}")
        );
    }
    assert_eq!(sim.get("Tickets", ids[1]).unwrap()["status"], 5);

    let groups: Vec<i64> = (0..3)
        .map(|i| {
            sim.insert(
                "ContactGroups",
                json!({"name": format!("g{i}"), "isActive": true}),
            )
            .unwrap()
        })
        .collect();
    let results = client.entity::<ContactGroup>().delete_batch(&groups).await;
    assert_eq!(results.ids(), groups);
    assert_eq!(sim.count("ContactGroups"), 0);
    assert!(client
        .entity::<ContactGroup>()
        .create_batch(&[] as &[NewContactGroup])
        .is_empty());
}

#[tokio::test]
async fn dynamic_batches_check_each_item_and_the_verbs() {
    let (sim, client) = start(Seed::None).await;
    let tickets = client.entities().get_entity("Tickets").unwrap();
    let records = [
        json!({"companyID": 0, "title": "dyn 0", "status": 1, "priority": 2}),
        json!({"companyID": 0, "title": "dyn 1", "status": 1, "priority": 2, "noSuchField": 1}),
        json!({"companyID": 0, "title": "dyn 2", "status": 1, "priority": 2}),
    ];

    let created = tickets.create_batch(&records).await;

    assert!(matches!(created.results()[1], Err(Error::InvalidInput(_))));
    let ids = created.ids();
    assert_eq!(ids.len(), 2);
    assert_eq!(sim.get("Tickets", ids[1]).unwrap()["title"], "dyn 2");

    let patches = [
        json!({"id": ids[0], "title": "dyn 0b"}),
        json!({"title": "no id"}),
    ];
    let updated = tickets.update_batch(&patches).await;
    assert_eq!(updated.ids(), [ids[0]]);
    assert!(matches!(updated.results()[1], Err(Error::InvalidInput(_))));
    assert_eq!(sim.get("Tickets", ids[0]).unwrap()["title"], "dyn 0b");

    assert!(
        tickets.children(ids[0]).is_err(),
        "Tickets have no parent path"
    );
    let notes = client
        .entities()
        .get_entity("TicketNotes")
        .unwrap()
        .children(ids[0])
        .unwrap();
    let made = notes
        .create_batch(&[
            json!({"description": "d0", "noteType": 1, "publish": 1, "ticketID": ids[0]}),
            json!({"description": "d1", "noteType": 1, "publish": 1, "ticketID": ids[0]}),
        ])
        .await;
    assert!(made.all_succeeded(), "{made:?}");

    sim.clear_requests();
    let refused = tickets.delete_batch(&[ids[0], ids[1]]).await;
    assert!(refused
        .results()
        .iter()
        .all(|r| matches!(r, Err(Error::InvalidInput(_)))));
    assert!(
        sim.requests().is_empty(),
        "Tickets cannot be deleted: nothing is sent"
    );
}

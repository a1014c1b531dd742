//! Compensating transactions: commit, rollback of creates and updates, undeletable records, failing
//! compensation, unknown outcomes and queued deletes.

use crate::sim_support::start;
use crate::{insert_ticket, requests};
use autotask::entities::{
    ContactGroup, ContactGroupPatch, NewContactGroup, NewTicket, NewTicketNote, Ticket, TicketNote,
    TicketPatch, TicketPriority, TicketStatus,
};
use autotask::transaction::{NotUndoneReason, Step};
use autotask::{Error, Transaction, TransactionError, UserDefinedField};
use autotask_sim::{FaultKind, FaultRule, RunningSimulator, Seed};
use serde_json::json;
use std::sync::{Arc, Mutex};

fn group(name: &str) -> NewContactGroup {
    NewContactGroup::new(true, name)
}

fn insert_group(sim: &RunningSimulator, name: &str) -> i64 {
    sim.insert("ContactGroups", json!({"name": name, "isActive": true}))
        .unwrap()
}

fn report(error: Error) -> TransactionError {
    match error {
        Error::Transaction(report) => *report,
        other => panic!("expected a transaction error, got {other:?}"),
    }
}

fn strings(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(m, p)| (m.to_string(), p.clone()))
        .collect()
}

#[tokio::test]
async fn commit_keeps_every_step_and_runs_queued_deletes_last() {
    let (sim, client) = start(Seed::None).await;
    let ticket_id = insert_ticket(&sim, "original");
    let doomed = insert_group(&sim, "to delete");
    sim.clear_requests();

    let group_id = client
        .transaction(|tx| async move {
            let created = tx.entity::<ContactGroup>().create(&group("VIP")).await?;
            tx.entity::<ContactGroup>().delete_on_commit(doomed)?;
            let mut patch = TicketPatch::new(ticket_id);
            patch.title = "changed".into();
            tx.entity::<Ticket>().update(&patch).await?;
            // A step the server rejects is not recorded; handling its error keeps the transaction going.
            let mut bad = TicketPatch::new(ticket_id);
            bad.status = TicketStatus(999).into();
            let rejected = tx.entity::<Ticket>().update(&bad).await.unwrap_err();
            assert!(rejected.is_validation(), "{rejected:?}");
            assert_eq!(tx.steps().len(), 2);
            Ok(created)
        })
        .await
        .unwrap();

    assert_eq!(
        requests(&sim),
        strings(&[
            ("POST", "ContactGroups".into()),
            ("GET", format!("Tickets/{ticket_id}")),
            ("PATCH", "Tickets".into()),
            ("GET", format!("Tickets/{ticket_id}")),
            ("PATCH", "Tickets".into()),
            ("DELETE", format!("ContactGroups/{doomed}")),
        ])
    );
    assert_eq!(sim.get("ContactGroups", group_id).unwrap()["name"], "VIP");
    assert!(sim.get("ContactGroups", doomed).is_none());
    assert_eq!(sim.get("Tickets", ticket_id).unwrap()["title"], "changed");
}

#[tokio::test]
async fn rollback_deletes_creates_and_restores_updates_newest_first() {
    let (sim, client) = start(Seed::None).await;
    let ticket_id = sim
        .insert(
            "Tickets",
            json!({"companyID": 0, "title": "original", "status": 1, "priority": 2, "dueDateTime": null,
                   "userDefinedFields": [{"name": "Customer Reference", "value": "R-1"}]}),
        )
        .unwrap();
    let existing = insert_group(&sim, "Old name");
    sim.clear_requests();
    let created = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&created);

    let error = client
        .transaction(|tx| async move {
            let first = tx.entity::<ContactGroup>().create(&group("A")).await?;
            let mut patch = TicketPatch::new(ticket_id);
            patch.title = "changed".into();
            patch.status = TicketStatus::COMPLETE.into();
            patch
                .user_defined_fields
                .push(UserDefinedField::new("Customer Reference", "R-2"));
            tx.entity::<Ticket>().update(&patch).await?;
            let second = tx.entity::<ContactGroup>().create(&group("B")).await?;
            let mut rename = ContactGroupPatch::new(existing);
            rename.name = "New name".to_string().into();
            tx.entity::<ContactGroup>().update(&rename).await?;
            seen.lock().unwrap().extend([first, second]);
            Err::<(), _>(Error::InvalidInput("the caller aborts".into()))
        })
        .await
        .unwrap_err();

    let report = report(error);
    assert!(
        matches!(&report.cause, Error::InvalidInput(m) if m == "the caller aborts"),
        "{:?}",
        report.cause
    );
    assert!(report.fully_compensated(), "{report}");
    assert_eq!(report.undone.len(), 4);
    let (first, second) = {
        let ids = created.lock().unwrap();
        (ids[0], ids[1])
    };
    let log = sim.requests();
    let compensation: Vec<_> = requests(&sim).split_off(6);
    assert_eq!(
        compensation,
        strings(&[
            ("PATCH", "ContactGroups".into()),
            ("DELETE", format!("ContactGroups/{second}")),
            ("PATCH", "Tickets".into()),
            ("DELETE", format!("ContactGroups/{first}")),
        ]),
        "compensation runs newest first"
    );
    assert_eq!(
        log[6].body.as_ref().unwrap(),
        &json!({"id": existing, "name": "Old name"}),
        "only the changed field is restored"
    );
    assert_eq!(
        log[8].body.as_ref().unwrap(),
        &json!({"id": ticket_id, "title": "original", "status": 1,
                "userDefinedFields": [{"name": "Customer Reference", "value": "R-1"}]})
    );
    assert_eq!(sim.count("ContactGroups"), 1);
    assert_eq!(
        sim.get("ContactGroups", existing).unwrap()["name"],
        "Old name"
    );
    let ticket = sim.get("Tickets", ticket_id).unwrap();
    assert_eq!(ticket["title"], "original");
    assert_eq!(ticket["status"], 1);
    let udfs = ticket["userDefinedFields"].as_array().unwrap();
    assert!(
        udfs.contains(&json!({"name": "Customer Reference", "value": "R-1"})),
        "{udfs:?}"
    );
}

#[tokio::test]
async fn undeletable_records_are_reported_not_pretended() {
    let (sim, client) = start(Seed::None).await;

    let error = client
        .transaction(|tx| async move {
            let ticket = tx
                .entity::<Ticket>()
                .create(&NewTicket::new(
                    0,
                    TicketPriority::LOW,
                    TicketStatus::NEW,
                    "stays",
                ))
                .await?;
            tx.children::<TicketNote>(ticket)
                .create(&NewTicketNote::new(ticket, "note", 1, 1))
                .await?;
            tx.entity::<ContactGroup>().create(&group("goes")).await?;
            // A step the server rejects ends the transaction through `?`.
            tx.entity::<Ticket>()
                .create(&NewTicket::new(
                    0,
                    TicketPriority::LOW,
                    TicketStatus(999),
                    "rejected",
                ))
                .await?;
            Ok(())
        })
        .await
        .unwrap_err();

    let report = report(error);
    assert!(report.cause.is_validation(), "{:?}", report.cause);
    assert_eq!(report.undone.len(), 1);
    assert!(matches!(
        &report.undone[0],
        Step::Created {
            entity: "ContactGroups",
            ..
        }
    ));
    let not_undone: Vec<_> = report
        .not_undone
        .iter()
        .map(|n| {
            (
                n.step.entity(),
                matches!(n.reason, NotUndoneReason::NotDeletable),
            )
        })
        .collect();
    assert_eq!(not_undone, [("TicketNotes", true), ("Tickets", true)]);
    let text = report.to_string();
    assert!(
        text.contains("2 step(s) NOT undone") && text.contains("the API cannot delete it"),
        "{text}"
    );
    let deletes: Vec<_> = requests(&sim)
        .into_iter()
        .filter(|(m, _)| m == "DELETE")
        .collect();
    assert_eq!(
        deletes.len(),
        1,
        "no DELETE is attempted where the API has none: {deletes:?}"
    );
    assert_eq!(sim.count("Tickets"), 1);
    assert_eq!(sim.count("TicketNotes"), 1);
    assert_eq!(sim.count("ContactGroups"), 0);
}

#[tokio::test]
async fn a_failing_compensation_is_reported_with_its_error_and_the_rest_continues() {
    let (sim, client) = start(Seed::None).await;
    // A server error on a DELETE is retried: fail the first attempt and all five retries.
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .method("DELETE")
            .path_contains("/ContactGroups/")
            .next(6),
    );

    let error = client
        .transaction(|tx| async move {
            tx.entity::<ContactGroup>().create(&group("first")).await?;
            tx.entity::<ContactGroup>().create(&group("second")).await?;
            Err::<(), _>(Error::InvalidInput("abort".into()))
        })
        .await
        .unwrap_err();

    let report = report(error);
    assert_eq!(report.not_undone.len(), 1);
    let failed = &report.not_undone[0];
    let Step::Created { id: kept, .. } = failed.step else {
        panic!("{:?}", failed.step)
    };
    assert_eq!(sim.get("ContactGroups", kept).unwrap()["name"], "second");
    let NotUndoneReason::CompensationFailed(cause) = &failed.reason else {
        panic!("{:?}", failed.reason)
    };
    assert!(
        cause
            .messages()
            .iter()
            .any(|m| m.contains("Simulated fault")),
        "{cause:?}"
    );
    assert_eq!(report.undone.len(), 1, "the older create was still undone");
    assert_eq!(sim.count("ContactGroups"), 1);
    assert!(report
        .to_string()
        .contains("the compensating request failed"));
}

#[tokio::test]
async fn an_unknown_outcome_create_is_reported_with_its_payload() {
    let (sim, client) = start(Seed::None).await;
    let sim_ref = &sim;

    let error = client
        .transaction(|tx| async move {
            tx.entity::<ContactGroup>().create(&group("known")).await?;
            sim_ref.add_fault(
                FaultRule::new(FaultKind::ResponseLost)
                    .method("POST")
                    .path_contains("/ContactGroups")
                    .next(1),
            );
            tx.entity::<ContactGroup>().create(&group("lost")).await?;
            Ok(())
        })
        .await
        .unwrap_err();

    let report = report(error);
    assert!(
        matches!(report.cause, Error::UnknownOutcome { .. }),
        "{:?}",
        report.cause
    );
    assert_eq!(report.undone.len(), 1);
    assert_eq!(report.not_undone.len(), 1);
    let unknown = &report.not_undone[0];
    assert!(matches!(unknown.reason, NotUndoneReason::OutcomeUnknown));
    let Step::CreateOutcomeUnknown { payload, .. } = &unknown.step else {
        panic!("{:?}", unknown.step)
    };
    assert_eq!(payload["name"], "lost");
    let posts = requests(&sim).iter().filter(|(m, _)| m == "POST").count();
    assert_eq!(posts, 2, "the lost create was not re-sent");
    assert_eq!(
        sim.count("ContactGroups"),
        1,
        "the lost create did happen and is reported"
    );
}

#[tokio::test]
async fn a_failing_queued_delete_fails_the_transaction_and_reports_earlier_deletes() {
    let (sim, client) = start(Seed::None).await;
    let ticket_id = insert_ticket(&sim, "original");
    let doomed = insert_group(&sim, "doomed");
    let kept: Arc<Mutex<Option<Transaction>>> = Arc::default();
    let keep = Arc::clone(&kept);

    let error = client
        .transaction(|tx| async move {
            *keep.lock().unwrap() = Some(tx.clone());
            tx.entity::<ContactGroup>().create(&group("new")).await?;
            let mut patch = TicketPatch::new(ticket_id);
            patch.title = "changed".into();
            tx.entity::<Ticket>().update(&patch).await?;
            let groups = tx.dynamic("ContactGroups")?;
            groups.delete_on_commit(doomed)?;
            groups.delete_on_commit(424_242)?;
            assert!(tx.dynamic("Tickets")?.delete_on_commit(ticket_id).is_err());
            Ok(())
        })
        .await
        .unwrap_err();

    let report = report(error);
    assert!(report.cause.is_not_found(), "{:?}", report.cause);
    assert_eq!(report.undone.len(), 2);
    assert_eq!(report.not_undone.len(), 1);
    assert!(matches!(report.not_undone[0].step, Step::Deleted { id, .. } if id == doomed));
    assert!(matches!(
        report.not_undone[0].reason,
        NotUndoneReason::Irreversible
    ));
    assert_eq!(sim.get("Tickets", ticket_id).unwrap()["title"], "original");
    assert_eq!(
        sim.count("ContactGroups"),
        0,
        "the new group was deleted, the doomed one is gone"
    );

    // The handle is finished: a clone kept past the closure sends nothing.
    sim.clear_requests();
    let late = kept.lock().unwrap().take().unwrap();
    let refused = late.entity::<ContactGroup>().create(&group("late")).await;
    assert!(
        matches!(refused, Err(Error::InvalidInput(_))),
        "{refused:?}"
    );
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn dynamic_steps_are_recorded_and_undone_too() {
    let (sim, client) = start(Seed::None).await;
    let ticket_id = insert_ticket(&sim, "original");
    let item = sim
        .insert(
            "TicketChecklistItems",
            json!({"ticketID": ticket_id, "itemName": "old"}),
        )
        .unwrap();

    let error = client
        .transaction(|tx| async move {
            let items = tx.dynamic("TicketChecklistItems")?.children(ticket_id)?;
            let added = items
                .create(&json!({"ticketID": ticket_id, "itemName": "added"}))
                .await?;
            items
                .update(&json!({"id": item, "itemName": "renamed"}))
                .await?;
            assert_eq!(tx.steps().len(), 2);
            assert!(matches!(tx.steps()[0], Step::Created { id, .. } if id == added));
            Err::<(), _>(Error::InvalidInput("abort".into()))
        })
        .await
        .unwrap_err();

    assert!(report(error).fully_compensated());
    assert_eq!(sim.count("TicketChecklistItems"), 1);
    assert_eq!(
        sim.get("TicketChecklistItems", item).unwrap()["itemName"],
        "old"
    );
    let added = sim.records("TicketChecklistItems");
    assert_eq!(added.len(), 1, "the added item was deleted");
    let tail: Vec<_> = requests(&sim).split_off(3);
    assert_eq!(tail.len(), 2, "{tail:?}");
    assert_eq!(
        tail[0],
        (
            "PATCH".to_string(),
            format!("Tickets/{ticket_id}/ChecklistItems")
        )
    );
    assert_eq!(tail[1].0, "DELETE");
    assert!(tail[1]
        .1
        .starts_with(&format!("Tickets/{ticket_id}/ChecklistItems/")));
}

#[tokio::test]
async fn a_panicking_closure_is_compensated_then_the_panic_resumes() {
    use futures::FutureExt;
    let (sim, client) = start(Seed::None).await;

    let outcome = std::panic::AssertUnwindSafe(client.transaction(|tx| async move {
        tx.entity::<ContactGroup>().create(&group("orphan")).await?;
        if tx.steps().len() == 1 {
            panic!("bug in the caller");
        }
        Ok(())
    }))
    .catch_unwind()
    .await;

    assert!(outcome.is_err(), "the panic reaches the caller");
    assert_eq!(sim.count("ContactGroups"), 0, "the create was undone first");
    assert_eq!(requests(&sim).last().unwrap().0, "DELETE");
}

#[test]
fn transaction_and_batch_futures_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let client = autotask::Client::builder()
        .username("u@example.com")
        .integration_code("CODE")
        .secret("secret")
        .base_url("http://127.0.0.1:1/ATServicesRest/")
        .build()
        .unwrap();
    let work = client
        .transaction(|tx| async move { tx.entity::<ContactGroup>().create(&group("x")).await });
    assert_send(&work);
    let handle = client.entity::<ContactGroup>();
    let records = [group("y")];
    let batch = std::future::IntoFuture::into_future(handle.create_batch(&records));
    assert_send(&batch);
}

#[tokio::test]
async fn an_update_step_reads_the_server_not_the_record_cache() {
    let (sim, client) = start(Seed::None).await;
    client.enable_cache(std::time::Duration::from_secs(600));
    let ticket_id = insert_ticket(&sim, "original");
    // This client caches the old title; another integration then changes it on the server.
    let cached = client.tickets().get(ticket_id).await.unwrap().unwrap();
    assert_eq!(cached.title.as_deref(), Some("original"));
    let other = crate::sim_support::client_builder(&sim).build().unwrap();
    let mut theirs = TicketPatch::new(ticket_id);
    theirs.title = "changed elsewhere".into();
    other.tickets().update(&theirs).await.unwrap();
    sim.clear_requests();

    let error = client
        .transaction(|tx| async move {
            let mut ours = TicketPatch::new(ticket_id);
            ours.title = "ours".into();
            tx.entity::<Ticket>().update(&ours).await?;
            Err::<(), _>(Error::InvalidInput("give up".into()))
        })
        .await
        .unwrap_err();
    assert!(report(error).fully_compensated());
    // The read before the PATCH went to the server, so the restore writes the value really there.
    let methods: Vec<String> = sim.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "PATCH", "PATCH"]);
    assert_eq!(
        sim.get("Tickets", ticket_id).unwrap()["title"],
        "changed elsewhere"
    );
}

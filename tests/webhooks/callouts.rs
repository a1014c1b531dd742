//! The whole loop from the SDK's side: a webhook registered through `client.webhooks()`, ticket writes
//! through the client, signed callouts from the simulator to a local receiver, verified with
//! `autotask::webhooks::verify` and decoded into the typed `Callout`. What the simulator emits for which
//! write (subscriptions, excluded resources, deactivation) is tested over plain HTTP in
//! `sim/tests/api/callouts.rs`.

use crate::receiver::Receiver;
use crate::sim_support;
use autotask::entities::{NewTicket, TicketField, TicketPatch, TicketPriority, TicketStatus};
use autotask::webhooks::{parse_verified, verify, Callout, SignatureError, WebhookSpec};
use autotask_sim::{ApiUser, RunningSimulator, Seed, SeedSize};
use std::time::Duration;

const SECRET: &str = "loop-secret";

async fn setup(events: (bool, bool, bool)) -> (RunningSimulator, autotask::Client, Receiver, i64) {
    let (sim, client) = sim_support::start(Seed::Demo(SeedSize::with_tickets(1))).await;
    let receiver = Receiver::start().await;
    let spec = WebhookSpec::tickets(
        "loop",
        receiver.url("/hook"),
        receiver.url("/deactivated"),
        SECRET,
    )
    .subscribe([TicketField::Status, TicketField::Priority])
    .display_always([TicketField::Title])
    .events(events.0, events.1, events.2);
    let hook = client.webhooks().register(&spec).await.unwrap();
    (sim, client, receiver, hook.id)
}

async fn new_ticket(client: &autotask::Client, title: &str) -> i64 {
    client
        .tickets()
        .create(&NewTicket::new(
            0,
            TicketPriority::MEDIUM,
            TicketStatus::NEW,
            title,
        ))
        .await
        .unwrap()
}

fn verified(received: &crate::receiver::Received) -> Callout {
    parse_verified(SECRET, &received.body, &received.signature).expect("signature verifies")
}

#[tokio::test]
async fn create_and_update_call_out_signed_and_typed() {
    let (sim, client, receiver, hook_id) = setup((true, true, true)).await;
    let guid = sim.get("TicketWebhooks", hook_id).unwrap()["webhookGUID"]
        .as_str()
        .unwrap()
        .to_string();
    let id = new_ticket(&client, "Printer & scanner").await;

    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/hook");
    let create = verified(&got[0]);
    assert_eq!(create.action, "Create");
    assert_eq!(create.id, Some(id));
    assert_eq!(create.entity_type.as_deref(), Some("Ticket"));
    assert_eq!(create.guid.as_deref(), Some(guid.as_str()));
    assert_eq!(create.sequence_number, Some(1));
    assert_eq!(create.person_id, Some(ApiUser::demo().resource_id));
    assert!(create.event_time.is_some());
    assert_eq!(create.fields["status"], TicketStatus::NEW.0);
    assert_eq!(create.fields["priority"], TicketPriority::MEDIUM.0);
    assert_eq!(create.fields["title"], "Printer & scanner");
    assert_eq!(create.fields.len(), 3);
    // A wrong secret fails on the same bytes.
    assert_eq!(
        verify("not-the-secret", &got[0].body, &got[0].signature),
        Err(SignatureError::Mismatch)
    );

    let mut patch = TicketPatch::new(id);
    patch.status = TicketStatus::COMPLETE.into();
    client.tickets().update(&patch).await.unwrap();
    let got = receiver.wait_for(2).await;
    let update = verified(&got[1]);
    assert_eq!(update.action, "Update");
    assert_eq!(update.id, Some(id));
    assert_eq!(update.sequence_number, Some(2));
    // The changed subscribed field plus the display-always one; priority did not change.
    assert_eq!(
        update.fields["status"],
        serde_json::json!(TicketStatus::COMPLETE)
    );
    assert_eq!(update.fields["title"], "Printer & scanner");
    assert!(!update.fields.contains_key("priority"));

    // The simulator logs a delivery once the receiver's answer is in.
    let log = sim.wait_for_callouts(2, Duration::from_secs(5)).await;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|c| c.delivered() && c.webhook_id == hook_id));
}

//! The whole loop: a webhook registered through `client.webhooks()`, ticket writes through the client,
//! signed callouts from the simulator to a local receiver, verified with `autotask::webhooks::verify` and
//! decoded into the typed `Callout`.

use crate::receiver::Receiver;
use crate::sim_support;
use autotask::entities::{NewTicket, TicketField, TicketPatch, TicketPriority, TicketStatus};
use autotask::webhooks::{
    parse_verified, verify, Callout, SignatureError, WebhookEntity, WebhookSpec,
};
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
    assert_eq!(update.fields["status"], TicketStatus::COMPLETE.0);
    assert_eq!(update.fields["title"], "Printer & scanner");
    assert!(!update.fields.contains_key("priority"));

    // The simulator logs a delivery once the receiver's answer is in.
    let log = sim.wait_for_callouts(2, Duration::from_secs(5)).await;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|c| c.delivered() && c.webhook_id == hook_id));
}

#[tokio::test]
async fn unsubscribed_field_changes_send_nothing() {
    let (sim, client, receiver, _) = setup((true, true, true)).await;
    let id = new_ticket(&client, "Quiet").await;
    receiver.wait_for(1).await;

    let mut patch = TicketPatch::new(id);
    patch.description = "only the description changes".into();
    client.tickets().update(&patch).await.unwrap();
    // A subscribed change afterwards: its callout must directly follow the create's.
    let mut patch = TicketPatch::new(id);
    patch.priority = TicketPriority::HIGH.into();
    client.tickets().update(&patch).await.unwrap();

    let got = receiver.wait_for(2).await;
    assert_eq!(got.len(), 2);
    let update = verified(&got[1]);
    assert_eq!(update.sequence_number, Some(2));
    assert_eq!(update.fields["priority"], TicketPriority::HIGH.0);
    assert!(!update.fields.contains_key("description"));
    // Give an unwanted callout time to show up.
    assert_eq!(
        sim.wait_for_callouts(3, Duration::from_millis(200))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn create_only_subscriptions_ignore_updates() {
    let (sim, client, receiver, _) = setup((true, false, false)).await;
    let id = new_ticket(&client, "Create only").await;
    let mut patch = TicketPatch::new(id);
    patch.status = TicketStatus::COMPLETE.into();
    client.tickets().update(&patch).await.unwrap();
    // A second create proves the worker is past the update.
    let second = new_ticket(&client, "Second").await;

    let got = receiver.wait_for(2).await;
    let actions: Vec<(String, Option<i64>)> = got
        .iter()
        .map(|r| {
            let c = verified(r);
            (c.action, c.id)
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("Create".to_string(), Some(id)),
            ("Create".to_string(), Some(second))
        ]
    );
    assert_eq!(
        sim.wait_for_callouts(2, Duration::from_secs(5)).await.len(),
        2
    );
}

#[tokio::test]
async fn deleting_the_webhook_sends_deactivated_to_the_deactivation_url() {
    let (sim, client, receiver, hook_id) = setup((true, true, true)).await;
    client
        .webhooks()
        .delete(WebhookEntity::Ticket, hook_id)
        .await
        .unwrap();
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/deactivated");
    let message = verified(&got[0]);
    assert_eq!(message.action, "Deactivated");
    assert_eq!(message.id, Some(hook_id));
    assert_eq!(message.entity_type.as_deref(), Some("Ticket"));

    // No webhook, no callouts.
    new_ticket(&client, "After").await;
    // Give an unwanted callout time to show up.
    assert_eq!(
        sim.wait_for_callouts(2, Duration::from_millis(200))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn deactivating_sends_deactivated_and_stops_callouts() {
    let (sim, client, receiver, hook_id) = setup((true, true, true)).await;
    client
        .webhooks()
        .deactivate(WebhookEntity::Ticket, hook_id)
        .await
        .unwrap();
    let got = receiver.wait_for(1).await;
    assert_eq!(verified(&got[0]).action, "Deactivated");
    new_ticket(&client, "Ignored").await;
    // Give an unwanted callout time to show up.
    assert_eq!(
        sim.wait_for_callouts(2, Duration::from_millis(200))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn excluded_resources_are_not_called_out_for() {
    let (sim, client) = sim_support::start(Seed::Demo(SeedSize::with_tickets(1))).await;
    let receiver = Receiver::start().await;
    let own = ApiUser::demo().resource_id;
    let spec = WebhookSpec::tickets("x", receiver.url("/hook"), receiver.url("/d"), SECRET)
        .subscribe([TicketField::Status])
        .exclude_resources([own]);
    client.webhooks().register(&spec).await.unwrap();

    new_ticket(&client, "By the excluded API user").await;
    let other = sim
        .records("Resources")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .find(|&id| id != own)
        .expect("the demo seed has another resource");
    let id = new_ticket(&client.impersonating(other), "By someone else").await;

    let got = receiver.wait_for(1).await;
    // Give an unwanted callout time to show up.
    assert_eq!(
        sim.wait_for_callouts(2, Duration::from_millis(200))
            .await
            .len(),
        1
    );
    let callout = verified(&got[0]);
    assert_eq!(callout.id, Some(id));
    assert_eq!(callout.person_id, Some(other));
}

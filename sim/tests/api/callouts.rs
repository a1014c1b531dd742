//! What the simulator calls out, over plain HTTP (moved from the SDK's `tests/webhooks/callouts.rs`, which
//! keeps the SDK's side of the loop): which writes call out, the payload, sequence numbers, changed and
//! display-always fields, deactivation messages and excluded resources. "Nothing else arrives" is checked
//! once the callout outbox has settled, not after a fixed wait.

use crate::common::{hmac_sha1_base64, start, Harness, Received, Receiver};
use crate::webhooks::ticket_field_id;
use autotask_sim::{ApiUser, Seed, SeedSize, Simulator};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const SECRET: &str = "loop-secret";
const SETTLE: Duration = Duration::from_secs(10);

/// Which events a webhook subscribes to.
struct Events {
    create: bool,
    update: bool,
    delete: bool,
}

const ALL: Events = Events {
    create: true,
    update: true,
    delete: true,
};

/// A simulator with one ticket webhook subscribed to `status` and `priority`, `title` always displayed,
/// calling `receiver`'s `/hook` (and `/deactivated`).
async fn setup(events: Events, excluded: &[i64]) -> (Harness, Receiver, i64) {
    let h = start(Simulator::builder().seed(Seed::Demo(SeedSize::with_tickets(1)))).await;
    let receiver = Receiver::start().await;
    let (status, created) = h
        .post(
            "V1.0/TicketWebhooks",
            json!({
                "name": "loop", "webhookUrl": receiver.url("/hook"), "deactivationUrl": receiver.url("/deactivated"),
                "secretKey": SECRET, "isActive": true, "sendThresholdExceededNotification": false,
                "isSubscribedToCreateEvents": events.create, "isSubscribedToUpdateEvents": events.update,
                "isSubscribedToDeleteEvents": events.delete,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["itemId"].as_i64().unwrap();
    for (field, subscribed) in [("status", true), ("priority", true), ("title", false)] {
        let field_id = ticket_field_id(&h, field).await;
        let (status, row) = h
            .post(
                &format!("V1.0/TicketWebhooks/{id}/Fields"),
                json!({"fieldID": field_id, "isSubscribedField": subscribed, "isDisplayAlwaysField": !subscribed}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{row}");
    }
    for resource in excluded {
        let (status, row) = h
            .post(
                &format!("V1.0/TicketWebhooks/{id}/ExcludedResources"),
                json!({"resourceID": resource}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{row}");
    }
    (h, receiver, id)
}

async fn new_ticket(h: &Harness, title: &str, impersonating: Option<i64>) -> i64 {
    let mut request = h
        .request(reqwest::Method::POST, "V1.0/Tickets")
        .json(&json!({"companyID": 0, "title": title, "status": 1, "priority": 2}));
    if let Some(resource) = impersonating {
        request = request.header("ImpersonationResourceId", resource.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Value>().await.unwrap()["itemId"]
        .as_i64()
        .unwrap()
}

async fn patch_ticket(h: &Harness, body: Value) {
    let (status, answer) = h.patch("V1.0/Tickets", body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Every callout once the outbox has settled, checking each one's signature on the received bytes.
async fn settled(h: &Harness, receiver: &Receiver) -> Vec<Received> {
    let log = h.sim.callouts_settled(SETTLE).await;
    assert!(log.iter().all(|c| c.delivered()), "{log:?}");
    let received = receiver.received();
    assert_eq!(received.len(), log.len());
    for callout in &received {
        assert_eq!(
            callout.signature,
            format!("sha1={}", hmac_sha1_base64(SECRET, &callout.body))
        );
    }
    received
}

#[tokio::test]
async fn create_and_update_call_out_with_the_documented_payload() {
    let (h, receiver, hook) = setup(ALL, &[]).await;
    let guid = h.sim.get("TicketWebhooks", hook).unwrap()["webhookGUID"].clone();
    let id = new_ticket(&h, "Printer & scanner", None).await;
    patch_ticket(&h, json!({"id": id, "status": 5})).await;

    let got = settled(&h, &receiver).await;
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|c| c.path == "/hook"));
    let create = got[0].json();
    assert_eq!(create["Action"], "Create");
    assert_eq!(create["Id"], id);
    assert_eq!(create["EntityType"], "Ticket");
    assert_eq!(create["Guid"], guid);
    assert_eq!(create["SequenceNumber"], 1);
    assert_eq!(create["PersonID"], ApiUser::demo().resource_id);
    assert!(create["EventTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        create["Fields"],
        json!({"status": 1, "priority": 2, "title": "Printer & scanner"})
    );

    let update = got[1].json();
    assert_eq!(
        (update["Action"].as_str(), update["SequenceNumber"].as_i64()),
        (Some("Update"), Some(2))
    );
    // The changed subscribed field plus the display-always one; priority did not change.
    assert_eq!(
        update["Fields"],
        json!({"status": 5, "title": "Printer & scanner"})
    );
}

#[tokio::test]
async fn unsubscribed_field_changes_send_nothing() {
    let (h, receiver, _) = setup(ALL, &[]).await;
    let id = new_ticket(&h, "Quiet", None).await;
    patch_ticket(
        &h,
        json!({"id": id, "description": "only the description changes"}),
    )
    .await;
    let got = settled(&h, &receiver).await;
    assert_eq!(got.len(), 1, "the create only");

    patch_ticket(&h, json!({"id": id, "priority": 1})).await;
    let got = settled(&h, &receiver).await;
    let update = got[1].json();
    assert_eq!(update["SequenceNumber"], 2);
    assert_eq!(update["Fields"], json!({"priority": 1, "title": "Quiet"}));
}

#[tokio::test]
async fn create_only_subscriptions_ignore_updates_and_deletes() {
    let events = Events {
        create: true,
        update: false,
        delete: false,
    };
    let (h, receiver, _) = setup(events, &[]).await;
    let id = new_ticket(&h, "Create only", None).await;
    patch_ticket(&h, json!({"id": id, "status": 5})).await;
    let got = settled(&h, &receiver).await;
    let actions: Vec<(Value, Value)> = got
        .iter()
        .map(|c| (c.json()["Action"].clone(), c.json()["Id"].clone()))
        .collect();
    assert_eq!(actions, [(json!("Create"), json!(id))]);
}

#[tokio::test]
async fn deleting_the_webhook_sends_deactivated_to_the_deactivation_url() {
    let (h, receiver, hook) = setup(ALL, &[]).await;
    let (status, _) = h.delete(&format!("V1.0/TicketWebhooks/{hook}")).await;
    assert_eq!(status, StatusCode::OK);
    new_ticket(&h, "After", None).await;
    let got = settled(&h, &receiver).await;
    assert_eq!(got.len(), 1, "no webhook, no callouts");
    assert_eq!(got[0].path, "/deactivated");
    let message = got[0].json();
    assert_eq!(message["Action"], "Deactivated");
    assert_eq!(message["Id"], hook);
    assert_eq!(message["EntityType"], "Ticket");
    assert_eq!(
        h.sim.count("TicketWebhookFields"),
        0,
        "its rows went with it"
    );
}

#[tokio::test]
async fn deactivating_sends_deactivated_and_stops_callouts() {
    let (h, receiver, hook) = setup(ALL, &[]).await;
    let (status, _) = h
        .patch(
            "V1.0/TicketWebhooks",
            json!({"id": hook, "isActive": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    new_ticket(&h, "Ignored", None).await;
    let got = settled(&h, &receiver).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["Action"], "Deactivated");
}

#[tokio::test]
async fn excluded_resources_are_not_called_out_for() {
    let own = ApiUser::demo().resource_id;
    let (h, receiver, _) = setup(ALL, &[own]).await;
    new_ticket(&h, "By the excluded API user", None).await;
    let other = h
        .sim
        .records("Resources")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .find(|&id| id != own)
        .expect("the demo seed has another resource");
    let id = new_ticket(&h, "By someone else", Some(other)).await;
    let got = settled(&h, &receiver).await;
    assert_eq!(got.len(), 1);
    let callout = got[0].json();
    assert_eq!(callout["Id"], id);
    assert_eq!(callout["PersonID"], other);
}

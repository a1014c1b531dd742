//! Webhook behaviour of the simulator over plain HTTP: the `fieldID` picklist and webhook flags in the
//! metadata, field-row validation, and the exact callout bytes (Autotask's escaping) with an HMAC computed
//! here, independently of the SDK.

use crate::common::{error_text, hmac_sha1_base64, start, Harness, Receiver};
use autotask_sim::{Seed, SeedSize, Simulator};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The id the tenant gives `field` of Tickets, from `TicketWebhookFields/entityInformation/fields`.
pub async fn ticket_field_id(h: &Harness, field: &str) -> i64 {
    let (status, body) = h
        .get("V1.0/TicketWebhookFields/entityInformation/fields")
        .await;
    assert_eq!(status, StatusCode::OK);
    let field_id = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "fieldID")
        .unwrap();
    assert_eq!(field_id["isPickList"], true);
    field_id["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["label"] == field)
        .unwrap_or_else(|| panic!("no fieldID value for {field}"))["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A webhook on Tickets posting to `url`, subscribed to `title` (updates and creates).
async fn ticket_webhook(h: &Harness, url: &str, secret: &str) -> i64 {
    let (status, created) = h
        .post(
            "V1.0/TicketWebhooks",
            json!({
                "name": "escaping", "webhookUrl": url, "deactivationUrl": url, "secretKey": secret,
                "isActive": true, "isSubscribedToCreateEvents": true, "isSubscribedToUpdateEvents": true,
                "sendThresholdExceededNotification": false
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["itemId"].as_i64().unwrap();
    let title = ticket_field_id(h, "title").await;
    let (status, row) = h
        .post(
            &format!("V1.0/TicketWebhooks/{id}/Fields"),
            json!({"fieldID": title, "isSubscribedField": true, "isDisplayAlwaysField": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    id
}

#[tokio::test]
async fn metadata_publishes_field_ids_and_webhook_flags() {
    let h = start(Simulator::builder()).await;
    let (_, info) = h.get("V1.0/Tickets/entityInformation").await;
    assert_eq!(info["info"]["supportsWebhookCallouts"], true);
    let (_, fields) = h.get("V1.0/Tickets/entityInformation/fields").await;
    let status = fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "status")
        .unwrap();
    assert_eq!(status["isSupportedWebhookField"], true);
    // Ids are distinct per field.
    let (a, b) = (
        ticket_field_id(&h, "status").await,
        ticket_field_id(&h, "title").await,
    );
    assert_ne!(a, b);
    // Entities without webhook support flag no field.
    let (_, fields) = h.get("V1.0/Projects/entityInformation/fields").await;
    assert!(fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["isSupportedWebhookField"] == false));
}

#[tokio::test]
async fn field_rows_need_a_known_field_id() {
    let h = start(Simulator::builder()).await;
    let id = ticket_webhook(&h, "http://127.0.0.1:9/x", "k").await;
    let (status, body) = h
        .post(
            &format!("V1.0/TicketWebhooks/{id}/Fields"),
            json!({"fieldID": 987_654, "isSubscribedField": true, "isDisplayAlwaysField": false}),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error_text(&body).contains("fieldID"), "{body}");
    let (_, webhook) = h.get(&format!("V1.0/TicketWebhooks/{id}")).await;
    assert_eq!(webhook["item"]["webhookGUID"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn callout_bytes_use_autotask_escaping_and_the_signature_covers_them() {
    let h = start(Simulator::builder().seed(Seed::Demo(SeedSize::with_tickets(1)))).await;
    let receiver = Receiver::start().await;
    let secret = "escape-secret";
    ticket_webhook(&h, &receiver.url("/hook"), secret).await;

    let title = "A & B <c> +1 'q' \"d\" café ☕";
    let (status, created) = h
        .post(
            "V1.0/Tickets",
            json!({"companyID": 0, "title": title, "status": 1, "priority": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let log = h.sim.wait_for_callouts(1, Duration::from_secs(5)).await;
    assert_eq!(log.len(), 1);
    assert!(log[0].delivered(), "{:?}", log[0]);

    let received = receiver.received();
    let (signature, body) = (received[0].signature.clone(), received[0].body.clone());
    let text = String::from_utf8(body.clone()).unwrap();
    // Written exactly as Autotask writes it: upper-case \uXXXX for the listed characters and non-ASCII.
    assert!(
        text.contains(
            r#""title":"A \u0026 B \u003Cc\u003E \u002B1 \u0027q\u0027 \u0022d\u0022 caf\u00E9 \u2615""#
        ),
        "{text}"
    );
    assert!(text.is_ascii());
    assert!(text.starts_with(r#"{"Action":"Create","Guid":""#), "{text}");
    // The signature is over those bytes.
    assert_eq!(
        signature,
        format!("sha1={}", hmac_sha1_base64(secret, &body))
    );
    assert_eq!(log[0].signature, signature);
    // And the JSON still decodes to the original title.
    let parsed: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(parsed["Fields"]["title"], title);
    assert_eq!(parsed["Id"], created["itemId"]);
}

#[tokio::test]
async fn non_loopback_callouts_are_refused_and_logged() {
    let h = start(Simulator::builder().seed(Seed::Demo(SeedSize::with_tickets(1)))).await;
    // 192.0.2.0/24 is TEST-NET-1: never routed.
    ticket_webhook(&h, "http://192.0.2.1/hook", "k").await;
    let (status, _) = h
        .post(
            "V1.0/Tickets",
            json!({"companyID": 0, "title": "x", "status": 1, "priority": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let log = h.sim.wait_for_callouts(1, Duration::from_secs(5)).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, None);
    assert!(
        log[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("loopback"),
        "{:?}",
        log[0]
    );
}

#[tokio::test]
async fn an_unreachable_receiver_is_logged_not_fatal() {
    let h = start(
        Simulator::builder()
            .seed(Seed::Demo(SeedSize::with_tickets(1)))
            .callout_timeout(Duration::from_millis(500)),
    )
    .await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    ticket_webhook(&h, &url, "k").await;
    let (status, _) = h
        .post(
            "V1.0/Tickets",
            json!({"companyID": 0, "title": "x", "status": 1, "priority": 2}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the API answer never waits for the callout"
    );
    let log = h.sim.wait_for_callouts(1, Duration::from_secs(5)).await;
    assert!(!log[0].delivered());
    assert!(log[0].error.is_some());
}

#[tokio::test]
async fn is_ready_is_read_only() {
    let h = start(Simulator::builder()).await;
    for entity in [
        "CompanyWebhooks",
        "ContactWebhooks",
        "ConfigurationItemWebhooks",
        "TicketWebhooks",
        "TicketNoteWebhooks",
    ] {
        let (_, fields) = h
            .get(&format!("V1.0/{entity}/entityInformation/fields"))
            .await;
        let is_ready = fields["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "isReady")
            .unwrap_or_else(|| panic!("{entity} has isReady"));
        assert_eq!(is_ready["isReadOnly"], true, "{entity} (PROTOCOL.md §6.8)");
    }
    // A write cannot make a webhook without subscribed fields ready.
    let (status, created) = h
        .post(
            "V1.0/TicketWebhooks",
            json!({"name": "w", "webhookUrl": "http://127.0.0.1:9/h", "deactivationUrl": "http://127.0.0.1:9/d",
                   "secretKey": "k", "isActive": false, "isReady": true, "sendThresholdExceededNotification": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["itemId"].as_i64().unwrap();
    h.patch("V1.0/TicketWebhooks", json!({"id": id, "isReady": true}))
        .await;
    assert_eq!(h.sim.get("TicketWebhooks", id).unwrap()["isReady"], false);
}

#[tokio::test]
async fn deactivating_the_owner_resource_deactivates_its_webhooks() {
    let h = start(Simulator::builder().seed(Seed::Demo(SeedSize::with_tickets(1)))).await;
    let receiver = Receiver::start().await;
    let url = receiver.url("");
    let owner = h
        .sim
        .records("Resources")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .find(|&id| id != autotask_sim::ApiUser::demo().resource_id)
        .unwrap();
    let mut ids = Vec::new();
    for entity in ["TicketWebhooks", "CompanyWebhooks"] {
        let (status, created) = h
            .post(
                &format!("V1.0/{entity}"),
                json!({"name": "owned", "webhookUrl": format!("{url}/hook"), "deactivationUrl": format!("{url}/gone"),
                       "secretKey": "k", "isActive": true, "ownerResourceID": owner,
                       "isSubscribedToCreateEvents": true, "sendThresholdExceededNotification": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{created}");
        ids.push((entity, created["itemId"].as_i64().unwrap()));
    }
    let (status, body) = h
        .patch("V1.0/Resources", json!({"id": owner, "isActive": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (entity, id) in &ids {
        assert_eq!(
            h.sim.get(entity, *id).unwrap()["isActive"],
            false,
            "{entity} {id} is deactivated with its owner"
        );
    }
    let log = h.sim.wait_for_callouts(2, Duration::from_secs(5)).await;
    let mut sent: Vec<(String, i64, String)> = log
        .iter()
        .map(|c| (c.action.clone(), c.webhook_id, c.url.clone()))
        .collect();
    sent.sort();
    let mut expected: Vec<(String, i64, String)> = ids
        .iter()
        .map(|(_, id)| ("Deactivated".to_string(), *id, format!("{url}/gone")))
        .collect();
    expected.sort();
    assert_eq!(sent, expected);
    assert!(log.iter().all(|c| c.delivered()), "{log:?}");
    assert_eq!(receiver.received().len(), 2);
}

//! `client.webhooks().register(..)` and the management helpers against the simulator: the exact requests,
//! the rows created, refusals before anything is sent, and the rollback of a half-made webhook.

use crate::sim_support;
use autotask::entities::{ContactField, TicketField};
use autotask::webhooks::{WebhookEntity, WebhookSpec};
use autotask::Error;
use autotask_sim::{FaultKind, FaultRule, PicklistValue, Seed, Simulator};

fn ticket_spec() -> WebhookSpec<TicketField> {
    WebhookSpec::tickets(
        "Ticket changes",
        "http://127.0.0.1:9/hook",
        "http://127.0.0.1:9/deactivated",
        "s3cret",
    )
}

/// The `fieldID` the simulator publishes for `field` (from the same metadata the client reads).
fn sim_field_id(entity: &str, field: &str) -> i64 {
    let meta = autotask::entity_meta(entity).unwrap();
    meta.fields.iter().position(|f| f.name == field).unwrap() as i64 + 1
}

fn paths(sim: &autotask_sim::RunningSimulator) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.method,
                r.path.trim_start_matches("/ATServicesRest/V1.0/")
            )
        })
        .collect()
}

#[tokio::test]
async fn register_creates_the_webhook_then_one_row_per_field() {
    let (sim, client) = sim_support::start(Seed::None).await;
    let spec = ticket_spec()
        .subscribe([TicketField::Status, TicketField::Priority])
        .display_always([TicketField::TicketNumber, TicketField::Status])
        .events(true, true, false);
    let hook = client.webhooks().register(&spec).await.unwrap();

    assert_eq!(hook.entity, WebhookEntity::Ticket);
    let id = hook.id;
    assert_eq!(
        paths(&sim),
        vec![
            "GET Tickets/entityInformation".to_string(),
            "GET Tickets/entityInformation/fields".into(),
            "GET TicketWebhookFields/entityInformation/fields".into(),
            "POST TicketWebhooks".into(),
            format!("POST TicketWebhooks/{id}/Fields"),
            format!("POST TicketWebhooks/{id}/Fields"),
            format!("POST TicketWebhooks/{id}/Fields"),
            format!("GET TicketWebhooks/{id}"),
        ]
    );
    let webhook = sim.get("TicketWebhooks", id).unwrap();
    assert_eq!(webhook["isActive"], true);
    assert_eq!(webhook["isSubscribedToDeleteEvents"], false);
    assert_eq!(webhook["secretKey"], "s3cret");
    assert_eq!(hook.guid.as_deref(), webhook["webhookGUID"].as_str());
    assert!(hook.guid.is_some());

    let mut rows: Vec<(i64, bool, bool)> = sim
        .records("TicketWebhookFields")
        .iter()
        .map(|r| {
            assert_eq!(r["webhookID"], id);
            (
                r["fieldID"].as_i64().unwrap(),
                r["isSubscribedField"].as_bool().unwrap(),
                r["isDisplayAlwaysField"].as_bool().unwrap(),
            )
        })
        .collect();
    rows.sort();
    let mut expected = vec![
        (sim_field_id("Tickets", "status"), true, true),
        (sim_field_id("Tickets", "priority"), true, false),
        (sim_field_id("Tickets", "ticketNumber"), false, true),
    ];
    expected.sort();
    assert_eq!(rows, expected);
    assert_eq!(hook.field_rows.len(), 3);
    assert!(hook.field_rows.contains_key("ticketNumber"));
}

#[tokio::test]
async fn list_deactivate_and_delete() {
    let (sim, client) = sim_support::start(Seed::None).await;
    let webhooks = client.webhooks();
    let hook = webhooks
        .register(
            &ticket_spec()
                .subscribe([TicketField::Status])
                .exclude_resources([77]),
        )
        .await
        .unwrap();
    assert_eq!(hook.excluded_resource_rows.len(), 1);
    assert_eq!(
        sim.records("TicketWebhookExcludedResources")[0]["resourceID"],
        77
    );

    let listed = webhooks.list(WebhookEntity::Ticket).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, hook.id);
    assert!(listed[0].is_active && listed[0].on_create && listed[0].on_delete);
    assert_eq!(listed[0].is_ready, Some(true), "it has a subscribed field");
    assert_eq!(listed[0].guid, hook.guid);
    assert!(webhooks
        .list(WebhookEntity::Company)
        .await
        .unwrap()
        .is_empty());

    webhooks
        .deactivate(WebhookEntity::Ticket, hook.id)
        .await
        .unwrap();
    assert_eq!(
        sim.get("TicketWebhooks", hook.id).unwrap()["isActive"],
        false
    );

    webhooks
        .delete(WebhookEntity::Ticket, hook.id)
        .await
        .unwrap();
    assert_eq!(sim.count("TicketWebhooks"), 0);
    // Its rows go with it.
    assert_eq!(sim.count("TicketWebhookFields"), 0);
    assert_eq!(sim.count("TicketWebhookExcludedResources"), 0);
}

#[tokio::test]
async fn bad_specs_are_refused_before_any_request() {
    let (sim, client) = sim_support::start(Seed::None).await;
    let no_fields = client.webhooks().register(&ticket_spec()).await;
    assert!(matches!(no_fields, Err(Error::InvalidInput(m)) if m.contains("subscribed")));
    let long_name = WebhookSpec::contacts("x".repeat(51), "http://h/a", "http://h/d", "k")
        .subscribe([ContactField::EmailAddress]);
    assert!(matches!(
        client.webhooks().register(&long_name).await,
        Err(Error::InvalidInput(_))
    ));
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn a_field_without_a_tenant_field_id_is_refused_before_creating() {
    // A tenant whose fieldID picklist does not list `status`.
    let (sim, client) = sim_support::start_with(Simulator::builder().picklist(
        "TicketWebhookFields",
        "fieldID",
        vec![PicklistValue::new(5, "title")],
    ))
    .await;
    let error = client
        .webhooks()
        .register(&ticket_spec().subscribe([TicketField::Status]))
        .await
        .unwrap_err();
    match error {
        Error::InvalidInput(message) => {
            assert!(message.contains("Tickets.status"), "{message}");
            assert!(
                message.contains("title"),
                "lists the known names: {message}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(sim.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(sim.count("TicketWebhooks"), 0);
}

#[tokio::test]
async fn a_refused_field_row_deletes_the_half_made_webhook() {
    let (sim, client) = sim_support::start(Seed::None).await;
    // The second field row is refused.
    let first_row_ok = FaultRule::new(FaultKind::ServerError)
        .method("POST")
        .path_contains("/Fields")
        .every_nth(2);
    sim.add_fault(first_row_ok);
    let error = client
        .webhooks()
        .register(&ticket_spec().subscribe([TicketField::Status, TicketField::Priority]))
        .await
        .unwrap_err();
    match &error {
        Error::WebhookRegistration {
            entity,
            removed,
            created_rows,
            cleanup_error,
            cause,
            ..
        } => {
            assert_eq!(entity, "TicketWebhooks");
            assert!(*removed);
            assert_eq!(created_rows.len(), 1, "the first row was made");
            assert!(cleanup_error.is_none());
            assert!(cause.to_string().contains("Simulated fault"), "{cause}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.to_string().contains("deleted"), "{error}");
    assert_eq!(sim.count("TicketWebhooks"), 0);
    assert_eq!(sim.count("TicketWebhookFields"), 0);
}

#[tokio::test]
async fn a_failed_cleanup_reports_what_still_exists() {
    let (sim, client) = sim_support::start(Seed::None).await;
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .method("POST")
            .path_contains("/Fields"),
    );
    sim.add_fault(FaultRule::new(FaultKind::ServerError).method("DELETE"));
    let error = client
        .webhooks()
        .register(&ticket_spec().subscribe([TicketField::Status]))
        .await
        .unwrap_err();
    let Error::WebhookRegistration {
        webhook_id,
        removed,
        cleanup_error,
        ..
    } = &error
    else {
        panic!("unexpected {error:?}");
    };
    assert!(!removed);
    assert!(cleanup_error.is_some());
    assert!(sim.get("TicketWebhooks", *webhook_id).is_some());
    assert!(error.to_string().contains("still exist"), "{error}");
}

#[tokio::test]
async fn is_ready_is_read_only_and_never_sent_in_a_create_or_patch() {
    let (sim, client) = sim_support::start(Seed::None).await;
    for entity in [
        "CompanyWebhooks",
        "ContactWebhooks",
        "ConfigurationItemWebhooks",
        "TicketWebhooks",
        "TicketNoteWebhooks",
    ] {
        let meta = autotask::entity_meta(entity).unwrap();
        assert!(meta.field("isReady").unwrap().is_read_only(), "{entity}");
        let refused = client
            .entities()
            .get_entity(entity)
            .unwrap()
            .create(&serde_json::json!({
                "name": "hook", "isActive": true, "isReady": true,
                "webhookUrl": "http://127.0.0.1:9/hook", "deactivationUrl": "http://127.0.0.1:9/off"
            }))
            .await;
        assert!(
            matches!(&refused, Err(Error::InvalidInput(text)) if text.contains("isReady is read-only")),
            "{entity}: {refused:?}"
        );
    }
    assert!(sim.requests().is_empty(), "refused before sending");
}

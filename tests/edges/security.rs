//! Credentials go only to the configured origin (page links in every form, redirects, the zone answer),
//! and no `Debug` output shows a secret.

use crate::stub::{Reply, Stub};
use crate::{authority, client_for, page, ticket};
use autotask::{Client, Error};
use futures::StreamExt;
use serde_json::json;

/// Every way of writing a link to another origin that the first page's `nextPageUrl` may use.
fn foreign_links(main: &Stub, other: &Stub) -> Vec<String> {
    let other = authority(other);
    let main_port = authority(main).rsplit(':').next().unwrap().to_string();
    let rest = "ATServicesRest/V1.0/Tickets/query/next?paging=1";
    vec![
        format!("HTTP://{other}/{rest}"),
        format!("Http://{other}/{rest}"),
        format!("//{other}/{rest}"),
        format!(" http://{other}/{rest}"),
        format!("\thttp://{other}/{rest}"),
        format!("http:\\\\{other}\\{}", rest.replace('/', "\\")),
        format!("http:/\\{other}/{rest}"),
        format!("\\\\{other}/{rest}"),
        format!("http://{other}/{rest}"),
        format!("http://localhost:{main_port}/{rest}"),
        format!("http://127.0.0.1:{main_port}@{other}/{rest}"),
        format!("https://{other}/{rest}"),
    ]
}

#[tokio::test]
async fn next_page_links_to_another_origin_are_refused_in_every_form() {
    let other = Stub::start(vec![]).await;
    let link = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let main = Stub::scripted({
        let link = link.clone();
        move |_, _| Reply::json(200, page([1], Some(link.lock().unwrap().clone())))
    })
    .await;
    let client = client_for(&main);
    for (n, form) in foreign_links(&main, &other).into_iter().enumerate() {
        *link.lock().unwrap() = form.clone();
        let results: Vec<_> = client.tickets().stream_all().take(5).collect().await;
        assert!(results[0].is_ok(), "{form:?}: {:?}", results[0]);
        assert!(
            matches!(results.get(1), Some(Err(e)) if matches!(e.cause(), Error::Protocol(m) if m.contains("refusing"))),
            "{form:?}: {:?}",
            results.get(1)
        );
        assert_eq!(results.len(), 2, "{form:?}: the stream ends at the refusal");
        assert!(
            other.seen().is_empty(),
            "{form:?} reached the other server: {:?}",
            other.seen()
        );
        assert_eq!(
            main.seen().len(),
            n + 1,
            "{form:?}: only the first page was asked for"
        );
    }
}

#[tokio::test]
async fn same_origin_links_in_other_forms_are_followed() {
    let main = Stub::scripted(|_, n| {
        if n == 0 {
            Reply::json(
                200,
                page(
                    [1],
                    Some(" /ATServicesRest/V1.0/Tickets/query/next?paging=2".into()),
                ),
            )
        } else {
            Reply::json(200, page([2], None))
        }
    })
    .await;
    let client = client_for(&main);
    let ids: Vec<i64> = client
        .tickets()
        .stream_all()
        .map(|t| t.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, [1, 2]);
    assert_eq!(
        main.seen()[1].target,
        "/ATServicesRest/V1.0/Tickets/query/next?paging=2"
    );
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    let other = Stub::start(vec![]).await;
    for status in [301, 302, 303, 307, 308] {
        let location = format!("http://{}/ATServicesRest/V1.0/Tickets/1", authority(&other));
        let main = Stub::start(vec![
            Reply::Http(
                status,
                vec![("Location".into(), location.clone())],
                String::new(),
            ),
            Reply::Http(status, vec![("Location".into(), location)], String::new()),
        ])
        .await;
        let client = client_for(&main);
        let error = client.tickets().get(1).await.unwrap_err();
        assert!(
            matches!(error, Error::Http { status: s, .. } if s == status),
            "{status}: {error:?}"
        );
        let query = client.tickets().query().page().await.unwrap_err();
        assert!(matches!(query, Error::Http { .. }), "{status}: {query:?}");
        assert!(other.seen().is_empty(), "{status}: a redirect was followed");
    }
}

#[tokio::test]
async fn a_zone_answer_on_another_domain_gets_no_credentials() {
    let lookup = Stub::start(vec![
        Reply::json(200, json!({"apiVersions": ["V1.0"]})),
        Reply::json(
            200,
            json!({"zoneName": "Evil", "url": "https://webservices15.attacker.example/ATServicesRest/", "webUrl": "x", "ci": 1}),
        ),
    ])
    .await;
    let client = Client::builder()
        .username("zone-domain@example.com")
        .integration_code("CODE")
        .secret("zone-secret")
        .zone_lookup_url(format!("{}atservicesrest/", lookup.base))
        .build()
        .unwrap();
    let error = client.tickets().get(1).await.unwrap_err();
    assert!(
        matches!(&error, Error::Protocol(m) if m.contains("zone") && m.contains("attacker.example")),
        "{error:?}"
    );
    assert_eq!(lookup.seen().len(), 2, "no request after the zone answer");
}

#[tokio::test]
async fn the_client_builder_debug_shows_no_credential() {
    let builder = Client::builder()
        .username("u@example.com")
        .integration_code("INTEGRATION-CODE-XYZ")
        .secret("hunter2");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("INTEGRATION-CODE-XYZ") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(shown.contains("u@example.com"), "{shown}");
}

#[cfg(feature = "service_desk")]
#[tokio::test]
async fn webhook_specs_and_generated_webhook_bodies_hide_the_secret() {
    use autotask::entities::{
        ClientPortalUser, IntegrationVendorWidget, NewTicketWebhook, TicketWebhook,
        TicketWebhookPatch,
    };
    use autotask::webhooks::WebhookSpec;
    const SECRET: &str = "whsec-do-not-print";
    let spec = WebhookSpec::<autotask::entities::TicketField>::tickets(
        "n",
        "https://h/a",
        "https://h/d",
        SECRET,
    );
    let new = NewTicketWebhook::new("https://h/d", true, "n", SECRET, false, "https://h/a");
    let mut patch = TicketWebhookPatch::new(5);
    patch.secret_key = SECRET.into();
    let read: TicketWebhook =
        serde_json::from_value(json!({"id": 5, "name": "n", "secretKey": SECRET})).unwrap();
    let widget: IntegrationVendorWidget =
        serde_json::from_value(json!({"id": 6, "secret": SECRET})).unwrap();
    let portal_user: ClientPortalUser =
        serde_json::from_value(json!({"id": 7, "password": SECRET})).unwrap();
    for shown in [
        format!("{spec:?}"),
        format!("{new:?}"),
        format!("{patch:?}"),
        format!("{read:?}"),
        format!("{widget:?}"),
        format!("{portal_user:?}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    // The wire still carries it.
    assert_eq!(serde_json::to_value(&new).unwrap()["secretKey"], SECRET);
    assert_eq!(serde_json::to_value(&patch).unwrap()["secretKey"], SECRET);
    assert_eq!(spec.create_body()["secretKey"], SECRET);
}

#[cfg(feature = "service_desk")]
#[tokio::test]
async fn an_unknown_outcome_shows_its_payload_without_the_secret() {
    use autotask::entities::NewTicketWebhook;
    const SECRET: &str = "whsec-lost-answer";
    let stub = Stub::start(vec![Reply::Drop]).await;
    let client = client_for(&stub);
    let new = NewTicketWebhook::new("https://h/d", true, "lost", SECRET, false, "https://h/a");
    let error = client.ticket_webhooks().create(&new).await.unwrap_err();
    let Error::UnknownOutcome { payload, .. } = &error else {
        panic!("expected UnknownOutcome, got {error:?}");
    };
    for shown in [
        format!("{error:?}"),
        format!("{error}"),
        format!("{payload:?}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    // The payload still holds what was sent, to check and re-send deliberately.
    assert_eq!(payload["name"], "lost");
    assert_eq!(payload["secretKey"], SECRET);
    assert_eq!(stub.seen().len(), 1);
    let _ = ticket(1);
}

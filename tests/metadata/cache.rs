//! The response cache: hits make no request, TTLs expire, writes invalidate, keys include impersonation.

use crate::sim_support::{client_builder, start, start_with};
use crate::{insert_ticket, sent};
use autotask::entities::{TicketNotePatch, TicketPatch};
use autotask::{Error, UserAccess};
use autotask_sim::{FaultKind, FaultRule, Seed, Simulator};
use serde_json::json;
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

fn get(path: &str) -> (String, String) {
    ("GET".to_string(), path.to_string())
}

#[tokio::test]
async fn records_are_not_cached_unless_enabled() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "a");
    sim.clear_requests();
    client.tickets().get(id).await.unwrap().unwrap();
    client.tickets().get(id).await.unwrap().unwrap();
    assert_eq!(
        sent(&sim).len(),
        2,
        "cache-off by default: every read is sent"
    );
}

#[tokio::test]
async fn a_cached_read_makes_no_request_typed_or_dynamic() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "cached");
    client.enable_cache(MINUTE);
    sim.clear_requests();
    let first = client.tickets().get(id).await.unwrap().unwrap();
    let second = client.tickets().get(id).await.unwrap().unwrap();
    let dynamic = client
        .entities()
        .get_entity("tickets")
        .unwrap()
        .get(id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.title, second.title);
    assert_eq!(dynamic["title"], "cached");
    assert_eq!(sent(&sim), [get(&format!("Tickets/{id}"))]);
    let stats = client.cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.records), (2, 1, 1));
}

#[tokio::test]
async fn a_stale_entry_is_fetched_again_after_the_ttl() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "a");
    client.enable_cache(Duration::from_millis(150));
    sim.clear_requests();
    client.tickets().get(id).await.unwrap();
    client.tickets().get(id).await.unwrap();
    assert_eq!(sent(&sim).len(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    client.tickets().get(id).await.unwrap();
    assert_eq!(sent(&sim).len(), 2, "expired entry refetched");
}

#[tokio::test]
async fn not_found_is_never_cached() {
    let (sim, client) = start(Seed::None).await;
    client.enable_cache(MINUTE);
    assert!(client.tickets().get(4242).await.unwrap().is_none());
    let id = insert_ticket(&sim, "appears later");
    sim.clear_requests();
    // The record now exists: a cached "none" would hide it.
    let found = client.tickets().get(id).await.unwrap();
    assert_eq!(found.unwrap().title.as_deref(), Some("appears later"));
    assert!(client.tickets().get(4242).await.unwrap().is_none());
    assert_eq!(sent(&sim).len(), 2);
}

#[tokio::test]
async fn a_patch_invalidates_that_record_only() {
    let (sim, client) = start(Seed::None).await;
    let (a, b) = (insert_ticket(&sim, "a"), insert_ticket(&sim, "b"));
    client.enable_cache(MINUTE);
    client.tickets().get(a).await.unwrap();
    client.tickets().get(b).await.unwrap();
    sim.clear_requests();
    let mut patch = TicketPatch::new(a);
    patch.title = "a, changed".into();
    client.tickets().update(&patch).await.unwrap();
    let a_now = client.tickets().get(a).await.unwrap().unwrap();
    client.tickets().get(b).await.unwrap();
    assert_eq!(a_now.title.as_deref(), Some("a, changed"));
    assert_eq!(
        sent(&sim),
        [
            ("PATCH".to_string(), "Tickets".to_string()),
            get(&format!("Tickets/{a}"))
        ],
        "b is still served from the cache"
    );
}

#[tokio::test]
async fn a_dynamic_write_invalidates_a_typed_read() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "before");
    client.enable_cache(MINUTE);
    client.tickets().get(id).await.unwrap();
    let tickets = client.entities().get_entity("Tickets").unwrap();
    tickets
        .update(&json!({"id": id, "title": "after"}))
        .await
        .unwrap();
    let now = client.tickets().get(id).await.unwrap().unwrap();
    assert_eq!(now.title.as_deref(), Some("after"));
}

#[tokio::test]
async fn a_child_write_invalidates_the_child_and_its_parent() {
    let (sim, client) = start(Seed::None).await;
    let ticket = insert_ticket(&sim, "parent");
    let note = sim
        .insert(
            "TicketNotes",
            json!({"ticketID": ticket, "description": "first", "noteType": 1, "publish": 1}),
        )
        .unwrap();
    client.enable_cache(MINUTE);
    let notes = client.tickets().notes(ticket);
    notes.get(note).await.unwrap().unwrap();
    client.tickets().get(ticket).await.unwrap().unwrap();
    sim.clear_requests();
    let mut patch = TicketNotePatch::new(note);
    patch.description = "second".into();
    notes.update(&patch).await.unwrap();
    let again = notes.get(note).await.unwrap().unwrap();
    client.tickets().get(ticket).await.unwrap();
    assert_eq!(again.description.as_deref(), Some("second"));
    assert_eq!(
        sent(&sim),
        [
            ("PATCH".to_string(), format!("Tickets/{ticket}/Notes")),
            get(&format!("Tickets/{ticket}/Notes/{note}")),
            get(&format!("Tickets/{ticket}")),
        ]
    );
}

#[tokio::test]
async fn a_create_and_an_unknown_outcome_invalidate_the_whole_entity() {
    let (sim, client) = start(Seed::None).await;
    let (a, b) = (insert_ticket(&sim, "a"), insert_ticket(&sim, "b"));
    client.enable_cache(MINUTE);
    let tickets = client.entities().get_entity("Tickets").unwrap();
    let warm = || async {
        client.tickets().get(a).await.unwrap();
        client.tickets().get(b).await.unwrap();
    };
    warm().await;
    let new = json!({"companyID": 0, "title": "c", "status": 1, "priority": 2});
    tickets.create(&new).await.unwrap();
    sim.clear_requests();
    warm().await;
    assert_eq!(sent(&sim).len(), 2, "a create drops every cached Ticket");

    sim.add_fault(
        FaultRule::new(FaultKind::ResponseLost)
            .method("POST")
            .next(1),
    );
    let lost = tickets.create(&new).await.unwrap_err();
    assert!(matches!(lost, Error::UnknownOutcome { .. }), "{lost:?}");
    sim.clear_requests();
    warm().await;
    assert_eq!(
        sent(&sim).len(),
        2,
        "so does a create whose outcome is unknown"
    );
}

#[tokio::test]
async fn a_delete_invalidates_the_deleted_record() {
    let (sim, client) = start(Seed::None).await;
    let action_types = client.entities().get_entity("ActionTypes").unwrap();
    let id = action_types
        .create(&json!({"isActive": true, "name": "Call", "view": 1}))
        .await
        .unwrap();
    client.enable_cache(MINUTE);
    assert!(action_types.get(id).await.unwrap().is_some());
    assert!(action_types.get(id).await.unwrap().is_some());
    client.action_types().delete(id).await.unwrap();
    sim.clear_requests();
    assert!(action_types.get(id).await.unwrap().is_none());
    assert_eq!(sent(&sim), [get(&format!("ActionTypes/{id}"))]);
}

#[tokio::test]
async fn one_users_view_never_answers_another() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "a");
    client.enable_cache(MINUTE);
    sim.clear_requests();
    client.tickets().get(id).await.unwrap();
    let as_seven = client.impersonating(7);
    as_seven.tickets().get(id).await.unwrap();
    as_seven.tickets().get(id).await.unwrap();
    client.impersonating(8).tickets().get(id).await.unwrap();
    client.tickets().get(id).await.unwrap();
    assert_eq!(sent(&sim).len(), 3, "one request per impersonation");
}

#[tokio::test]
async fn the_size_bound_evicts_the_least_recently_used_record() {
    let sim = Simulator::builder().start().await.unwrap();
    let client = client_builder(&sim).cache(MINUTE, 2).build().unwrap();
    let ids: Vec<i64> = (0..3)
        .map(|i| insert_ticket(&sim, &i.to_string()))
        .collect();
    client.tickets().get(ids[0]).await.unwrap();
    client.tickets().get(ids[1]).await.unwrap();
    client.tickets().get(ids[0]).await.unwrap(); // ids[0] is now the most recently used
    client.tickets().get(ids[2]).await.unwrap(); // evicts ids[1]
    sim.clear_requests();
    client.tickets().get(ids[0]).await.unwrap();
    client.tickets().get(ids[2]).await.unwrap();
    client.tickets().get(ids[1]).await.unwrap();
    assert_eq!(sent(&sim), [get(&format!("Tickets/{}", ids[1]))]);
    assert_eq!(client.cache_stats().records, 2);
    assert!(client.cache_stats().evictions >= 1);
}

#[tokio::test]
async fn a_zero_sized_cache_is_a_configuration_error() {
    let sim = Simulator::builder().start().await.unwrap();
    let err = client_builder(&sim).cache(MINUTE, 0).build().unwrap_err();
    assert!(matches!(err, Error::Configuration(_)), "{err:?}");
}

#[tokio::test]
async fn disable_and_clear_drop_entries() {
    let (sim, client) = start(Seed::None).await;
    let id = insert_ticket(&sim, "a");
    client.enable_cache(MINUTE);
    client.tickets().get(id).await.unwrap();
    client.picklists().field("Tickets", "status").await.unwrap();
    client.clear_cache();
    sim.clear_requests();
    client.tickets().get(id).await.unwrap();
    client.picklists().field("Tickets", "status").await.unwrap();
    assert_eq!(
        sent(&sim).len(),
        2,
        "clear_cache drops records and metadata"
    );
    client.disable_cache();
    client.tickets().get(id).await.unwrap();
    client.tickets().get(id).await.unwrap();
    assert_eq!(sent(&sim).len(), 4, "disabled: every read is sent");
    assert_eq!(client.cache_stats().records, 0);
}

#[tokio::test]
async fn metadata_is_cached_by_default_and_can_be_turned_off() {
    let (sim, client) = start(Seed::None).await;
    client.udf_definitions("Tickets").await.unwrap();
    client.udf_definitions("Tickets").await.unwrap();
    client.picklists().field("Tickets", "status").await.unwrap();
    client
        .picklists()
        .field("Tickets", "priority")
        .await
        .unwrap();
    assert_eq!(
        sent(&sim),
        [
            get("Tickets/entityInformation/userDefinedFields"),
            get("Tickets/entityInformation/fields"),
        ]
    );
    let uncached = client_builder(&sim).metadata_cache(None).build().unwrap();
    sim.clear_requests();
    uncached.udf_definitions("Tickets").await.unwrap();
    uncached.udf_definitions("Tickets").await.unwrap();
    assert_eq!(sent(&sim).len(), 2);
}

#[tokio::test]
async fn concurrent_first_reads_of_the_same_metadata_make_one_request() {
    let (sim, client) = start(Seed::None).await;
    // A slow answer, so that all five lookups are waiting while the first one is in flight.
    sim.add_fault(
        FaultRule::new(FaultKind::Delay(Duration::from_millis(100)))
            .path_contains("entityInformation/fields"),
    );
    let picklists = client.picklists();
    let fields = ["status", "priority", "status", "queueID", "priority"];
    let lookups = fields.map(|field| picklists.field("Tickets", field));
    let answers = futures::future::join_all(lookups).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(sent(&sim), [get("Tickets/entityInformation/fields")]);
}

#[tokio::test]
async fn entity_information_is_cached_metadata() {
    let (sim, client) = start(Seed::None).await;
    let info = client.entity_information("tickets").await.unwrap();
    assert_eq!(info.name, "Ticket");
    assert!(info.can_create && !info.can_delete && info.has_user_defined_fields);
    assert_eq!(info.user_access_for_create, UserAccess::All);
    assert_eq!(info.user_access_for_delete, UserAccess::None);
    let typed = client
        .entity_information_for::<autotask::entities::Ticket>()
        .await
        .unwrap();
    assert_eq!(typed, info);
    assert_eq!(sent(&sim), [get("Tickets/entityInformation")]);
    let unknown = client.entity_information("Nope").await.unwrap_err();
    assert!(matches!(unknown, Error::InvalidInput(_)), "{unknown:?}");
    assert_eq!(sent(&sim).len(), 1);
}

#[tokio::test]
async fn writing_udf_definitions_drops_cached_metadata() {
    let (sim, client) = start(Seed::None).await;
    client.udf_definitions("Tickets").await.unwrap();
    // The simulator refuses this body, but a failed write may still have changed something.
    let _ = client
        .entities()
        .get_entity("UserDefinedFieldDefinitions")
        .unwrap()
        .create(&json!({"name": "New UDF"}))
        .await;
    sim.clear_requests();
    client.udf_definitions("Tickets").await.unwrap();
    assert_eq!(
        sent(&sim),
        [get("Tickets/entityInformation/userDefinedFields")]
    );
}

#[tokio::test]
async fn clones_share_the_cache() {
    let (sim, client) = start_with(Simulator::builder()).await;
    let id = insert_ticket(&sim, "a");
    let clone = client.clone();
    client.enable_cache(MINUTE);
    sim.clear_requests();
    client.tickets().get(id).await.unwrap();
    clone.tickets().get(id).await.unwrap();
    assert_eq!(sent(&sim).len(), 1);
}

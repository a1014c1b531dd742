//! The write journal: every create, update and delete sent through the client, with id, impersonation
//! and outcome; queries and reads are not journaled.

use crate::sim_support::start;
use autotask::client::journal::WriteOutcome;
use autotask_sim::Seed;
use serde_json::json;

#[tokio::test]
async fn writes_are_journaled_with_id_impersonation_and_outcome() {
    let (sim, client) = start(Seed::None).await;
    let action_types = client.entities().get_entity("ActionTypes").unwrap();
    let id = action_types
        .create(&json!({"isActive": true, "name": "Call", "view": 1}))
        .await
        .unwrap();
    action_types
        .update(&json!({"id": id, "name": "Phone call"}))
        .await
        .unwrap();
    // Impersonation is honoured only for some entities, Companies among them.
    let company = client
        .impersonating(29)
        .entities()
        .get_entity("Companies")
        .unwrap()
        .create(&json!({"companyName": "Acme", "companyType": 1, "isActive": true, "ownerResourceID": 29, "phone": "555"}))
        .await
        .unwrap();
    let refused = action_types.create(&json!({"name": "no isActive"})).await;
    assert!(refused.is_err());
    action_types.delete(id).await.unwrap();
    // Reads and queries are not writes.
    action_types.get(id).await.unwrap();
    client.tickets().query().count().await.unwrap();

    let (entries, dropped) = client.write_journal();
    assert_eq!(dropped, 0);
    let summary: Vec<_> = entries
        .iter()
        .map(|e| (e.method.as_str(), e.entity.as_str(), e.id, e.impersonation))
        .collect();
    assert_eq!(
        summary,
        [
            ("POST", "ActionTypes", Some(id), None),
            ("PATCH", "ActionTypes", Some(id), None),
            ("POST", "Companies", Some(company), Some(29)),
            ("POST", "ActionTypes", None, None),
            ("DELETE", "ActionTypes", Some(id), None),
        ]
    );
    assert_eq!(entries[0].outcome, WriteOutcome::Succeeded);
    assert!(
        matches!(&entries[3].outcome, WriteOutcome::Failed(m) if m.contains("isActive")),
        "{:?}",
        entries[3].outcome
    );
    assert!(entries.windows(2).all(|w| w[0].at <= w[1].at));
    // The journal matches what the simulator saw: five writes, the failed one answered 500.
    let writes: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && !r.path.contains("/query"))
        .map(|r| (r.method, r.status))
        .collect();
    assert_eq!(
        writes,
        [
            ("POST".to_string(), 200),
            ("PATCH".to_string(), 200),
            ("POST".to_string(), 200),
            ("POST".to_string(), 500),
            ("DELETE".to_string(), 200)
        ]
    );
}

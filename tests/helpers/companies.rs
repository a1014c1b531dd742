//! Companies and CompanyNotes helpers.

use crate::sim_support::start;
use crate::{bodies, calls, repeated};
use autotask::entities::CompanyType;
use autotask::helpers::prelude::*;
use autotask::Error;
use autotask_sim::Seed;
use serde_json::json;

#[tokio::test]
async fn create_company_sends_the_required_fields_and_reads_back() {
    let (sim, client) = start(Seed::None).await;
    let company = client
        .companies()
        .create_company(4, "Acme Corp", "555-0100")
        .company_type(CompanyType::CUSTOMER)
        .address("1 Main St", "Springfield", "12345")
        .send()
        .await
        .unwrap();
    assert_eq!(company.company_name.as_deref(), Some("Acme Corp"));
    assert_eq!(company.is_active, Some(true));
    assert_eq!(company.city.as_deref(), Some("Springfield"));
    assert_eq!(
        calls(&sim),
        ["POST Companies", &format!("GET Companies/{}", company.id)]
    );
    assert_eq!(
        bodies(&sim)[0],
        json!({"companyName": "Acme Corp", "phone": "555-0100", "ownerResourceID": 4,
               "isActive": true, "companyType": 1, "address1": "1 Main St",
               "city": "Springfield", "postalCode": "12345"})
    );
}

#[tokio::test]
async fn company_searches_filter_on_the_server_and_page_to_the_end() {
    let (sim, client) = start(Seed::None).await;
    for i in 0..700 {
        let (name, active, kind) = match i % 7 {
            0 => (format!("Acme {i}"), false, 2),
            1 => (format!("Zeta {i}"), true, 2),
            _ => (format!("ACME Labs {i}"), true, 1),
        };
        sim.insert(
            "Companies",
            json!({"companyName": name, "phone": "1", "ownerResourceID": 4,
                   "isActive": active, "companyType": kind}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let acme = client.companies().search_by_name("acme").await.unwrap();
    assert_eq!(acme.len(), 600, "case-insensitive contains");
    assert_eq!(
        calls(&sim),
        ["POST Companies/query", "POST Companies/query/next"]
    );
    assert_eq!(
        bodies(&sim)[0]["filter"],
        json!([{"op": "contains", "field": "companyName", "value": "acme"}])
    );

    sim.clear_requests();
    let active = client.companies().get_active_companies().await.unwrap();
    assert_eq!(active.len(), 600);
    assert_eq!(
        calls(&sim),
        ["POST Companies/query", "POST Companies/query/next"]
    );

    sim.clear_requests();
    let leads = client
        .companies()
        .get_by_type(CompanyType::LEAD)
        .await
        .unwrap();
    assert_eq!(leads.len(), 200);
    assert!(leads
        .iter()
        .all(|c| c.company_type == Some(CompanyType::LEAD)));
    assert_eq!(calls(&sim), repeated("POST Companies/query", 1));

    sim.clear_requests();
    let empty = client.companies().search_by_name("  ").await;
    assert!(matches!(empty, Err(Error::InvalidInput(_))));
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn company_notes_are_created_under_the_company_and_listed_by_company() {
    let (sim, client) = start(Seed::None).await;
    for id in [12, 13] {
        sim.insert(
            "Companies",
            json!({"id": id, "companyName": "Acme", "phone": "1", "ownerResourceID": 4}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let note = client
        .company_notes()
        .create_company_note(12, 4, 3, "Renewal call went well")
        .name("Call")
        .send()
        .await
        .unwrap();
    assert_eq!(note.company_id, Some(12));
    assert_eq!(note.note.as_deref(), Some("Renewal call went well"));
    assert_eq!(note.name.as_deref(), Some("Call"));
    assert!(note.start_date_time.is_some() && note.end_date_time.is_some());
    assert_eq!(
        calls(&sim),
        [
            "POST Companies/12/Notes",
            &format!("GET CompanyNotes/{}", note.id)
        ]
    );
    assert_eq!(bodies(&sim)[0]["actionType"], 3);
    assert_eq!(bodies(&sim)[0]["assignedResourceID"], 4);

    sim.insert(
        "CompanyNotes",
        json!({"companyID": 13, "actionType": 3, "assignedResourceID": 4,
               "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-01-01T00:00:00Z"}),
    )
    .unwrap();
    sim.clear_requests();
    let notes = client.company_notes().get_by_company(12).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].id, note.id);
    assert_eq!(calls(&sim), ["POST CompanyNotes/query"]);
}

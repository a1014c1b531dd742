//! Contacts helpers.

use crate::sim_support::start;
use crate::{bodies, calls};
use autotask::helpers::prelude::*;
use autotask::Error;
use autotask_sim::Seed;
use serde_json::json;

#[tokio::test]
async fn create_contact_posts_under_the_company() {
    let (sim, client) = start(Seed::None).await;
    sim.insert(
        "Companies",
        json!({"id": 9, "companyName": "Acme", "phone": "1", "ownerResourceID": 4}),
    )
    .unwrap();
    sim.clear_requests();
    let contact = client
        .contacts()
        .create_contact(9, "Ada", "Lovelace", "ada@example.com")
        .primary(true)
        .send()
        .await
        .unwrap();
    assert_eq!(contact.company_id, Some(9));
    assert_eq!(contact.first_name.as_deref(), Some("Ada"));
    assert_eq!(contact.email_address.as_deref(), Some("ada@example.com"));
    assert_eq!(contact.is_active, Some(1));
    assert_eq!(contact.primary_contact, Some(true));
    assert_eq!(
        calls(&sim),
        [
            "POST Companies/9/Contacts",
            &format!("GET Contacts/{}", contact.id)
        ]
    );
    assert_eq!(bodies(&sim)[0]["emailAddress"], "ada@example.com");
}

#[tokio::test]
async fn contact_lookups_by_company_email_and_primary_flag() {
    let (sim, client) = start(Seed::None).await;
    let contact =
        |company: i64, first: &str, email: Option<&str>, email2: Option<&str>, primary: bool| {
            json!({"companyID": company, "firstName": first, "lastName": "X", "isActive": 1,
               "emailAddress": email, "emailAddress2": email2, "primaryContact": primary})
        };
    for record in [
        contact(1, "a", Some("a@x.com"), None, true),
        contact(1, "b", Some("b@x.com"), Some("shared@x.com"), false),
        contact(2, "c", Some("Shared@X.com"), None, true),
        contact(2, "d", None, None, false),
    ] {
        sim.insert("Contacts", record).unwrap();
    }
    sim.clear_requests();

    let of_company = client.contacts().get_by_company(1).await.unwrap();
    assert_eq!(of_company.len(), 2);

    let shared = client
        .contacts()
        .search_by_email("shared@x.com")
        .await
        .unwrap();
    let names: Vec<_> = shared
        .iter()
        .map(|c| c.first_name.as_deref().unwrap())
        .collect();
    assert_eq!(
        names,
        ["b", "c"],
        "any of the three addresses, case-insensitive"
    );

    let primary = client.contacts().get_primary_contacts().await.unwrap();
    assert_eq!(primary.len(), 2);
    assert!(primary.iter().all(|c| c.primary_contact == Some(true)));

    assert_eq!(
        calls(&sim),
        [
            "POST Contacts/query",
            "POST Contacts/query",
            "POST Contacts/query"
        ]
    );
    assert_eq!(bodies(&sim)[1]["filter"][0]["op"], "or");
    assert_eq!(
        bodies(&sim)[1]["filter"][0]["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    sim.clear_requests();
    let empty = client.contacts().search_by_email("").await;
    assert!(matches!(empty, Err(Error::InvalidInput(_))));
    assert!(sim.requests().is_empty());
}

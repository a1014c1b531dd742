//! ConfigurationItems and ConfigurationItemTypes helpers.

use crate::sim_support::start;
use crate::{bodies, calls};
use autotask::helpers::prelude::*;
use autotask::Error;
use autotask_sim::Seed;
use serde_json::json;

#[tokio::test]
async fn create_ci_names_it_through_reference_title() {
    let (sim, client) = start(Seed::None).await;
    let ci = client
        .configuration_items()
        .create_ci(5, 77, "Front desk PC", 2)
        .serial_number("SN-1")
        .send()
        .await
        .unwrap();
    assert_eq!(ci.reference_title.as_deref(), Some("Front desk PC"));
    assert_eq!(ci.product_id, Some(77));
    assert_eq!(ci.company_id, Some(5));
    assert_eq!(ci.is_active, Some(true));
    assert_eq!(
        calls(&sim),
        [
            "POST ConfigurationItems",
            &format!("GET ConfigurationItems/{}", ci.id)
        ]
    );
    assert_eq!(
        bodies(&sim)[0],
        json!({"referenceTitle": "Front desk PC", "productID": 77, "companyID": 5,
               "isActive": true, "configurationItemType": 2, "serialNumber": "SN-1"})
    );
}

#[tokio::test]
async fn ci_lookups_filter_on_the_server() {
    let (sim, client) = start(Seed::None).await;
    for i in 0..12 {
        sim.insert(
            "ConfigurationItems",
            json!({"companyID": i % 2, "productID": 1, "isActive": true,
                   "configurationItemType": 1 + i % 3, "configurationItemCategoryID": 10 + i % 4,
                   "serialNumber": format!("SN-{i}")}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let ci = client.configuration_items();
    assert_eq!(ci.get_by_company(1).await.unwrap().len(), 6);
    assert_eq!(ci.get_by_type(3).await.unwrap().len(), 4);
    assert_eq!(ci.get_by_category(11).await.unwrap().len(), 3);
    let found = ci.search_by_serial("sn-7").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].serial_number.as_deref(), Some("SN-7"));
    assert_eq!(calls(&sim), vec!["POST ConfigurationItems/query"; 4]);
    let fields: Vec<_> = bodies(&sim)
        .iter()
        .map(|b| b["filter"][0]["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        [
            "companyID",
            "configurationItemType",
            "configurationItemCategoryID",
            "serialNumber"
        ]
    );
    assert!(matches!(
        ci.search_by_serial(" ").await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn configuration_item_types_all_and_active_page_to_the_end() {
    let (sim, client) = start(Seed::None).await;
    for i in 0..620 {
        sim.insert(
            "ConfigurationItemTypes",
            json!({"name": format!("type {i}"), "isActive": i % 10 != 0}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let all = client
        .configuration_item_types()
        .get_all_types()
        .await
        .unwrap();
    assert_eq!(all.len(), 620);
    assert_eq!(
        calls(&sim),
        [
            "POST ConfigurationItemTypes/query",
            "POST ConfigurationItemTypes/query/next"
        ]
    );
    sim.clear_requests();
    let active = client
        .configuration_item_types()
        .get_active_types()
        .await
        .unwrap();
    assert_eq!(active.len(), 558);
    assert_eq!(
        calls(&sim),
        [
            "POST ConfigurationItemTypes/query",
            "POST ConfigurationItemTypes/query/next"
        ]
    );
}

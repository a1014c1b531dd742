//! Contracts and ContractServices helpers.

use crate::sim_support::start;
use crate::{bodies, calls, days_from_now};
use autotask::entities::{ContractStatus, ContractType};
use autotask::helpers::prelude::*;
use autotask::{Decimal, Error};
use autotask_sim::{FaultKind, FaultRule, Seed};
use serde_json::json;

fn contract(company: i64, name: &str, start: &str, end: &str, status: i64) -> serde_json::Value {
    json!({"companyID": company, "contractName": name, "contractType": 7, "startDate": start,
           "endDate": end, "status": status, "timeReportingRequiresStartAndStopTimes": 1})
}

#[tokio::test]
async fn create_contract_defaults_to_an_active_one_year_term_from_today() {
    let (sim, client) = start(Seed::None).await;
    let created = client
        .contracts()
        .create_contract(3, "Managed services", ContractType::RECURRING_SERVICE)
        .description("All devices")
        .send()
        .await
        .unwrap();
    let start = created.start_date.unwrap();
    let end = created.end_date.unwrap();
    assert_eq!(start.date_naive(), chrono::Utc::now().date_naive());
    assert_eq!(start.time(), chrono::NaiveTime::MIN);
    assert!(
        (364..=365).contains(&(end - start).num_days()),
        "{start}..{end}"
    );
    assert_eq!(created.status, Some(ContractStatus::ACTIVE));
    assert_eq!(created.contract_type, Some(ContractType::RECURRING_SERVICE));
    assert_eq!(
        calls(&sim),
        ["POST Contracts", &format!("GET Contracts/{}", created.id)]
    );
    assert_eq!(bodies(&sim)[0]["timeReportingRequiresStartAndStopTimes"], 0);
}

#[tokio::test]
async fn get_by_account_and_expiring_contracts() {
    let (sim, client) = start(Seed::None).await;
    let past = days_from_now(-400);
    for (name, end, status) in [
        ("ends in 10 days", days_from_now(10), 1),
        ("ends in 40 days", days_from_now(40), 1),
        ("ended", days_from_now(-5), 1),
        ("inactive, ends in 10 days", days_from_now(10), 0),
    ] {
        sim.insert("Contracts", contract(1, name, &past, &end, status))
            .unwrap();
    }
    sim.insert(
        "Contracts",
        contract(2, "other", &past, &days_from_now(3), 1),
    )
    .unwrap();
    sim.clear_requests();

    assert_eq!(client.contracts().get_by_account(1).await.unwrap().len(), 4);
    // A window past the last representable date is refused before sending, not a panic.
    let before = sim.requests().len();
    let error = client
        .contracts()
        .get_expiring_contracts(u32::MAX)
        .await
        .unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    assert_eq!(sim.requests().len(), before);
    let expiring = client.contracts().get_expiring_contracts(30).await.unwrap();
    let mut names: Vec<_> = expiring
        .iter()
        .map(|c| c.contract_name.clone().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["ends in 10 days", "other"]);
    assert_eq!(
        calls(&sim),
        ["POST Contracts/query", "POST Contracts/query"]
    );
    let filter = &bodies(&sim)[1]["filter"];
    assert_eq!(
        filter[0],
        json!({"op": "eq", "field": "status", "value": 1})
    );
    assert_eq!(filter[1]["op"], "gte");
    assert_eq!(filter[2]["op"], "lte");
}

#[tokio::test]
async fn renew_contract_creates_the_next_term_linked_with_its_services() {
    let (sim, client) = start(Seed::None).await;
    let original = sim
        .insert(
            "Contracts",
            json!({"companyID": 1, "contractName": "Support 2025", "contractType": 7,
                   "startDate": "2025-01-01T00:00:00Z", "endDate": "2025-12-31T00:00:00Z",
                   "status": 1, "timeReportingRequiresStartAndStopTimes": 1,
                   "description": "Desk support", "isDefaultContract": true, "setupFee": 100}),
        )
        .unwrap();
    for (service, price) in [(501, 10.5), (502, 99.0)] {
        sim.insert(
            "ContractServices",
            json!({"contractID": original, "serviceID": service, "unitPrice": price,
                   "invoiceDescription": format!("service {service}")}),
        )
        .unwrap();
    }
    sim.clear_requests();

    let renewal = client.contracts().renew_contract(original).await.unwrap();
    let new = &renewal.contract;
    assert_ne!(new.id, original);
    assert_eq!(new.renewed_contract_id, Some(original));
    assert_eq!(new.contract_name.as_deref(), Some("Support 2025"));
    assert_eq!(new.description.as_deref(), Some("Desk support"));
    assert_eq!(new.time_reporting_requires_start_and_stop_times, Some(1));
    assert_eq!(new.is_default_contract, None, "not copied");
    assert_eq!(new.setup_fee, None, "not copied");
    assert_eq!(
        autotask::model::wire::datetime::format(&new.start_date.unwrap()),
        "2026-01-01T00:00:00Z"
    );
    assert_eq!(
        autotask::model::wire::datetime::format(&new.end_date.unwrap()),
        "2026-12-31T00:00:00Z"
    );
    assert!(renewal.all_services_copied());
    assert_eq!(renewal.services.len(), 2);

    let copies = client
        .contract_services()
        .get_by_contract(new.id)
        .await
        .unwrap();
    let mut copied: Vec<_> = copies
        .iter()
        .map(|s| (s.service_id.unwrap(), s.unit_price.unwrap()))
        .collect();
    copied.sort();
    assert_eq!(
        copied,
        [
            (501, "10.5".parse::<Decimal>().unwrap()),
            (502, Decimal::from(99))
        ]
    );
    assert_eq!(
        calls(&sim),
        [
            format!("GET Contracts/{original}"),
            format!("GET Contracts/{original}/Services"),
            "POST Contracts".to_string(),
            format!("GET Contracts/{}", new.id),
            format!("POST Contracts/{}/Services", new.id),
            format!("POST Contracts/{}/Services", new.id),
            "POST ContractServices/query".to_string(),
        ]
    );

    sim.clear_requests();
    let missing = client.contracts().renew_contract(987_654).await;
    assert!(
        matches!(missing, Err(Error::InvalidInput(_))),
        "{missing:?}"
    );
    assert_eq!(calls(&sim), ["GET Contracts/987654"], "nothing created");
}

#[tokio::test]
async fn add_service_to_contract_posts_under_the_contract() {
    let (sim, client) = start(Seed::None).await;
    let mut parent = contract(
        1,
        "Support",
        "2026-01-01T00:00:00Z",
        "2026-12-31T00:00:00Z",
        1,
    );
    parent["id"] = json!(8);
    sim.insert("Contracts", parent).unwrap();
    sim.clear_requests();
    let service = client
        .contract_services()
        .add_service_to_contract(8, 31)
        .unit_price(Decimal::from(25))
        .send()
        .await
        .unwrap();
    assert_eq!(service.contract_id, Some(8));
    assert_eq!(service.service_id, Some(31));
    assert_eq!(service.unit_price, Some(Decimal::from(25)));
    assert_eq!(
        calls(&sim),
        [
            "POST Contracts/8/Services",
            &format!("GET ContractServices/{}", service.id)
        ]
    );
}

#[tokio::test]
async fn a_service_that_cannot_be_copied_is_reported_not_hidden() {
    let (sim, client) = start(Seed::None).await;
    let original = sim
        .insert(
            "Contracts",
            contract(
                1,
                "Support",
                "2024-01-01T00:00:00Z",
                "2024-12-31T00:00:00Z",
                1,
            ),
        )
        .unwrap();
    let mut services = Vec::new();
    for service in [601, 602, 603] {
        services.push(
            sim.insert(
                "ContractServices",
                json!({"contractID": original, "serviceID": service}),
            )
            .unwrap(),
        );
    }
    // The second service POST fails on the server.
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .method("POST")
            .path_contains("/Services")
            .every_nth(2),
    );
    let renewal = client.contracts().renew_contract(original).await.unwrap();
    assert!(!renewal.all_services_copied());
    let outcome: Vec<_> = renewal
        .services
        .iter()
        .map(|s| (s.original_id, s.service_id, s.result.is_ok()))
        .collect();
    assert_eq!(
        outcome,
        [
            (services[0], Some(601), true),
            (services[1], Some(602), false),
            (services[2], Some(603), true)
        ]
    );
    assert!(
        sim.get("Contracts", renewal.contract.id).is_some(),
        "the renewal exists"
    );
    // A one-year term stays one year across the leap day of 2024.
    let format =
        |d: Option<autotask::DateTime>| autotask::model::wire::datetime::format(&d.unwrap());
    assert_eq!(format(renewal.contract.start_date), "2025-01-01T00:00:00Z");
    assert_eq!(format(renewal.contract.end_date), "2025-12-31T00:00:00Z");

    // A term that is not whole months is repeated in days.
    let odd = sim
        .insert(
            "Contracts",
            contract(
                1,
                "Pilot",
                "2025-03-10T00:00:00Z",
                "2025-03-19T00:00:00Z",
                1,
            ),
        )
        .unwrap();
    let renewal = client.contracts().renew_contract(odd).await.unwrap();
    assert_eq!(format(renewal.contract.start_date), "2025-03-20T00:00:00Z");
    assert_eq!(format(renewal.contract.end_date), "2025-03-29T00:00:00Z");
    assert!(renewal.services.is_empty());
}

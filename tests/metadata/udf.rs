//! UDF definitions, values checked against them, UDFs in create/patch bodies, typed reads, and the
//! one-UDF-per-query rule.

use crate::sim_support::start_with;
use crate::{last_body, sent};
use autotask::entities::{
    Company, NewCompany, NewTicket, Ticket, TicketPatch, TicketPriority, TicketStatus,
};
use autotask::metadata::UdfType;
use autotask::{Decimal, Error, Filter, HasUserDefinedFields, Op, UserDefinedField};
use autotask_sim::{Simulator, SimulatorBuilder, UdfDefinition, UdfType as SimUdfType};
use serde_json::json;
use std::str::FromStr;

/// The demo UDFs plus a short text UDF and a date-time UDF on Tickets.
fn tenant() -> SimulatorBuilder {
    let mut short = UdfDefinition::new("Tickets", "Site Code", SimUdfType::String);
    short.length = 5;
    short.label = "Site code".into();
    Simulator::builder().udf(short).udf(UdfDefinition::new(
        "Tickets",
        "Follow Up",
        SimUdfType::DateTime,
    ))
}

fn message(err: Error) -> String {
    match err {
        Error::InvalidInput(message) => message,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn definitions_carry_name_label_type_length_and_list_values() {
    let (sim, client) = start_with(tenant()).await;
    let tickets = client.udf_definitions_for::<Ticket>().await.unwrap();
    assert_eq!(tickets.entity(), "Tickets");
    let site = tickets.definition("site code").unwrap();
    assert_eq!(
        (
            site.name.as_str(),
            site.label.as_str(),
            &site.udf_type,
            site.length
        ),
        ("Site Code", "Site code", &UdfType::String, 5)
    );
    assert_eq!(
        tickets.definition("Billable Override").unwrap().udf_type,
        UdfType::Boolean
    );
    assert_eq!(
        tickets.definition("Follow Up").unwrap().udf_type,
        UdfType::DateTime
    );

    let companies = client.udf_definitions("Companies").await.unwrap();
    let tier = companies.definition("Support Tier").unwrap();
    assert_eq!(tier.udf_type, UdfType::List);
    let labels: Vec<&str> = tier.picklist.iter().map(|v| v.label.as_str()).collect();
    assert_eq!(labels, ["Bronze", "Silver", "Gold"]);
    assert_eq!(
        companies
            .definition("Number of Employees")
            .unwrap()
            .udf_type,
        UdfType::Number
    );

    // Definitions are metadata: cached per client.
    client.udf_definitions("tickets").await.unwrap();
    assert_eq!(sent(&sim).len(), 2, "one request per entity");
}

#[tokio::test]
async fn values_are_checked_against_the_definition() {
    let (_sim, client) = start_with(tenant()).await;
    let companies = client.udf_definitions("Companies").await.unwrap();
    let tickets = client.udf_definitions("Tickets").await.unwrap();

    let gold = companies.value("Support Tier", "Gold").unwrap();
    assert_eq!(
        gold,
        UserDefinedField::new("Support Tier", "3"),
        "label → value"
    );
    assert_eq!(
        companies.value("support tier", 2).unwrap().value.as_deref(),
        Some("2")
    );
    let unknown = message(companies.value("Support Tier", "Platinum").unwrap_err());
    assert!(
        unknown.contains("Bronze") && unknown.contains("Gold"),
        "{unknown}"
    );
    assert!(
        companies.value("Support Tier", "gold").is_err(),
        "labels match exactly"
    );

    let employees = companies.value("Number of Employees", " 12.50 ").unwrap();
    assert_eq!(employees.value.as_deref(), Some("12.5"));
    assert_eq!(
        companies
            .value("Number of Employees", Decimal::from(40))
            .unwrap()
            .value
            .as_deref(),
        Some("40")
    );
    assert!(
        message(companies.value("Number of Employees", "many").unwrap_err())
            .contains("not a number")
    );

    let no_such = message(companies.value("Tier", "Gold").unwrap_err());
    assert!(
        no_such.contains("\"Support Tier\"") && no_such.contains("\"Number of Employees\""),
        "lists the known UDFs: {no_such}"
    );

    assert!(tickets.value("Site Code", "ABCDE").is_ok());
    let long = message(tickets.value("Site Code", "ABCDEF").unwrap_err());
    assert!(long.contains("6 characters, the limit is 5"), "{long}");

    let date = tickets.value("Follow Up", "2024-03-01").unwrap();
    assert_eq!(date.value.as_deref(), Some("2024-03-01T00:00:00Z"));
    assert!(tickets.value("Follow Up", "next week").is_err());
    assert_eq!(
        tickets
            .value("Billable Override", "1")
            .unwrap()
            .value
            .as_deref(),
        Some("true")
    );
    assert!(tickets.value("Billable Override", 3).is_err());
}

#[tokio::test]
async fn udfs_are_sent_in_create_and_patch_bodies_and_read_back_typed() {
    let (sim, client) = start_with(tenant()).await;
    let companies = client.udf_definitions("Companies").await.unwrap();
    let mut new = NewCompany::new(4, "Acme", "555-0100");
    new.set_udf(companies.value("Support Tier", "Silver").unwrap());
    new.set_udf(companies.value("Number of Employees", 250).unwrap());
    new.set_udf(companies.value("Support Tier", "Gold").unwrap()); // replaces Silver
    let id = client.companies().create(&new).await.unwrap();
    let mut sent_udfs = last_body(&sim, "POST")["userDefinedFields"]
        .as_array()
        .unwrap()
        .clone();
    sent_udfs.sort_by_key(|u| u["name"].to_string());
    assert_eq!(
        sent_udfs,
        [
            json!({"name": "Number of Employees", "value": "250"}),
            json!({"name": "Support Tier", "value": "3"}),
        ]
    );

    let company: Company = client.companies().get(id).await.unwrap().unwrap();
    let employees: Option<Decimal> = companies.read(&company, "Number of Employees").unwrap();
    assert_eq!(employees, Some(Decimal::from_str("250").unwrap()));
    let as_int: Option<i64> = companies.read(&company, "Number of Employees").unwrap();
    assert_eq!(as_int, Some(250));
    assert_eq!(
        companies.read_label(&company, "Support Tier").unwrap(),
        Some("Gold")
    );
    assert!(companies.read::<i64>(&company, "Nope").is_err());

    let tickets = client.udf_definitions("Tickets").await.unwrap();
    // The ticket belongs to the company just created (references are checked once Companies has data).
    let company_id = i32::try_from(id).unwrap();
    let mut ticket = NewTicket::new(
        company_id,
        TicketPriority::MEDIUM,
        TicketStatus::NEW,
        "UDFs",
    );
    ticket.set_udf(tickets.value("Customer Reference", "PO-1").unwrap());
    let ticket_id = client.tickets().create(&ticket).await.unwrap();
    let mut patch = TicketPatch::new(ticket_id);
    patch.set_udf(tickets.value("Customer Reference", "PO-2").unwrap());
    patch.set_udf(tickets.cleared("Site Code").unwrap());
    client.tickets().update(&patch).await.unwrap();
    assert_eq!(
        last_body(&sim, "PATCH"),
        json!({"id": ticket_id, "userDefinedFields": [
            {"name": "Customer Reference", "value": "PO-2"},
            {"name": "Site Code", "value": null},
        ]})
    );
    let stored = client.tickets().get(ticket_id).await.unwrap().unwrap();
    assert_eq!(stored.udf("Customer Reference"), Some("PO-2"));
    let unset: Option<String> = tickets.read(&stored, "Site Code").unwrap();
    assert_eq!(unset, None);
}

#[tokio::test]
async fn one_udf_condition_per_query_is_enforced_before_sending() {
    let (sim, client) = start_with(tenant()).await;
    let tickets = client.udf_definitions("Tickets").await.unwrap();
    let mut new = NewTicket::new(0, TicketPriority::MEDIUM, TicketStatus::NEW, "find me");
    new.set_udf(tickets.value("Customer Reference", "PO-9").unwrap());
    let id = client.tickets().create(&new).await.unwrap();
    sim.clear_requests();

    let two = client.tickets().query().filter(Filter::or([
        tickets
            .filter("Customer Reference", Op::Eq, "PO-9")
            .unwrap(),
        tickets.filter("Site Code", Op::Eq, "AB").unwrap(),
    ]));
    let err = message(two.all().await.unwrap_err());
    assert!(err.contains("one user-defined field"), "{err}");
    assert!(two.count().await.is_err());
    let dynamic = client
        .entities()
        .get_entity("Tickets")
        .unwrap()
        .query()
        .filter(Filter::udf("Customer Reference", Op::Eq, "a"))
        .filter(Filter::udf("Site Code", Op::Exist, json!(null)));
    assert!(dynamic.all().await.is_err());
    assert!(dynamic.count().await.is_err());
    assert!(sent(&sim).is_empty(), "nothing was sent");

    let found = client
        .tickets()
        .query()
        .filter(
            tickets
                .filter("customer reference", Op::Eq, "PO-9")
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(found.iter().map(|t| t.id).collect::<Vec<_>>(), [id]);
    assert!(tickets.filter("Site Code", Op::Eq, "TOO-LONG").is_err());
}

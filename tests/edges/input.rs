//! Input the API cannot take is refused before anything is sent, with a clear error.

use crate::client_for;
use crate::stub::Stub;
use autotask::entities::{NewTicket, TicketField, TicketPatch, TicketPriority, TicketStatus};
use autotask::query::{Filter, Op};
use autotask::{Decimal, Error, Where};
use chrono::TimeZone;
use serde_json::json;
use std::str::FromStr;

fn new_ticket() -> NewTicket {
    NewTicket::new(1, TicketPriority::HIGH, TicketStatus::NEW, "input")
}

fn refused<T: std::fmt::Debug>(what: &str, result: autotask::Result<T>, mentions: &str) {
    match result {
        Err(Error::InvalidInput(message)) => assert!(
            message.contains(mentions),
            "{what}: {message:?} does not mention {mentions:?}"
        ),
        other => panic!("{what}: expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn decimals_a_json_number_cannot_carry_exactly_are_refused() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    let mut new = new_ticket();
    new.estimated_hours = Some(Decimal::from_str("1234567890.123456789012345678").unwrap());
    refused(
        "create",
        client.tickets().create(&new).await,
        "1234567890.123456789012345678",
    );
    let mut patch = TicketPatch::new(5);
    patch.hours_to_be_scheduled = Decimal::from_str("0.1000000000000000055511151231")
        .unwrap()
        .into();
    refused(
        "update",
        client.tickets().update(&patch).await,
        "0.1000000000000000055511151231",
    );
    assert!(stub.seen().is_empty(), "nothing was sent");
    // Up to 15 significant digits travel exactly.
    let exact = Decimal::from_str("123456789.012345").unwrap();
    let mut new = new_ticket();
    new.estimated_hours = Some(exact);
    let body = serde_json::to_value(&new).unwrap();
    assert_eq!(body["estimatedHours"].to_string(), "123456789.012345");
}

#[tokio::test]
async fn nan_and_infinity_are_refused_as_filter_values() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        refused(
            "typed filter",
            client
                .tickets()
                .query()
                .filter(TicketField::EstimatedHours.gt(value))
                .count()
                .await,
            "NaN",
        );
        refused(
            "UDF list",
            client
                .tickets()
                .query()
                .filter(Filter::udf("Score", Op::In, vec![json!(1.5), json!(value)]))
                .count()
                .await,
            "NaN",
        );
        refused(
            "UDF value",
            client
                .tickets()
                .query()
                .udf("Score", Op::Gt, value)
                .count()
                .await,
            "NaN",
        );
    }
    assert!(stub.seen().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn dates_outside_what_the_api_stores_are_refused() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    for year in [1, 1752, 10000] {
        let mut new = new_ticket();
        new.due_date_time = Some(chrono::Utc.with_ymd_and_hms(year, 6, 1, 0, 0, 0).unwrap());
        refused(
            &format!("create in {year}"),
            client.tickets().create(&new).await,
            "1753",
        );
    }
    for text in [
        "1700-01-01",
        "1752-12-31T23:59:59Z",
        "+10000-01-01T00:00:00Z",
    ] {
        refused(
            text,
            client
                .tickets()
                .query()
                .filter(TicketField::DueDateTime.gt(text))
                .count()
                .await,
            "1753",
        );
    }
    let tickets = client.entities().get_entity("Tickets").unwrap();
    refused(
        "dynamic update",
        tickets
            .update(&json!({"id": 5, "dueDateTime": "1500-01-01T00:00:00Z"}))
            .await,
        "1753",
    );
    assert!(stub.seen().is_empty(), "nothing was sent");
    // The edges themselves are fine.
    let mut new = new_ticket();
    new.due_date_time = Some(chrono::Utc.with_ymd_and_hms(1753, 1, 1, 0, 0, 0).unwrap());
    assert!(serde_json::to_value(&new).is_ok());
}

#[tokio::test]
async fn ids_that_cannot_exist_are_refused() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    for id in [0, -1, i64::MIN] {
        refused("get", client.tickets().get(id).await, "id");
        refused("delete", client.tags().delete(id).await, "id");
        refused(
            "update",
            client.tickets().update(&TicketPatch::new(id)).await,
            "id",
        );
        refused("child list", client.tickets().notes(id).list().await, "id");
        refused(
            "dynamic get",
            client
                .entities()
                .get_entity("Tickets")
                .unwrap()
                .get(id)
                .await,
            "id",
        );
        refused(
            "dynamic update",
            client
                .entities()
                .get_entity("Tickets")
                .unwrap()
                .update(&json!({"id": id, "title": "x"}))
                .await,
            "id",
        );
    }
    assert!(stub.seen().is_empty(), "nothing was sent");
}

#[cfg(feature = "crm")]
#[tokio::test]
async fn the_root_company_id_zero_is_allowed() {
    use crate::stub::Reply;
    let stub = Stub::start(vec![Reply::json(
        200,
        json!({"item": {"id": 0, "companyName": "Root"}}),
    )])
    .await;
    let client = client_for(&stub);
    assert_eq!(client.companies().get(0).await.unwrap().unwrap().id, 0);
    refused("negative company", client.companies().get(-1).await, "id");
}

#[tokio::test]
async fn integers_that_overflow_the_field_are_refused() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    refused(
        "filter on an integer field",
        client
            .tickets()
            .query()
            .filter(TicketField::CompanyId.eq(1_i64 << 40))
            .count()
            .await,
        "integer",
    );
    refused(
        "filter on a long field",
        client
            .tickets()
            .query()
            .filter(TicketField::MonitorId.eq(u64::MAX))
            .count()
            .await,
        "long",
    );
    let tickets = client.entities().get_entity("Tickets").unwrap();
    refused(
        "dynamic create",
        tickets
            .create(
                &json!({"companyID": 3_000_000_000_u64, "title": "x", "status": 1, "priority": 1}),
            )
            .await,
        "companyID",
    );
    refused(
        "dynamic update",
        tickets
            .update(&json!({"id": 1, "priority": -3_000_000_000_i64}))
            .await,
        "priority",
    );
    refused(
        "dynamic update with a fraction",
        tickets.update(&json!({"id": 1, "priority": 1.5})).await,
        "priority",
    );
    assert!(stub.seen().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn more_or_conditions_than_the_api_accepts_are_refused() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    let many = Filter::or((0..501).map(|i| TicketField::Title.eq(format!("t{i}"))));
    refused(
        "one group",
        client.tickets().query().filter(many).count().await,
        "500",
    );
    let nested = Filter::or([
        Filter::or((0..300).map(|i| TicketField::Title.eq(format!("a{i}")))),
        Filter::or((0..300).map(|i| TicketField::Title.eq(format!("b{i}")))),
    ]);
    refused(
        "nested groups",
        client.tickets().query().filter(nested).count().await,
        "500",
    );
    assert!(stub.seen().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn typed_values_compose_and_a_value_of_the_wrong_kind_is_refused_before_sending() {
    use autotask::entities::{CompanyType, TicketPriority, TicketStatus};
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    let query = |filter: Filter| client.tickets().query().filter(filter);

    // A picklist value of another field, of another entity, a date-time on an integer field, a flag on
    // a text field and a fraction on an id are refused with the reason, and nothing is sent.
    refused(
        "priority = a status",
        query(TicketField::Priority.eq(TicketStatus::COMPLETE))
            .count()
            .await,
        "TicketStatus (a value of Tickets.status)",
    );
    refused(
        "status in company types",
        query(TicketField::Status.in_list([CompanyType::CUSTOMER]))
            .count()
            .await,
        "CompanyType (a value of Companies.companyType)",
    );
    refused(
        "companyID = a date-time",
        query(TicketField::CompanyId.eq(chrono::Utc::now()))
            .count()
            .await,
        "a date-time does not fit a field of type integer",
    );
    refused(
        "title = true",
        query(TicketField::Title.eq(true)).count().await,
        "a boolean does not fit a field of type string",
    );
    refused(
        "id = 1.5",
        query(TicketField::Id.eq(1.5)).count().await,
        "a number does not fit a field of type long",
    );
    assert!(stub.seen().is_empty(), "refused before sending");

    // The values that fit compose without casts.
    let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
    let open = Filter::and([
        TicketField::Status.noteq(TicketStatus::COMPLETE),
        TicketField::Priority.in_list([TicketPriority::HIGH, TicketPriority::CRITICAL]),
        TicketField::CreateDate.gte(week_ago),
        TicketField::DueDateTime.lt(chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
        TicketField::CompanyId.eq(42_i64),
        TicketField::EstimatedHours.gte(Decimal::from(2)),
    ]);
    let spec = autotask::QuerySpec {
        filters: vec![open],
        ..Default::default()
    };
    spec.validate(autotask::entity_meta("Tickets").unwrap())
        .unwrap();
    assert_eq!(
        serde_json::to_value(&spec.filters[0]).unwrap()["items"][0],
        json!({"op": "noteq", "field": "status", "value": 5})
    );
}

#[tokio::test]
async fn ids_are_i64_everywhere_and_one_beyond_the_fields_width_is_refused_not_truncated() {
    let stub = Stub::start(vec![]).await;
    let client = client_for(&stub);
    // `companyID` is a 32-bit integer on the wire; the SDK holds every id as i64 and checks the width.
    let too_wide: i64 = 3_000_000_000;
    let new = NewTicket::new(too_wide, TicketPriority::HIGH, TicketStatus::NEW, "wide");
    refused(
        "create",
        client.tickets().create(&new).await,
        "3000000000 does not fit a field of type integer",
    );
    refused(
        "filter",
        client
            .tickets()
            .query()
            .filter(TicketField::CompanyId.eq(too_wide))
            .count()
            .await,
        "3000000000 does not fit a field of type integer",
    );
    let mut patch = TicketPatch::new(5);
    patch.contact_id = too_wide.into();
    refused(
        "update",
        client.tickets().update(&patch).await,
        "3000000000 does not fit a field of type integer",
    );
    assert!(stub.seen().is_empty(), "refused before sending");
}

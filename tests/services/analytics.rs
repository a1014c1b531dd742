//! `client.analytics()`: dashboard figures from query/count requests, reports, CSV.

use crate::sim_support::{start, start_with};
use autotask::services::{ReportKind, ReportParams};
use autotask::{DateTime, Error};
use autotask_sim::{PicklistValue, RunningSimulator, Seed, Simulator, SimulatorBuilder};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

fn at(when: DateTime) -> String {
    autotask::model::wire::datetime::format(&when)
}

fn ticket(
    status: i64,
    priority: i64,
    queue: Option<i64>,
    due: DateTime,
    created: DateTime,
) -> Value {
    json!({"companyID": 7, "title": "t", "status": status, "priority": priority, "queueID": queue,
           "dueDateTime": at(due), "createDate": at(created)})
}

/// 00:00 UTC today: contract dates are midnights.
fn today() -> DateTime {
    Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

fn seed(sim: &RunningSimulator) {
    let now = Utc::now();
    let (past, future) = (now - Duration::days(1), now + Duration::days(3));
    let (recent, old) = (now - Duration::days(2), now - Duration::days(30));
    for record in [
        ticket(1, 1, Some(10), past, recent),   // open, overdue, new
        ticket(8, 2, Some(20), future, recent), // open, new
        ticket(5, 1, Some(10), past, recent),   // complete: not open, not overdue
        ticket(1, 3, None, future, old),        // open, no queue
        ticket(7, 4, Some(99), past, old),      // open, overdue, queue removed from the picklist
        ticket(13, 2, Some(20), future, old),   // open, status removed from the picklist
    ] {
        sim.insert("Tickets", record).unwrap();
    }
    for status in [1, 5] {
        sim.insert(
            "Projects",
            json!({"projectName": "p", "companyID": 7, "status": status}),
        )
        .unwrap();
    }
    // Expiring within 30 days: ending today (missed by a window starting at "now"), in 10 days and
    // in exactly 30 days; not: in 60 days, not active, ended 5 days ago.
    for (status, ends_in_days) in [(1, 10), (1, 60), (0, 10), (1, -5), (1, 0), (1, 30)] {
        sim.insert(
            "Contracts",
            json!({"contractName": format!("ends in {ends_in_days}"), "companyID": 7, "status": status,
                   "endDate": at(today() + Duration::days(ends_in_days))}),
        )
        .unwrap();
    }
    // Unpaid: A-1 and A-4 (isVoided null counts as not voided, as in get_unpaid_invoices).
    for (number, paid, voided) in [
        ("A-1, east", None, json!(false)),
        ("A-2", Some(at(now)), json!(false)),
        ("A-3", None, json!(true)),
        ("A-4", None, Value::Null),
    ] {
        sim.insert(
            "Invoices",
            json!({"invoiceNumber": number, "companyID": 7, "paidDate": paid, "isVoided": voided,
                   "invoiceTotal": 120.5}),
        )
        .unwrap();
    }
}

/// The tenant's status and queue picklists (priorities are the schema's four).
fn tenant() -> SimulatorBuilder {
    let values = |pairs: &[(i64, &str)]| {
        pairs
            .iter()
            .map(|(value, label)| PicklistValue::new(*value, *label))
            .collect::<Vec<_>>()
    };
    Simulator::builder()
        .picklist(
            "Tickets",
            "status",
            values(&[
                (1, "New"),
                (5, "Complete"),
                (7, "Waiting Customer"),
                (8, "In Progress"),
            ]),
        )
        .picklist(
            "Tickets",
            "queueID",
            values(&[(10, "Level I"), (20, "Level II")]),
        )
}

fn counts(groups: &[autotask::services::GroupCount]) -> Vec<(Option<i64>, &str, u64)> {
    groups
        .iter()
        .map(|g| (g.value, g.label.as_str(), g.count))
        .collect()
}

#[tokio::test]
async fn dashboard_is_built_from_one_fields_read_and_counts() {
    let (sim, client) = start_with(tenant()).await;
    seed(&sim);
    sim.clear_requests();
    let data = client.analytics().get_dashboard_data().await.unwrap();

    assert_eq!(data.open_tickets, 5);
    assert_eq!(
        counts(&data.open_tickets_by_status),
        [
            (Some(1), "New", 2),
            (Some(7), "Waiting Customer", 1),
            (Some(8), "In Progress", 1),
            (None, "(not in picklist)", 1)
        ]
    );
    assert_eq!(
        counts(&data.open_tickets_by_priority),
        [
            (Some(1), "High", 1),
            (Some(2), "Medium", 2),
            (Some(3), "Low", 1),
            (Some(4), "Critical", 1),
            (None, "(not in picklist)", 0)
        ]
    );
    assert_eq!(
        counts(&data.open_tickets_by_queue),
        [
            (Some(10), "Level I", 1),
            (Some(20), "Level II", 2),
            (None, "(not in picklist)", 1),
            (None, "(none)", 1)
        ]
    );
    for groups in [
        &data.open_tickets_by_status,
        &data.open_tickets_by_priority,
        &data.open_tickets_by_queue,
    ] {
        assert_eq!(
            groups.iter().map(|g| g.count).sum::<u64>(),
            data.open_tickets
        );
    }
    assert_eq!(data.overdue_tickets, 2);
    assert_eq!(data.tickets_created_last_7_days, 3);
    assert_eq!(data.active_projects, 1);
    assert_eq!(
        data.contracts_expiring_in_30_days, 3,
        "today, +10 and +30 days"
    );
    assert_eq!(data.unpaid_invoices, 2, "isVoided false and isVoided null");

    let requests = sim.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        (
            "GET",
            "/ATServicesRest/V1.0/Tickets/entityInformation/fields"
        )
    );
    let rest = &requests[1..];
    assert!(rest
        .iter()
        .all(|r| r.method == "POST" && r.path.ends_with("/query/count") && r.status == 200));
    // (3 open statuses + 1) + (4 priorities + 1) + (2 queues + 2) + 6 summary counts.
    assert_eq!(rest.len(), 4 + 5 + 4 + 6);
    let by_entity = |e: &str| {
        rest.iter()
            .filter(|r| r.path.contains(&format!("/{e}/")))
            .count()
    };
    assert_eq!(
        (
            by_entity("Tickets"),
            by_entity("Projects"),
            by_entity("Contracts"),
            by_entity("Invoices")
        ),
        (16, 1, 1, 1)
    );

    // The fields answer comes from the metadata cache the second time: counts only.
    sim.clear_requests();
    let again = client.analytics().get_dashboard_data().await.unwrap();
    assert_eq!(again.open_tickets_by_queue, data.open_tickets_by_queue);
    let requests = sim.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r.path.contains("entityInformation")),
        "{:?}",
        requests.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(requests.len(), 4 + 5 + 4 + 6);
}

#[tokio::test]
async fn unpaid_invoice_report_lists_records_and_exports_quoted_csv() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    sim.clear_requests();
    let analytics = client.analytics();
    let report = analytics
        .generate_report(ReportKind::UnpaidInvoices, &ReportParams::default())
        .await
        .unwrap();
    assert_eq!(
        report.columns,
        [
            "id",
            "invoiceNumber",
            "companyID",
            "invoiceTotal",
            "dueDate"
        ]
    );
    let numbers: Vec<&Value> = report.rows.iter().map(|row| &row[1]).collect();
    assert_eq!(numbers, [&json!("A-1, east"), &json!("A-4")]);
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/ATServicesRest/V1.0/Invoices/query");
    let body = requests[0].body.as_ref().unwrap();
    assert_eq!(
        body["filter"][1],
        json!({"op": "or", "items": [
            {"field": "isVoided", "op": "eq", "value": false},
            {"field": "isVoided", "op": "notExist"}
        ]}),
        "the filter of get_unpaid_invoices"
    );
    assert_eq!(
        body["IncludeFields"],
        json!([
            "id",
            "invoiceNumber",
            "companyID",
            "invoiceTotal",
            "dueDate"
        ])
    );

    let mut csv = Vec::new();
    analytics.export_to_csv(&report, &mut csv).unwrap();
    let (id1, id4) = (
        report.rows[0][0].as_i64().unwrap(),
        report.rows[1][0].as_i64().unwrap(),
    );
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        format!(
            "id,invoiceNumber,companyID,invoiceTotal,dueDate\r\n{id1},\"A-1, east\",7,120.5,\r\n{id4},A-4,7,120.5,\r\n"
        )
    );
}

#[tokio::test]
async fn expiring_contract_report_starts_at_the_start_of_today() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    sim.clear_requests();
    let analytics = client.analytics();
    let report = analytics
        .generate_report(ReportKind::ExpiringContracts, &ReportParams::default())
        .await
        .unwrap();
    let names: Vec<&str> = report
        .rows
        .iter()
        .map(|row| row[1].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ends in 10", "ends in 0", "ends in 30"]);
    let requests = sim.requests();
    let filter = &requests[0].body.as_ref().unwrap()["filter"];
    assert_eq!(filter[1]["field"], "endDate");
    assert_eq!(filter[1]["value"], json!(at(today())));
    assert_eq!(filter[2]["value"], json!(at(today() + Duration::days(30))));

    // A window past chrono's last date is refused, not a panic, and sends nothing.
    sim.clear_requests();
    let refused = analytics
        .generate_report(
            ReportKind::ExpiringContracts,
            &ReportParams {
                days: u32::MAX,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match &refused {
        Error::InvalidInput(message) => assert!(message.contains("4294967295 days"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn aggregating_reports_group_streamed_records() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    let mut other_company = ticket(1, 2, None, Utc::now(), Utc::now());
    other_company["companyID"] = json!(3);
    sim.insert("Tickets", other_company).unwrap();
    let now = Utc::now();
    for (resource, hours, days_ago) in [
        (1, 1.5, 1),
        (1, 2.0, 2),
        (2, 4.0, 3),
        (2, 8.0, 40),
        (3, 0.1, 1),
        (3, 0.2, 2),
    ] {
        sim.insert(
            "TimeEntries",
            json!({"resourceID": resource, "hoursWorked": hours, "dateWorked": at(now - Duration::days(days_ago)), "ticketID": 1}),
        )
        .unwrap();
    }
    sim.clear_requests();
    let analytics = client.analytics();
    let by_company = analytics
        .generate_report(ReportKind::OpenTicketsByCompany, &ReportParams::default())
        .await
        .unwrap();
    assert_eq!(
        by_company.rows,
        [vec![json!(3), json!(1)], vec![json!(7), json!(5)]]
    );
    let hours = analytics
        .generate_report(
            ReportKind::HoursByResource,
            &ReportParams {
                from: Some(now - Duration::days(7)),
                to: Some(now),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Exact decimal sums: 0.1 + 0.2 is 0.3 (as f64 it would be 0.30000000000000004).
    assert_eq!(
        hours.rows,
        [
            vec![json!(1), json!(2), json!(3.5)],
            vec![json!(2), json!(1), json!(4)],
            vec![json!(3), json!(2), json!(0.3)]
        ]
    );
    let mut csv = Vec::new();
    analytics.export_to_csv(&hours, &mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "resourceID,entries,hoursWorked\r\n1,2,3.5\r\n2,1,4\r\n3,2,0.3\r\n"
    );
    let requests = sim.requests();
    assert_eq!(requests.len(), 2);
    let filter = &requests[1].body.as_ref().unwrap()["filter"];
    assert_eq!(filter[0]["field"], "dateWorked");
    assert_eq!(filter[0]["op"], "gte");
    assert_eq!(filter[1]["op"], "lt");

    let refused = analytics
        .generate_report(
            ReportKind::HoursByResource,
            &ReportParams {
                company_id: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused:?}");
    assert_eq!(sim.requests().len(), 2, "refused before any request");
}

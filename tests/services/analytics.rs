//! `client.analytics()`: dashboard figures from query/count requests, reports, CSV.

use crate::sim_support::{start, start_with};
use autotask::services::{ReportKind, ReportParams};
use autotask::{DateTime, Error};
use autotask_sim::{PicklistValue, RunningSimulator, Seed, Simulator, SimulatorBuilder};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

fn at(when: DateTime) -> String {
    autotask::wire::datetime::format(&when)
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
    for (status, ends_in_days) in [(1, 10), (1, 60), (0, 10), (1, -5)] {
        sim.insert(
            "Contracts",
            json!({"contractName": "c", "companyID": 7, "status": status,
                   "endDate": at(now + Duration::days(ends_in_days))}),
        )
        .unwrap();
    }
    for (number, paid, voided) in [
        ("A-1, east", None, false),
        ("A-2", Some(at(now)), false),
        ("A-3", None, true),
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
    assert_eq!(data.contracts_expiring_in_30_days, 1);
    assert_eq!(data.unpaid_invoices, 1);

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
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0][1], json!("A-1, east"));
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/ATServicesRest/V1.0/Invoices/query");
    let body = requests[0].body.as_ref().unwrap();
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
    let id = report.rows[0][0].as_i64().unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        format!(
            "id,invoiceNumber,companyID,invoiceTotal,dueDate\r\n{id},\"A-1, east\",7,120.5,\r\n"
        )
    );
}

#[tokio::test]
async fn aggregating_reports_group_streamed_records() {
    let (sim, client) = start(Seed::None).await;
    seed(&sim);
    let mut other_company = ticket(1, 2, None, Utc::now(), Utc::now());
    other_company["companyID"] = json!(3);
    sim.insert("Tickets", other_company).unwrap();
    let now = Utc::now();
    for (resource, hours, days_ago) in [(1, 1.5, 1), (1, 2.0, 2), (2, 4.0, 3), (2, 8.0, 40)] {
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
    assert_eq!(
        hours.rows,
        [
            vec![json!(1), json!(2), json!(3.5)],
            vec![json!(2), json!(1), json!(4.0)]
        ]
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

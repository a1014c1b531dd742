//! The ten everyday jobs of `examples/`, each run against the simulator with its demo data and checked:
//! the examples are compiled into this test as modules, so what a user copies is what is tested.

#![allow(dead_code)]
// Each example brings its own copy of `examples/support/connect.rs`, as a user's copy would.
#![allow(clippy::duplicate_mod)]

#[path = "support/sim.rs"]
mod sim_support;

#[path = "../examples/date_and_in_filters.rs"]
mod date_and_in_filters;
#[path = "../examples/dynamic_api.rs"]
mod dynamic_api;
#[path = "../examples/export_csv.rs"]
mod export_csv;
#[path = "../examples/handle_errors.rs"]
mod handle_errors;
#[path = "../examples/move_ticket.rs"]
mod move_ticket;
#[path = "../examples/onboard_customer.rs"]
mod onboard_customer;
#[path = "../examples/open_tickets.rs"]
mod open_tickets;
#[path = "../examples/real_tenant.rs"]
mod real_tenant;
#[path = "../examples/renew_contract.rs"]
mod renew_contract;
#[path = "../examples/webhook_receiver.rs"]
mod webhook_receiver;

use autotask::entities::{Ticket, TicketField, TicketPriority, TicketStatus};
use autotask::prelude::*;
use autotask::Client;
use autotask_sim::{RunningSimulator, Seed, SeedSize};
use chrono::{Duration, Utc};

async fn demo() -> (RunningSimulator, Client) {
    sim_support::start(Seed::Demo(SeedSize::default())).await
}

/// Every ticket of the demo tenant, for checking the jobs' answers the long way.
async fn all_tickets(client: &Client) -> Vec<Ticket> {
    client.tickets().query().all().await.unwrap()
}

#[tokio::test]
async fn job_1_open_tickets_with_status_labels() {
    let (_sim, client) = demo().await;
    let report = open_tickets::open_tickets(&client).await.unwrap();
    let expected: Vec<Ticket> = all_tickets(&client)
        .await
        .into_iter()
        .filter(|t| t.status != Some(TicketStatus::COMPLETE))
        .collect();
    assert_eq!(report.len(), expected.len());
    assert!(report.iter().all(|t| t.status != "Complete"));
    let waiting = report
        .iter()
        .find(|t| t.status == "Waiting Customer")
        .expect("the demo data has tickets waiting for the customer");
    let ticket = client.tickets().get(waiting.id).await.unwrap().unwrap();
    assert_eq!(ticket.status, Some(TicketStatus::from(7)));
}

#[tokio::test]
async fn job_2_csv_export_resumes_where_it_stopped() {
    let (_sim, client) = demo().await;
    let mut export = export_csv::csv_export(&client, Default::default());
    let mut csv = Vec::new();
    let written = export_csv::export_tickets(&mut export, &mut csv)
        .await
        .unwrap();
    let tickets = all_tickets(&client).await;
    assert_eq!(written, tickets.len() as u64);
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("id,"), "a header first");
    assert!(text.lines().next().unwrap().ends_with(",otherFields"));
    let last = tickets.last().unwrap().id;
    assert_eq!(export.checkpoint().last_id("Tickets"), Some(last));

    // A later run from the checkpoint writes only what is new.
    let new = client
        .tickets()
        .create_ticket(0, "after the export", "new")
        .send_id()
        .await
        .unwrap();
    let mut resumed = export_csv::csv_export(&client, export.checkpoint().clone());
    let mut more = Vec::new();
    assert_eq!(
        export_csv::export_tickets(&mut resumed, &mut more)
            .await
            .unwrap(),
        1
    );
    let more = String::from_utf8(more).unwrap();
    assert!(
        more.starts_with(&format!("{new},")),
        "no header on resume: {more}"
    );
}

#[tokio::test]
async fn job_3_company_contact_ticket_note_attachment() {
    let (sim, client) = demo().await;
    let done = onboard_customer::onboard(&client, "Hopper Consulting")
        .await
        .unwrap();
    assert_eq!(
        done.company.company_name.as_deref(),
        Some("Hopper Consulting")
    );
    assert_eq!(done.contact.company_id, Some(done.company.id));
    assert_eq!(done.ticket.company_id, Some(done.company.id));
    assert_eq!(done.ticket.contact_id, Some(done.contact.id));
    assert_eq!(done.note.ticket_id, Some(done.ticket.id));
    assert_eq!(done.attachment.ticket_id, Some(done.ticket.id));
    let writes: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && !r.path.ends_with("/query"))
        .map(|r| {
            r.path
                .trim_start_matches("/ATServicesRest/V1.0/")
                .to_string()
        })
        .collect();
    assert_eq!(
        writes,
        [
            "Companies".to_string(),
            format!("Companies/{}/Contacts", done.company.id),
            "Tickets".to_string(),
            format!("Tickets/{}/Notes", done.ticket.id),
            format!("Tickets/{}/Attachments", done.ticket.id),
        ]
    );
}

#[tokio::test]
async fn job_4_move_a_ticket_by_status_label_and_set_a_udf() {
    let (_sim, client) = demo().await;
    let ticket = client
        .tickets()
        .create_ticket(0, "to move", "move me")
        .send()
        .await
        .unwrap();
    let moved = move_ticket::move_ticket(&client, ticket.id, "Waiting Customer", "PO-1234")
        .await
        .unwrap();
    assert_eq!(moved.status, Some(TicketStatus::from(7)));
    assert_eq!(moved.udf("Customer Reference"), Some("PO-1234"));
    assert_eq!(
        client.picklists().label(moved.status).await.unwrap(),
        Some("Waiting Customer".into())
    );
    // An unknown label is refused before the PATCH, naming the tenant's labels.
    let error = move_ticket::move_ticket(&client, ticket.id, "Parked", "x")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Waiting Customer"), "{error}");
}

#[tokio::test]
async fn job_5_date_and_in_filters() {
    let (sim, client) = demo().await;
    let tickets = all_tickets(&client).await;
    let week_ago = Utc::now() - Duration::days(7);
    let urgent = date_and_in_filters::recent_urgent_tickets(&client, 7)
        .await
        .unwrap();
    let expected = tickets
        .iter()
        .filter(|t| t.create_date.is_some_and(|d| d >= week_ago))
        .filter(|t| {
            matches!(
                t.priority,
                Some(TicketPriority::HIGH | TicketPriority::CRITICAL)
            )
        })
        .filter(|t| t.status != Some(TicketStatus::COMPLETE))
        .count();
    assert_eq!(urgent.len(), expected);

    let ids: Vec<i64> = (0..1200).collect();
    sim.clear_requests();
    let counted = date_and_in_filters::tickets_of_companies(&client, &ids)
        .await
        .unwrap();
    let expected = tickets
        .iter()
        .filter(|t| t.company_id.is_some_and(|c| (0..1200).contains(&c)))
        .count();
    assert_eq!(counted, expected as u64);
    assert_eq!(
        sim.requests().len(),
        3,
        "1,200 ids: three counts of at most 500"
    );

    let day = (Utc::now() + Duration::days(30)).date_naive();
    let midnight = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let due = date_and_in_filters::due_before(&client, day).await.unwrap();
    let expected = tickets
        .iter()
        .filter(|t| t.due_date_time.is_some_and(|d| d < midnight))
        .count();
    assert_eq!(due, expected as u64);
}

#[tokio::test]
async fn job_6_renew_the_contracts_that_expire_soon() {
    let (_sim, client) = demo().await;
    let expiring = client.contracts().get_expiring_contracts(30).await.unwrap();
    assert!(!expiring.is_empty(), "the demo data has expiring contracts");
    let renewals = renew_contract::renew_expiring(&client, 30).await.unwrap();
    assert_eq!(renewals.len(), expiring.len());
    for (renewal, original) in renewals.iter().zip(&expiring) {
        assert_eq!(renewal.contract.renewed_contract_id, Some(original.id));
        assert_eq!(
            renewal.contract.start_date,
            original.end_date.map(|end| end + Duration::days(1))
        );
        assert_eq!(renewal.services.len(), 3);
        assert!(renewal.all_services_copied());
    }
}

#[tokio::test]
async fn job_7_verify_webhook_callouts() {
    let (_sim, client) = demo().await;
    let secret = "test-webhook-secret";
    let (receiver, mut callouts) =
        webhook_receiver::serve(([127, 0, 0, 1], 0).into(), secret.into())
            .await
            .unwrap();
    let verified = webhook_receiver::round_trip(&client, receiver, secret, &mut callouts)
        .await
        .unwrap();
    let actions: Vec<&str> = verified.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["Create", "Update", "Deactivated"]);
    assert_eq!(
        verified[1].fields["status"],
        serde_json::json!(TicketStatus::COMPLETE)
    );
}

#[tokio::test]
async fn job_8_handle_errors_by_kind() {
    let (sim, client) = demo().await;
    let wrong_secret = sim_support::client_builder(&sim)
        .secret("not-the-secret")
        .build()
        .unwrap();
    let seen = handle_errors::tour(&client, &wrong_secret).await;
    use handle_errors::Outcome;
    assert_eq!(seen[0].1, Outcome::Missing);
    assert!(
        matches!(&seen[1].1, Outcome::RefusedLocally(why) if why.contains("the limit is 255")),
        "{:?}",
        seen[1]
    );
    assert!(
        matches!(&seen[2].1, Outcome::RejectedByServer(why) if why.contains("Missing Required Field: title")),
        "{:?}",
        seen[2]
    );
    assert!(
        matches!(seen[3].1, Outcome::NotAuthenticated(_)),
        "{:?}",
        seen[3]
    );
}

#[tokio::test]
async fn job_9_the_dynamic_api() {
    let (_sim, client) = demo().await;
    let (count, first) = dynamic_api::search(&client, "Company", "companyName", "", 5)
        .await
        .unwrap();
    assert_eq!(count, client.companies().query().count().await.unwrap());
    assert_eq!(first.len(), 5);
    let name = first[1]["companyName"].as_str().unwrap().to_string();
    let (count, found) = dynamic_api::search(&client, "companies", "COMPANYNAME", &name, 5)
        .await
        .unwrap();
    assert!(count >= 1 && found.iter().any(|c| c["companyName"] == name.as_str()));
    let unknown = dynamic_api::search(&client, "Companies", "colour", "x", 5)
        .await
        .unwrap_err();
    assert!(unknown.is_validation(), "{unknown:?}");

    let id = dynamic_api::create_and_rename(&client).await.unwrap();
    let renamed = client.action_types().get(id).await.unwrap().unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Site visit (on-site)"));
}

#[tokio::test]
async fn job_10_a_tenant_walk_read_only() {
    let (sim, client) = demo().await;
    sim.clear_requests();
    let walk = real_tenant::walk(&client).await.unwrap();
    assert_eq!(walk.base_url, format!("{}V1.0/", sim.base_url()));
    assert!(walk.may_create_tickets);
    let open = client
        .tickets()
        .query()
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
        .count()
        .await
        .unwrap();
    assert_eq!(walk.open_tickets, open);
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.method == "GET" || r.path.ends_with("/query/count")),
        "read-only"
    );
}

/// The examples read as a user would write them: no numeric casts, no reaching into a newtype with
/// `.0` (string literals and comments are not code).
#[test]
fn examples_need_no_casts_and_no_newtype_fields() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.push(dir.join("support/connect.rs"));
    assert!(files.len() >= 11, "{files:?}");
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (n, line) in source.lines().enumerate() {
            let code = code_only(line);
            let cast = [" as i", " as u", " as f"].iter().any(|c| code.contains(c));
            // `x.0`, `f().1`: a `.` after a name or a call, before a digit (not `1.5`, not `0..9`).
            let tuple_field = code.match_indices('.').any(|(at, _)| {
                let before = code[..at].chars().next_back();
                code[at + 1..].starts_with(|c: char| c.is_ascii_digit())
                    && before.is_some_and(|c| c.is_alphabetic() || c == '_' || c == ')')
            });
            assert!(
                !cast && !tuple_field,
                "{}:{}: {line}",
                file.display(),
                n + 1
            );
        }
    }
}

/// A line without its comment and the contents of its string literals.
fn code_only(line: &str) -> String {
    let line = line.split("//").next().unwrap_or("");
    let mut code = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        match (in_string, c) {
            (true, '\\') if !escaped => escaped = true,
            (true, '"') if !escaped => in_string = false,
            (true, _) => escaped = false,
            (false, '"') => in_string = true,
            (false, c) => code.push(c),
        }
    }
    code
}

//! `create`, `update` (one, bulk with confirmation, dry run, partial failure), `delete`.

use crate::support::{json_lines, stderr, stdout, Sim};

fn priorities(sim: &Sim) -> Vec<i64> {
    (1..=6)
        .map(|id| {
            sim.sim.get("Tickets", id).unwrap()["priority"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

#[test]
fn create_takes_labels_and_stdin_json_and_dry_run_sends_nothing() {
    let sim = Sim::with_fixtures();
    let dry = sim
        .cli()
        .args([
            "create",
            "Tickets",
            "--set",
            "title=Disk full",
            "--set",
            "companyID=1",
            "--set",
            "priority=Medium",
            "--set",
            "status=New",
            "--set",
            "udf.Customer Reference=PO-9",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", stderr(&dry));
    insta::assert_snapshot!("create_dry_run", stdout(&dry));
    assert_eq!(sim.sim.count("Tickets"), 6, "a dry run sends no write");

    let created = sim
        .cli()
        .args([
            "create",
            "Tickets",
            "--stdin",
            "--set",
            "priority=Critical",
            "-o",
            "jsonl",
        ])
        .write_stdin(r#"{"title": "From JSON", "companyID": 1, "status": 1, "priority": 2}"#)
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", stderr(&created));
    let id = json_lines(&created)[0]["id"].as_i64().unwrap();
    let record = sim.sim.get("Tickets", id).unwrap();
    assert_eq!(
        (record["title"].as_str(), record["priority"].as_i64()),
        (Some("From JSON"), Some(4))
    );

    let bad_label = sim
        .cli()
        .args([
            "create",
            "Tickets",
            "--set",
            "title=x",
            "--set",
            "priority=Urgent",
        ])
        .output()
        .unwrap();
    assert_eq!(bad_label.status.code(), Some(2));
    assert!(
        stderr(&bad_label).contains("no value labelled \"Urgent\""),
        "{}",
        stderr(&bad_label)
    );

    let rejected = sim
        .cli()
        .args([
            "create",
            "Tickets",
            "--set",
            "title=no company",
            "--set",
            "status=1",
            "--set",
            "priority=1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        rejected.status.code(),
        Some(5),
        "the server refuses a missing required field"
    );
    assert!(
        stderr(&rejected).contains("companyID"),
        "{}",
        stderr(&rejected)
    );
}

#[test]
fn bulk_update_asks_first_and_reports_each_record() {
    let sim = Sim::with_fixtures();
    let filter = "title contains printer";
    let before = priorities(&sim);

    let dry = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "--where",
            filter,
            "--set",
            "priority=Low",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", stderr(&dry));
    insta::assert_snapshot!("bulk_update_dry_run", stdout(&dry));
    assert_eq!(priorities(&sim), before);

    let declined = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "--where",
            filter,
            "--set",
            "priority=Low",
        ])
        .write_stdin("n\n")
        .output()
        .unwrap();
    assert_eq!(declined.status.code(), Some(1));
    assert!(
        stderr(&declined).starts_with("Update 3 Tickets (set priority=Low)? [y/N] "),
        "{}",
        stderr(&declined)
    );
    assert_eq!(priorities(&sim), before);

    let no_answer = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "--where",
            filter,
            "--set",
            "priority=Low",
        ])
        .output()
        .unwrap();
    assert_eq!(no_answer.status.code(), Some(1));
    assert_eq!(priorities(&sim), before);

    let confirmed = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "--where",
            filter,
            "--set",
            "priority=Low",
            "-o",
            "table",
        ])
        .write_stdin("y\n")
        .output()
        .unwrap();
    assert!(confirmed.status.success(), "{}", stderr(&confirmed));
    insta::assert_snapshot!("bulk_update_results", stdout(&confirmed));
    assert_eq!(priorities(&sim), [3, 3, 1, 3, 4, 3]);

    let yes = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "--where",
            "status = New",
            "--set",
            "priority=Medium",
            "--yes",
            "-o",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(yes.status.success(), "{}", stderr(&yes));
    assert_eq!(json_lines(&yes).len(), 2);
    assert_eq!(priorities(&sim), [2, 3, 1, 3, 2, 3]);
}

#[test]
fn a_bulk_update_with_failures_exits_7_after_doing_the_rest() {
    let sim = Sim::with_fixtures();
    let output = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "1",
            "999",
            "2",
            "--set",
            "status=Complete",
            "--yes",
            "-o",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    insta::assert_snapshot!(
        "bulk_update_partial",
        format!("{}---\n{}", stdout(&output), stderr(&output))
    );
    for id in [1, 2] {
        assert_eq!(sim.sim.get("Tickets", id).unwrap()["status"], 5);
    }
}

#[test]
fn single_update_and_delete_where_the_api_allows() {
    let sim = Sim::with_fixtures();
    let updated = sim
        .cli()
        .args([
            "update",
            "Tickets",
            "3",
            "--set",
            "status=In Progress",
            "--unset",
            "description",
        ])
        .output()
        .unwrap();
    assert!(updated.status.success(), "{}", stderr(&updated));
    let record = sim.sim.get("Tickets", 3).unwrap();
    assert_eq!(
        (record["status"].as_i64(), record["description"].is_null()),
        (Some(8), true)
    );

    let refused = sim
        .cli()
        .args(["delete", "Tickets", "3", "--yes"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("cannot be deleted through the Autotask API"));

    let note = sim
        .sim
        .insert("TicketNotes", serde_json::json!({"ticketID": 1, "title": "t", "description": "d", "noteType": 1, "publish": 1}))
        .unwrap();
    let contact = sim
        .sim
        .insert(
            "Contacts",
            serde_json::json!({"companyID": 1, "firstName": "A", "lastName": "B", "isActive": 1}),
        )
        .unwrap();
    let dry = sim
        .cli()
        .args([
            "delete",
            "Contacts",
            &contact.to_string(),
            "--parent",
            "1",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&dry),
        format!("DELETE /V1.0/Companies/1/Contacts/{contact}\n")
    );
    let deleted = sim
        .cli()
        .args([
            "delete",
            "Contacts",
            &contact.to_string(),
            "--parent",
            "1",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert!(sim.sim.get("Contacts", contact).is_none());
    assert!(sim.sim.get("TicketNotes", note).is_some());
}

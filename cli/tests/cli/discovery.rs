//! `entities`, `fields` (offline), `picklist`, `udfs` (from the tenant).

use crate::support::{autotask, stdout, Sim};

#[test]
fn entities_and_fields_come_from_the_schema_without_a_connection() {
    let entities = autotask()
        .args(["entities", "ticketnote", "--format", "table"])
        .output()
        .unwrap();
    assert!(entities.status.success());
    insta::assert_snapshot!("entities_ticketnote_table", stdout(&entities));

    let fields = autotask()
        .args(["fields", "ticketnotes", "--format", "csv"])
        .output()
        .unwrap();
    assert!(fields.status.success());
    insta::assert_snapshot!("fields_ticketnotes_csv", stdout(&fields));

    let unknown = autotask().args(["fields", "Tickts"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    insta::assert_snapshot!("fields_unknown_entity", crate::support::stderr(&unknown));
}

#[test]
fn picklists_and_udfs_come_from_the_tenant() {
    let sim = Sim::with_fixtures();
    let status = sim
        .cli()
        .args(["picklist", "Tickets", "STATUS", "--format", "table"])
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    insta::assert_snapshot!("picklist_ticket_status", stdout(&status));

    // A dependent picklist narrowed by a label of its parent.
    let hardware = sim
        .cli()
        .args([
            "picklist",
            "Tickets",
            "subIssueType",
            "--parent-value",
            "Hardware",
            "-o",
            "table",
        ])
        .output()
        .unwrap();
    assert!(hardware.status.success(), "{hardware:?}");
    insta::assert_snapshot!("picklist_sub_issue_types_under_hardware", stdout(&hardware));

    let udfs = sim
        .cli()
        .args(["udfs", "Companies", "--format", "json"])
        .output()
        .unwrap();
    assert!(udfs.status.success());
    insta::assert_snapshot!("udfs_companies_json", stdout(&udfs));
}

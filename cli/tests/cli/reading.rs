//! `get`, `query`, `count`: table, JSON, JSON Lines and CSV output.

use crate::support::{json_lines, stderr, stdout, Sim};

#[test]
fn get_shows_labels_in_a_table_and_values_in_json() {
    let sim = Sim::with_fixtures();
    let table = sim
        .cli()
        .args([
            "get",
            "Tickets",
            "1",
            "--fields",
            "id,title,status,priority,udf.Customer Reference",
            "-o",
            "table",
        ])
        .output()
        .unwrap();
    assert!(table.status.success(), "{table:?}");
    insta::assert_snapshot!("get_ticket_table", stdout(&table));

    let json = sim
        .cli()
        .args([
            "get",
            "Tickets",
            "1",
            "--fields",
            "id,title,status",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!("get_ticket_json", stdout(&json));

    let missing = sim.cli().args(["get", "Tickets", "999"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(4));
    insta::assert_snapshot!("get_missing", stderr(&missing));
}

#[test]
fn query_in_every_format() {
    let sim = Sim::with_fixtures();
    let query = |format: &str| {
        sim.cli()
            .args([
                "query",
                "Tickets",
                "--where",
                "priority <= 2",
                "--fields",
                "id,title,status,priority",
                "--format",
                format,
            ])
            .output()
            .unwrap()
    };
    insta::assert_snapshot!("query_table", stdout(&query("table")));
    insta::assert_snapshot!("query_json", stdout(&query("json")));
    insta::assert_snapshot!("query_csv", stdout(&query("csv")));
    let lines = json_lines(&query("jsonl"));
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["status"], 1, "JSON keeps picklist values");

    // Piped (as here) and without --format: JSON Lines, every field.
    let piped = sim
        .cli()
        .args(["query", "Tickets", "--limit", "2"])
        .output()
        .unwrap();
    let lines = json_lines(&piped);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].get("dueDateTime").is_some() && lines[0].get("userDefinedFields").is_some());

    // CSV without --fields: every column of the schema, UDFs as JSON.
    let csv = sim
        .cli()
        .args(["query", "Tickets", "--limit", "1", "-o", "csv"])
        .output()
        .unwrap();
    let text = stdout(&csv);
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("id,") && header.ends_with(",userDefinedFields"),
        "{header}"
    );
}

#[test]
fn count_prints_a_bare_number_or_json() {
    let sim = Sim::with_fixtures();
    let plain = sim
        .cli()
        .args(["count", "Tickets", "--where", "status = New"])
        .output()
        .unwrap();
    assert_eq!(stdout(&plain), "2\n");
    let json = sim
        .cli()
        .args(["count", "Tickets", "-o", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(stdout(&json), "{\"count\":6,\"entity\":\"Tickets\"}\n");
}

#[test]
fn children_are_listed_under_their_parent() {
    let sim = Sim::with_fixtures();
    for title in ["Called", "Emailed"] {
        let created = sim
            .cli()
            .args([
                "create",
                "TicketNotes",
                "--parent",
                "1",
                "--set",
                &format!("title={title}"),
                "--set",
                "description=x",
                "--set",
                "noteType=1",
                "--set",
                "publish=1",
            ])
            .output()
            .unwrap();
        assert!(created.status.success(), "{}", stderr(&created));
    }
    let listed = sim
        .cli()
        .args([
            "query",
            "TicketNotes",
            "--parent",
            "1",
            "--fields",
            "title,ticketID",
            "-o",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&listed),
        "title,ticketID\r\nCalled,1\r\nEmailed,1\r\n"
    );
    let without = sim
        .cli()
        .args(["create", "TicketNotes", "--set", "title=x"])
        .output()
        .unwrap();
    assert_eq!(without.status.code(), Some(2));
    assert!(
        stderr(&without).contains("pass --parent <Tickets id>"),
        "{}",
        stderr(&without)
    );
}

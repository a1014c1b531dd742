//! The `--where` language end to end: every operator, precedence, labels, UDFs, and errors that point
//! at the mistake.

use crate::support::{json_lines, stderr, Sim};

fn titles(sim: &Sim, filter: &str) -> Vec<String> {
    let output = sim
        .cli()
        .args([
            "query", "Tickets", "--where", filter, "--fields", "title", "-o", "jsonl",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{filter}: {}", stderr(&output));
    json_lines(&output)
        .iter()
        .map(|r| r["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_operator_selects_what_it_should() {
    let sim = Sim::with_fixtures();
    let cases: &[(&str, &[&str])] = &[
        ("status = New", &["Printer jam", "VPN down"]),
        ("status == 1", &["Printer jam", "VPN down"]),
        (
            "status != Complete",
            &[
                "Printer jam",
                "Disk full",
                "New laptop",
                "VPN down",
                "Mail printer setup",
            ],
        ),
        (
            "status <> 5",
            &[
                "Printer jam",
                "Disk full",
                "New laptop",
                "VPN down",
                "Mail printer setup",
            ],
        ),
        ("priority > 2", &["New laptop", "VPN down"]),
        ("priority >= Low", &["New laptop", "VPN down"]),
        ("priority < 2", &["Printer jam", "Disk full"]),
        (
            "priority lte 2",
            &[
                "Printer jam",
                "Printer offline",
                "Disk full",
                "Mail printer setup",
            ],
        ),
        (
            "title contains printer",
            &["Printer jam", "Printer offline", "Mail printer setup"],
        ),
        (
            "title beginsWith 'Printer'",
            &["Printer jam", "Printer offline"],
        ),
        (
            "title startsWith Printer",
            &["Printer jam", "Printer offline"],
        ),
        ("title endsWith \"full\"", &["Disk full"]),
        (
            "status in (New, \"Waiting Customer\")",
            &["Printer jam", "Disk full", "VPN down", "Mail printer setup"],
        ),
        ("status not in [1, 7]", &["Printer offline", "New laptop"]),
        ("status notIn (1, 7)", &["Printer offline", "New laptop"]),
        ("description exists", &["Printer jam", "Disk full"]),
        (
            "description not exists",
            &[
                "Printer offline",
                "New laptop",
                "VPN down",
                "Mail printer setup",
            ],
        ),
        (
            "description is null",
            &[
                "Printer offline",
                "New laptop",
                "VPN down",
                "Mail printer setup",
            ],
        ),
        (
            "dueDateTime >= 2024-04-01",
            &["Printer offline", "New laptop", "VPN down"],
        ),
        ("dueDateTime < 2024-04-01T00:00:00Z", &["Printer jam"]),
        ("udf.\"Customer Reference\" = PO-1", &["Printer jam"]),
        (
            "udf.\"customer reference\" exists",
            &["Printer jam", "New laptop"],
        ),
        (
            "udf.\"Customer Reference\" in (PO-1, PO-2)",
            &["Printer jam", "New laptop"],
        ),
        // Field names, keywords and labels in any case.
        (
            "TITLE CONTAINS 'printer' AND Status = new",
            &["Printer jam"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(titles(&sim, filter), *expected, "{filter}");
    }
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_regroup() {
    let sim = Sim::with_fixtures();
    assert_eq!(
        titles(
            &sim,
            "status = New or title contains printer and priority = Medium"
        ),
        [
            "Printer jam",
            "Printer offline",
            "VPN down",
            "Mail printer setup"
        ]
    );
    assert_eq!(
        titles(
            &sim,
            "(status = New or title contains printer) and priority = Medium"
        ),
        ["Printer offline", "Mail printer setup"]
    );
    assert_eq!(
        titles(
            &sim,
            "status != \"Complete\" and (priority = 1 or title contains \"printer\")"
        ),
        ["Printer jam", "Disk full", "Mail printer setup"]
    );
}

#[test]
fn labels_and_values_select_the_same_records() {
    let sim = Sim::with_fixtures();
    assert_eq!(
        titles(&sim, "status = \"Waiting Customer\""),
        titles(&sim, "status = 7")
    );
    assert_eq!(
        titles(&sim, "status = 'waiting customer'"),
        ["Disk full", "Mail printer setup"]
    );
}

#[test]
fn mistakes_are_reported_with_their_position() {
    let sim = Sim::with_fixtures();
    let mut report = String::new();
    for filter in [
        "stauts = 1",
        "status = \"Waiting Custmer\"",
        "status = 1 and (priority = 2 or title contains \"x\"",
        "priority contains \"x\"",
        "title = 'unterminated",
        "status = Waiting Customer",
        "title not contains x",
        "dueDateTime > tomorrow",
        "udf.Nope = 1",
        "udf.\"Customer Reference\" = a or udf.\"Customer Reference\" = b",
        "status in ()",
        "title ~ x",
        "",
    ] {
        let output = sim
            .cli()
            .args(["count", "Tickets", "--where", filter])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{filter}");
        report.push_str(&format!("$ --where '{filter}'\n{}\n", stderr(&output)));
    }
    insta::assert_snapshot!("filter_errors", report);
}

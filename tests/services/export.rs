//! `client.export()`: JSON Lines and CSV streams, page by page, resumable from a checkpoint.

use crate::sim_support::start;
use autotask::services::{Checkpoint, ExportFormat, ExportProgress};
use autotask::Error;
use autotask_sim::{RunningSimulator, Seed};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

fn insert_companies(sim: &RunningSimulator, n: usize) {
    for i in 0..n {
        sim.insert(
            "Companies",
            json!({"companyName": format!("Company {i}, \"Ltd\""), "companyType": 1, "isActive": true, "ownerResourceID": 0, "phone": "555"}),
        )
        .unwrap();
    }
}

/// A writer that fails once `limit` lines have been written.
struct FailingAfter {
    out: Vec<u8>,
    limit: usize,
}

impl Write for FailingAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.iter().filter(|b| **b == b'\n').count() >= self.limit {
            return Err(io::Error::other("disk full"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn json_lines_export_pages_through_everything_with_progress() {
    let (sim, client) = start(Seed::None).await;
    insert_companies(&sim, 1203);
    sim.clear_requests();
    let seen = Arc::new(Mutex::new(Vec::<ExportProgress>::new()));
    let log = seen.clone();
    let mut export = client
        .export()
        .on_progress(move |p| log.lock().unwrap().push(p.clone()));
    let mut out = Vec::new();
    let written = export.entity("Companies", &mut out).await.unwrap();
    assert_eq!(written, 1203);
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1203);
    assert_eq!(lines[0]["companyName"], "Company 0, \"Ltd\"");
    let last_id = lines[1202]["id"].as_i64().unwrap();
    assert_eq!(export.checkpoint().last_id("Companies"), Some(last_id));
    let progress = seen.lock().unwrap();
    assert_eq!(progress.len(), 1203);
    assert_eq!(
        (progress[1202].written, progress[1202].last_id),
        (1203, last_id)
    );
    // 500 per page: the query and two next pages, never more than one page held.
    let requests = sim.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].path.ends_with("/Companies/query"));
    assert!(requests[1..]
        .iter()
        .all(|r| r.path.contains("/Companies/query/next")));
}

#[tokio::test]
async fn a_failed_export_resumes_from_its_checkpoint_without_gaps_or_duplicates() {
    let (sim, client) = start(Seed::None).await;
    insert_companies(&sim, 30);
    let mut export = client.export();
    let mut broken = FailingAfter {
        out: Vec::new(),
        limit: 12,
    };
    let error = export.entity("Companies", &mut broken).await.unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    let checkpoint: Checkpoint =
        serde_json::from_str(&serde_json::to_string(export.checkpoint()).unwrap()).unwrap();
    let first_part = String::from_utf8(broken.out).unwrap();
    assert_eq!(first_part.lines().count(), 12);
    let last = checkpoint.last_id("Companies").unwrap();

    sim.clear_requests();
    let mut rest = Vec::new();
    let written = client
        .export()
        .resume_from(checkpoint)
        .entity("Companies", &mut rest)
        .await
        .unwrap();
    assert_eq!(written, 18);
    let requests = sim.requests();
    let filter = &requests[0].body.as_ref().unwrap()["filter"];
    assert_eq!(filter, &json!([{"op": "gt", "field": "id", "value": last}]));
    let all = first_part + &String::from_utf8(rest).unwrap();
    let ids: Vec<i64> = all
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 30);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 30);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn csv_export_writes_one_header_quotes_cells_and_appends_on_resume() {
    let (sim, client) = start(Seed::None).await;
    insert_companies(&sim, 3);
    let files: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut export = client.export().format(ExportFormat::Csv);
    let opened = files.clone();
    let summary = export
        .entities(&["Companies", "Teams"], |entity| {
            opened.lock().unwrap().push(entity.to_string());
            Ok(Vec::new())
        })
        .await
        .unwrap();
    // "Teams" is the alias of CompanyTeams (empty here).
    assert_eq!(*files.lock().unwrap(), ["Companies", "CompanyTeams"]);
    assert_eq!(summary.written["Companies"], 3);
    assert_eq!(summary.written["CompanyTeams"], 0);

    let mut out = Vec::new();
    client
        .export()
        .format(ExportFormat::Csv)
        .entity("Companies", &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 5, "header, 3 records, empty tail: {text}");
    assert!(
        lines[0].starts_with("id,") && lines[0].ends_with(",userDefinedFields,otherFields"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].ends_with(','),
        "no unknown fields: empty otherFields"
    );
    let name_column = lines[0]
        .split(',')
        .position(|c| c == "companyName")
        .unwrap();
    assert!(
        lines[1].contains("\"Company 0, \"\"Ltd\"\"\""),
        "{}",
        lines[1]
    );
    assert!(name_column > 0);

    // Resuming after the second record appends the third only, without a second header.
    sim.insert("Companies", json!({"companyName": "Later", "companyType": 1, "isActive": true, "ownerResourceID": 0, "phone": "1"}))
        .unwrap();
    let mut checkpoint_json = json!({"lastIds": {}});
    let second_id: i64 = lines[2].split(',').next().unwrap().parse().unwrap();
    checkpoint_json["lastIds"]["Companies"] = json!(second_id);
    let checkpoint: Checkpoint = serde_json::from_value(checkpoint_json).unwrap();
    let mut appended = Vec::new();
    let written = client
        .export()
        .format(ExportFormat::Csv)
        .resume_from(checkpoint)
        .entity("Companies", &mut appended)
        .await
        .unwrap();
    assert_eq!(written, 2);
    let appended = String::from_utf8(appended).unwrap();
    assert!(!appended.starts_with("id,"));
    assert_eq!(appended.split("\r\n").count(), 3);
}

#[tokio::test]
async fn entities_without_a_root_query_are_refused_before_any_request() {
    let (sim, client) = start(Seed::None).await;
    let error = client
        .export()
        .format(ExportFormat::Csv)
        .entities(
            &["Companies", "ResourceTimeOffBalances"],
            |_| Ok(Vec::new()),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert!(sim.requests().is_empty());
}

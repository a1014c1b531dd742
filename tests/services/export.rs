//! `client.export()`: JSON Lines and CSV streams, page by page, resumable from a checkpoint.

use crate::sim_support::start;
use autotask::services::{Checkpoint, ExportFormat, ExportProgress};
use autotask::Error;
use autotask_sim::{RunningSimulator, Seed};
use chrono::{TimeZone, Utc};
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
        .parallel(1)
        .on_progress(move |p| log.lock().unwrap().push(*p));
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
    {
        let progress = seen.lock().unwrap();
        assert_eq!(progress.len(), 1203);
        assert_eq!(
            (progress[1202].written, progress[1202].last_id),
            (1203, last_id)
        );
    }
    // 500 per page, one after the other: the query and two next pages.
    let requests = sim.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].path.ends_with("/Companies/query"));
    assert!(requests[1..]
        .iter()
        .all(|r| r.path.contains("/Companies/query/next")));

    // By default three pages at a time over id ranges: the same bytes.
    let mut parallel = Vec::new();
    let mut default = client.export();
    assert_eq!(
        default.entity("Companies", &mut parallel).await.unwrap(),
        1203
    );
    let sequential: Vec<u8> = lines
        .iter()
        .flat_map(|l| (l.to_string() + "\n").into_bytes())
        .collect();
    assert!(parallel == sequential, "the parallel export differs");
    assert_eq!(default.checkpoint(), export.checkpoint());
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
    assert!(requests
        .iter()
        .any(|r| r.path.ends_with("/Companies/query")));
    for request in requests
        .iter()
        .filter(|r| r.path.ends_with("/Companies/query"))
    {
        let filter = &request.body.as_ref().unwrap()["filter"];
        assert_eq!(filter[0], json!({"op": "gt", "field": "id", "value": last}));
    }
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
    let second_id: i64 = lines[2].split(',').next().unwrap().parse().unwrap();
    let bytes = lines[..3].iter().map(|l| l.len() + 2).sum::<usize>();
    let checkpoint_json = json!({"format": "csv", "entities": {"Companies": {
        "lastId": second_id, "bytes": bytes, "written": 2, "done": false}}});
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

/// Companies whose names need quoting, hold line breaks, or start like spreadsheet formulas.
const AWKWARD_NAMES: [&str; 8] = [
    "Plain",
    "Comma, Inc",
    "Say \"hi\"",
    "Two\nlines\r\nand CRLF",
    "=HYPERLINK(\"http://evil\")",
    "+1 555",
    "-minus",
    "@SUM(A1)",
];

fn insert_awkward(sim: &RunningSimulator) {
    for name in AWKWARD_NAMES {
        sim.insert(
            "Companies",
            json!({"companyName": name, "companyType": 1, "isActive": true, "ownerResourceID": 0, "phone": "\t555"}),
        )
        .unwrap();
    }
}

/// The CSV `text` read back by an independent reader: the header and the records.
fn read_csv(text: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(text);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

async fn csv_of_companies(client: &autotask::Client, escape: bool) -> Vec<u8> {
    let mut out = Vec::new();
    client
        .export()
        .format(ExportFormat::Csv)
        .escape_formulas(escape)
        .entity("Companies", &mut out)
        .await
        .unwrap();
    out
}

#[tokio::test]
async fn csv_cells_read_back_exactly_with_quotes_line_breaks_and_every_column() {
    let (sim, client) = start(Seed::None).await;
    insert_awkward(&sim);
    let out = csv_of_companies(&client, false).await;
    assert!(out.ends_with(b"\r\n"));
    let (header, rows) = read_csv(&out);
    let meta = autotask::entity_meta("Companies").unwrap();
    let expected: Vec<&str> = meta
        .fields
        .iter()
        .map(|f| f.name)
        .chain(["userDefinedFields", "otherFields"])
        .collect();
    assert_eq!(
        header, expected,
        "every field in metadata order, then UDFs and otherFields"
    );
    let name = header.iter().position(|c| c == "companyName").unwrap();
    let phone = header.iter().position(|c| c == "phone").unwrap();
    let id = header.iter().position(|c| c == "id").unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r[name].as_str()).collect();
    assert_eq!(
        names, AWKWARD_NAMES,
        "escaping off: every cell exactly as stored"
    );
    assert!(rows.iter().all(|r| r[phone] == "\t555"));
    assert!(rows.iter().all(|r| r[id].parse::<i64>().is_ok()));
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert!(
        rows.iter().all(|r| r.last().unwrap().is_empty()),
        "no unknown fields"
    );
}

#[tokio::test]
async fn formula_cells_are_neutralised_only_when_asked() {
    let (sim, client) = start(Seed::None).await;
    insert_awkward(&sim);
    let (header, rows) = read_csv(&csv_of_companies(&client, true).await);
    let name = header.iter().position(|c| c == "companyName").unwrap();
    let phone = header.iter().position(|c| c == "phone").unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r[name].as_str()).collect();
    assert_eq!(
        names,
        [
            "Plain",
            "Comma, Inc",
            "Say \"hi\"",
            "Two\nlines\r\nand CRLF",
            "'=HYPERLINK(\"http://evil\")",
            "'+1 555",
            "'-minus",
            "'@SUM(A1)",
        ]
    );
    assert!(
        rows.iter().all(|r| r[phone] == "'\t555"),
        "a leading tab too"
    );
    // Numbers stay numbers, and the header is never touched.
    let owner = header.iter().position(|c| c == "ownerResourceID").unwrap();
    assert!(rows.iter().all(|r| r[owner] == "0"));
    assert_eq!(header[0], "id");
}

/// A writer that stops accepting after `limit` bytes, as a process killed mid-export does.
struct Dies {
    file: std::fs::File,
    left: usize,
}

impl Write for Dies {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("killed"));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        self.file.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[tokio::test]
async fn a_resumed_export_writes_the_same_bytes_as_an_uninterrupted_one() {
    let (sim, client) = start(Seed::None).await;
    insert_companies(&sim, 40);
    insert_awkward(&sim);
    let dir = std::env::temp_dir().join(format!("autotask-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for format in [ExportFormat::Csv, ExportFormat::JsonLines] {
        let whole = dir.join(format!("whole-{format:?}"));
        let mut file = std::fs::File::create(&whole).unwrap();
        client
            .export()
            .format(format)
            .entity("Companies", &mut file)
            .await
            .unwrap();

        // The first run dies after 4 checkpoints of 7 records, in the middle of a record, with the
        // checkpoint saved only when the callback ran (after a flush).
        let part = dir.join(format!("part-{format:?}"));
        let saved: Arc<Mutex<Checkpoint>> = Arc::default();
        let store = saved.clone();
        let mut export = client
            .export()
            .format(format)
            .checkpoint_every(7)
            .on_checkpoint(move |c| {
                *store.lock().unwrap() = c.clone();
                Ok(())
            });
        let whole_bytes = std::fs::read(&whole).unwrap();
        let mut dies = Dies {
            file: Checkpoint::new().open_file("Companies", &part).unwrap(),
            left: whole_bytes.len() * 2 / 3,
        };
        let error = export.entity("Companies", &mut dies).await.unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        let checkpoint = saved.lock().unwrap().clone();
        let position = *checkpoint.position("Companies").unwrap();
        assert!(!position.done && position.written == 28, "{position:?}");
        assert!(
            std::fs::metadata(&part).unwrap().len() > position.bytes,
            "a torn tail"
        );

        let file = checkpoint.open_file("Companies", &part).unwrap();
        let mut writer = io::BufWriter::new(file);
        let mut resumed = client.export().format(format).resume_from(checkpoint);
        let written = resumed.entity("Companies", &mut writer).await.unwrap();
        drop(writer);
        assert_eq!(written, 48 - 28);
        assert!(
            std::fs::read(&part).unwrap() == whole_bytes,
            "{format:?} differs after resuming"
        );
        let done = *resumed.checkpoint().position("Companies").unwrap();
        assert_eq!(
            (done.written, done.bytes, done.done),
            (48, whole_bytes.len() as u64, true)
        );

        // A checkpoint of the other format is refused before any request.
        let other = if format == ExportFormat::Csv {
            ExportFormat::JsonLines
        } else {
            ExportFormat::Csv
        };
        let refused = client
            .export()
            .format(other)
            .resume_from(resumed.checkpoint().clone())
            .entity("Companies", &mut Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::InvalidInput(_)), "{refused:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn filters_and_since_narrow_what_is_exported() {
    let (sim, client) = start(Seed::None).await;
    for (name, created) in [
        ("Company 1", "2020-01-01T00:00:00Z"),
        ("Company 2", "2020-01-01T00:00:00Z"),
        ("Company 10", "1999-01-01T00:00:00Z"),
    ] {
        sim.insert("Companies", json!({"companyName": name, "createDate": created, "companyType": 1, "isActive": true, "ownerResourceID": 0, "phone": "1"}))
            .unwrap();
    }
    sim.clear_requests();
    let mut out = Vec::new();
    let written = client
        .export()
        .filter(autotask::Filter::condition(
            "companyName",
            autotask::Op::BeginsWith,
            "Company 1",
        ))
        .since(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap())
        .entity("Companies", &mut out)
        .await
        .unwrap();
    assert_eq!(written, 1, "{}", String::from_utf8_lossy(&out));
    let body = sim.requests()[0].body.clone().unwrap();
    assert_eq!(
        body["filter"],
        json!([
            {"op": "beginsWith", "field": "companyName", "value": "Company 1"},
            {"op": "or", "items": [
                {"op": "gte", "field": "lastTrackedModifiedDateTime", "value": "2000-01-01T00:00:00Z"},
                {"op": "gte", "field": "createDate", "value": "2000-01-01T00:00:00Z"}
            ]}
        ])
    );
    // What is left after a checkpoint, counted before exporting (one query/count), and checked first.
    let mut resumed = Checkpoint::new();
    let mut all = Vec::new();
    let mut first = client.export();
    first.entity("Companies", &mut all).await.unwrap();
    let first_id = first
        .checkpoint()
        .position("Companies")
        .unwrap()
        .last_id
        .unwrap();
    let mut position = *first.checkpoint().position("Companies").unwrap();
    position.last_id = Some(first_id - 2);
    resumed.set_position("Companies", position);
    let left = client.export().resume_from(resumed);
    assert_eq!(left.check("companies").unwrap(), "Companies");
    sim.clear_requests();
    assert_eq!(left.remaining("Companies").await.unwrap(), 2);
    assert!(sim.requests()[0].path.ends_with("/Companies/query/count"));
    assert!(matches!(
        left.check("ResourceTimeOffBalances"),
        Err(Error::InvalidInput(_))
    ));
    let future = client
        .export()
        .since(Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap())
        .entity("Companies", &mut Vec::new())
        .await
        .unwrap();
    assert_eq!(future, 0);
}

//! `export`: files, checkpoint, resume after Ctrl-C (and after a kill) into exactly the files an
//! uninterrupted run writes, and no progress output when stderr is not a terminal.

use crate::support::{autotask, stderr, stdout, Sim};
use autotask_sim::{FaultKind, FaultRule, Seed, SeedSize, Simulator};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn checkpoint(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(".autotask-export.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn export_writes_files_and_a_summary_without_progress_when_piped() {
    let sim = Sim::with_fixtures();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backup");
    let output = sim
        .cli()
        .args(["export", "Tickets", "companies", "--format", "csv", "--out"])
        .arg(&out)
        .args(["--where", "id >= 1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    // stderr is a pipe here: no progress bar, no escape codes, nothing at all.
    assert_eq!(stderr(&output), "");
    let summary = stdout(&output).replace(out.to_str().unwrap(), "OUT");
    insta::assert_snapshot!("export_summary", summary);
    let tickets = String::from_utf8(read(&out, "Tickets.csv")).unwrap();
    let lines: Vec<&str> = tickets.split("\r\n").collect();
    assert_eq!(lines.len(), 8, "header, 6 tickets, final empty piece");
    assert!(lines[0].starts_with("id,") && lines[0].ends_with(",userDefinedFields,otherFields"));
    assert!(lines[1].starts_with("1,") && lines[1].contains("Printer jam"));
    assert_eq!(checkpoint(&out)["entities"]["Tickets"]["done"], true);

    let since = sim
        .cli()
        .args(["export", "Tickets", "--since", "2999-01-01", "--out"])
        .arg(dir.path().join("since"))
        .output()
        .unwrap();
    assert!(since.status.success(), "{}", stderr(&since));
    assert_eq!(read(&dir.path().join("since"), "Tickets.jsonl"), b"");

    let child_only = autotask()
        .args(["--sim", "export", "TicketChecklistLibraries", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(child_only.status.code(), Some(2));
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_escaped_when_asked() {
    let sim = Sim::with_fixtures();
    sim.sim
        .insert(
            "Companies",
            serde_json::json!({"companyName": "=HYPERLINK(\"http://x\")", "phone": "+1 555", "ownerResourceID": 1, "companyType": 1}),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let export = |out: &str, escape: bool| {
        let mut command = sim.cli();
        command.args(["export", "Companies", "--format", "csv", "--out"]);
        command.arg(dir.path().join(out));
        if escape {
            command.arg("--escape-formulas");
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(read(&dir.path().join(out), "Companies.csv")).unwrap()
    };
    let escaped = export("escaped", true);
    assert!(
        escaped.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{escaped}"
    );
    assert!(escaped.contains(",'+1 555,"), "{escaped}");
    assert!(escaped.contains(",Acme,"), "{escaped}");
    let plain = export("plain", false);
    assert!(
        plain.contains("\"=HYPERLINK(\"\"http://x\"\")\""),
        "{plain}"
    );
    assert!(!plain.contains('\''), "{plain}");
    // A resume must keep the option.
    let other = sim
        .cli()
        .args([
            "export",
            "Companies",
            "--format",
            "csv",
            "--resume",
            "--out",
        ])
        .arg(dir.path().join("escaped"))
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2), "{}", stderr(&other));
}

/// A simulator with 1,200 tickets whose query pages take 300 ms each, so an export can be caught mid-way.
fn slow_sim() -> Sim {
    Sim::start(
        Simulator::builder()
            .seed(Seed::Demo(SeedSize::with_tickets(1200)))
            .fault(
                FaultRule::new(FaultKind::Delay(Duration::from_millis(300)))
                    .path_contains("/Tickets/query"),
            ),
    )
}

/// Runs an export until the checkpoint shows `records` Tickets, then sends `signal`; its exit status.
fn interrupt(sim: &Sim, out: &Path, signal: &str, records: u64) -> Option<i32> {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("autotask"))
        .args([
            "--sim",
            "--api-url",
            sim.url(),
            "export",
            "Tickets",
            "Companies",
            "--out",
        ])
        .arg(out)
        .env("AUTOTASK_CONFIG", "/nonexistent")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while checkpoint(out)["entities"]["Tickets"]["written"]
        .as_u64()
        .unwrap_or(0)
        < records
    {
        assert!(Instant::now() < deadline, "the export made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the export ended before it was interrupted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    if signal == "-INT" {
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("--resume"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output.status.code()
}

fn resume(sim: &Sim, out: &Path) {
    let resumed = sim
        .cli()
        .args(["export", "Tickets", "Companies", "--resume", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{}", stderr(&resumed));
}

#[cfg(unix)]
#[test]
fn an_interrupted_export_resumes_into_the_same_files() {
    let sim = slow_sim();
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let uninterrupted = sim
        .cli()
        .args(["export", "Tickets", "Companies", "--out"])
        .arg(&whole)
        .output()
        .unwrap();
    assert!(uninterrupted.status.success(), "{}", stderr(&uninterrupted));

    // Ctrl-C after the first page: exit 130, a checkpoint that says how far it got.
    let stopped = dir.path().join("stopped");
    assert_eq!(interrupt(&sim, &stopped, "-INT", 500), Some(130));
    let saved = checkpoint(&stopped);
    assert_eq!(saved["entities"]["Tickets"]["done"], false);
    let bytes = saved["entities"]["Tickets"]["bytes"].as_u64().unwrap();
    assert_eq!(
        std::fs::metadata(stopped.join("Tickets.jsonl"))
            .unwrap()
            .len(),
        bytes
    );
    resume(&sim, &stopped);

    // Killed without warning, with a half-written record after the last checkpoint (as a kill
    // during a write leaves): the resumed run cuts it off.
    let killed = dir.path().join("killed");
    assert_eq!(interrupt(&sim, &killed, "-KILL", 500), None);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(killed.join("Tickets.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut file, b"{\"id\":99999,\"title\":\"half").unwrap();
    drop(file);
    resume(&sim, &killed);

    for stopped_run in [&stopped, &killed] {
        for file in ["Tickets.jsonl", "Companies.jsonl"] {
            assert!(
                read(stopped_run, file) == read(&whole, file),
                "{file} differs after resuming"
            );
        }
    }
    assert_eq!(
        String::from_utf8(read(&whole, "Tickets.jsonl"))
            .unwrap()
            .lines()
            .count(),
        1200
    );

    // A resume with other options is refused.
    let other = sim
        .cli()
        .args(["export", "Tickets", "--resume", "--format", "csv", "--out"])
        .arg(&stopped)
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2));
    assert!(
        stderr(&other).contains("other options"),
        "{}",
        stderr(&other)
    );
}

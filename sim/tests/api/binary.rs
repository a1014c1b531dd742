//! The `autotask-sim` binary's flags for what the library builder can do: `--latency-ms`, `--fault`
//! (repeatable) and a refused fault spec.

use crate::common::error_text;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the process when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_autotask-sim"))
        .args(["--port", "0", "--seed", "none"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base = line.split_whitespace().last().unwrap().to_string();
    (Running(child), base)
}

async fn get(base: &str, path: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("ApiIntegrationCode", autotask_sim::DEFAULT_INTEGRATION_CODE)
        .header("UserName", autotask_sim::DEFAULT_USERNAME)
        .header("Secret", autotask_sim::DEFAULT_SECRET)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn latency_and_fault_flags_apply() {
    let (_sim, base) = start(&[
        "--latency-ms",
        "300",
        "--fault",
        "server-error:1:GET:/Modules",
        "--fault",
        "429=7:100%::/ThresholdInformation",
    ]);
    let started = Instant::now();
    let (status, body) = get(&base, "V1.0/Modules").await;
    assert!(started.elapsed() >= Duration::from_millis(300), "latency");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(error_text(&body).contains("Simulated fault"), "{body}");
    let (status, _) = get(&base, "V1.0/ThresholdInformation").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = get(&base, "V1.0/Tickets/entityInformation").await;
    assert_eq!(status, StatusCode::OK, "other paths are not faulted");
}

#[test]
fn a_bad_fault_spec_is_refused_with_the_reason() {
    let output = Command::new(env!("CARGO_BIN_EXE_autotask-sim"))
        .args(["--port", "0", "--fault", "explode:0.5"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown fault kind"), "{stderr}");
}

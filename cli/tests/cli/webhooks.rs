//! `webhook verify` and `webhook listen` with Autotask's signature (HMAC-SHA1, base64).

use crate::support::{autotask, stderr, stdout};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

const BODY: &str = r#"{"Action":"Update","Guid":"4f1d","EntityType":"Ticket","Id":42,"Fields":{"status":5},"SequenceNumber":3}"#;

fn signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn verify_accepts_the_right_signature_only() {
    let good = autotask()
        .args([
            "webhook",
            "verify",
            "--secret",
            "s3cret",
            "--signature",
            &signature("s3cret", BODY),
            "-o",
            "table",
        ])
        .write_stdin(BODY)
        .output()
        .unwrap();
    assert!(good.status.success(), "{}", stderr(&good));
    assert_eq!(
        stdout(&good),
        "Update Ticket 42 (sequence 3) {\"status\":5}\n"
    );

    let tampered = autotask()
        .args([
            "webhook",
            "verify",
            "--signature",
            &signature("s3cret", BODY),
        ])
        .env("AUTOTASK_WEBHOOK_SECRET", "s3cret")
        .write_stdin(BODY.replace("42", "43"))
        .output()
        .unwrap();
    assert_eq!(tampered.status.code(), Some(3));
    assert!(
        stderr(&tampered).contains("does not match"),
        "{}",
        stderr(&tampered)
    );
    assert!(!stderr(&tampered).contains("s3cret"));

    let malformed = autotask()
        .args([
            "webhook",
            "verify",
            "--secret",
            "s3cret",
            "--signature",
            "md5=abc",
        ])
        .write_stdin(BODY)
        .output()
        .unwrap();
    assert_eq!(malformed.status.code(), Some(2));
}

fn post(port: u16, body: &str, signature: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Hook-Signature: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn listen_prints_verified_callouts_and_refuses_the_rest() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("autotask"))
        .args([
            "webhook", "listen", "--port", "0", "--secret", "s3cret", "--count", "1", "-o", "jsonl",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = stderr_lines.next().unwrap().unwrap();
    let port: u16 = first
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    assert!(post(port, BODY, &signature("wrong", BODY)).contains("401"));
    assert!(post(port, BODY, &signature("s3cret", BODY)).contains("200"));
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (line["Action"].as_str(), line["Id"].as_i64()),
        (Some("Update"), Some(42))
    );
    let rest: Vec<String> = stderr_lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("rejected a callout")),
        "{rest:?}"
    );
}

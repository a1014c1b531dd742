//! A callout receiver for the tests: an axum server on a loopback port that keeps every request's path,
//! `X-Hook-Signature` header and raw body, and answers 200.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub signature: String,
    pub body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Received>>>;

pub struct Receiver {
    base: String,
    log: Log,
    server: tokio::task::JoinHandle<()>,
}

async fn record(State(log): State<Log>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get("x-hook-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    log.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        signature,
        body: body.to_vec(),
    });
    StatusCode::OK
}

impl Receiver {
    pub async fn start() -> Receiver {
        let log: Log = Arc::default();
        let app = Router::new().fallback(record).with_state(Arc::clone(&log));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { base, log, server }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until `count` requests arrived (or 5 s passed) and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = self.received();
            if got.len() >= count || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

//! A small scripted HTTP/1.1 server for wire-format and hostile-server tests: records every request and
//! answers each with the next scripted reply, or with what a per-test handler decides. It can also drop
//! the connection (a lost answer), stall, send invalid UTF-8, a huge body or a body that never ends.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the stub does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Http(u16, Vec<(String, String)>, String),
    /// Status, extra headers, raw body bytes (e.g. invalid UTF-8).
    Bytes(u16, Vec<(String, String)>, Vec<u8>),
    /// Read the request, then close the socket without answering.
    Drop,
    /// Wait, then answer.
    Delayed(Duration, Box<Reply>),
    /// A `{"errors":["xxx…"]}` body of about this many bytes, with its `Content-Length`.
    Huge(u16, usize),
    /// A chunked body that never ends (the stub writes until the client hangs up).
    Endless(u16),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Http(status, vec![], body.to_string())
    }

    /// `json`, answered after `wait`.
    pub fn json_after(wait: Duration, status: u16, body: serde_json::Value) -> Reply {
        Reply::Delayed(wait, Box::new(Reply::json(status, body)))
    }
}

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When the request had been read.
    pub arrived: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The body as JSON (`null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Decides the reply to the `n`th request (counting from 0).
pub type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

pub struct Stub {
    pub base: String,
    /// Highest number of requests being answered at the same time.
    pub max_in_flight: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// (request index, arrived, answer finished or connection closed), per answered request.
    intervals: Arc<Mutex<Vec<(usize, Instant, Instant)>>>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
}

struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    handler: Option<Arc<Handler>>,
    in_flight: AtomicUsize,
    max_in_flight: Arc<AtomicUsize>,
    intervals: Arc<Mutex<Vec<(usize, Instant, Instant)>>>,
}

impl Stub {
    /// A client builder for this stub (base `…/ATServicesRest/`), with fast retries (5 ms first
    /// backoff, 50 ms at most).
    pub fn client_builder(&self) -> autotask::ClientBuilder {
        autotask::Client::builder()
            .username("api@example.com")
            .integration_code("INTEGRATION-CODE-123")
            .secret("s3cret-value")
            .base_url(format!("{}ATServicesRest/", self.base))
            .retry_policy(autotask::RetryPolicy {
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(50),
                ..autotask::RetryPolicy::default()
            })
    }

    /// Starts a stub on an ephemeral loopback port answering with `replies` in order (then 500s).
    pub async fn start(replies: Vec<Reply>) -> Stub {
        Self::serve(replies, None).await
    }

    /// Starts a stub whose every answer is decided by `handler`.
    pub async fn scripted(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Stub {
        Self::serve(Vec::new(), Some(Arc::new(handler))).await
    }

    async fn serve(replies: Vec<Reply>, handler: Option<Arc<Handler>>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            seen: Arc::new(Mutex::new(Vec::new())),
            replies: Arc::new(Mutex::new(VecDeque::from(replies))),
            handler,
            in_flight: AtomicUsize::new(0),
            max_in_flight: Arc::new(AtomicUsize::new(0)),
            intervals: Arc::new(Mutex::new(Vec::new())),
        });
        let stub = Stub {
            base,
            max_in_flight: shared.max_in_flight.clone(),
            seen: shared.seen.clone(),
            intervals: shared.intervals.clone(),
            replies: shared.replies.clone(),
        };
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_connection(socket, shared.clone()));
            }
        });
        stub
    }

    pub fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The highest number of requests in flight at once among those for which `key` gives the same
    /// value (e.g. the entity a request counts against).
    pub fn max_in_flight_by(&self, key: impl Fn(&Seen) -> String) -> usize {
        let seen = self.seen();
        let intervals = self.intervals.lock().unwrap().clone();
        let mut events: Vec<(String, Instant, i32)> = Vec::new();
        for (index, start, end) in intervals {
            let k = key(&seen[index]);
            events.push((k.clone(), start, 1));
            events.push((k, end, -1));
        }
        // Ends before starts at the same instant: touching intervals do not overlap.
        events.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)));
        let mut current: std::collections::HashMap<String, i32> = Default::default();
        let mut max = 0;
        for (k, _, delta) in events {
            let n = current.entry(k).or_default();
            *n += delta;
            max = max.max(*n);
        }
        max as usize
    }
}

async fn serve_connection(mut socket: TcpStream, shared: Arc<Shared>) {
    loop {
        let Some(request) = read_request(&mut socket).await else {
            return;
        };
        let arrived = request.arrived;
        let index = {
            let mut seen = shared.seen.lock().unwrap();
            seen.push(request.clone());
            seen.len() - 1
        };
        let now = shared.in_flight.fetch_add(1, SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, SeqCst);
        let mut reply = match &shared.handler {
            Some(handler) => handler(&request, index),
            None => shared
                .replies
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| {
                    Reply::json(
                        500,
                        serde_json::json!({"errors": ["stub has no more replies"]}),
                    )
                }),
        };
        while let Reply::Delayed(wait, inner) = reply {
            tokio::time::sleep(wait).await;
            reply = *inner;
        }
        let keep_open = write_reply(&mut socket, reply).await;
        shared.in_flight.fetch_sub(1, SeqCst);
        shared
            .intervals
            .lock()
            .unwrap()
            .push((index, arrived, Instant::now()));
        if !keep_open {
            return;
        }
    }
}

/// Writes one reply; false when the connection is to be (or was) closed.
async fn write_reply(socket: &mut TcpStream, reply: Reply) -> bool {
    let head = |status: u16, headers: &[(String, String)], length: Option<usize>| {
        let mut head = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n");
        match length {
            Some(n) => head.push_str(&format!("content-length: {n}\r\n")),
            None => head.push_str("transfer-encoding: chunked\r\n"),
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        head
    };
    match reply {
        Reply::Delayed(..) => unreachable!("unwrapped by the caller"),
        Reply::Drop => false,
        Reply::Http(status, headers, body) => {
            let head = head(status, &headers, Some(body.len()));
            socket.write_all(head.as_bytes()).await.is_ok()
                && socket.write_all(body.as_bytes()).await.is_ok()
        }
        Reply::Bytes(status, headers, body) => {
            let head = head(status, &headers, Some(body.len()));
            socket.write_all(head.as_bytes()).await.is_ok() && socket.write_all(&body).await.is_ok()
        }
        Reply::Huge(status, size) => {
            let (open, close) = (br#"{"errors":[""#, br#""]}"#);
            let filler = size.saturating_sub(open.len() + close.len());
            let head = head(status, &[], Some(open.len() + filler + close.len()));
            if socket.write_all(head.as_bytes()).await.is_err()
                || socket.write_all(open).await.is_err()
            {
                return false;
            }
            let block = vec![b'x'; 64 * 1024];
            let mut left = filler;
            while left > 0 {
                let n = left.min(block.len());
                if socket.write_all(&block[..n]).await.is_err() {
                    return false;
                }
                left -= n;
            }
            socket.write_all(close).await.is_ok()
        }
        Reply::Endless(status) => {
            let head = head(status, &[], None);
            if socket.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
            if socket.write_all(b"6\r\n{\"a\":\"\r\n").await.is_err() {
                return false;
            }
            // Until the client hangs up.
            while socket.write_all(chunk.as_bytes()).await.is_ok() {}
            false
        }
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
        arrived: Instant::now(),
    })
}

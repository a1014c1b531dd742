//! A tiny scripted HTTP/1.1 server for wire-format tests: records every request and answers each with the
//! next scripted reply (or drops the connection, to simulate a lost response).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the stub does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Http(u16, Vec<(String, String)>, String),
    /// Read the request, then close the socket without answering.
    Drop,
    /// Wait, then answer.
    Delayed(std::time::Duration, Box<Reply>),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Http(status, vec![], body.to_string())
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
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Stub {
    pub base: String,
    /// Highest number of requests being answered at the same time.
    pub max_in_flight: Arc<std::sync::atomic::AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
}

impl Stub {
    /// Starts a stub on an ephemeral loopback port answering with `replies` in order (then 500s).
    pub async fn start(replies: Vec<Reply>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let (seen2, replies2) = (seen.clone(), replies.clone());
        let max_in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (max2, in_flight2) = (max_in_flight.clone(), in_flight.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen2.clone();
                let replies = replies2.clone();
                let (max_in_flight, in_flight) = (max2.clone(), in_flight2.clone());
                tokio::spawn(async move {
                    loop {
                        let Some(request) = read_request(&mut socket).await else {
                            return;
                        };
                        seen.lock().unwrap().push(request);
                        use std::sync::atomic::Ordering::SeqCst;
                        let now = in_flight.fetch_add(1, SeqCst) + 1;
                        max_in_flight.fetch_max(now, SeqCst);
                        let reply = replies.lock().unwrap().pop_front();
                        let mut reply = reply.unwrap_or_else(|| {
                            Reply::json(
                                500,
                                serde_json::json!({"errors": ["stub has no more replies"]}),
                            )
                        });
                        while let Reply::Delayed(wait, inner) = reply {
                            tokio::time::sleep(wait).await;
                            reply = *inner;
                        }
                        in_flight.fetch_sub(1, SeqCst);
                        match reply {
                            Reply::Delayed(..) => unreachable!("unwrapped above"),
                            Reply::Drop => return,
                            Reply::Http(status, headers, body) => {
                                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len());
                                for (k, v) in headers {
                                    head.push_str(&format!("{k}: {v}\r\n"));
                                }
                                head.push_str("\r\n");
                                if socket.write_all(head.as_bytes()).await.is_err()
                                    || socket.write_all(body.as_bytes()).await.is_err()
                                {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        Stub {
            base,
            max_in_flight,
            seen,
            replies,
        }
    }

    pub fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
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
    })
}

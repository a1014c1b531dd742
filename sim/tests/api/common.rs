//! Helpers: an in-process simulator and a plain reqwest client with the demo credentials.

use autotask_sim::{RunningSimulator, SimulatorBuilder};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

pub struct Harness {
    pub sim: RunningSimulator,
    pub client: Client,
}

pub async fn start(builder: SimulatorBuilder) -> Harness {
    let sim = builder.start().await.expect("simulator starts");
    Harness {
        sim,
        client: Client::new(),
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path.trim_start_matches('/'))
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            self.url(path)
        };
        self.client
            .request(method, url)
            .header("ApiIntegrationCode", autotask_sim::DEFAULT_INTEGRATION_CODE)
            .header("UserName", autotask_sim::DEFAULT_USERNAME)
            .header("Secret", autotask_sim::DEFAULT_SECRET)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Inserts a ticket of the owner company directly (no request) and returns its id.
    pub fn ticket(&self) -> i64 {
        self.sim
            .insert(
                "Tickets",
                serde_json::json!({"companyID": 0, "title": "t", "status": 1, "priority": 2}),
            )
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }
}

/// The single error text of a `{"errors":[...]}` body.
pub fn error_text(body: &Value) -> String {
    body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

/// Sends every request at once and returns (status, JSON body) in the order given.
pub async fn concurrently(requests: Vec<reqwest::RequestBuilder>) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            tokio::spawn(async move {
                let response = request.send().await.expect("request sent");
                let status = response.status();
                let text = response.text().await.expect("body read");
                (status, serde_json::from_str(&text).unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("request task"));
    }
    out
}

/// True for the thread-limit refusal (PROTOCOL.md §2.4, §6.2).
pub fn is_thread_limit(answer: &(StatusCode, Value)) -> bool {
    let text = error_text(&answer.1);
    answer.0 == StatusCode::TOO_MANY_REQUESTS
        && text.contains("Itgenatr005")
        && text.contains("Thread Threshold Exceeded")
}

/// `base64(HMAC-SHA1(secret, bytes))`, computed here, independently of the simulator and the SDK.
pub fn hmac_sha1_base64(secret: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(bytes);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One POST a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a callout body is JSON")
    }
}

type Inbox = std::sync::Arc<std::sync::Mutex<Vec<Received>>>;

/// A loopback callout receiver keeping path, `X-Hook-Signature` and raw body of each request; answers
/// 200.
pub struct Receiver {
    base: String,
    inbox: Inbox,
}

impl Receiver {
    pub async fn start() -> Receiver {
        use axum::body::Bytes;
        use axum::extract::State;
        use axum::http::{HeaderMap, Uri};
        async fn keep(State(inbox): State<Inbox>, uri: Uri, headers: HeaderMap, body: Bytes) {
            let signature = headers
                .get("x-hook-signature")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            inbox.lock().unwrap().push(Received {
                path: uri.path().to_string(),
                signature,
                body: body.to_vec(),
            });
        }
        let inbox: Inbox = Inbox::default();
        let app = axum::Router::new()
            .fallback(keep)
            .with_state(std::sync::Arc::clone(&inbox));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { base, inbox }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

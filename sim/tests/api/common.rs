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

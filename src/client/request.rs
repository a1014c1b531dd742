//! [`Request`]: one HTTP request as the operations and metadata layers hand it to the request path.

use reqwest::Method;
use serde_json::Value;

/// What repeating a request risks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, queries, PATCH, PUT, DELETE: repeating is harmless.
    Safe,
    /// A create: repeat only when it certainly was not processed.
    Create,
}

/// One request: built by the operations layer (entity operations), the metadata layer
/// (`entityInformation` reads) and the services (`ThresholdInformation`).
pub(crate) struct Request {
    pub method: Method,
    /// Path relative to the `V1.0/` base (`Tickets/query`), or an absolute URL (a `nextPageUrl`).
    pub path: String,
    pub body: Option<Value>,
    pub repeat: Repeat,
    /// Entity name for errors, spans and statistics.
    pub entity: String,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>, entity: &str) -> Self {
        let repeat = if method == Method::POST {
            Repeat::Create
        } else {
            Repeat::Safe
        };
        Self {
            method,
            path: path.into(),
            body: None,
            repeat,
            entity: entity.to_string(),
        }
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Marks a POST that only reads (queries), so it may be retried.
    pub fn read_only(mut self) -> Self {
        self.repeat = Repeat::Safe;
        self
    }
}

//! The request log tests read: what each request was and how it was answered.

use serde_json::Value;

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query string as sent (`/ATServicesRest/V1.0/Tickets/query?search=...`).
    pub path: String,
    /// The HTTP status answered (0 when the connection was dropped without an answer).
    pub status: u16,
    /// Request body size in bytes.
    pub body_size: usize,
    /// The request body, when it was JSON.
    pub body: Option<Value>,
    /// True when an injected fault closed the connection instead of answering.
    pub connection_dropped: bool,
}

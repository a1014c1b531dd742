//! The errors the simulator answers with, in the shapes the real API uses (PROTOCOL.md §2.4). The HTTP
//! layer turns them into responses.

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `500 {"errors":[...]}`: validation, business rules, bad user or integration code.
    Business(Vec<String>),
    /// `401 {"errors":[...]}`: wrong secret.
    Unauthorized(String),
    /// `404 {"Message":...}`: the route does not exist.
    NotFound,
    /// `405 {"Message":...}`: the route exists but not for this method.
    MethodNotAllowed(String),
    /// `429 {"errors":[...]}` with an optional `Retry-After` (seconds).
    TooManyRequests {
        /// The error text.
        message: String,
        /// The `Retry-After` header, in seconds.
        retry_after: Option<u64>,
    },
}

impl ApiError {
    /// A single-message 500.
    pub fn business(message: impl Into<String>) -> Self {
        ApiError::Business(vec![message.into()])
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Business(_) => 500,
            ApiError::Unauthorized(_) => 401,
            ApiError::NotFound => 404,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::TooManyRequests { .. } => 429,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            ApiError::Business(errors) => json!({ "errors": errors }),
            ApiError::Unauthorized(message) | ApiError::TooManyRequests { message, .. } => {
                json!({ "errors": [message] })
            }
            ApiError::NotFound => {
                json!({ "Message": "No HTTP resource was found that matches the request URI." })
            }
            ApiError::MethodNotAllowed(method) => json!({
                "Message": format!("The requested resource does not support http method '{method}'.")
            }),
        }
    }
}

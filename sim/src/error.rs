//! Autotask-style error answers.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error the simulator answers with, in the shape the real API uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `500 {"errors":[...]}`: validation, business rules, bad user or integration code.
    Business(Vec<String>),
    /// `401 {"errors":[...]}`: wrong secret.
    Unauthorized(String),
    /// `404 {"Message":...}`: unknown route.
    NotFound,
    /// `405 {"Message":...}`: the route exists but not for this method.
    MethodNotAllowed(String),
    /// `429 {"errors":[...]}` with an optional `Retry-After` (seconds).
    TooManyRequests {
        message: String,
        retry_after: Option<u64>,
    },
}

impl ApiError {
    /// A single-message 500.
    pub fn business(message: impl Into<String>) -> Self {
        ApiError::Business(vec![message.into()])
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Business(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            ApiError::Business(errors) => (status, axum::Json(json!({ "errors": errors }))).into_response(),
            ApiError::Unauthorized(message) => {
                (status, axum::Json(json!({ "errors": [message] }))).into_response()
            }
            ApiError::NotFound => (
                status,
                axum::Json(json!({
                    "Message": "No HTTP resource was found that matches the request URI."
                })),
            )
                .into_response(),
            ApiError::MethodNotAllowed(method) => (
                status,
                axum::Json(json!({
                    "Message": format!("The requested resource does not support http method '{method}'.")
                })),
            )
                .into_response(),
            ApiError::TooManyRequests {
                message,
                retry_after,
            } => {
                let mut response =
                    (status, axum::Json(json!({ "errors": [message] }))).into_response();
                if let Some(seconds) = retry_after {
                    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                        response.headers_mut().insert("Retry-After", value);
                    }
                }
                response
            }
        }
    }
}

//! One error type for everything the client does, with kinds users can match on.
//!
//! Autotask reports most failures as HTTP 500 with `{"errors":["..."]}`; [`Error::from_response`] maps those
//! texts to the kind they mean ("No matching records found" is [`Error::NotFound`], "does not have the
//! adequate permissions" is [`Error::Permission`], `Itgenatr005` is [`Error::ThreadLimit`] whatever the status).

use std::time::Duration;

/// Everything that can go wrong talking to Autotask.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: wrong secret, or the tenant moved zone (the client re-detects the zone once before this).
    /// Not retryable.
    #[error("authentication failed (HTTP {status}): {message}")]
    Authentication {
        /// The HTTP status (401).
        status: u16,
        /// The server's `errors` texts joined with spaces, or the raw body when it sent none (often empty).
        message: String,
    },

    /// The API user may not do this: 403, or a 500 whose text says "does not have the adequate
    /// permissions" / "does not have permission". Not retryable.
    #[error("permission denied (HTTP {status}): {}", messages.join("; "))]
    Permission {
        /// The HTTP status (403 or 500).
        status: u16,
        /// The server's `errors` texts.
        messages: Vec<String>,
    },

    /// The record or route does not exist: 404, or a 500 "No matching records found" (what Autotask
    /// answers to a DELETE of a missing id). Not retryable.
    #[error("not found (HTTP {status}): {}", messages.join("; "))]
    NotFound {
        /// The HTTP status (404 or 500).
        status: u16,
        /// The server's `errors` texts, or the raw body when it sent none.
        messages: Vec<String>,
    },

    /// The server rejected the request's content: a 400 or 500 with an `{"errors":[...]}` body that no
    /// other kind claims (business rules, unknown field names, MaxRecords out of range). Not retryable.
    #[error("rejected by Autotask (HTTP {status}): {}", messages.join("; "))]
    Validation {
        /// The HTTP status (400 or 500; Autotask uses 500 for business-rule errors).
        status: u16,
        /// The server's `errors` texts.
        messages: Vec<String>,
    },

    /// 429, or a 500 saying a threshold was exceeded (the hourly request threshold is used up).
    /// Retryable; the client waits `retry_after` (or its backoff) and retries, creates included.
    #[error("rate limited (HTTP {status}){}: {}", retry_after.map(|d| format!(", retry after {d:?}")).unwrap_or_default(), messages.join("; "))]
    RateLimited {
        /// The HTTP status (429 or 500).
        status: u16,
        /// The response's `Retry-After` header, when it had one.
        retry_after: Option<Duration>,
        /// The server's `errors` texts, or the raw body when it sent none.
        messages: Vec<String>,
    },

    /// Autotask's per-endpoint concurrent thread limit: a body mentioning `Itgenatr005` or "thread
    /// threshold", whatever the status. Retryable, creates included (the server did not process it).
    #[error("thread limit exceeded (HTTP {status}): {}", messages.join("; "))]
    ThreadLimit {
        /// The HTTP status it came with (429, 500 or another).
        status: u16,
        /// The server's `errors` texts.
        messages: Vec<String>,
    },

    /// Any other unsuccessful HTTP answer (405, a 500 without an `errors` list, a gateway error...).
    /// Retryable only for 502, 503 and 504; on a create those become [`Error::UnknownOutcome`] instead.
    #[error("HTTP {status} from {method} {path}: {body}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The request method (`GET`, `POST`, ...).
        method: String,
        /// The URL path that was requested, without the query string.
        path: String,
        /// The response body, cut at 2000 bytes.
        body: String,
    },

    /// The request did not complete (connection, TLS, timeout). Retryable; a create is repeated only
    /// when `not_sent`, otherwise it ends as [`Error::UnknownOutcome`].
    #[error("transport error on {method} {path}{}: {source}", if *.timeout { " (timeout)" } else { "" })]
    Transport {
        /// The request method.
        method: String,
        /// The URL path that was requested.
        path: String,
        /// True when the request timed out.
        timeout: bool,
        /// True when the request certainly never reached the server (connection refused).
        not_sent: bool,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// A create whose outcome is unknown: it was sent, then the connection failed, timed out, or a
    /// gateway answered 502/503/504, so it may or may not have been processed. It was **not** retried,
    /// so that no duplicate is made (and [`Error::is_retryable`] is false); `payload` is the body that
    /// was sent, to check and re-send deliberately.
    #[error(
        "outcome of create on {entity} is unknown ({reason}); not retried to avoid a duplicate"
    )]
    UnknownOutcome {
        /// The entity (REST collection name) the create was for.
        entity: String,
        /// What went wrong ("timed out waiting for the answer", or the underlying error's text).
        reason: String,
        /// The JSON body that was sent (`null` if there was none).
        payload: serde_json::Value,
    },

    /// The record **was created** (its id is `id`), but reading it back failed: a create-and-read call
    /// (`create_and_get`, a helper's `send()`) returns this instead of losing the id, because
    /// repeating the create would make a duplicate that many entities (Tickets, Contracts, Projects)
    /// cannot delete. Read the record again later with the id. Not retryable as a whole.
    #[error("{entity} {id} was created, but reading it back failed: {source}")]
    CreatedButUnread {
        /// The entity (REST collection name) that was created.
        entity: String,
        /// The new record's id.
        id: i64,
        /// Why the read failed (the GET's error, or `NotFound` if the record was not there).
        source: Box<Error>,
    },

    /// A successful response could not be decoded into the Rust type (a field of an unexpected type or
    /// shape). Not retryable: the same answer will fail the same way.
    #[error("cannot decode {entity} at `{path}` (value {value}): {message}")]
    Decode {
        /// The entity being decoded (its REST collection name, `Tickets`).
        entity: String,
        /// The JSON path of the offending value (`dueDateTime`, `userDefinedFields[0].value`).
        path: String,
        /// The offending value as JSON text (`?` when it could not be located).
        value: String,
        /// serde's description of the mismatch.
        message: String,
    },

    /// The request was refused before sending (bad MaxRecords, two UDF filters, read-only field, too long...).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A name that is not an Autotask REST collection (py-autotask's invented "entities" such as
    /// `Workflows` or `TicketStatuses`); `explanation` says what the real API offers instead
    /// (see [`crate::aliases`]).
    #[error("{name:?} is not part of the Autotask REST API: {explanation}")]
    NotAnEntity {
        /// The name as the reference spells it.
        name: String,
        /// What it is in the real API and what to use instead.
        explanation: String,
    },

    /// Writing an export or a CSV file to the caller's writer failed.
    #[error("cannot write {what}: {source}")]
    Io {
        /// What was being written (`Tickets export`, `report CSV`).
        what: String,
        /// The writer's error.
        #[source]
        source: std::io::Error,
    },

    /// The client is misconfigured (missing credentials, non-https URL, ...).
    #[error("configuration error: {0}")]
    Configuration(String),

    /// The server answered something the client refuses to follow or understand (e.g. a `nextPageUrl` on
    /// another host, which would leak credentials).
    #[error("protocol error: {0}")]
    Protocol(String),

    /// A [`Client::transaction`](crate::Client::transaction) failed: the error that ended it, the steps
    /// compensated, and every step that could not be undone with the reason.
    #[error(transparent)]
    Transaction(Box<crate::transaction::TransactionError>),

    /// Registering a webhook failed after the webhook record itself was created (a field or excluded-resource
    /// row was refused). `removed` tells whether the half-made webhook was deleted again; when it was not,
    /// webhook `webhook_id` and the child rows in `created_rows` still exist and `cleanup_error` says why.
    #[error(
        "registering {entity} {webhook_id} failed: {cause}; {}",
        if *.removed { "the half-made webhook was deleted".to_string() } else { format!("webhook {webhook_id} and its rows {created_rows:?} still exist (deleting it failed)") }
    )]
    WebhookRegistration {
        /// The webhook collection (`TicketWebhooks`).
        entity: String,
        /// The id of the webhook record that was created.
        webhook_id: i64,
        /// The error of the step that failed.
        cause: Box<Error>,
        /// True when the webhook was deleted again (its child rows go with it).
        removed: bool,
        /// Field and excluded-resource rows created before the failure.
        created_rows: Vec<i64>,
        /// Why deleting the half-made webhook failed, when it did.
        cleanup_error: Option<Box<Error>>,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Maps an unsuccessful HTTP answer to its kind.
    pub fn from_response(
        status: u16,
        method: &str,
        path: &str,
        body: &str,
        retry_after: Option<Duration>,
    ) -> Error {
        let messages = error_messages(body);
        let text = if messages.is_empty() {
            body.to_string()
        } else {
            messages.join(" ")
        };
        let lower = text.to_ascii_lowercase();
        let messages = if messages.is_empty() && !body.trim().is_empty() {
            vec![truncate(body.trim(), 2000)]
        } else {
            messages
        };
        if lower.contains("itgenatr005") || lower.contains("thread threshold") {
            return Error::ThreadLimit { status, messages };
        }
        match status {
            401 => Error::Authentication {
                status,
                message: text,
            },
            403 => Error::Permission { status, messages },
            404 => Error::NotFound { status, messages },
            429 => Error::RateLimited {
                status,
                retry_after,
                messages,
            },
            500 if lower.contains("no matching records found") => {
                Error::NotFound { status, messages }
            }
            500 if lower.contains("adequate permission")
                || lower.contains("does not have permission") =>
            {
                Error::Permission { status, messages }
            }
            500 if lower.contains("threshold") && lower.contains("exceeded") => {
                Error::RateLimited {
                    status,
                    retry_after,
                    messages,
                }
            }
            400 | 500 if !messages.is_empty() && body.contains("errors") => {
                Error::Validation { status, messages }
            }
            _ => Error::Http {
                status,
                method: method.to_string(),
                path: path.to_string(),
                body: truncate(body, 2000),
            },
        }
    }

    /// The id of a record this call created before it failed ([`Error::CreatedButUnread`]), so that the
    /// caller does not create it again.
    pub fn created_id(&self) -> Option<i64> {
        match self {
            Error::CreatedButUnread { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// True for transport-level failures (py-autotask's `AutotaskConnectionError`).
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Transport { .. } | Error::UnknownOutcome { .. })
    }

    /// True when the server rejected the content (py-autotask's `AutotaskValidationError`), or the client did.
    pub fn is_validation(&self) -> bool {
        matches!(self, Error::Validation { .. } | Error::InvalidInput(_))
    }

    /// True for rate and thread limits (py-autotask's `AutotaskRateLimitError`).
    pub fn is_rate_limit(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::ThreadLimit { .. })
    }

    /// True for authentication failures.
    pub fn is_authentication(&self) -> bool {
        matches!(self, Error::Authentication { .. })
    }

    /// True for not-found answers.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True when repeating the same request later may succeed: limits, 502/503/504, transport failures.
    /// [`Error::UnknownOutcome`] is not retryable: repeating it could duplicate a record.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::ThreadLimit { .. } | Error::Transport { .. } => true,
            Error::Http { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The server's messages, where it sent any.
    pub fn messages(&self) -> &[String] {
        match self {
            Error::Permission { messages, .. }
            | Error::NotFound { messages, .. }
            | Error::Validation { messages, .. }
            | Error::RateLimited { messages, .. }
            | Error::ThreadLimit { messages, .. } => messages,
            _ => &[],
        }
    }
}

/// The texts of `{"errors":["..."]}` (strings, or objects with `message`), or of `{"Message": "..."}`.
pub(crate) fn error_messages(body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(errors) = value.get("errors").and_then(|e| e.as_array()) {
        for e in errors {
            match e {
                serde_json::Value::String(s) => out.push(s.clone()),
                other => {
                    if let Some(m) = other.get("message").and_then(|m| m.as_str()) {
                        out.push(m.to_string());
                    } else {
                        out.push(other.to_string());
                    }
                }
            }
        }
    }
    if let Some(m) = value.get("Message").and_then(|m| m.as_str()) {
        out.push(m.to_string());
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_autotask_500_texts_to_kinds() {
        let nf = Error::from_response(
            500,
            "DELETE",
            "/x",
            r#"{"errors":["No message. No matching records found. The logged in Resource may not have the required permissions to delete the data."]}"#,
            None,
        );
        assert!(nf.is_not_found(), "{nf:?}");
        let perm = Error::from_response(
            500,
            "POST",
            "/x",
            r#"{"errors":["The logged in Resource does not have the adequate permissions to create this entity type."]}"#,
            None,
        );
        assert!(matches!(perm, Error::Permission { .. }), "{perm:?}");
        let thread = Error::from_response(
            500,
            "GET",
            "/x",
            r#"{"errors":["Thread Threshold Exceeded - Itgenatr005"]}"#,
            None,
        );
        assert!(matches!(thread, Error::ThreadLimit { .. }) && thread.is_retryable());
        let validation = Error::from_response(
            500,
            "POST",
            "/x",
            r#"{"errors":["maxCountOfRecordsToReturn must be between 1 and 500"]}"#,
            None,
        );
        assert!(validation.is_validation());
        assert_eq!(
            validation.messages(),
            ["maxCountOfRecordsToReturn must be between 1 and 500"]
        );
        let limited = Error::from_response(429, "GET", "/x", "", Some(Duration::from_secs(3)));
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
        assert!(limited.is_rate_limit());
        let gateway = Error::from_response(503, "GET", "/x", "<html>", None);
        assert!(gateway.is_retryable() && !gateway.is_validation());
        let auth = Error::from_response(401, "GET", "/x", "", None);
        assert!(auth.is_authentication() && !auth.is_retryable());
        let method = Error::from_response(
            405,
            "GET",
            "/x",
            r#"{"Message":"The requested resource does not support http method 'GET'."}"#,
            None,
        );
        assert!(matches!(method, Error::Http { status: 405, .. }));
    }
}

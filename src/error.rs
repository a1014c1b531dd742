//! One error type for everything the client does, with kinds users can match on.
//!
//! Autotask reports most failures as HTTP 500 with `{"errors":["..."]}`, and some as `200` with the same
//! body; [`Error::from_response`] maps those texts to the kind they mean ("No matching records found" is
//! [`Error::NotFound`], "does not have the adequate permissions" is [`Error::Permission`], `Itgenatr005`
//! is [`Error::ThreadLimit`] whatever the status, a validation text is [`Error::Validation`], and any
//! other failure of the server is [`Error::Server`], which safe requests retry). Texts are cut for
//! display: an error never holds more than a few KiB of what the server sent.

pub(crate) use crate::model::wire::truncate;
use crate::model::wire::Payload;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// Longest server text kept per message (characters); the rest is cut with `…`.
pub(crate) const MESSAGE_CHARS: usize = 2000;
/// Most server messages kept per error.
const MAX_MESSAGES: usize = 20;

/// Where an interrupted stream can pick up again: pass it to
/// [`QueryBuilder::resume_from`](crate::QueryBuilder::resume_from) (or
/// [`ChildHandle::stream_from`](crate::ChildHandle::stream_from)). Results come in ascending id order,
/// so the cursor is the last id delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResumePoint {
    /// Which part of a query split into several (a long `in` list) was running; 0 otherwise.
    pub part: usize,
    /// The last id delivered in that part; `None` when the part had delivered nothing yet.
    pub after_id: Option<i64>,
}

/// Everything that can go wrong talking to Autotask.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The credentials were refused: a 401 (wrong secret, or the tenant moved zone: the client
    /// re-detects the zone once before this), a 500 saying the integration code is invalid or the user
    /// is not an API user, or a zone lookup that does not know the user name. Not retryable.
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

    /// Not sent: the hourly request budget shared through Redis (`ClientBuilder::shared_limits`, cargo
    /// feature `redis`, whose items are documented only with it) reached its stop line
    /// (`SharedLimits::stop_at`, or the integration's own `SharedLimits::hourly_budget`),
    /// so the client refused the request itself before the API could suspend the tenant. No HTTP
    /// request was made. Retryable, creates included: within the call's budget the client waits
    /// `retry_after` (when the oldest counted minute leaves the rolling hour) and tries again.
    #[error(
        "not sent: the shared hourly budget stopped requests at {:.0}% ({tenant_requests} of {threshold} tenant requests, {integration_requests} by this integration{}); budget frees up within {retry_after:?}",
        share * 100.0,
        budget.map(|b| format!(", its own budget {b}")).unwrap_or_default()
    )]
    SharedBudgetReached {
        /// The share of the budget used: the larger of `tenant_requests / threshold` and
        /// `integration_requests / budget`.
        share: f64,
        /// Requests this integration's workers sent in the rolling hour.
        integration_requests: u64,
        /// The tenant's requests in the rolling hour, as the workers count them.
        tenant_requests: u64,
        /// The tenant's hourly threshold.
        threshold: u64,
        /// The integration's own hourly budget, when one is configured.
        budget: Option<u64>,
        /// When the oldest counted minute leaves the rolling hour, freeing budget.
        retry_after: Duration,
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

    /// The request did not complete (connection, TLS, timeout). Retryable, except a connection that
    /// fails before the client ever reached the server (a wrong address or port is reported at once);
    /// a create is repeated only when `not_sent`, otherwise it ends as [`Error::UnknownOutcome`].
    #[error("{method} {url} failed{}: {cause}", if *.timeout { " (timeout)" } else { "" })]
    Transport {
        /// The request method.
        method: String,
        /// The URL that was requested, without the query string.
        url: String,
        /// True when the request timed out.
        timeout: bool,
        /// True when the request certainly never reached the server (connection refused).
        not_sent: bool,
        /// What went wrong, with every cause the HTTP client reported (`tcp connect error: Connection
        /// refused (os error 111)`).
        cause: String,
    },

    /// A create whose outcome is unknown: it was sent, then the connection failed, the answer never came
    /// (a timeout, the call's budget), the server failed ([`Error::Server`], a 5xx without text), or it
    /// answered success without a usable `itemId` (an empty, unreadable or odd answer), so the record may
    /// or may not exist. It was **not** retried, so that no duplicate is made (and
    /// [`Error::is_retryable`] is false); `payload` is the body that was sent, to check and re-send
    /// deliberately (its `Debug` hides secret fields).
    #[error(
        "outcome of create on {entity} is unknown ({reason}); not retried to avoid a duplicate"
    )]
    UnknownOutcome {
        /// The entity (REST collection name) the create was for.
        entity: String,
        /// What went wrong ("timed out waiting for the answer", or the underlying error's text).
        reason: String,
        /// The JSON body that was sent (`null` if there was none).
        payload: Payload,
    },

    /// The server failed without saying the request was wrong: a `500` (or a `200`) whose `errors` text is
    /// not a validation message ("An unexpected error occurred", "Object reference not set…"). Retryable:
    /// safe requests (reads, queries, pages, updates, deletes) are retried within the budget; a create
    /// is not, and ends as [`Error::UnknownOutcome`].
    #[error("server error (HTTP {status}): {}", messages.join("; "))]
    Server {
        /// The HTTP status (500, or 200 with an `errors` body).
        status: u16,
        /// The server's `errors` texts, cut for display.
        messages: Vec<String>,
    },

    /// A successful status whose answer cannot be used: empty, not UTF-8, or not JSON. Retryable for safe
    /// requests; on a create it is an [`Error::UnknownOutcome`] (the create may have happened).
    #[error("unusable answer (HTTP {status}) to {method} {path}: {reason}")]
    MalformedAnswer {
        /// The HTTP status.
        status: u16,
        /// The request method.
        method: String,
        /// The URL path that was requested.
        path: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A successful answer larger than [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes);
    /// reading stopped at the limit. Not retryable.
    #[error("the answer to {method} {path} is larger than {limit} bytes; not read")]
    ResponseTooLarge {
        /// The request method.
        method: String,
        /// The URL path that was requested.
        path: String,
        /// The limit in force, in bytes.
        limit: usize,
    },

    /// The call's total budget ([`RetryPolicy::total_budget`](crate::RetryPolicy::total_budget)) ran out
    /// while waiting: for a thread-limit slot or zone detection (`sent` false), or for the answer (`sent`
    /// true; a create then ends as [`Error::UnknownOutcome`]).
    #[error(
        "{method} {path}: the call's time budget of {budget:?} ran out {}",
        if *.sent { "waiting for the answer" } else { "before the request was sent" }
    )]
    Timeout {
        /// The request method.
        method: String,
        /// The URL path (or the request's path relative to the API base).
        path: String,
        /// The budget that ran out.
        budget: Duration,
        /// True when the request had been sent.
        sent: bool,
    },

    /// A stream failed after delivering records: `delivered` records came before the failure (`source`),
    /// and `resume` says where to pick up again without repeating or losing any.
    #[error(
        "{entity} stream stopped after {delivered} records{}: {source}",
        resume.after_id.map(|id| format!(" (last id {id})")).unwrap_or_default()
    )]
    StreamInterrupted {
        /// The entity streamed.
        entity: String,
        /// Records delivered before the failure.
        delivered: u64,
        /// Where to resume.
        resume: ResumePoint,
        /// What stopped it.
        #[source]
        source: Box<Error>,
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
    /// (see [`crate::metadata::aliases`]).
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
    Transaction(Box<TransactionError>),

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
    /// Maps an unsuccessful HTTP answer (or a `200` whose body carries `errors`) to its kind. The texts
    /// decide before the status: `Itgenatr005` is a thread limit whatever the status; an `errors` text
    /// is a missing record, a permission or threshold refusal, a validation message (any `4xx`, or a
    /// text Autotask uses for bad input), or else a server failure ([`Error::Server`]).
    pub fn from_response(
        status: u16,
        method: &str,
        path: &str,
        body: &str,
        retry_after: Option<Duration>,
    ) -> Error {
        let messages = error_messages(body);
        let text = if messages.is_empty() {
            truncate(body, MESSAGE_CHARS)
        } else {
            messages.join(" ")
        };
        let lower = text.to_ascii_lowercase();
        let autotask_errors = !messages.is_empty() && body.contains("errors");
        let messages = if messages.is_empty() && !body.trim().is_empty() {
            vec![truncate(body.trim(), MESSAGE_CHARS)]
        } else {
            messages
        };
        if lower.contains("itgenatr005") || lower.contains("thread threshold") {
            return Error::ThreadLimit { status, messages };
        }
        // Autotask answers a wrong integration code or user name with a 500 (PROTOCOL.md 1.4, 2.4).
        if autotask_errors && AUTHENTICATION_PHRASES.iter().any(|p| lower.contains(p)) {
            return Error::Authentication {
                status,
                message: text,
            };
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
            _ if autotask_errors => {
                if lower.contains("no matching records found") {
                    Error::NotFound { status, messages }
                } else if lower.contains("adequate permission")
                    || lower.contains("does not have permission")
                {
                    Error::Permission { status, messages }
                } else if lower.contains("threshold")
                    && (lower.contains("exceeded") || lower.contains("has been reached"))
                {
                    Error::RateLimited {
                        status,
                        retry_after,
                        messages,
                    }
                } else if (400..500).contains(&status) || is_validation_text(&lower) {
                    Error::Validation { status, messages }
                } else {
                    Error::Server { status, messages }
                }
            }
            _ => Error::Http {
                status,
                method: method.to_string(),
                path: path.to_string(),
                body: truncate(body, MESSAGE_CHARS),
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

    /// The error a [`Error::StreamInterrupted`] wraps, or this one: the kind to act on.
    pub fn cause(&self) -> &Error {
        match self {
            Error::StreamInterrupted { source, .. } => source.cause(),
            other => other,
        }
    }

    /// True for transport-level failures (py-autotask's `AutotaskConnectionError`).
    pub fn is_connection(&self) -> bool {
        matches!(
            self.cause(),
            Error::Transport { .. } | Error::UnknownOutcome { .. } | Error::Timeout { .. }
        )
    }

    /// True when the server rejected the content (py-autotask's `AutotaskValidationError`), or the client did.
    pub fn is_validation(&self) -> bool {
        matches!(
            self.cause(),
            Error::Validation { .. } | Error::InvalidInput(_)
        )
    }

    /// True for rate and thread limits (py-autotask's `AutotaskRateLimitError`), the API's or the shared
    /// hourly budget's ([`Error::SharedBudgetReached`], refused before sending).
    pub fn is_rate_limit(&self) -> bool {
        matches!(
            self.cause(),
            Error::RateLimited { .. }
                | Error::ThreadLimit { .. }
                | Error::SharedBudgetReached { .. }
        )
    }

    /// True for authentication failures.
    pub fn is_authentication(&self) -> bool {
        matches!(self.cause(), Error::Authentication { .. })
    }

    /// True for not-found answers.
    pub fn is_not_found(&self) -> bool {
        matches!(self.cause(), Error::NotFound { .. })
    }

    /// True when repeating the same request later may succeed: limits, server failures (a [`Error::Server`]
    /// text, 500/502/503/504 without one), unusable answers, transport failures and timeouts.
    /// [`Error::UnknownOutcome`] is not retryable: repeating it could duplicate a record.
    pub fn is_retryable(&self) -> bool {
        match self.cause() {
            Error::RateLimited { .. }
            | Error::ThreadLimit { .. }
            | Error::SharedBudgetReached { .. }
            | Error::Transport { .. }
            | Error::Server { .. }
            | Error::MalformedAnswer { .. }
            | Error::Timeout { .. } => true,
            Error::Http { status, .. } => matches!(status, 500 | 502..=504),
            _ => false,
        }
    }

    /// True when the request may have been processed although the call failed: the answer was lost
    /// (transport failure after sending, timeout), the server failed mid-way, or a success answer could
    /// not be read. A create ending so is an [`Error::UnknownOutcome`].
    pub fn may_have_been_processed(&self) -> bool {
        match self.cause() {
            Error::Transport { not_sent, .. } => !*not_sent,
            Error::Timeout { sent, .. } => *sent,
            Error::Server { .. }
            | Error::MalformedAnswer { .. }
            | Error::ResponseTooLarge { .. }
            | Error::UnknownOutcome { .. } => true,
            Error::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// How long to wait before trying again, if known: what the server asked for, or when the shared
    /// hourly budget frees up.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.cause() {
            Error::RateLimited { retry_after, .. } => *retry_after,
            Error::SharedBudgetReached { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// The server's messages (cut for display), where it sent any.
    pub fn messages(&self) -> &[String] {
        match self.cause() {
            Error::Permission { messages, .. }
            | Error::NotFound { messages, .. }
            | Error::Validation { messages, .. }
            | Error::Server { messages, .. }
            | Error::RateLimited { messages, .. }
            | Error::ThreadLimit { messages, .. } => messages,
            _ => &[],
        }
    }
}

/// Phrases of Autotask's messages that refuse the credentials rather than the request: a wrong
/// integration code (`IntegrationCode is invalid.`) or a user name that is not an API user.
const AUTHENTICATION_PHRASES: &[&str] = &[
    "integrationcode is invalid",
    "integration code is invalid",
    "not a valid api user",
];

/// Phrases of Autotask's (and ASP.NET's) messages that say the request itself is wrong, so that
/// repeating it cannot help: the business-rule, field, query and conversion errors of PROTOCOL.md 2.4.
const VALIDATION_PHRASES: &[&str] = &[
    "must be",
    "must have",
    "must assign",
    "must include",
    "must not",
    "is required",
    "are required",
    "missing required",
    "is missing",
    "invalid",
    "is not valid",
    "not a valid",
    "unable to find",
    "unable to convert",
    "conversion failed",
    "failed to convert",
    "cannot be",
    "can not be",
    "does not exist",
    "do not exist",
    "exceeds",
    "is limited to",
    "are limited to",
    "only one",
    "not supported",
    "not allowed",
    "not permitted",
    "already exists",
    "duplicate",
    "too long",
    "too many",
    "larger than",
    "out of range",
    "could not be saved",
    "could not be determined",
    "refused",
];

/// True when a lower-case server text is one of Autotask's validation messages.
fn is_validation_text(lower: &str) -> bool {
    VALIDATION_PHRASES
        .iter()
        .any(|phrase| lower.contains(phrase))
}

impl Error {}

/// The texts of `{"errors":["..."]}` (strings, or objects with `message`), or of `{"Message": "..."}`:
/// at most [`MAX_MESSAGES`] of them, each cut at [`MESSAGE_CHARS`] characters.
pub(crate) fn error_messages(body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(errors) = value.get("errors").and_then(|e| e.as_array()) {
        for e in errors {
            match e {
                Value::String(s) => out.push(truncate(s, MESSAGE_CHARS)),
                other => match other.get("message").and_then(|m| m.as_str()) {
                    Some(m) => out.push(truncate(m, MESSAGE_CHARS)),
                    None => out.push(truncate(&other.to_string(), MESSAGE_CHARS)),
                },
            }
        }
    }
    if let Some(m) = value.get("Message").and_then(|m| m.as_str()) {
        out.push(truncate(m, MESSAGE_CHARS));
    }
    if out.len() > MAX_MESSAGES {
        let more = out.len() - MAX_MESSAGES;
        out.truncate(MAX_MESSAGES);
        out.push(format!("… and {more} more"));
    }
    out
}

// The report of a failed transaction lives here, below the transaction layer, so that `Error` can carry
// it without this module importing anything above it.

/// One write a transaction made.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// A record was created.
    Created {
        /// The entity (`Tickets`).
        entity: &'static str,
        /// The collection written to (`Tickets`, `Tickets/12/Notes`).
        path: String,
        /// The new record's id.
        id: i64,
    },
    /// A create whose outcome is unknown: the record may exist.
    CreateOutcomeUnknown {
        /// The entity.
        entity: &'static str,
        /// The collection written to.
        path: String,
        /// The body that was sent (its `Debug` hides secret fields).
        payload: Payload,
    },
    /// A record was updated.
    Updated {
        /// The entity.
        entity: &'static str,
        /// The collection the PATCH went to.
        path: String,
        /// The record's id.
        id: i64,
        /// The fields the patch changed (UDFs as `userDefinedFields.Name`).
        fields: Vec<String>,
    },
    /// A queued delete ran at commit.
    Deleted {
        /// The entity.
        entity: &'static str,
        /// The collection the record was deleted from.
        path: String,
        /// The deleted record's id.
        id: i64,
    },
}

impl Step {
    /// The entity written.
    pub fn entity(&self) -> &'static str {
        match self {
            Step::Created { entity, .. }
            | Step::CreateOutcomeUnknown { entity, .. }
            | Step::Updated { entity, .. }
            | Step::Deleted { entity, .. } => entity,
        }
    }

    /// The record's id (`None` for a create whose outcome is unknown).
    pub fn id(&self) -> Option<i64> {
        match self {
            Step::Created { id, .. } | Step::Updated { id, .. } | Step::Deleted { id, .. } => {
                Some(*id)
            }
            Step::CreateOutcomeUnknown { .. } => None,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Created { entity, path, id } => write!(f, "created {entity} {id} at /{path}"),
            Step::CreateOutcomeUnknown { entity, path, .. } => {
                write!(f, "create of {entity} at /{path} with unknown outcome")
            }
            Step::Updated {
                entity, id, fields, ..
            } => write!(f, "updated {entity} {id} ({})", fields.join(", ")),
            Step::Deleted { entity, id, .. } => write!(f, "deleted {entity} {id}"),
        }
    }
}

/// A step that could not be undone, and why.
#[derive(Debug)]
pub struct NotUndone {
    /// The step, which is still in effect (or, for an unknown outcome, may be).
    pub step: Step,
    /// Why it could not be undone.
    pub reason: NotUndoneReason,
}

/// Why a step could not be undone.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotUndoneReason {
    /// The API offers no `DELETE` for this entity on the path it was created on (a `Ticket`, a `TicketNote`).
    NotDeletable,
    /// The create's outcome is unknown, so there is no id to delete. Look for the payload before re-sending.
    OutcomeUnknown,
    /// A delete cannot be undone.
    Irreversible,
    /// The compensating `DELETE` or `PATCH` failed with this error.
    CompensationFailed(Error),
}

impl fmt::Display for NotUndoneReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotUndoneReason::NotDeletable => f.write_str("the API cannot delete it"),
            NotUndoneReason::OutcomeUnknown => {
                f.write_str("its outcome is unknown, so there is no id to delete")
            }
            NotUndoneReason::Irreversible => f.write_str("a delete cannot be undone"),
            NotUndoneReason::CompensationFailed(e) => {
                write!(f, "the compensating request failed: {e}")
            }
        }
    }
}

impl fmt::Display for NotUndone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.reason)
    }
}

pub(crate) struct NotUndoneList<'a>(pub(crate) &'a [NotUndone]);

impl fmt::Display for NotUndoneList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

/// A failed transaction: the error that ended it and what compensation achieved (inside
/// [`Error::Transaction`]).
#[derive(Debug)]
pub struct TransactionError {
    /// The error the closure returned, or the queued delete that failed at commit.
    pub cause: Error,
    /// Steps undone, newest first.
    pub undone: Vec<Step>,
    /// Steps still in effect, newest first, each with the reason. Empty when compensation was complete.
    pub not_undone: Vec<NotUndone>,
}

impl TransactionError {
    /// True when every recorded step was undone.
    pub fn fully_compensated(&self) -> bool {
        self.not_undone.is_empty()
    }
}

impl fmt::Display for TransactionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transaction failed ({}); compensated {} step(s)",
            self.cause,
            self.undone.len()
        )?;
        if !self.not_undone.is_empty() {
            write!(
                f,
                "; {} step(s) NOT undone: {}",
                self.not_undone.len(),
                NotUndoneList(&self.not_undone)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for TransactionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
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

    #[test]
    fn server_failures_are_told_from_validation_texts() {
        let errors = |text: &str| format!(r#"{{"errors":["{text}"]}}"#);
        let transient = Error::from_response(
            500,
            "GET",
            "/x",
            &errors("An unexpected error has occurred."),
            None,
        );
        assert!(matches!(transient, Error::Server { status: 500, .. }) && transient.is_retryable());
        assert!(transient.may_have_been_processed());
        let in_a_200 = Error::from_response(
            200,
            "GET",
            "/x",
            &errors("Missing Required Field: title. The Ticket could not be saved."),
            None,
        );
        assert!(matches!(in_a_200, Error::Validation { status: 200, .. }));
        let zone = Error::from_response(
            500,
            "GET",
            "/zoneInformation",
            &errors("Zone information could not be determined"),
            None,
        );
        assert!(zone.is_validation() && !zone.is_retryable());
        let bad_request = Error::from_response(400, "POST", "/x", &errors("Bad things"), None);
        assert!(bad_request.is_validation());
    }

    #[test]
    fn a_request_the_shared_budget_stopped_is_a_retryable_rate_limit_never_sent() {
        let stopped = Error::SharedBudgetReached {
            share: 0.98,
            integration_requests: 9_800,
            tenant_requests: 9_800,
            threshold: 10_000,
            budget: None,
            retry_after: Duration::from_secs(42),
        };
        assert!(stopped.is_rate_limit() && stopped.is_retryable());
        assert!(!stopped.may_have_been_processed());
        assert_eq!(stopped.retry_after(), Some(Duration::from_secs(42)));
        assert!(stopped.messages().is_empty(), "no server said anything");
        let text = stopped.to_string();
        assert!(
            text.starts_with("not sent: the shared hourly budget") && text.contains("98%"),
            "{text}"
        );
        assert!(!matches!(stopped, Error::RateLimited { .. }));
    }

    #[test]
    fn error_texts_are_cut_for_display() {
        let huge = format!(r#"{{"errors":["{}"]}}"#, "x".repeat(100_000));
        let error = Error::from_response(500, "GET", "/x", &huge, None);
        assert!(
            error.to_string().len() < 2_100,
            "{}",
            error.to_string().len()
        );
        let many: Vec<String> = (0..50).map(|i| format!("message {i}")).collect();
        let body = serde_json::json!({ "errors": many }).to_string();
        let error = Error::from_response(500, "GET", "/x", &body, None);
        assert_eq!(error.messages().len(), MAX_MESSAGES + 1);
        assert_eq!(error.messages()[MAX_MESSAGES], "… and 30 more");
        let raw = Error::from_response(502, "GET", "/x", &"<html>".repeat(10_000), None);
        assert!(format!("{raw:?}").len() < 2_300);
    }
}

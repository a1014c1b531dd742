//! The one request path every operation uses: resolve the URL and refuse any other origin, take the
//! thread-limit slots, send with credentials, read a bounded answer, turn it into a value or an error
//! kind, and retry what is safe to retry, all within the call's total time budget.

use crate::cache::{Lookup, Pending};
use crate::client::{Client, Repeat, Request, RetryPolicy};
use crate::error::{truncate, Error, Payload, Result};
use crate::journal::PendingWrite;
use crate::sync::lock;
use reqwest::Method;
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;
use url::Url;

/// How much of an unsuccessful answer is read: Autotask's error bodies are a few hundred bytes, and only
/// their first texts are kept (cut for display) anyway.
const ERROR_BODY_BYTES: usize = 64 * 1024;

/// What one request counts against: the thread-limit keys (lower-case entity names) and the name its
/// statistics go under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub keys: Vec<String>,
    pub name: String,
}

impl Endpoint {
    /// The entity named by the first path segment under the API base (matched whatever its case), and,
    /// for a parent path (`Tickets/5/Notes`), the child entity the request operates on: Autotask's
    /// documentation does not settle which of the two such a request counts against, so it holds a slot
    /// of both.
    pub(crate) fn of(base: &Url, url: &Url, entity: &str) -> Endpoint {
        let path = url.path();
        let lower = path.to_ascii_lowercase();
        let base_path = base.path().to_ascii_lowercase();
        let rest = if lower.starts_with(&base_path) {
            &path[base_path.len()..]
        } else if let Some(at) = lower.find("/v1.0/") {
            &path[at + "/v1.0/".len()..]
        } else {
            path.trim_start_matches('/')
        };
        let first = rest.split('/').next().unwrap_or_default();
        let name = match crate::meta::entity_meta(first) {
            Some(meta) => meta.name.to_string(),
            None if first.is_empty() => entity.to_string(),
            None => first.to_string(),
        };
        let mut keys = vec![name.to_ascii_lowercase()];
        if !entity.is_empty() && !entity.eq_ignore_ascii_case(&name) {
            keys.push(entity.to_ascii_lowercase());
        }
        // One global order, so that two requests each waiting for the other's second slot cannot
        // deadlock.
        keys.sort();
        keys.dedup();
        Endpoint { keys, name }
    }
}

/// Resolves a request path, or a URL the server supplied (a `nextPageUrl`, in any of the forms a URL
/// parser accepts), against the base; anything that resolves to another origin, or carries user
/// information, is refused before credentials are attached.
pub(crate) fn resolve(base: &Url, path: &str) -> Result<Url> {
    let url = base
        .join(path)
        .map_err(|e| Error::Protocol(format!("refusing the URL {path:?}: {e}")))?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Protocol(format!(
            "refusing to send credentials to {} (from {path:?}): it is not the configured API origin {}",
            url.origin().ascii_serialization(),
            base.origin().ascii_serialization()
        )));
    }
    Ok(url)
}

/// Applies a request's outcome to the cache and the journal exactly once, also when the request never
/// finishes (a panic inside it, or its future dropped): a write that may have reached the server then
/// still invalidates the cache and is journaled with an unknown outcome.
struct Completion<'a> {
    client: &'a Client,
    pending: Option<Pending>,
    write: Option<PendingWrite>,
}

impl Completion<'_> {
    fn finish(&mut self, result: Result<&Value, &Error>) {
        if let Some(pending) = self.pending.take() {
            self.client.inner.cache.complete(pending, result.ok());
        }
        if let Some(write) = self.write.take() {
            self.client.inner.journal.record(write, result);
        }
    }
}

impl Drop for Completion<'_> {
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            self.client.inner.cache.complete(pending, None);
        }
        if let Some(write) = self.write.take() {
            self.client.inner.journal.record_interrupted(write);
        }
    }
}

impl Client {
    /// Sends one request, or answers a read from the cache; writes invalidate the cache and are journaled.
    pub(crate) async fn execute(&self, request: Request) -> Result<Value> {
        let impersonation = self.impersonation();
        // Cache: reads may be answered from memory; writes invalidate what they may change, whatever
        // their outcome (src/cache.rs).
        let _flight = self
            .inner
            .cache
            .metadata_flight(&request, impersonation)
            .await;
        let pending = match self.inner.cache.lookup(&request, impersonation) {
            Lookup::Hit(answer) => return Ok(answer),
            Lookup::Miss(pending) => pending,
        };
        let mut completion = Completion {
            client: self,
            pending: Some(pending),
            // Journal: every write and its outcome, for `client.audit_log()` (src/journal.rs).
            write: PendingWrite::of(&request, impersonation),
        };
        let result = self.send(request).await;
        completion.finish(result.as_ref());
        result
    }

    /// Sends one request with limits and retries, within the policy's total budget; the JSON answer on
    /// success.
    async fn send(&self, request: Request) -> Result<Value> {
        let policy = &self.inner.retry;
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + policy.total_budget;
        let mut attempt: u32 = 0;
        let mut zone_retried = self.inner.explicit_base;
        // Whether an earlier attempt may have been processed although its answer never arrived.
        let mut maybe_processed = false;
        loop {
            let base = match tokio::time::timeout_at(deadline, self.base_url()).await {
                Ok(base) => base?,
                Err(_) => return Err(timed_out(&request, &request.path, policy, false)),
            };
            let url = resolve(&base, &request.path)?;
            let endpoint = Endpoint::of(&base, &url, &request.entity);
            let tried = url.clone();
            let error = match self.attempt(&request, url, &endpoint, deadline).await {
                Ok(value) => {
                    let elapsed = started.elapsed();
                    self.inner
                        .stats
                        .record(&endpoint.name, elapsed, attempt, None);
                    return created_answer(&request, value);
                }
                Err(error) => misplaced_base(&base, &request, &tried, error),
            };
            // A retried delete that finds the record gone after an attempt whose answer was lost
            // succeeded: that attempt removed it (or someone else did meanwhile; either way it is gone).
            if request.method == Method::DELETE && maybe_processed && error.is_not_found() {
                tracing::info!(entity = %request.entity, path = %request.path, "delete done: the record is gone after an attempt whose answer was lost");
                self.inner
                    .stats
                    .record(&endpoint.name, started.elapsed(), attempt, None);
                return Ok(Value::Null);
            }
            maybe_processed |= error.may_have_been_processed();
            // A 401 may mean the tenant moved zone: detect it again, once.
            if matches!(error, Error::Authentication { status: 401, .. }) && !zone_retried {
                zone_retried = true;
                match tokio::time::timeout_at(deadline, self.detect_zone(true)).await {
                    Ok(detected) => detected?,
                    Err(_) => return Err(timed_out(&request, &request.path, policy, false)),
                };
                continue;
            }
            let delay = error
                .retry_after()
                .unwrap_or_else(|| backoff(policy, attempt));
            let retry = attempt < policy.max_retries
                && may_retry(
                    &request,
                    &error,
                    self.inner.contacted.load(Ordering::Relaxed),
                )
                && tokio::time::Instant::now() + delay < deadline;
            if !retry {
                self.inner
                    .stats
                    .record(&endpoint.name, started.elapsed(), attempt, Some(&error));
                return Err(final_error(&request, error));
            }
            tracing::warn!(entity = %request.entity, method = %request.method, attempt, ?delay, error = %error, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt, inside its own `autotask.request` span (attached to the future, so that it is
    /// entered only while this request is being polled, on whatever thread polls it).
    async fn attempt(
        &self,
        request: &Request,
        mut url: Url,
        endpoint: &Endpoint,
        deadline: tokio::time::Instant,
    ) -> Result<Value> {
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &request.query {
                pairs.append_pair(k, v);
            }
        }
        let path = url.path().to_string();
        let shown = shown_url(&url);
        let method = request.method.as_str();
        let span = tracing::info_span!("autotask.request", entity = %request.entity, method, path = %path, status = tracing::field::Empty, latency_ms = tracing::field::Empty);
        let recorder = span.clone();
        let policy = &self.inner.retry;
        async move {
            let Ok(_permits) = tokio::time::timeout_at(deadline, self.acquire(endpoint)).await
            else {
                return Err(timed_out(request, &path, policy, false));
            };
            let started = Instant::now();
            let mut builder = self
                .inner
                .http
                .request(request.method.clone(), url)
                .header("ApiIntegrationCode", self.inner.integration_code.expose())
                .header("UserName", &self.inner.username)
                .header("Secret", self.inner.secret.expose());
            if let Some(id) = self.impersonation() {
                builder = builder.header("ImpersonationResourceId", id.to_string());
            }
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            let exchange = async {
                let response = builder
                    .send()
                    .await
                    .map_err(|e| transport(method, &shown, e))?;
                self.inner.contacted.store(true, Ordering::Relaxed);
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                let body = read_body(
                    response,
                    self.inner.max_response_bytes,
                    method,
                    &path,
                    &shown,
                )
                .await?;
                Ok::<_, Error>((status, retry_after, body))
            };
            let (status, retry_after, body) =
                match tokio::time::timeout_at(deadline, exchange).await {
                    Ok(exchanged) => exchanged?,
                    Err(_) => return Err(timed_out(request, &path, policy, true)),
                };
            let latency_ms = started.elapsed().as_millis() as u64;
            recorder.record("status", status);
            recorder.record("latency_ms", latency_ms);
            tracing::debug!(status, latency_ms, "answered");
            interpret(status, method, &path, body, retry_after)
        }
        .instrument(span)
        .await
    }

    /// A slot of every limiter the request counts against, taken in one global order.
    async fn acquire(&self, endpoint: &Endpoint) -> Vec<OwnedSemaphorePermit> {
        let limiters: Vec<Arc<Semaphore>> = {
            let mut limits = lock(&self.inner.limits);
            endpoint
                .keys
                .iter()
                .map(|key| {
                    limits
                        .entry(key.clone())
                        .or_insert_with(|| Arc::new(Semaphore::new(self.inner.max_concurrent)))
                        .clone()
                })
                .collect()
        };
        let mut permits = Vec::with_capacity(limiters.len());
        for limiter in limiters {
            // The semaphores are never closed, so acquiring cannot fail.
            if let Ok(permit) = limiter.acquire_owned().await {
                permits.push(permit);
            }
        }
        permits
    }

    /// An unauthenticated GET (zone detection sends no credentials), with the same bounds on the answer.
    pub(crate) async fn plain_get(&self, url: Url) -> Result<Value> {
        let path = url.path().to_string();
        let shown = shown_url(&url);
        let deadline = tokio::time::Instant::now() + self.inner.retry.total_budget;
        let exchange = async {
            let response = self
                .inner
                .http
                .get(url)
                .send()
                .await
                .map_err(|e| transport("GET", &shown, e))?;
            let status = response.status().as_u16();
            let body = read_body(
                response,
                self.inner.max_response_bytes,
                "GET",
                &path,
                &shown,
            )
            .await?;
            interpret(status, "GET", &path, body, None)
        };
        match tokio::time::timeout_at(deadline, exchange).await {
            Ok(answer) => answer,
            Err(_) => Err(Error::Timeout {
                method: "GET".into(),
                path,
                budget: self.inner.retry.total_budget,
                sent: true,
            }),
        }
    }
}

/// The call's total budget ran out; on a create that was sent, the outcome is unknown.
fn timed_out(request: &Request, path: &str, policy: &RetryPolicy, sent: bool) -> Error {
    final_error(
        request,
        Error::Timeout {
            method: request.method.as_str().to_string(),
            path: path.to_string(),
            budget: policy.total_budget,
            sent,
        },
    )
}

/// A response body: whole, or (for unsuccessful answers) its first [`ERROR_BODY_BYTES`].
struct Body {
    bytes: Vec<u8>,
    cut: bool,
    success: bool,
}

/// Reads the body chunk by chunk, never holding more than `limit` bytes of a successful answer (more is
/// [`Error::ResponseTooLarge`]) or [`ERROR_BODY_BYTES`] of an unsuccessful one (the rest is not read).
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    method: &str,
    path: &str,
    url: &str,
) -> Result<Body> {
    let success = response.status().is_success();
    let cap = if success {
        limit
    } else {
        ERROR_BODY_BYTES.min(limit)
    };
    let too_large = || Error::ResponseTooLarge {
        method: method.to_string(),
        path: path.to_string(),
        limit,
    };
    let declared = response.content_length().unwrap_or(0);
    if success && declared > limit as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity((declared as usize).min(cap));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(method, url, e))?
    {
        if bytes.len() + chunk.len() > cap {
            if success {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk[..cap - bytes.len()]);
            return Ok(Body {
                bytes,
                cut: true,
                success,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        cut: false,
        success,
    })
}

/// The JSON value of a successful answer, or the error it means: an unsuccessful status, an empty or
/// unreadable body (not UTF-8, not JSON), or `{"errors":[...]}` whatever the status.
fn interpret(
    status: u16,
    method: &str,
    path: &str,
    body: Body,
    retry_after: Option<Duration>,
) -> Result<Value> {
    if !body.success {
        let mut text = String::from_utf8_lossy(&body.bytes).into_owned();
        if body.cut {
            text.push('…');
        }
        return Err(Error::from_response(
            status,
            method,
            path,
            &text,
            retry_after,
        ));
    }
    let malformed = |reason: String| Error::MalformedAnswer {
        status,
        method: method.to_string(),
        path: path.to_string(),
        reason,
    };
    let text = String::from_utf8(body.bytes).map_err(|e| {
        malformed(format!(
            "the answer is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(malformed("the answer is empty".into()));
    }
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        malformed(format!(
            "the answer is not JSON ({e}): {}",
            truncate(text.trim(), 200)
        ))
    })?;
    let has_errors = value
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| !errors.is_empty());
    if has_errors {
        return Err(Error::from_response(
            status,
            method,
            path,
            &text,
            retry_after,
        ));
    }
    Ok(value)
}

/// A create's answer must carry the new record's id; anything else means the record may or may not
/// exist.
fn created_answer(request: &Request, answer: Value) -> Result<Value> {
    if request.repeat != Repeat::Create || valid_item_id(&answer).is_some() {
        return Ok(answer);
    }
    Err(Error::UnknownOutcome {
        entity: request.entity.clone(),
        reason: format!(
            "the create was answered without a usable itemId: {}",
            truncate(&answer.to_string(), 200)
        ),
        payload: Payload::new(request.body.clone().unwrap_or(Value::Null)),
    })
}

/// `{"itemId": N}` with N a positive integer (or its decimal text).
pub(crate) fn valid_item_id(answer: &Value) -> Option<i64> {
    let id = answer.get("itemId")?;
    id.as_i64()
        .or_else(|| id.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|id| *id > 0)
}

fn may_retry(request: &Request, error: &Error, contacted: bool) -> bool {
    if !error.is_retryable() {
        return false;
    }
    // Before the server ever answered, a refused connection is a wrong address or port, or nothing
    // running there: report it at once instead of after seconds of retries.
    if !contacted && matches!(error, Error::Transport { not_sent: true, .. }) {
        return false;
    }
    match request.repeat {
        Repeat::Safe => true,
        // A create is repeated only when the server certainly did not process it.
        Repeat::Create => matches!(
            error,
            Error::RateLimited { .. }
                | Error::ThreadLimit { .. }
                | Error::Transport { not_sent: true, .. }
        ),
    }
}

/// A create whose last attempt may have been processed has an unknown outcome.
fn final_error(request: &Request, error: Error) -> Error {
    if request.repeat != Repeat::Create || !error.may_have_been_processed() {
        return error;
    }
    let reason = match &error {
        Error::Transport { timeout: true, .. } => "timed out waiting for the answer".to_string(),
        other => other.to_string(),
    };
    Error::UnknownOutcome {
        entity: request.entity.clone(),
        reason,
        payload: Payload::new(request.body.clone().unwrap_or(Value::Null)),
    }
}

fn transport(method: &str, url: &str, source: reqwest::Error) -> Error {
    Error::Transport {
        method: method.to_string(),
        url: url.to_string(),
        timeout: source.is_timeout(),
        not_sent: source.is_connect(),
        cause: cause_chain(&source),
    }
}

/// The error and its causes as one text (`client error (Connect): tcp connect error: Connection
/// refused (os error 111)`), leaving out reqwest's own `error sending request for url (...)` line, whose
/// URL the [`Error::Transport`] text shows already.
fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        let text = current.to_string();
        let redundant = text.starts_with("error sending request for url")
            || parts.iter().any(|p| p.contains(&text));
        if !redundant && !text.is_empty() {
            parts.push(text);
        }
        next = current.source();
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}

/// `scheme://host:port/path`, without the query string (which may hold a search).
fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// A 404 from a base URL whose path has no `/ATServicesRest/` segment means the base is wrong, not
/// that a record is missing: say so, naming the URL that was tried.
fn misplaced_base(base: &Url, request: &Request, tried: &Url, error: Error) -> Error {
    let route_missing = matches!(error, Error::NotFound { status: 404, .. });
    let has_segment = base
        .path_segments()
        .into_iter()
        .flatten()
        .any(|s| s.eq_ignore_ascii_case("ATServicesRest"));
    if !route_missing || has_segment {
        return error;
    }
    Error::Configuration(format!(
        "{} {} answered 404 ({error}): the API base URL {base} has no /ATServicesRest/ segment; \
         it should look like https://webservices15.autotask.net/ATServicesRest/",
        request.method,
        shown_url(tried)
    ))
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(3600.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Exponential backoff with full jitter: uniform between zero and the capped exponential delay.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exp = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let cap = exp.min(policy.max_backoff);
    let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Mon, 01 Jan 2001 00:00:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_is_full_jitter_between_zero_and_the_capped_exponential() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for attempt in [0, 2, 6] {
            let cap = Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(1));
            let samples: Vec<Duration> = (0..4000).map(|_| backoff(&policy, attempt)).collect();
            assert!(
                samples.iter().all(|d| *d <= cap),
                "attempt {attempt}: above {cap:?}"
            );
            // Uniform over [0, cap]: about a quarter in each quarter of the range.
            for quarter in 0..4u32 {
                let (low, high) = (cap * quarter / 4, cap * (quarter + 1) / 4);
                let share = samples.iter().filter(|d| **d >= low && **d < high).count();
                assert!(
                    (800..1200).contains(&share),
                    "attempt {attempt}: {share} of 4000 delays in [{low:?}, {high:?})"
                );
            }
        }
    }

    #[test]
    fn endpoints_match_whatever_the_case_and_count_parent_paths_twice() {
        let base = Url::parse("https://h/atservicesrest/v1.0/").unwrap();
        let url = |path: &str| Url::parse(&format!("https://h{path}")).unwrap();
        let next = Endpoint::of(
            &base,
            &url("/ATServicesRest/V1.0/Tickets/query/next"),
            "Tickets",
        );
        assert_eq!(next.keys, ["tickets"]);
        let note = Endpoint::of(
            &base,
            &url("/atservicesrest/v1.0/Tickets/5/Notes"),
            "TicketNotes",
        );
        assert_eq!(note.keys, ["ticketnotes", "tickets"]);
        let elsewhere = Endpoint::of(&base, &url("/other/V1.0/Companies/query"), "Companies");
        assert_eq!(elsewhere.keys, ["companies"]);
    }

    #[test]
    fn server_urls_resolve_before_their_origin_is_compared() {
        let base = Url::parse("http://127.0.0.1:8080/ATServicesRest/V1.0/").unwrap();
        for refused in [
            "HTTP://127.0.0.1:9/x",
            "//127.0.0.1:9/x",
            " http://127.0.0.1:9/x",
            "http:\\\\127.0.0.1:9\\x",
            "http://localhost:8080/x",
            "http://u:p@127.0.0.1:8080/x",
            "https://127.0.0.1:8080/x",
        ] {
            assert!(
                matches!(resolve(&base, refused), Err(Error::Protocol(_))),
                "{refused}"
            );
        }
        assert_eq!(
            resolve(&base, "Tickets/query").unwrap().as_str(),
            "http://127.0.0.1:8080/ATServicesRest/V1.0/Tickets/query"
        );
        assert_eq!(
            resolve(
                &base,
                "HTTP://127.0.0.1:8080/ATServicesRest/V1.0/Tickets/query/next"
            )
            .unwrap()
            .path(),
            "/ATServicesRest/V1.0/Tickets/query/next"
        );
    }
}

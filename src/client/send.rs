//! The one request path every operation uses: resolve the URL and refuse any other origin, take the
//! thread-limit slots ([`limits`](super::limits)), send with credentials, read a bounded answer, turn it
//! into a value or an error kind, and retry what is safe to retry ([`retry`](super::retry)), all within
//! the call's total time budget.

use super::limits::Endpoint;
use super::retry::{backoff, final_error, may_retry, parse_retry_after};
use super::{Client, Repeat, Request, RetryPolicy};
use crate::error::{truncate, Error, Result};
use crate::model::wire::Payload;
use reqwest::Method;
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tracing::Instrument;
use url::Url;

/// How much of an unsuccessful answer is read: Autotask's error bodies are a few hundred bytes, and only
/// their first texts are kept (cut for display) anyway.
const ERROR_BODY_BYTES: usize = 64 * 1024;

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

impl Client {
    /// Sends one request with limits and retries, within the policy's total budget: the JSON answer on
    /// success. Nothing is cached or journaled here: the operations layer decides that around this call.
    pub(crate) async fn execute(&self, request: Request) -> Result<Value> {
        let mut answer = Value::Null;
        let mut read = |text: &str| {
            answer = json_answer(text)?;
            Ok(())
        };
        self.send(&request, &mut read).await?;
        created_answer(&request, answer)
    }

    /// Sends one request with limits and retries like [`execute`](Self::execute), handing the text of a
    /// successful answer to `read` instead of making a `serde_json::Value` of it: query pages decode
    /// straight from the text into their records. What `read` cannot read is retried as a garbled
    /// answer ([`Unreadable::NotJson`]), reported as the API's error ([`Unreadable::Errors`]), or ends
    /// the call ([`Unreadable::Fatal`]).
    pub(crate) async fn execute_read(&self, request: Request, read: ReadAnswer<'_>) -> Result<()> {
        self.send(&request, read).await
    }

    /// Sends one request with limits and retries, within the policy's total budget; `read` gets the
    /// text of the successful answer.
    async fn send(&self, request: &Request, read: ReadAnswer<'_>) -> Result<()> {
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
                Err(_) => return Err(timed_out(request, &request.path, policy, false)),
            };
            let url = resolve(&base, &request.path)?;
            let endpoint = Endpoint::of(&base, &url, &request.entity);
            let tried = url.clone();
            let error = match self.attempt(request, url, &endpoint, deadline, read).await {
                Ok(()) => {
                    let elapsed = started.elapsed();
                    self.inner
                        .stats
                        .record(&endpoint.name, elapsed, attempt, None);
                    return Ok(());
                }
                Err(error) => misplaced_base(&base, request, &tried, error),
            };
            // A retried delete that finds the record gone after an attempt whose answer was lost
            // succeeded: that attempt removed it (or someone else did meanwhile; either way it is gone).
            if request.method == Method::DELETE && maybe_processed && error.is_not_found() {
                tracing::info!(entity = %request.entity, path = %request.path, "delete done: the record is gone after an attempt whose answer was lost");
                self.inner
                    .stats
                    .record(&endpoint.name, started.elapsed(), attempt, None);
                return Ok(());
            }
            maybe_processed |= error.may_have_been_processed();
            // A 401 may mean the tenant moved zone: detect it again, once.
            if matches!(error, Error::Authentication { status: 401, .. }) && !zone_retried {
                zone_retried = true;
                match tokio::time::timeout_at(deadline, self.detect_zone(true)).await {
                    Ok(detected) => detected?,
                    Err(_) => return Err(timed_out(request, &request.path, policy, false)),
                };
                continue;
            }
            let delay = error
                .retry_after()
                .unwrap_or_else(|| backoff(policy, attempt));
            let retry = attempt < policy.max_retries
                && may_retry(
                    request,
                    &error,
                    self.inner.contacted.load(Ordering::Relaxed),
                )
                && tokio::time::Instant::now() + delay < deadline;
            if !retry {
                self.inner
                    .stats
                    .record(&endpoint.name, started.elapsed(), attempt, Some(&error));
                return Err(final_error(request, error));
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
        url: Url,
        endpoint: &Endpoint,
        deadline: tokio::time::Instant,
        read: ReadAnswer<'_>,
    ) -> Result<()> {
        let path = url.path().to_string();
        let shown = shown_url(&url);
        let method = request.method.as_str();
        let span = tracing::info_span!("autotask.request", entity = %request.entity, method, path = %path, status = tracing::field::Empty, latency_ms = tracing::field::Empty);
        let recorder = span.clone();
        let policy = &self.inner.retry;
        async move {
            let _permit =
                match tokio::time::timeout_at(deadline, self.inner.limiter.admit(endpoint)).await {
                    Ok(admitted) => admitted?,
                    Err(_) => return Err(timed_out(request, &path, policy, false)),
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
            interpret(status, method, &path, body, retry_after, read)
        }
        .instrument(span)
        .await
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
            let mut answer = Value::Null;
            let mut read = |text: &str| {
                answer = json_answer(text)?;
                Ok(())
            };
            interpret(status, "GET", &path, body, None, &mut read)?;
            Ok(answer)
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

/// Why the text of a successful answer could not be read; the request path makes an error kind of it.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// Not JSON, or not the shape the caller expects: a garbled answer
    /// ([`Error::MalformedAnswer`], retried like one), with the reason.
    NotJson(String),
    /// `{"errors":[...]}`: the error the API reported (its kind from the status and the texts).
    Errors,
    /// A final error, not retried (a record that does not fit its type).
    Fatal(Error),
}

/// Reads the text of a successful answer into the caller's own place.
pub(crate) type ReadAnswer<'a> =
    &'a mut (dyn FnMut(&str) -> std::result::Result<(), Unreadable> + Send);

/// The text of a successful answer as a JSON value; `{"errors":[...]}` (non-empty) is the API's error.
fn json_answer(text: &str) -> std::result::Result<Value, Unreadable> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Unreadable::NotJson(format!(
            "the answer is not JSON ({e}): {}",
            truncate(text.trim(), 200)
        ))
    })?;
    let has_errors = value
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| !errors.is_empty());
    if has_errors {
        return Err(Unreadable::Errors);
    }
    Ok(value)
}

/// Hands the text of a successful answer to `read`, or returns the error the answer means: an
/// unsuccessful status, an empty or unreadable body (not UTF-8, not what `read` expects), or
/// `{"errors":[...]}` whatever the status.
fn interpret(
    status: u16,
    method: &str,
    path: &str,
    body: Body,
    retry_after: Option<Duration>,
    read: ReadAnswer<'_>,
) -> Result<()> {
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
    match read(&text) {
        Ok(()) => Ok(()),
        Err(Unreadable::NotJson(reason)) => Err(malformed(reason)),
        Err(Unreadable::Errors) => Err(Error::from_response(
            status,
            method,
            path,
            &text,
            retry_after,
        )),
        Err(Unreadable::Fatal(error)) => Err(error),
    }
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
fn valid_item_id(answer: &Value) -> Option<i64> {
    let id = answer.get("itemId")?;
    id.as_i64()
        .or_else(|| id.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|id| *id > 0)
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

#[cfg(test)]
mod tests {
    use super::*;

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

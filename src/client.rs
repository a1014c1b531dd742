//! The client: configuration, zone detection, and the one non-generic request path every operation uses
//! (auth headers, per-endpoint concurrency limit, retries with backoff, error mapping, tracing).

use crate::cache::{CacheSettings, Cacheable, Lookup, ResponseCache};
use crate::error::{Error, Result};
use crate::stats::Stats;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{RwLock, Semaphore};
use url::Url;

/// Where zone detection starts; any zone host answers `zoneInformation`.
pub const DEFAULT_ZONE_LOOKUP_URL: &str = "https://webservices2.autotask.net/atservicesrest/";

/// A secret that never shows in `Debug`, logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the `Secret` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the client retries requests that are safe to repeat.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    /// First backoff delay; doubles each attempt, with full jitter.
    pub initial_backoff: Duration,
    /// Largest single backoff delay.
    pub max_backoff: Duration,
    /// Total time budget for all attempts of one request; no retry starts after it.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            total_budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    username: Option<String>,
    integration_code: Option<String>,
    secret: Option<Secret>,
    base_url: Option<String>,
    zone_lookup_url: String,
    timeout: Duration,
    pool_max_idle_per_host: usize,
    user_agent: String,
    impersonation: Option<i64>,
    retry: RetryPolicy,
    max_concurrent_per_endpoint: usize,
    cache: CacheSettings,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            username: None,
            integration_code: None,
            secret: None,
            base_url: None,
            zone_lookup_url: DEFAULT_ZONE_LOOKUP_URL.to_string(),
            // Autotask's own execution timeout is 5 minutes.
            timeout: Duration::from_secs(300),
            pool_max_idle_per_host: 8,
            user_agent: concat!("autotask-rs/", env!("CARGO_PKG_VERSION")).to_string(),
            impersonation: None,
            retry: RetryPolicy::default(),
            max_concurrent_per_endpoint: 3,
            cache: CacheSettings::default(),
        }
    }
}

impl ClientBuilder {
    /// The API user's user name (e-mail).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The API tracking identifier.
    pub fn integration_code(mut self, code: impl Into<String>) -> Self {
        self.integration_code = Some(code.into());
        self
    }

    /// The API user's secret.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(Secret::new(secret));
        self
    }

    /// An explicit API base (`https://webservices15.autotask.net/ATServicesRest/`); skips zone detection.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Where zone detection starts (default [`DEFAULT_ZONE_LOOKUP_URL`]).
    pub fn zone_lookup_url(mut self, url: impl Into<String>) -> Self {
        self.zone_lookup_url = url.into();
        self
    }

    /// Timeout of one HTTP attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Idle connections kept per host.
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_max_idle_per_host = size;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Default `ImpersonationResourceId` for every request (overridable per call with
    /// [`Client::impersonating`]).
    pub fn impersonate(mut self, resource_id: i64) -> Self {
        self.impersonation = Some(resource_id);
        self
    }

    /// Retry policy for requests that are safe to repeat.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Requests in flight per endpoint (Autotask allows 3 per integration code and endpoint); more wait.
    pub fn max_concurrent_per_endpoint(mut self, limit: usize) -> Self {
        self.max_concurrent_per_endpoint = limit.max(1);
        self
    }

    /// Caches get-by-id records (root and child, typed and dynamic) for `ttl`, holding at most
    /// `max_entries` records (the least recently used is dropped first). Off by default; see
    /// [`Client::enable_cache`] for what is cached and how writes invalidate it. `max_entries` must be
    /// at least 1 ([`build`](Self::build) fails otherwise).
    pub fn cache(mut self, ttl: Duration, max_entries: usize) -> Self {
        self.cache.record_ttl = Some(ttl);
        self.cache.max_records = max_entries;
        self
    }

    /// How long metadata answers (`entityInformation`, `/fields` with their picklists,
    /// `/userDefinedFields`) are reused: [`DEFAULT_METADATA_TTL`](crate::cache::DEFAULT_METADATA_TTL)
    /// (one hour) by default; `None` fetches them on every use.
    pub fn metadata_cache(mut self, ttl: Option<Duration>) -> Self {
        self.cache.metadata_ttl = ttl;
        self
    }

    /// Builds the client. No request is made: zone detection happens on first use.
    pub fn build(self) -> Result<Client> {
        if self.cache.max_records == 0 {
            return Err(Error::Configuration(
                "the record cache needs room for at least one entry".into(),
            ));
        }
        let missing = |what: &str| Error::Configuration(format!("{what} is required"));
        let username = self
            .username
            .filter(|u| !u.is_empty())
            .ok_or_else(|| missing("username"))?;
        let integration_code = self
            .integration_code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("integration code"))?;
        let secret = self
            .secret
            .filter(|s| !s.0.is_empty())
            .ok_or_else(|| missing("secret"))?;
        let base = match &self.base_url {
            Some(url) => Some(api_base(url)?),
            None => None,
        };
        let zone_lookup = checked_url(&self.zone_lookup_url)?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .user_agent(self.user_agent.clone())
            // Redirects could carry credentials to another origin: never follow them.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Configuration(format!("http client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                username,
                integration_code,
                secret,
                explicit_base: base.is_some(),
                base: RwLock::new(base),
                zone_lookup,
                impersonation: self.impersonation,
                retry: self.retry,
                max_concurrent: self.max_concurrent_per_endpoint,
                limits: Mutex::new(HashMap::new()),
                stats: Stats::default(),
                journal: Default::default(),
                cache: ResponseCache::new(self.cache),
            }),
            impersonation: None,
        })
    }
}

/// The Autotask REST client. Cheap to clone; clones share connections, limits and statistics.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Per-call impersonation override.
    impersonation: Option<i64>,
}

pub(crate) struct Inner {
    http: reqwest::Client,
    username: String,
    integration_code: String,
    secret: Secret,
    explicit_base: bool,
    /// `https://host/ATServicesRest/V1.0/`, once known.
    base: RwLock<Option<Url>>,
    zone_lookup: Url,
    impersonation: Option<i64>,
    retry: RetryPolicy,
    pub(crate) max_concurrent: usize,
    limits: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub(crate) stats: Stats,
    /// Writes sent through this client (services branch: `client.audit_log()`).
    pub(crate) journal: crate::journal::Journal,
    pub(crate) cache: ResponseCache,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("username", &self.inner.username)
            .field("integration_code", &"***")
            .field("secret", &self.inner.secret)
            .field(
                "impersonation",
                &self.impersonation.or(self.inner.impersonation),
            )
            .finish()
    }
}

/// Zones found per user, shared by every client in the process.
fn zone_cache() -> &'static Mutex<HashMap<String, Url>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Url>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// https only, except loopback addresses (the simulator, local tests).
fn checked_url(text: &str) -> Result<Url> {
    let url =
        Url::parse(text).map_err(|e| Error::Configuration(format!("invalid URL {text:?}: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(Error::Configuration(format!(
            "{text:?}: only https URLs are allowed (http only for loopback addresses)"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `https://x/ATServicesRest/` (as zoneInformation gives it) or `.../V1.0/` → the `V1.0/` base.
fn api_base(text: &str) -> Result<Url> {
    let mut text = text.trim().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    if !text.to_ascii_lowercase().ends_with("/v1.0/") {
        text.push_str("V1.0/");
    }
    checked_url(&text)
}

/// What repeating a request risks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, queries, PATCH, PUT, DELETE: repeating is harmless.
    Safe,
    /// A create: repeat only when it certainly was not processed.
    Create,
}

/// One request, built by the typed and dynamic handles.
pub(crate) struct Request {
    pub method: Method,
    /// Path relative to the `V1.0/` base (`Tickets/query`), or an absolute URL (a `nextPageUrl`).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub repeat: Repeat,
    /// Entity name for errors, spans and statistics.
    pub entity: String,
    /// Whether and how the answer may be cached (see `src/cache.rs`).
    pub cache: Cacheable,
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
            query: Vec::new(),
            body: None,
            repeat,
            entity: entity.to_string(),
            cache: Cacheable::No,
        }
    }

    /// Marks a GET whose answer may be cached as `class`.
    pub fn cached_as(mut self, class: Cacheable) -> Self {
        self.cache = class;
        self
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

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `AUTOTASK_USERNAME`, `AUTOTASK_INTEGRATION_CODE`, `AUTOTASK_SECRET`, and optional
    /// `AUTOTASK_API_URL` (skips zone detection) and `AUTOTASK_IMPERSONATION_RESOURCE_ID`.
    pub fn from_env() -> Result<Client> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let required = |name: &str| {
            var(name).ok_or_else(|| Error::Configuration(format!("{name} is not set")))
        };
        let mut builder = Client::builder()
            .username(required("AUTOTASK_USERNAME")?)
            .integration_code(required("AUTOTASK_INTEGRATION_CODE")?)
            .secret(required("AUTOTASK_SECRET")?);
        if let Some(url) = var("AUTOTASK_API_URL") {
            builder = builder.base_url(url);
        }
        if let Some(id) = var("AUTOTASK_IMPERSONATION_RESOURCE_ID") {
            let id = id.parse().map_err(|_| {
                Error::Configuration(format!(
                    "AUTOTASK_IMPERSONATION_RESOURCE_ID is not a resource id: {id:?}"
                ))
            })?;
            builder = builder.impersonate(id);
        }
        builder.build()
    }

    /// A view of this client whose requests carry `ImpersonationResourceId: resource_id`.
    pub fn impersonating(&self, resource_id: i64) -> Client {
        Client {
            inner: self.inner.clone(),
            impersonation: Some(resource_id),
        }
    }

    /// Requests, errors, retries and latency per endpoint, as measured by this client.
    pub fn endpoint_stats(
        &self,
    ) -> std::collections::BTreeMap<String, crate::stats::EndpointStats> {
        self.inner.stats.snapshot()
    }

    /// The API base (`.../ATServicesRest/V1.0/`), detecting the zone if needed.
    pub async fn base_url(&self) -> Result<Url> {
        if let Some(base) = self.inner.base.read().await.clone() {
            return Ok(base);
        }
        self.detect_zone(false).await
    }

    /// `versioninformation` then `zoneInformation?user=`; cached per user unless `fresh`.
    async fn detect_zone(&self, fresh: bool) -> Result<Url> {
        let mut slot = self.inner.base.write().await;
        if !fresh {
            if let Some(base) = slot.clone() {
                return Ok(base);
            }
            if let Some(base) = zone_cache()
                .lock()
                .expect("zone cache")
                .get(&self.inner.username)
                .cloned()
            {
                *slot = Some(base.clone());
                return Ok(base);
            }
        }
        let lookup = &self.inner.zone_lookup;
        let version_url = lookup
            .join("versioninformation")
            .map_err(|e| Error::Configuration(format!("zone lookup URL: {e}")))?;
        let versions: Value = self.plain_get(version_url).await?;
        let version = versions["apiVersions"]
            .as_array()
            .and_then(|v| v.last())
            .and_then(Value::as_str)
            .unwrap_or("V1.0")
            .to_string();
        let mut zone_url = lookup
            .join(&format!("{version}/zoneInformation"))
            .map_err(|e| Error::Configuration(format!("zone lookup URL: {e}")))?;
        zone_url
            .query_pairs_mut()
            .append_pair("user", &self.inner.username);
        let zone: Value = self.plain_get(zone_url).await?;
        let url = zone["url"]
            .as_str()
            .ok_or_else(|| Error::Protocol(format!("zoneInformation answer has no url: {zone}")))?;
        let base = api_base(url)?;
        tracing::debug!(zone = zone["zoneName"].as_str().unwrap_or(""), base = %base, "zone detected");
        zone_cache()
            .lock()
            .expect("zone cache")
            .insert(self.inner.username.clone(), base.clone());
        *slot = Some(base.clone());
        Ok(base)
    }

    /// An unauthenticated GET (zone detection sends no credentials).
    pub(crate) async fn plain_get(&self, url: Url) -> Result<Value> {
        let path = url.path().to_string();
        let response = self
            .inner
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| transport("GET", &path, e))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| transport("GET", &path, e))?;
        if !(200..300).contains(&status) {
            return Err(Error::from_response(status, "GET", &path, &body, None));
        }
        serde_json::from_str(&body)
            .map_err(|e| Error::Protocol(format!("GET {path}: answer is not JSON: {e}")))
    }

    fn limiter(&self, endpoint: &str) -> Arc<Semaphore> {
        let mut limits = self.inner.limits.lock().expect("limits");
        limits
            .entry(endpoint.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(self.inner.max_concurrent)))
            .clone()
    }

    /// Resolves a request path against the base; absolute URLs must be on the same origin.
    fn resolve(&self, base: &Url, path: &str) -> Result<Url> {
        if path.starts_with("http://") || path.starts_with("https://") {
            let url = Url::parse(path)
                .map_err(|e| Error::Protocol(format!("invalid URL from server {path:?}: {e}")))?;
            if url.origin() != base.origin() {
                return Err(Error::Protocol(format!(
                    "refusing to send credentials to {}: it is not the configured API origin {}",
                    url.origin().ascii_serialization(),
                    base.origin().ascii_serialization()
                )));
            }
            return Ok(url);
        }
        base.join(path)
            .map_err(|e| Error::Configuration(format!("invalid path {path:?}: {e}")))
    }

    /// Sends one request, or answers a read from the cache; writes invalidate the cache and are journaled.
    pub(crate) async fn execute(&self, request: Request) -> Result<Value> {
        let impersonation = self.impersonation.or(self.inner.impersonation);
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
        // Journal: every write and its outcome, for `client.audit_log()` (src/journal.rs).
        let write = crate::journal::PendingWrite::of(&request, impersonation);
        let result = self.send(request).await;
        self.inner.cache.complete(pending, result.as_ref().ok());
        if let Some(write) = write {
            self.inner.journal.record(write, result.as_ref());
        }
        result
    }

    /// Sends one request with limits and retries; the JSON answer on success.
    async fn send(&self, request: Request) -> Result<Value> {
        let started = Instant::now();
        let policy = &self.inner.retry;
        let mut attempt: u32 = 0;
        let mut zone_retried = self.inner.explicit_base;
        loop {
            let base = self.base_url().await?;
            let url = self.resolve(&base, &request.path)?;
            let endpoint = endpoint_of(&base, &url);
            let outcome = self.attempt(&request, url, &endpoint).await;
            let error = match outcome {
                Ok(value) => {
                    self.inner
                        .stats
                        .record(&endpoint, started.elapsed(), attempt, None);
                    return Ok(value);
                }
                Err(error) => error,
            };
            // A 401 may mean the tenant moved zone: detect it again, once.
            if error.is_authentication() && !zone_retried {
                zone_retried = true;
                self.detect_zone(true).await?;
                continue;
            }
            let retry = attempt < policy.max_retries && self.may_retry(&request, &error);
            if !retry {
                self.inner
                    .stats
                    .record(&endpoint, started.elapsed(), attempt, Some(&error));
                return Err(self.final_error(&request, error));
            }
            let delay = error
                .retry_after()
                .unwrap_or_else(|| backoff(policy, attempt));
            if started.elapsed() + delay > policy.total_budget {
                self.inner
                    .stats
                    .record(&endpoint, started.elapsed(), attempt, Some(&error));
                return Err(self.final_error(&request, error));
            }
            tracing::warn!(entity = %request.entity, method = %request.method, attempt, ?delay, error = %error, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    fn may_retry(&self, request: &Request, error: &Error) -> bool {
        if !error.is_retryable() {
            return false;
        }
        match request.repeat {
            Repeat::Safe => true,
            // A create is repeated only when the server certainly did not process it.
            Repeat::Create => match error {
                Error::RateLimited { .. } | Error::ThreadLimit { .. } => true,
                Error::Transport { not_sent, .. } => *not_sent,
                _ => false,
            },
        }
    }

    /// A create that failed in transit after being sent has an unknown outcome.
    fn final_error(&self, request: &Request, error: Error) -> Error {
        match (&error, request.repeat) {
            (
                Error::Transport {
                    not_sent: false,
                    timeout,
                    ..
                },
                Repeat::Create,
            ) => Error::UnknownOutcome {
                entity: request.entity.clone(),
                reason: if *timeout {
                    "timed out waiting for the answer".into()
                } else {
                    error.to_string()
                },
                payload: request.body.clone().unwrap_or(Value::Null),
            },
            (
                Error::Http {
                    status: 502..=504, ..
                },
                Repeat::Create,
            ) => Error::UnknownOutcome {
                entity: request.entity.clone(),
                reason: error.to_string(),
                payload: request.body.clone().unwrap_or(Value::Null),
            },
            _ => error,
        }
    }

    async fn attempt(&self, request: &Request, mut url: Url, endpoint: &str) -> Result<Value> {
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &request.query {
                pairs.append_pair(k, v);
            }
        }
        let path = url.path().to_string();
        let method = request.method.as_str().to_string();
        let limiter = self.limiter(endpoint);
        let _permit = limiter
            .acquire()
            .await
            .map_err(|_| Error::Configuration("limiter closed".into()))?;
        let span = tracing::info_span!("autotask.request", entity = %request.entity, method = %method, path = %path, status = tracing::field::Empty, latency_ms = tracing::field::Empty);
        let _enter = span.enter();
        let started = Instant::now();
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .header("ApiIntegrationCode", &self.inner.integration_code)
            .header("UserName", &self.inner.username)
            .header("Secret", self.inner.secret.expose());
        if let Some(id) = self.impersonation.or(self.inner.impersonation) {
            builder = builder.header("ImpersonationResourceId", id.to_string());
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport(&method, &path, e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = response
            .text()
            .await
            .map_err(|e| transport(&method, &path, e))?;
        span.record("status", status);
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        if !(200..300).contains(&status) {
            return Err(Error::from_response(
                status,
                &method,
                &path,
                &body,
                retry_after,
            ));
        }
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        let value: Value = serde_json::from_str(&body)
            .map_err(|e| Error::Protocol(format!("{method} {path}: answer is not JSON: {e}")))?;
        // Thread-limit errors can come with any status, even 200.
        if let Some(errors) = value
            .get("errors")
            .filter(|e| e.as_array().is_some_and(|a| !a.is_empty()))
        {
            if errors.to_string().contains("Itgenatr005") {
                return Err(Error::from_response(
                    status,
                    &method,
                    &path,
                    &body,
                    retry_after,
                ));
            }
        }
        Ok(value)
    }
}

/// Configuration the services (`client.health()`, `client.api_usage()`) report.
impl Client {
    /// The API user name (zoneInformation's `user`).
    pub(crate) fn username(&self) -> &str {
        &self.inner.username
    }

    /// Requests in flight allowed per endpoint.
    pub(crate) fn max_concurrent_per_endpoint(&self) -> usize {
        self.inner.max_concurrent
    }
}

/// The thread-limit endpoint: the entity collection, the first segment under `V1.0/`.
fn endpoint_of(base: &Url, url: &Url) -> String {
    let rest = url.path().strip_prefix(base.path()).unwrap_or(url.path());
    rest.split('/').next().unwrap_or("").to_string()
}

fn transport(method: &str, path: &str, source: reqwest::Error) -> Error {
    let not_sent = source.is_connect();
    Error::Transport {
        method: method.to_string(),
        path: path.to_string(),
        timeout: source.is_timeout(),
        not_sent,
        source,
    }
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

/// Exponential backoff with full jitter.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exp = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let cap = exp.min(policy.max_backoff);
    let nanos = cap.as_nanos() as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(nanos / 2 + jitter() % (nanos / 2 + 1))
}

fn jitter() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback() {
        assert!(checked_url("https://webservices2.autotask.net/atservicesrest/").is_ok());
        assert!(checked_url("http://127.0.0.1:8080/").is_ok());
        assert!(checked_url("http://localhost:1/").is_ok());
        assert!(checked_url("http://[::1]:1/").is_ok());
        assert!(matches!(
            checked_url("http://example.com/"),
            Err(Error::Configuration(_))
        ));
    }

    #[test]
    fn api_base_accepts_zone_url_forms() {
        let base = api_base("https://webservices15.autotask.net/ATServicesRest/").unwrap();
        assert_eq!(
            base.as_str(),
            "https://webservices15.autotask.net/ATServicesRest/V1.0/"
        );
        let base = api_base("https://webservices15.autotask.net/atservicesrest/v1.0").unwrap();
        assert_eq!(
            base.as_str(),
            "https://webservices15.autotask.net/atservicesrest/v1.0/"
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let client = Client::builder()
            .username("u@x")
            .integration_code("CODE123")
            .secret("hunter2")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("CODE123"),
            "{shown}"
        );
    }

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
            assert!(samples.iter().all(|d| *d <= cap), "attempt {attempt}: above {cap:?}");
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
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for attempt in 0..10 {
            let d = backoff(&policy, attempt);
            let cap = Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(1));
            assert!(
                d <= cap && d >= cap / 2,
                "attempt {attempt}: {d:?} vs {cap:?}"
            );
        }
    }
}

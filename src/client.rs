//! The client: configuration, credentials, zone detection. Every operation goes through the one request
//! path in `src/send.rs` (limits, retries, bounded answers, error mapping, tracing).

use crate::cache::{CacheSettings, Cacheable, ResponseCache};
use crate::error::{Error, Result};
use crate::stats::Stats;
use crate::sync::lock;
pub use crate::wire::Secret;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{RwLock, Semaphore};
use url::Url;

/// Where zone detection starts; any zone host answers `zoneInformation`.
pub const DEFAULT_ZONE_LOOKUP_URL: &str = "https://webservices2.autotask.net/atservicesrest/";

/// Default [`ClientBuilder::max_response_bytes`]: 32 MiB, a few MiB above the largest legitimate answer
/// (a 500-record Tickets page with every text field at its maximum length is about 21 MiB; a 7 MB
/// attachment is about 9.3 MiB of base64).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 << 20;

/// Default [`ClientBuilder::max_pages_per_stream`]: 10,000 pages (5,000,000 records at 500 a page, or a
/// tenant's whole hourly request budget).
pub const DEFAULT_MAX_PAGES_PER_STREAM: usize = 10_000;

/// How the client retries requests that are safe to repeat.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    /// First backoff delay cap; it doubles each attempt, and each delay is drawn uniformly between zero
    /// and the cap (full jitter).
    pub initial_backoff: Duration,
    /// Largest backoff delay cap.
    pub max_backoff: Duration,
    /// Total time budget of one call: every attempt, the waits for a thread-limit slot and the backoff
    /// between attempts. An attempt still running when it ends is cut short (a create cut short has an
    /// unknown outcome), and no retry starts that would end after it.
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
    integration_code: Option<Secret>,
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
    max_response_bytes: usize,
    max_pages_per_stream: usize,
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
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages_per_stream: DEFAULT_MAX_PAGES_PER_STREAM,
        }
    }
}

impl ClientBuilder {
    /// The API user's user name (e-mail).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The API tracking identifier (held as a [`Secret`]: it identifies the integration to Autotask).
    pub fn integration_code(mut self, code: impl Into<String>) -> Self {
        self.integration_code = Some(Secret::new(code));
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

    /// Timeout of one HTTP attempt (default 300 s, Autotask's own execution timeout). The retry policy's
    /// [`total_budget`](RetryPolicy::total_budget) bounds the whole call, so an attempt never runs past it.
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

    /// The largest answer read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]): a successful answer
    /// above it is [`Error::ResponseTooLarge`], read no further. Unsuccessful answers are read up to
    /// 64 KiB at most (their texts are cut for display anyway).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes.max(1);
        self
    }

    /// The most pages one stream follows (default [`DEFAULT_MAX_PAGES_PER_STREAM`]); a server still
    /// offering a next page after them ends the stream with an error, so that no server can page a
    /// client through its hourly budget. Independently, a page that brings no record beyond the
    /// highest id seen ends the stream (pages come in ascending id order).
    pub fn max_pages_per_stream(mut self, pages: usize) -> Self {
        self.max_pages_per_stream = pages.max(1);
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
            .filter(|s| !s.is_empty())
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
                max_response_bytes: self.max_response_bytes,
                max_pages_per_stream: self.max_pages_per_stream,
                contacted: AtomicBool::new(false),
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
    pub(crate) http: reqwest::Client,
    pub(crate) username: String,
    pub(crate) integration_code: Secret,
    pub(crate) secret: Secret,
    pub(crate) explicit_base: bool,
    /// `https://host/ATServicesRest/V1.0/`, once known.
    base: RwLock<Option<Url>>,
    zone_lookup: Url,
    impersonation: Option<i64>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_concurrent: usize,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_pages_per_stream: usize,
    /// Set once any server answered: before that, a refused connection is a configuration mistake and
    /// is not retried (src/send.rs `may_retry`).
    pub(crate) contacted: AtomicBool,
    /// One semaphore per lower-case entity name (src/send.rs `Endpoint`).
    pub(crate) limits: Mutex<HashMap<String, Arc<Semaphore>>>,
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

/// Zones found per (zone lookup URL, user), shared by every client in the process: the same user name
/// asked of another lookup host (a test tenant, a simulator) may live in another zone.
fn zone_cache() -> &'static Mutex<HashMap<(String, String), Url>> {
    static CACHE: OnceLock<Mutex<HashMap<(String, String), Url>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Whether a zone answer's API base may receive the credentials: on the lookup host itself, or on a host
/// of the same parent domain (`webservices15.autotask.net` for a lookup on `webservices2.autotask.net`);
/// for a loopback lookup (a simulator, a test), on a loopback host.
fn zone_host_allowed(lookup: &Url, zone: &Url) -> bool {
    if is_loopback(lookup) {
        return is_loopback(zone);
    }
    let (Some(lookup_host), Some(zone_host)) = (lookup.host_str(), zone.host_str()) else {
        return false;
    };
    let (lookup_host, zone_host) = (
        lookup_host.to_ascii_lowercase(),
        zone_host.to_ascii_lowercase(),
    );
    if lookup_host == zone_host {
        return true;
    }
    // The parent domain must itself have two labels at least (`autotask.net`, never `net`).
    match lookup_host.split_once('.') {
        Some((_, parent)) if parent.contains('.') => zone_host.ends_with(&format!(".{parent}")),
        _ => false,
    }
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
    ///
    /// Every problem is reported at once, in one [`Error::Configuration`]: each required variable that
    /// is not set, or set but empty, and an impersonation id that is not a number.
    pub fn from_env() -> Result<Client> {
        let read = |name: &str| std::env::var(name).ok();
        let mut problems = Vec::new();
        let mut required = |name: &str| match read(name) {
            Some(value) if !value.trim().is_empty() => Some(value),
            Some(_) => {
                problems.push(format!("{name} is set but empty"));
                None
            }
            None => {
                problems.push(format!("{name} is not set"));
                None
            }
        };
        let username = required("AUTOTASK_USERNAME");
        let code = required("AUTOTASK_INTEGRATION_CODE");
        let secret = required("AUTOTASK_SECRET");
        let optional = |name: &str| read(name).filter(|v| !v.trim().is_empty());
        let impersonation = match optional("AUTOTASK_IMPERSONATION_RESOURCE_ID") {
            Some(id) => match id.trim().parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(format!(
                        "AUTOTASK_IMPERSONATION_RESOURCE_ID is not a resource id: {id:?}"
                    ));
                    None
                }
            },
            None => None,
        };
        let (Some(username), Some(code), Some(secret), true) =
            (username, code, secret, problems.is_empty())
        else {
            return Err(Error::Configuration(format!(
                "cannot connect from the environment: {}",
                problems.join("; ")
            )));
        };
        let mut builder = Client::builder()
            .username(username)
            .integration_code(code)
            .secret(secret);
        if let Some(url) = optional("AUTOTASK_API_URL") {
            builder = builder.base_url(url);
        }
        if let Some(id) = impersonation {
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

    /// `versioninformation` then `zoneInformation?user=`; cached per (lookup URL, user) unless `fresh`.
    /// The answer's `url` must be on the lookup host's domain ([`zone_host_allowed`]) before any
    /// credential is sent to it.
    pub(crate) async fn detect_zone(&self, fresh: bool) -> Result<Url> {
        let mut slot = self.inner.base.write().await;
        let lookup = &self.inner.zone_lookup;
        let key = (lookup.as_str().to_string(), self.inner.username.clone());
        if !fresh {
            if let Some(base) = slot.clone() {
                return Ok(base);
            }
            if let Some(base) = lock(zone_cache()).get(&key).cloned() {
                *slot = Some(base.clone());
                return Ok(base);
            }
        }
        let lookup_url = |path: &str| {
            let url = lookup
                .join(path)
                .map_err(|e| Error::Configuration(format!("zone lookup URL: {e}")))?;
            if url.origin() == lookup.origin() {
                Ok(url)
            } else {
                Err(Error::Protocol(format!(
                    "refusing the zone lookup path {path:?}: it leaves the lookup host"
                )))
            }
        };
        let versions: Value = self.plain_get(lookup_url("versioninformation")?).await?;
        let version = versions["apiVersions"]
            .as_array()
            .and_then(|v| v.last())
            .and_then(Value::as_str)
            .unwrap_or("V1.0")
            .to_string();
        let mut zone_url = lookup_url(&format!("{version}/zoneInformation"))?;
        zone_url
            .query_pairs_mut()
            .append_pair("user", &self.inner.username);
        let zone: Value = self.plain_get(zone_url).await.map_err(|error| {
            // The lookup answers an unknown user with "Zone information could not be determined".
            if error.is_validation() || error.is_not_found() {
                Error::Authentication {
                    status: match &error {
                        Error::Validation { status, .. } | Error::NotFound { status, .. } => {
                            *status
                        }
                        _ => 500,
                    },
                    message: format!(
                        "the zone lookup does not know the user name {:?} ({error}); check \
                         AUTOTASK_USERNAME / ClientBuilder::username",
                        self.inner.username
                    ),
                }
            } else {
                error
            }
        })?;
        let url = zone["url"]
            .as_str()
            .ok_or_else(|| Error::Protocol(format!("zoneInformation answer has no url: {zone}")))?;
        let base = api_base(url)?;
        if !zone_host_allowed(lookup, &base) {
            return Err(Error::Protocol(format!(
                "refusing the zone {url:?}: its host is not on the zone lookup host's domain ({}), so \
                 the credentials are not sent there",
                lookup.host_str().unwrap_or_default()
            )));
        }
        tracing::debug!(zone = zone["zoneName"].as_str().unwrap_or(""), base = %base, "zone detected");
        lock(zone_cache()).insert(key, base.clone());
        *slot = Some(base.clone());
        Ok(base)
    }

    /// The `ImpersonationResourceId` requests of this view carry.
    pub(crate) fn impersonation(&self) -> Option<i64> {
        self.impersonation.or(self.inner.impersonation)
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
    fn zone_hosts_stay_on_the_lookup_domain() {
        let url = |u: &str| Url::parse(u).unwrap();
        let lookup = url("https://webservices2.autotask.net/atservicesrest/");
        assert!(zone_host_allowed(
            &lookup,
            &url("https://webservices15.autotask.net/x/")
        ));
        assert!(zone_host_allowed(
            &lookup,
            &url("https://WEBSERVICES2.autotask.net/x/")
        ));
        assert!(!zone_host_allowed(
            &lookup,
            &url("https://webservices15.attacker.example/x/")
        ));
        assert!(!zone_host_allowed(
            &lookup,
            &url("https://autotask.net.attacker.example/x/")
        ));
        assert!(!zone_host_allowed(
            &lookup,
            &url("https://evilautotask.net/x/")
        ));
        let local = url("http://127.0.0.1:9/atservicesrest/");
        assert!(zone_host_allowed(&local, &url("http://127.0.0.1:10/x/")));
        assert!(!zone_host_allowed(
            &local,
            &url("https://webservices15.autotask.net/x/")
        ));
        let short = url("https://localhost.net/");
        assert!(!zone_host_allowed(&short, &url("https://other.net/")));
    }
}

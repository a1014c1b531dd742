//! [`ClientBuilder`]: configuration and credentials; [`Client::from_env`].

use super::cache::{CacheSettings, ResponseCache};
use super::limits::local::LocalLimiter;
use super::limits::Limiter;
use super::zone::{api_base, checked_url};
use super::{Client, Inner};
use crate::error::{Error, Result};
use crate::model::wire::Secret;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::RwLock;

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
    /// Limits shared with other workers through Redis ([`super::shared_limits`]).
    #[cfg(feature = "redis")]
    pub(super) shared_limits: Option<super::shared_limits::SharedLimits>,
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
            #[cfg(feature = "redis")]
            shared_limits: None,
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
    /// `/userDefinedFields`) are reused: [`DEFAULT_METADATA_TTL`](crate::client::cache::DEFAULT_METADATA_TTL)
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
        let slots = self.max_concurrent_per_endpoint;
        let local = || -> Box<dyn Limiter> { Box::new(LocalLimiter::new(slots)) };
        // With shared limits the Redis limiter admits requests (it keeps a local one for when Redis is
        // unreachable); the client keeps a typed handle to it for its mode and levels.
        #[cfg(feature = "redis")]
        let (limiter, shared_limits) = match self.shared_limits {
            Some(settings) => {
                let shared = Arc::new(super::limits::redis::RedisLimiter::new(
                    settings,
                    slots,
                    integration_code.clone(),
                )?);
                let limiter: Box<dyn Limiter> = Box::new(Arc::clone(&shared));
                (limiter, Some(shared))
            }
            None => (local(), None),
        };
        #[cfg(not(feature = "redis"))]
        let limiter = local();
        let inner = Arc::new(Inner {
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
            limiter,
            #[cfg(feature = "redis")]
            shared_limits,
            stats: Default::default(),
            journal: Default::default(),
            cache: ResponseCache::new(self.cache),
        });
        #[cfg(feature = "redis")]
        if let Some(shared) = &inner.shared_limits {
            shared.attach(Arc::downgrade(&inner));
        }
        Ok(Client {
            inner,
            impersonation: None,
        })
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
}

//! Limits shared by every worker of one integration through Redis (cargo feature `redis`).
//!
//! Autotask's limits belong to the tenant and the integration code, not to a process: 3 requests in
//! flight per (integration code, endpoint) and 10,000 requests per rolling hour for the whole database
//! (PROTOCOL.md §6.1–6.2). Several workers, each with its own [`Client`], each allowing 3
//! in flight, make 12 against a limit of 3. With [`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits)
//! every client pointed at the same Redis, API base URL and integration code shares:
//!
//! - **a lease semaphore per endpoint**: a request holds a slot of each endpoint it counts against (the
//!   same lower-case keys as the in-process limiter: `tickets`, and `ticketnotes` too for
//!   `Tickets/{id}/Notes`). A slot is a lease that expires unless renewed; the client renews its leases
//!   while the request runs, so a worker that crashes or is killed frees its slots within
//!   [`SharedLimits::lease`]. Waiters are served first come, first served (tickets in a Redis sorted
//!   set), so no worker starves; a release is published so that waiters in other processes wake at once.
//! - **an hourly budget**: every worker's requests are counted together (per-minute buckets over a
//!   rolling hour). One worker at a time polls `ThresholdInformation` (a Redis lock elects it) and
//!   stores the answer for all; the tenant's usage is the last answer plus the requests counted since.
//!   Past each [`SharedLimits::slow_down_at`] level every worker waits that level's delay before each
//!   request; at [`SharedLimits::stop_at`] requests are refused locally with
//!   [`Error::SharedBudgetReached`](crate::Error::SharedBudgetReached) instead of each worker finding
//!   the suspension through errors. Such a request was never sent; like the API's own 429 it is
//!   retryable (creates included) and says when budget frees up (`retry_after()`), and the client
//!   retries it by itself when that wait fits in the call's
//!   [`total_budget`](crate::RetryPolicy::total_budget).
//!   [`Client::usage_levels`](crate::Client::usage_levels) is a `tokio::sync::watch` channel of the
//!   level for logging and alerts.
//!
//! Keys live under `autotask:{<hash of the API base URL and the integration code>}:`, so tenants and
//! integrations sharing one Redis never interfere, and the integration code never appears in Redis.
//!
//! ## When Redis is unreachable
//! At start or mid-run, the client falls back to its in-process limits: requests go on, one tracing
//! warning says so, and [`Client::shared_limits_mode`](crate::Client::shared_limits_mode) tells which
//! mode is in force. It tries Redis again every [`SharedLimits::retry_redis_every`] in the background
//! and returns to shared limits when Redis answers. The trade-off: while in fallback each worker only
//! limits itself (N workers may have N × 3 requests in flight and meet the API's thread-limit errors,
//! which the client retries), and the hourly budget is not enforced (the API's own suspension is then
//! the limit). Right after Redis returns, requests that began in fallback are not counted by Redis
//! until they end.
//!
//! ```no_run
//! # async fn demo() -> autotask::Result<()> {
//! use autotask::shared_limits::SharedLimits;
//! use std::time::Duration;
//!
//! let client = autotask::Client::builder()
//!     .username("api-user@example.com")
//!     .integration_code("INTEGRATIONCODE")
//!     .secret("secret")
//!     .shared_limits(
//!         SharedLimits::new("redis://127.0.0.1:6379/")
//!             .slow_down_at(0.5, Duration::from_millis(100))
//!             .slow_down_at(0.75, Duration::from_millis(500))
//!             .slow_down_at(0.9, Duration::from_secs(2))
//!             .stop_at(0.98),
//!     )
//!     .build()?;
//! let mut levels = client.usage_levels().expect("shared limits are configured");
//! tokio::spawn(async move {
//!     while levels.changed().await.is_ok() {
//!         let level = levels.borrow_and_update().clone();
//!         eprintln!("Autotask hourly budget: {level:?}");
//!     }
//! });
//! # Ok(()) }
//! ```

use crate::client::Client;
use std::fmt;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// The default lease of a slot: a killed worker's slots are free again within this time.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5);

/// The default interval between two `ThresholdInformation` polls (by one worker for all of them).
pub const DEFAULT_THRESHOLD_POLL_INTERVAL: Duration = Duration::from_secs(60);

/// Settings of the limits shared through Redis; give them to
/// [`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits).
#[derive(Clone)]
pub struct SharedLimits {
    pub(crate) url: String,
    pub(crate) lease: Duration,
    pub(crate) levels: Vec<(f64, Duration)>,
    pub(crate) default_levels: bool,
    pub(crate) stop_at: f64,
    pub(crate) hourly_budget: Option<u64>,
    pub(crate) default_threshold: u64,
    pub(crate) poll_interval: Duration,
    pub(crate) retry_every: Duration,
    pub(crate) redis_timeout: Duration,
}

impl SharedLimits {
    /// Limits shared through the Redis at `url` (`redis://host:6379/0`, `redis://:password@host/`,
    /// `rediss://` needs the redis crate's TLS features), with the defaults: lease 5 s; slow-down at
    /// 50% (100 ms before each request), 75% (500 ms) and 90% (2 s) of the hourly threshold; stop at
    /// 98%; `ThresholdInformation` polled every 60 s; Redis retried every 5 s when unreachable.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            lease: DEFAULT_LEASE,
            levels: vec![
                (0.5, Duration::from_millis(100)),
                (0.75, Duration::from_millis(500)),
                (0.9, Duration::from_secs(2)),
            ],
            default_levels: true,
            stop_at: 0.98,
            hourly_budget: None,
            default_threshold: 10_000,
            poll_interval: DEFAULT_THRESHOLD_POLL_INTERVAL,
            retry_every: Duration::from_secs(5),
            redis_timeout: Duration::from_secs(2),
        }
    }

    /// How long a slot stays taken without renewal (default [`DEFAULT_LEASE`], at least 300 ms). The
    /// client renews its leases every third of it while the request runs; a worker that dies frees
    /// its slots within this time.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(300));
        self
    }

    /// Past `share` of the hourly budget (0.5 = 50%), every worker waits `delay` before each request.
    /// The first call replaces the default levels; later calls add levels. Above several levels, the
    /// highest one passed applies.
    pub fn slow_down_at(mut self, share: f64, delay: Duration) -> Self {
        if self.default_levels {
            self.levels.clear();
            self.default_levels = false;
        }
        self.levels.push((share.clamp(0.0, 1.0), delay));
        self.levels.sort_by(|a, b| a.0.total_cmp(&b.0));
        self
    }

    /// No slow-down levels at all (requests still stop at [`stop_at`](Self::stop_at)).
    pub fn no_slow_down(mut self) -> Self {
        self.levels.clear();
        self.default_levels = false;
        self
    }

    /// The share of the hourly budget at which requests stop (default 0.98): a request that would go
    /// past it is refused locally with [`Error::SharedBudgetReached`](crate::Error::SharedBudgetReached)
    /// and never sent. `1.0` lets the budget be used to the last request.
    pub fn stop_at(mut self, share: f64) -> Self {
        self.stop_at = share.clamp(0.0, 1.0);
        self
    }

    /// The most requests this integration's workers together send in a rolling hour, below the
    /// tenant's threshold (which other integrations share). Levels apply to whichever is closer to
    /// its limit: this budget, or the tenant's threshold.
    pub fn hourly_budget(mut self, requests: u64) -> Self {
        self.hourly_budget = Some(requests);
        self
    }

    /// The tenant's threshold assumed until the first `ThresholdInformation` answer (default 10,000).
    pub fn assumed_threshold(mut self, requests: u64) -> Self {
        self.default_threshold = requests.max(1);
        self
    }

    /// How often `ThresholdInformation` is polled, by one worker for all (default
    /// [`DEFAULT_THRESHOLD_POLL_INTERVAL`]); each poll is a request counted by the API. `None` never
    /// polls: only this integration's own requests are counted.
    pub fn threshold_poll_interval(mut self, interval: Option<Duration>) -> Self {
        self.poll_interval = interval.unwrap_or(Duration::MAX);
        self
    }

    /// How often a client in fallback tries Redis again (default 5 s).
    pub fn retry_redis_every(mut self, interval: Duration) -> Self {
        self.retry_every = interval;
        self
    }

    /// How long one Redis command or connection attempt may take before Redis counts as unreachable
    /// (default 2 s).
    pub fn redis_timeout(mut self, timeout: Duration) -> Self {
        self.redis_timeout = timeout;
        self
    }
}

impl fmt::Debug for SharedLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a Redis password.
        let url = match url::Url::parse(&self.url) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            Ok(url) => url.to_string(),
            Err(_) => "(unparsable)".to_string(),
        };
        f.debug_struct("SharedLimits")
            .field("url", &url)
            .field("lease", &self.lease)
            .field("levels", &self.levels)
            .field("stop_at", &self.stop_at)
            .field("hourly_budget", &self.hourly_budget)
            .field("assumed_threshold", &self.default_threshold)
            .field("poll_interval", &self.poll_interval)
            .field("retry_every", &self.retry_every)
            .field("redis_timeout", &self.redis_timeout)
            .finish()
    }
}

impl crate::ClientBuilder {
    /// Shares the thread limit and the hourly budget with every other client (in this process or
    /// another) configured with the same Redis, API base URL and integration code; see the module docs
    /// of [`crate::shared_limits`]. The URL is checked by [`build`](crate::ClientBuilder::build); Redis
    /// is first contacted by the first request.
    pub fn shared_limits(mut self, limits: SharedLimits) -> Self {
        self.shared_limits = Some(limits);
        self
    }
}

/// Which limits a client with shared limits is applying.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SharedLimitsMode {
    /// No request has needed Redis yet.
    Connecting,
    /// Limits are shared through Redis.
    Shared,
    /// Redis was unreachable: in-process limits apply until it answers again.
    Fallback {
        /// When the client fell back.
        since: SystemTime,
        /// The Redis error.
        reason: String,
    },
}

/// Where the shared hourly budget stands, as [`Client::usage_levels`](crate::Client::usage_levels)
/// reports it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UsageLevel {
    /// Below the first slow-down level.
    Normal,
    /// Past a slow-down level: every worker waits `delay` before each request.
    SlowedDown {
        /// The level's share of the budget (0.5 for 50%).
        from: f64,
        /// The wait before each request.
        delay: Duration,
    },
    /// At [`SharedLimits::stop_at`]: requests are refused locally until the rolling hour frees budget.
    Stopped,
}

/// The shared hourly usage as this client last saw it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SharedUsage {
    /// Requests this integration's workers sent in the rolling hour.
    pub integration_requests: u64,
    /// The tenant's usage: the last `ThresholdInformation` count plus the requests counted since
    /// (at least `integration_requests`).
    pub tenant_requests: u64,
    /// The tenant's threshold (from `ThresholdInformation`, or the assumed one).
    pub threshold: u64,
    /// The configured [`SharedLimits::hourly_budget`], if any.
    pub budget: Option<u64>,
    /// The larger of `tenant_requests / threshold` and `integration_requests / budget`.
    pub share: f64,
    /// The level `share` falls in.
    pub level: UsageLevel,
}

impl Client {
    /// Which limits are in force, when the client was built with
    /// [`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits) (`None` otherwise):
    /// shared through Redis, or the in-process fallback while Redis is unreachable.
    pub fn shared_limits_mode(&self) -> Option<SharedLimitsMode> {
        Some(self.inner.shared_limits.as_ref()?.mode())
    }

    /// The shared hourly budget's level, as a `watch` channel that changes when the level does (for
    /// logging and alerts); `None` without shared limits.
    pub fn usage_levels(&self) -> Option<watch::Receiver<UsageLevel>> {
        Some(self.inner.shared_limits.as_ref()?.subscribe())
    }

    /// The shared hourly usage as of this client's last request (`None` before it, or without shared
    /// limits).
    pub fn shared_usage(&self) -> Option<SharedUsage> {
        self.inner.shared_limits.as_ref()?.last_usage()
    }
}

//! The client layer: configuration, credentials, zone detection and the one request path. It knows
//! HTTP and Autotask's answers, not entities' operations: it imports nothing from the operations layer
//! ([`crate::ops`]) or above.
//!
//! * [`builder`](ClientBuilder): configuration, [`RetryPolicy`], [`Client::from_env`];
//! * `zone`: zone detection and which hosts may receive the credentials;
//! * `request` / `send`: the one request path every operation uses (resolve the URL and refuse any other
//!   origin, take the thread-limit slots, send with credentials, read a bounded answer, map it to a value or
//!   an [`Error`](crate::Error) kind, retry what is safe to retry within the call's budget);
//! * `retry`: which failures are retried and the backoff between attempts;
//! * `limits/`: the per-endpoint concurrency limits behind a small internal seam (`Limiter`), with the
//!   in-process implementation in `limits/local.rs` and, with the `redis` feature, limits shared
//!   between processes in `limits/redis/` (configured through `shared_limits`, documented with that feature);
//! * [`cache`]: the response cache's storage (records and metadata; what to invalidate is decided by the
//!   operations layer) and the client's cache controls;
//! * `stats`: per-endpoint request statistics; [`journal`]: the bounded journal of writes.

mod builder;
pub mod cache;
pub mod journal;
pub(crate) mod limits;
mod request;
mod retry;
mod send;
#[cfg(feature = "redis")]
pub mod shared_limits;
mod stats;
pub(crate) mod sync;
mod zone;

pub use builder::{
    ClientBuilder, RetryPolicy, DEFAULT_MAX_PAGES_PER_STREAM, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_ZONE_LOOKUP_URL,
};
pub use cache::CacheStats;
pub use journal::{JournalEntry, WriteOutcome, JOURNAL_CAPACITY};
pub(crate) use request::{Repeat, Request};
pub(crate) use send::Unreadable;
pub use stats::EndpointStats;

use crate::error::Result;
use crate::model::wire::Secret;
use cache::ResponseCache;
use journal::WriteJournal;
use limits::Limiter;
use stats::Stats;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio::sync::RwLock;
use url::Url;

/// The Autotask REST client. Cheap to clone; clones share connections, limits and statistics.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Per-call impersonation override.
    pub(crate) impersonation: Option<i64>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) username: String,
    pub(crate) integration_code: Secret,
    pub(crate) secret: Secret,
    pub(crate) explicit_base: bool,
    /// `https://host/ATServicesRest/V1.0/`, once known.
    pub(crate) base: RwLock<Option<Url>>,
    pub(crate) zone_lookup: Url,
    pub(crate) impersonation: Option<i64>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_concurrent: usize,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_pages_per_stream: usize,
    /// Set once any server answered: before that, a refused connection is a configuration mistake and
    /// is not retried (`retry.rs`, `may_retry`).
    pub(crate) contacted: AtomicBool,
    /// Admits requests within the per-endpoint concurrency limits (`limits/`).
    pub(crate) limiter: Box<dyn Limiter>,
    /// The same limiter when it is the Redis one (its mode, usage and level channel).
    #[cfg(feature = "redis")]
    pub(crate) shared_limits: Option<Arc<limits::redis::RedisLimiter>>,
    pub(crate) stats: Stats,
    /// Writes sent through this client (`client.write_journal()`, `client.audit_log()`).
    pub(crate) journal: WriteJournal,
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

impl Client {
    /// A view of this client whose requests carry `ImpersonationResourceId: resource_id`.
    pub fn impersonating(&self, resource_id: i64) -> Client {
        Client {
            inner: self.inner.clone(),
            impersonation: Some(resource_id),
        }
    }

    /// The API base (`.../ATServicesRest/V1.0/`), detecting the zone if needed.
    pub async fn base_url(&self) -> Result<Url> {
        if let Some(base) = self.inner.base.read().await.clone() {
            return Ok(base);
        }
        self.detect_zone(false).await
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
}

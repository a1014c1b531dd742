//! The [`Limiter`] of a client built with
//! [`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits) (the public side is
//! [`crate::client::shared_limits`]). A request meets the hourly budget first (counted, slowed down or
//! refused), then takes a lease of each endpoint key it counts against; whenever Redis is unreachable
//! it is admitted by the in-process limiter this one keeps for the purpose.
//!
//! * `link`: the connection, the fallback decision and the background probe;
//! * `semaphore`: the lease semaphore (FIFO tickets, renewal, release notices);
//! * `budget`: the rolling-hour counts, the elected `ThresholdInformation` poller and the level channel.

mod budget;
mod link;
mod semaphore;

use super::local::LocalLimiter;
use super::{Endpoint, Limiter, Permit};
use crate::client::shared_limits::{SharedLimits, SharedLimitsMode, SharedUsage, UsageLevel};
use crate::client::sync::lock;
use crate::client::{Client, Inner, Request};
use crate::error::{Error, Result};
use crate::model::wire::Secret;
use budget::Budget;
use futures::future::BoxFuture;
use futures::FutureExt;
use link::Link;
use reqwest::Method;
use semaphore::Semaphores;
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::fmt::Write;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use tokio::sync::watch;
use url::Url;

/// The endpoint (and path) of the tenant-wide usage figure: counted like any request, never stopped,
/// since its answer is what tells that the budget freed up.
const THRESHOLD_INFORMATION: &str = "ThresholdInformation";

/// Limits shared through Redis, with the in-process limits to fall back on.
pub(crate) struct RedisLimiter {
    link: Arc<Link>,
    semaphores: Arc<Semaphores>,
    budget: Budget,
    /// Requests in flight per (integration code, endpoint), as in the in-process limiter.
    slots: usize,
    /// Admits requests while Redis is unreachable.
    fallback: LocalLimiter,
    integration_code: Secret,
    /// The namespace of the last API base seen (it changes only if the tenant moves zone).
    namespace: Mutex<Option<(Url, String)>>,
    /// The client this limiter belongs to, for the `ThresholdInformation` polls (weak: the client owns
    /// the limiter).
    client: OnceLock<Weak<Inner>>,
}

impl RedisLimiter {
    /// Checks the URL; no connection is made until the first request.
    pub(crate) fn new(
        settings: SharedLimits,
        slots: usize,
        integration_code: Secret,
    ) -> Result<RedisLimiter> {
        let link = Link::new(&settings.url, settings.redis_timeout, settings.retry_every)
            .map_err(|e| Error::Configuration(format!("shared limits: Redis URL: {e}")))?;
        let link = Arc::new(link);
        Ok(RedisLimiter {
            semaphores: Arc::new(Semaphores::new(Arc::clone(&link), settings.lease)),
            link,
            budget: Budget::new(settings),
            slots: slots.max(1),
            fallback: LocalLimiter::new(slots),
            integration_code,
            namespace: Mutex::new(None),
            client: OnceLock::new(),
        })
    }

    /// Tells the limiter which client it belongs to (once, right after the client is built).
    pub(crate) fn attach(&self, client: Weak<Inner>) {
        let _ = self.client.set(client);
    }

    pub(crate) fn mode(&self) -> SharedLimitsMode {
        self.link.mode()
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<UsageLevel> {
        self.budget.subscribe()
    }

    pub(crate) fn last_usage(&self) -> Option<SharedUsage> {
        self.budget.last()
    }

    fn namespace_of(&self, api: &Url) -> String {
        let mut cached = lock(&self.namespace);
        match cached.as_ref() {
            Some((base, namespace)) if base == api => namespace.clone(),
            _ => {
                let namespace = namespace(api, self.integration_code.expose());
                *cached = Some((api.clone(), namespace.clone()));
                namespace
            }
        }
    }

    /// One `GET ThresholdInformation` in the background by the worker the budget elected, through the
    /// client's own request path; its answer is stored for every worker.
    fn poll_threshold(&self, namespace: String) {
        let Some(inner) = self.client.get().and_then(Weak::upgrade) else {
            return;
        };
        let client = Client {
            inner,
            impersonation: None,
        };
        tokio::spawn(async move {
            let Some(shared) = client.inner.shared_limits.clone() else {
                return;
            };
            let request = Request::new(Method::GET, THRESHOLD_INFORMATION, THRESHOLD_INFORMATION);
            let answer = client.execute(request).await.and_then(|a| threshold_of(&a));
            match answer {
                Ok((threshold, count)) => {
                    shared
                        .budget
                        .store(&shared.link, &namespace, threshold, count)
                        .await
                }
                Err(error) => {
                    tracing::debug!(%error, "ThresholdInformation poll failed; the next one is due shortly")
                }
            }
        });
    }
}

impl Limiter for RedisLimiter {
    fn admit<'a>(&'a self, endpoint: &'a Endpoint) -> BoxFuture<'a, Result<Permit>> {
        async move {
            let namespace = self.namespace_of(&endpoint.api);
            let exempt = endpoint.name.eq_ignore_ascii_case(THRESHOLD_INFORMATION);
            if let Some(decision) = self.budget.take(&self.link, &namespace, exempt).await {
                if decision.poll {
                    self.poll_threshold(namespace.clone());
                }
                if !decision.granted {
                    let usage = decision.usage;
                    return Err(Error::SharedBudgetReached {
                        share: usage.share,
                        integration_requests: usage.integration_requests,
                        tenant_requests: usage.tenant_requests,
                        threshold: usage.threshold,
                        budget: usage.budget,
                        retry_after: decision.retry_after,
                    });
                }
                if !decision.delay.is_zero() {
                    tokio::time::sleep(decision.delay).await;
                }
            }
            let mut leases = Vec::with_capacity(endpoint.keys.len());
            for key in &endpoint.keys {
                match self.semaphores.acquire(&namespace, key, self.slots).await {
                    Some(lease) => leases.push(lease),
                    None => {
                        // Redis became unreachable: give back what was taken and go local.
                        drop(leases);
                        return self.fallback.admit(endpoint).await;
                    }
                }
            }
            Ok(Permit::new(leases))
        }
        .boxed()
    }
}

/// `(externalRequestThreshold, currentTimeframeRequestCount)` of a `ThresholdInformation` answer.
fn threshold_of(answer: &Value) -> Result<(u64, u64)> {
    let number = |key: &str| {
        answer[key].as_u64().ok_or_else(|| {
            Error::Protocol(format!(
                "ThresholdInformation answer has no {key}: {answer}"
            ))
        })
    };
    Ok((
        number("externalRequestThreshold")?,
        number("currentTimeframeRequestCount")?,
    ))
}

/// `autotask:{<hash>}`: the API base (lower-case) and the integration code, hashed so that the code
/// never appears in Redis; the braces keep all of a namespace's keys in one Redis Cluster slot.
fn namespace(base: &Url, integration_code: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(base.as_str().to_ascii_lowercase().as_bytes());
    hasher.update(b"\n");
    hasher.update(integration_code.as_bytes());
    let mut name = String::from("autotask:{");
    for byte in &hasher.finalize()[..12] {
        let _ = write!(name, "{byte:02x}");
    }
    name.push('}');
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_differ_by_base_and_code_and_hide_the_code() {
        let a = Url::parse("https://webservices15.autotask.net/ATServicesRest/V1.0/").unwrap();
        let b = Url::parse("https://webservices2.autotask.net/ATServicesRest/V1.0/").unwrap();
        let lower = Url::parse("https://webservices15.autotask.net/atservicesrest/v1.0/").unwrap();
        assert_eq!(namespace(&a, "CODE"), namespace(&lower, "CODE"));
        assert_ne!(namespace(&a, "CODE"), namespace(&b, "CODE"));
        assert_ne!(namespace(&a, "CODE"), namespace(&a, "OTHER"));
        assert!(!namespace(&a, "CODE").contains("CODE"));
        assert!(namespace(&a, "CODE").starts_with("autotask:{"));
    }

    #[test]
    fn threshold_answers_are_read_and_broken_ones_refused() {
        let answer = serde_json::json!({
            "externalRequestThreshold": 10000,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": 250
        });
        assert_eq!(threshold_of(&answer).unwrap(), (10_000, 250));
        let broken = serde_json::json!({ "externalRequestThreshold": "many" });
        assert!(matches!(threshold_of(&broken), Err(Error::Protocol(_))));
    }
}

//! Where a request meets the shared limits: the hourly budget first (count, slow down or refuse),
//! then a lease of each endpoint it counts against; the in-process limits whenever Redis is
//! unreachable.

use super::budget::Budget;
use super::link::Link;
use super::semaphore::{Lease, Semaphores};
use super::{SharedLimits, SharedLimitsMode, SharedUsage, UsageLevel};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::send::Endpoint;
use sha1::{Digest, Sha1};
use std::fmt::Write;
use std::sync::Arc;
use tokio::sync::{watch, OwnedSemaphorePermit};
use url::Url;

/// The limiter a client built with [`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits)
/// holds.
pub(crate) struct SharedLimiter {
    link: Arc<Link>,
    semaphores: Arc<Semaphores>,
    budget: Budget,
}

impl SharedLimiter {
    /// Checks the URL; no connection is made until the first request.
    pub(crate) fn new(settings: SharedLimits) -> Result<SharedLimiter> {
        let link = Link::new(&settings.url, settings.redis_timeout, settings.retry_every)
            .map_err(|e| Error::Configuration(format!("shared limits: Redis URL: {e}")))?;
        let link = Arc::new(link);
        Ok(SharedLimiter {
            semaphores: Arc::new(Semaphores::new(Arc::clone(&link), settings.lease)),
            link,
            budget: Budget::new(settings),
        })
    }
}

/// The slots one request holds while it runs: leases in Redis, or the in-process semaphores' permits.
pub(crate) enum Permits {
    Local(#[allow(dead_code)] Vec<OwnedSemaphorePermit>),
    Shared(#[allow(dead_code)] Vec<Lease>),
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

impl Client {
    /// Takes what one attempt needs before it is sent: with shared limits, the budget's consent and a
    /// lease of every endpoint key; otherwise (or with Redis unreachable) the in-process permits.
    pub(crate) async fn admit(&self, entity: &str, endpoint: &Endpoint) -> Result<Permits> {
        let Some(shared) = self.inner.shared.as_ref() else {
            return Ok(Permits::Local(self.acquire(endpoint).await));
        };
        let base = self.base_url().await?;
        let namespace = namespace(&base, self.inner.integration_code.expose());
        // The threshold poll is what tells that the budget freed up: it is counted but never stopped.
        let exempt = entity.eq_ignore_ascii_case("ThresholdInformation");
        if let Some(decision) = shared.budget.take(&shared.link, &namespace, exempt).await {
            if decision.poll {
                self.poll_threshold(namespace.clone());
            }
            if !decision.granted {
                let usage = decision.usage;
                return Err(Error::RateLimited {
                    status: 429,
                    retry_after: Some(decision.retry_after),
                    messages: vec![format!(
                        "not sent: the shared hourly budget stopped requests at {:.0}% ({} of {} tenant requests, {} by this integration{})",
                        usage.share * 100.0,
                        usage.tenant_requests,
                        usage.threshold,
                        usage.integration_requests,
                        usage.budget.map(|b| format!(", its budget {b}")).unwrap_or_default(),
                    )],
                });
            }
            if !decision.delay.is_zero() {
                tokio::time::sleep(decision.delay).await;
            }
        }
        let mut leases = Vec::with_capacity(endpoint.keys.len());
        for key in &endpoint.keys {
            match shared
                .semaphores
                .acquire(&namespace, key, self.inner.max_concurrent)
                .await
            {
                Some(lease) => leases.push(lease),
                None => {
                    drop(leases);
                    return Ok(Permits::Local(self.acquire(endpoint).await));
                }
            }
        }
        Ok(Permits::Shared(leases))
    }

    /// One `GET ThresholdInformation` in the background by the worker the budget elected; its answer
    /// is stored for every worker.
    fn poll_threshold(&self, namespace: String) {
        let client = self.clone();
        tokio::spawn(async move {
            let Some(shared) = client.inner.shared.clone() else {
                return;
            };
            match client.api_usage().get_current_usage().await {
                Ok(answer) => shared.budget.store(&shared.link, &namespace, answer).await,
                Err(error) => {
                    tracing::debug!(%error, "ThresholdInformation poll failed; the next one is due shortly")
                }
            }
        });
    }

    /// Which limits are in force, when the client was built with
    /// [`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits) (`None` otherwise):
    /// shared through Redis, or the in-process fallback while Redis is unreachable.
    pub fn shared_limits_mode(&self) -> Option<SharedLimitsMode> {
        Some(self.inner.shared.as_ref()?.link.mode())
    }

    /// The shared hourly budget's level, as a `watch` channel that changes when the level does (for
    /// logging and alerts); `None` without shared limits.
    pub fn usage_levels(&self) -> Option<watch::Receiver<UsageLevel>> {
        Some(self.inner.shared.as_ref()?.budget.subscribe())
    }

    /// The shared hourly usage as of this client's last request (`None` before it, or without shared
    /// limits).
    pub fn shared_usage(&self) -> Option<SharedUsage> {
        self.inner.shared.as_ref()?.budget.last()
    }
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
}

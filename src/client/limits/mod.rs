//! The per-endpoint concurrency limits: Autotask allows 3 requests in flight per (integration code,
//! endpoint), so every request waits for a slot of each endpoint it counts against ([`Endpoint`]) before
//! it is sent.
//!
//! The request path (`send.rs`) sees only the [`Limiter`] seam: `admit(&Endpoint)` waits until the
//! request may be sent and returns a [`Permit`] that holds its slots until dropped (after the answer
//! has been read). `local.rs` is the in-process implementation (one semaphore per key, shared by a
//! client's clones). `redis/` (cargo feature `redis`) is the backend shared between processes: the
//! builder puts it in `Inner::limiter` instead of [`local::LocalLimiter`] (it keeps a local one to fall
//! back on while Redis is unreachable), and it also keeps the shared hourly request budget, waiting for
//! it (or refusing with [`Error::SharedBudgetReached`](crate::Error::SharedBudgetReached)) inside
//! `admit`.

pub(crate) mod local;
#[cfg(feature = "redis")]
pub(crate) mod redis;

use crate::error::Result;
use futures::future::BoxFuture;
use std::sync::Arc;
use url::Url;

/// What one request counts against: the thread-limit keys (lower-case entity names) and the name its
/// statistics go under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// Lower-case entity names, each a separate limit, in one global order.
    pub keys: Vec<String>,
    /// The entity name statistics are kept under.
    pub name: String,
    /// The API base the request goes to: limits belong to a tenant's API (and integration code), so a
    /// limiter shared between clients keeps each base apart.
    pub api: Url,
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
        let name = match crate::model::meta::entity_meta(first) {
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
        Endpoint {
            keys,
            name,
            api: base.clone(),
        }
    }
}

/// The slots one request holds; they are released when the permit is dropped.
pub(crate) struct Permit {
    _held: Box<dyn Send + Sync>,
}

impl Permit {
    /// A permit holding `held` (semaphore permits, a lease to release, ...) until it is dropped.
    pub(crate) fn new(held: impl Send + Sync + 'static) -> Self {
        Self {
            _held: Box::new(held),
        }
    }
}

/// Admits requests within the concurrency limits (the seam between the request path and a limits
/// backend).
pub(crate) trait Limiter: Send + Sync {
    /// Waits until a request to `endpoint` may be sent: a slot of every one of its keys, taken in the
    /// keys' order so that two requests cannot each hold the slot the other waits for. The request path
    /// bounds the wait by the call's budget (an error then is [`Error::Timeout`](crate::Error::Timeout)).
    /// An error from the backend fails the request.
    fn admit<'a>(&'a self, endpoint: &'a Endpoint) -> BoxFuture<'a, Result<Permit>>;
}

/// A limiter the client also keeps a typed handle to (the Redis one, for its mode and levels).
impl<L: Limiter + ?Sized> Limiter for Arc<L> {
    fn admit<'a>(&'a self, endpoint: &'a Endpoint) -> BoxFuture<'a, Result<Permit>> {
        (**self).admit(endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

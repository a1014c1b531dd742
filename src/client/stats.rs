//! Request statistics measured by this client, per endpoint (requests, errors, retries, latency).

use crate::error::Error;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Figures for one endpoint (entity collection).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointStats {
    /// Requests completed (successfully or not), retries excluded.
    pub requests: u64,
    /// Requests that ended in an error.
    pub errors: u64,
    /// Extra attempts made by retries.
    pub retries: u64,
    /// Sum of latencies, retries and waits included.
    pub total_latency: Duration,
    /// Slowest request.
    pub max_latency: Duration,
}

impl EndpointStats {
    /// Mean latency per request.
    pub fn mean_latency(&self) -> Duration {
        if self.requests == 0 {
            Duration::ZERO
        } else {
            self.total_latency / self.requests as u32
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    by_endpoint: Mutex<BTreeMap<String, EndpointStats>>,
}

impl Stats {
    pub(crate) fn record(
        &self,
        endpoint: &str,
        latency: Duration,
        retries: u32,
        error: Option<&Error>,
    ) {
        let mut map = crate::client::sync::lock(&self.by_endpoint);
        let entry = map.entry(endpoint.to_string()).or_default();
        entry.requests += 1;
        entry.retries += u64::from(retries);
        entry.errors += u64::from(error.is_some());
        entry.total_latency += latency;
        entry.max_latency = entry.max_latency.max(latency);
    }

    pub(crate) fn snapshot(&self) -> BTreeMap<String, EndpointStats> {
        crate::client::sync::lock(&self.by_endpoint).clone()
    }
}

impl super::Client {
    /// Requests, errors, retries and latency per endpoint, as measured by this client.
    pub fn endpoint_stats(&self) -> BTreeMap<String, EndpointStats> {
        self.inner.stats.snapshot()
    }
}

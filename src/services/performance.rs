//! `client.performance()`: py-autotask's `PerformanceMetrics`, measured by this client.

use crate::client::Client;
use std::time::Duration;

/// Latency and errors of one endpoint (entity collection), as this client measured them.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointPerformance {
    /// The endpoint: the first path segment under `V1.0/` (`Tickets`, `ThresholdInformation`).
    pub endpoint: String,
    /// Requests completed, successfully or not (a retried request counts once).
    pub requests: u64,
    /// Requests that ended in an error after all retries.
    pub errors: u64,
    /// Extra attempts made by retries.
    pub retries: u64,
    /// `errors / requests`.
    pub error_rate: f64,
    /// Mean time per request, retries and backoff waits included.
    pub mean_latency: Duration,
    /// Slowest request.
    pub max_latency: Duration,
}

/// py-autotask's `PerformanceMetrics`: `client.performance()`.
///
/// Autotask publishes no performance data; these figures are what this client (and its clones, which
/// share statistics) saw since it was built. No method makes a request.
#[derive(Debug, Clone)]
pub struct Performance {
    client: Client,
}

impl Client {
    /// Per-endpoint latency and error counts measured by this client.
    pub fn performance(&self) -> Performance {
        Performance {
            client: self.clone(),
        }
    }
}

impl Performance {
    /// One row per endpoint used, slowest mean latency first. No request is made.
    pub fn by_endpoint(&self) -> Vec<EndpointPerformance> {
        let mut rows: Vec<EndpointPerformance> = self
            .client
            .endpoint_stats()
            .into_iter()
            .map(|(endpoint, stats)| EndpointPerformance {
                error_rate: if stats.requests == 0 {
                    0.0
                } else {
                    stats.errors as f64 / stats.requests as f64
                },
                mean_latency: stats.mean_latency(),
                max_latency: stats.max_latency,
                requests: stats.requests,
                errors: stats.errors,
                retries: stats.retries,
                endpoint,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.mean_latency
                .cmp(&a.mean_latency)
                .then_with(|| a.endpoint.cmp(&b.endpoint))
        });
        rows
    }

    /// The figures of one endpoint (case-insensitive), `None` if this client never called it.
    pub fn endpoint(&self, endpoint: &str) -> Option<EndpointPerformance> {
        self.by_endpoint()
            .into_iter()
            .find(|row| row.endpoint.eq_ignore_ascii_case(endpoint))
    }

    /// All endpoints together: requests, errors, retries and the request-weighted mean latency.
    pub fn total(&self) -> EndpointPerformance {
        let stats = self.client.endpoint_stats();
        let requests: u64 = stats.values().map(|s| s.requests).sum();
        let errors: u64 = stats.values().map(|s| s.errors).sum();
        let total_latency: Duration = stats.values().map(|s| s.total_latency).sum();
        EndpointPerformance {
            endpoint: "*".to_string(),
            requests,
            errors,
            retries: stats.values().map(|s| s.retries).sum(),
            error_rate: if requests == 0 {
                0.0
            } else {
                errors as f64 / requests as f64
            },
            mean_latency: if requests == 0 {
                Duration::ZERO
            } else {
                total_latency.div_f64(requests as f64)
            },
            max_latency: stats
                .values()
                .map(|s| s.max_latency)
                .max()
                .unwrap_or_default(),
        }
    }
}

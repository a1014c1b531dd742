//! `client.api_usage()`: py-autotask's `APIUsageMetrics`, from the real `GET /ThresholdInformation` and
//! this client's own request counts.

use crate::client::EndpointStats;
use crate::client::{Client, Request};
use crate::error::{Error, Result};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;

/// The API's answer to `GET /V1.0/ThresholdInformation`: the tenant-wide hourly request budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdUsage {
    /// Requests allowed per timeframe (`externalRequestThreshold`, 10,000 by default).
    pub threshold: u64,
    /// The rolling timeframe in minutes (`requestThresholdTimeframe`, 60).
    pub timeframe_minutes: u64,
    /// Requests counted in the current timeframe, by every integration of the tenant, this one included
    /// (`currentTimeframeRequestCount`).
    pub current_count: u64,
}

impl ThresholdUsage {
    /// Share of the threshold used, `0.0..`; above `1.0` only if the API over-counts.
    pub fn share_used(&self) -> f64 {
        if self.threshold == 0 {
            1.0
        } else {
            self.current_count as f64 / self.threshold as f64
        }
    }

    /// Requests left in the timeframe.
    pub fn remaining(&self) -> u64 {
        self.threshold.saturating_sub(self.current_count)
    }

    pub(crate) fn from_answer(answer: &Value) -> Result<ThresholdUsage> {
        let number = |key: &str| {
            answer[key].as_u64().ok_or_else(|| {
                Error::Protocol(format!(
                    "ThresholdInformation answer has no {key}: {answer}"
                ))
            })
        };
        Ok(ThresholdUsage {
            threshold: number("externalRequestThreshold")?,
            timeframe_minutes: number("requestThresholdTimeframe")?,
            current_count: number("currentTimeframeRequestCount")?,
        })
    }
}

/// Where the tenant stands against Autotask's published latency tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RateLimitLevel {
    /// Below 50%: no added latency.
    Normal,
    /// 50% to 75%: Autotask adds about 0.5 s to each call.
    Slowed,
    /// 75% to 100%: about 1 s added to each call.
    HeavilySlowed,
    /// 100%: every integration of the tenant is refused until the window rolls on.
    Suspended,
}

impl RateLimitLevel {
    fn of(share: f64) -> RateLimitLevel {
        if share >= 1.0 {
            RateLimitLevel::Suspended
        } else if share >= 0.75 {
            RateLimitLevel::HeavilySlowed
        } else if share >= 0.5 {
            RateLimitLevel::Slowed
        } else {
            RateLimitLevel::Normal
        }
    }
}

/// The answer of [`ApiUsage::check_rate_limits`].
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitReport {
    /// The `ThresholdInformation` answer.
    pub usage: ThresholdUsage,
    /// `usage.share_used()`.
    pub share_used: f64,
    /// The latency tier `share_used` falls in.
    pub level: RateLimitLevel,
    /// Requests this client lets run at once per endpoint (Autotask allows 3 per integration code and
    /// endpoint for integrations created since 2023.1).
    pub max_concurrent_per_endpoint: usize,
    /// The endpoint this client sent most requests to, with its count.
    pub busiest_endpoint: Option<(String, u64)>,
    /// Retries this client made, over all endpoints (after rate limits, thread limits or transient
    /// failures: each one is a request that counted against the threshold for nothing).
    pub retries_seen: u64,
    /// Requests of this client that ended in an error, over all endpoints.
    pub errors_seen: u64,
    /// Concrete things to do, one sentence each; empty when nothing needs attention.
    pub advice: Vec<String>,
}

/// py-autotask's `APIUsageMetrics`: `client.api_usage()`.
#[derive(Debug, Clone)]
pub struct ApiUsage {
    client: Client,
}

impl Client {
    /// API usage: the tenant's hourly threshold (`GET /ThresholdInformation`) and this client's own
    /// per-endpoint counts.
    pub fn api_usage(&self) -> ApiUsage {
        ApiUsage {
            client: self.clone(),
        }
    }
}

impl ApiUsage {
    /// One `GET /V1.0/ThresholdInformation`. That request is itself counted against the threshold and
    /// against the `ThresholdInformation` endpoint's thread limit.
    ///
    /// ```no_run
    /// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
    /// let usage = client.api_usage().get_current_usage().await?;
    /// println!("{} of {} requests used", usage.current_count, usage.threshold);
    /// # Ok(()) }
    /// ```
    pub async fn get_current_usage(&self) -> Result<ThresholdUsage> {
        let answer = self
            .client
            .execute(Request::new(
                Method::GET,
                "ThresholdInformation",
                "ThresholdInformation",
            ))
            .await?;
        ThresholdUsage::from_answer(&answer)
    }

    /// Requests, errors, retries and latency per endpoint sent by this client and its clones since it
    /// was built. No request is made. Other integrations of the tenant are not included: only
    /// [`get_current_usage`](Self::get_current_usage) sees the tenant-wide total.
    pub fn get_usage_by_endpoint(&self) -> BTreeMap<String, EndpointStats> {
        self.client.endpoint_stats()
    }

    /// The threshold share used, the latency tier it puts the tenant in, the per-endpoint concurrency
    /// this client allows, and advice. Makes one request (`GET /ThresholdInformation`); the rest comes
    /// from this client's own statistics.
    pub async fn check_rate_limits(&self) -> Result<RateLimitReport> {
        let usage = self.get_current_usage().await?;
        let stats = self.client.endpoint_stats();
        let busiest_endpoint = stats
            .iter()
            .max_by_key(|(_, s)| s.requests)
            .map(|(endpoint, s)| (endpoint.clone(), s.requests));
        let retries_seen = stats.values().map(|s| s.retries).sum::<u64>();
        let errors_seen = stats.values().map(|s| s.errors).sum::<u64>();
        let share_used = usage.share_used();
        let level = RateLimitLevel::of(share_used);
        let max_concurrent_per_endpoint = self.client.max_concurrent_per_endpoint();
        let mut advice = Vec::new();
        match level {
            RateLimitLevel::Normal => {}
            RateLimitLevel::Slowed => advice.push(format!(
                "{:.0}% of the hourly threshold is used: Autotask now adds about 0.5 s to every call; \
                 batch reads with IncludeFields and count instead of listing where you can",
                share_used * 100.0
            )),
            RateLimitLevel::HeavilySlowed => advice.push(format!(
                "{:.0}% of the hourly threshold is used: Autotask adds about 1 s to every call and will \
                 suspend the whole tenant at 100%; postpone bulk jobs until the {}-minute window rolls on",
                share_used * 100.0,
                usage.timeframe_minutes
            )),
            RateLimitLevel::Suspended => advice.push(format!(
                "the hourly threshold of {} requests is used up: every integration of the tenant is \
                 refused until requests older than {} minutes drop out of the window",
                usage.threshold, usage.timeframe_minutes
            )),
        }
        if max_concurrent_per_endpoint > 3 {
            advice.push(format!(
                "this client allows {max_concurrent_per_endpoint} requests at once per endpoint, but \
                 integrations created since release 2023.1 get 3 threads per endpoint; more fail with \
                 Itgenatr005 (ClientBuilder::max_concurrent_per_endpoint)"
            ));
        }
        if retries_seen > 0 {
            advice.push(format!(
                "this client retried {retries_seen} request(s) after limit or transient errors; \
                 each retry counts against the threshold: lower concurrency or spread the work over time"
            ));
        }
        if let Some((endpoint, count)) = &busiest_endpoint {
            if usage.threshold > 0 && *count * 4 >= usage.threshold {
                advice.push(format!(
                    "{endpoint} alone took {count} requests from this client, a quarter or more of the \
                     threshold; cache its answers or query with larger pages (MaxRecords 500)"
                ));
            }
        }
        Ok(RateLimitReport {
            usage,
            share_used,
            level,
            max_concurrent_per_endpoint,
            busiest_endpoint,
            retries_seen,
            errors_seen,
            advice,
        })
    }
}

//! Which failures are retried, and the backoff between attempts.

use super::{Repeat, Request, RetryPolicy};
use crate::error::Error;
use crate::model::wire::Payload;
use serde_json::Value;
use std::time::Duration;

pub(super) fn may_retry(request: &Request, error: &Error, contacted: bool) -> bool {
    if !error.is_retryable() {
        return false;
    }
    // Before the server ever answered, a refused connection is a wrong address or port, or nothing
    // running there: report it at once instead of after seconds of retries.
    if !contacted && matches!(error, Error::Transport { not_sent: true, .. }) {
        return false;
    }
    match request.repeat {
        Repeat::Safe => true,
        // A create is repeated only when the server certainly did not process it.
        Repeat::Create => matches!(
            error,
            Error::RateLimited { .. }
                | Error::ThreadLimit { .. }
                | Error::SharedBudgetReached { .. }
                | Error::Transport { not_sent: true, .. }
        ),
    }
}

/// A create whose last attempt may have been processed has an unknown outcome.
pub(super) fn final_error(request: &Request, error: Error) -> Error {
    if request.repeat != Repeat::Create || !error.may_have_been_processed() {
        return error;
    }
    let reason = match &error {
        Error::Transport { timeout: true, .. } => "timed out waiting for the answer".to_string(),
        other => other.to_string(),
    };
    Error::UnknownOutcome {
        entity: request.entity.clone(),
        reason,
        payload: Payload::new(request.body.clone().unwrap_or(Value::Null)),
    }
}

pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(3600.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Exponential backoff with full jitter: uniform between zero and the capped exponential delay.
pub(super) fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exp = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let cap = exp.min(policy.max_backoff);
    let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_the_shared_budget_stopped_may_be_repeated() {
        let create = Request::new(reqwest::Method::POST, "Tickets", "Tickets");
        let stopped = Error::SharedBudgetReached {
            share: 1.0,
            integration_requests: 30,
            tenant_requests: 30,
            threshold: 10_000,
            budget: Some(30),
            retry_after: Duration::from_secs(60),
        };
        assert!(may_retry(&create, &stopped, true));
        assert!(matches!(
            final_error(&create, stopped),
            Error::SharedBudgetReached { .. }
        ));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Mon, 01 Jan 2001 00:00:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_is_full_jitter_between_zero_and_the_capped_exponential() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for attempt in [0, 2, 6] {
            let cap = Duration::from_millis(100 * 2u64.pow(attempt)).min(Duration::from_secs(1));
            let samples: Vec<Duration> = (0..4000).map(|_| backoff(&policy, attempt)).collect();
            assert!(
                samples.iter().all(|d| *d <= cap),
                "attempt {attempt}: above {cap:?}"
            );
            // Uniform over [0, cap]: about a quarter in each quarter of the range.
            for quarter in 0..4u32 {
                let (low, high) = (cap * quarter / 4, cap * (quarter + 1) / 4);
                let share = samples.iter().filter(|d| **d >= low && **d < high).count();
                assert!(
                    (800..1200).contains(&share),
                    "attempt {attempt}: {share} of 4000 delays in [{low:?}, {high:?})"
                );
            }
        }
    }
}

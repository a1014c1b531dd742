//! The hourly request threshold (PROTOCOL.md §6.1): requests in the last rolling hour, kept as
//! per-second buckets so recording is O(1) and memory stays at most 3,600 buckets.

use std::collections::VecDeque;
use std::time::Duration;

const HOUR_SECS: u64 = 3600;

/// Requests in the last hour.
#[derive(Debug, Default)]
pub struct HourlyWindow {
    buckets: VecDeque<(u64, u64)>,
    total: u64,
}

impl HourlyWindow {
    fn expire(&mut self, now_secs: u64) {
        while let Some(&(second, count)) = self.buckets.front() {
            if second + HOUR_SECS > now_secs {
                break;
            }
            self.total -= count;
            self.buckets.pop_front();
        }
    }

    /// The number of requests counted in the hour before `now_secs`.
    pub fn current(&mut self, now_secs: u64) -> u64 {
        self.expire(now_secs);
        self.total
    }

    /// Counts one request at `now_secs` and returns the new total.
    pub fn record(&mut self, now_secs: u64) -> u64 {
        self.expire(now_secs);
        match self.buckets.back_mut() {
            Some((second, count)) if *second == now_secs => *count += 1,
            _ => self.buckets.push_back((now_secs, 1)),
        }
        self.total += 1;
        self.total
    }

    /// Forgets every counted request.
    pub fn reset(&mut self) {
        self.buckets.clear();
        self.total = 0;
    }
}

/// What the threshold decides for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Serve it after this added latency (zero below 50% of the threshold).
    Serve(Duration),
    /// The tenant is suspended: 100% of the threshold was reached.
    Suspended,
}

/// Counts a request against `threshold` and decides its latency tier: `at_50` from 50%, `at_75` from
/// 75% (PROTOCOL.md §6.1).
pub fn admit(
    window: &mut HourlyWindow,
    now_secs: u64,
    threshold: u64,
    at_50: Duration,
    at_75: Duration,
) -> Admission {
    if window.current(now_secs) >= threshold {
        return Admission::Suspended;
    }
    let count = window.record(now_secs);
    if count.saturating_mul(4) >= threshold.saturating_mul(3) {
        Admission::Serve(at_75)
    } else if count.saturating_mul(2) >= threshold {
        Admission::Serve(at_50)
    } else {
        Admission::Serve(Duration::ZERO)
    }
}

/// The text of the suspension error.
pub fn suspended_message(threshold: u64) -> String {
    format!(
        "The request was refused: the API request threshold of {threshold} requests per hour has been reached for this database."
    )
}

//! The shared hourly budget: every worker's requests in per-minute buckets over a rolling hour, the
//! last `ThresholdInformation` answer (polled by one elected worker for all), and the level that
//! decides each request's slow-down or refusal.

use super::link::Link;
use super::semaphore::with_clock;
use crate::client::shared_limits::{SharedLimits, SharedUsage, UsageLevel};
use crate::client::sync::lock;
use redis::Script;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::watch;

/// KEYS: minute buckets, last threshold answer, poller lock. ARGV: own budget (0: none), stop share
/// (parts per million), exempt from the stop (1/0), assumed threshold, poll interval (ms, 0: never),
/// poller token. Counts the request unless it would pass the stop line, and elects this caller as
/// the poller when a poll is due and nobody holds the lock. Answers {granted, integration requests,
/// tenant requests, threshold, elected, ms until the oldest bucket leaves the window}.
const TAKE: &str = r"
local budget, stop, exempt = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local assumed, interval, token = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local minute = math.floor(now / 60000)
local ours, oldest = 0, minute
local buckets = redis.call('HGETALL', KEYS[1])
for i = 1, #buckets, 2 do
  local m = tonumber(buckets[i])
  if m <= minute - 60 then
    redis.call('HDEL', KEYS[1], buckets[i])
  else
    ours = ours + tonumber(buckets[i + 1])
    if m < oldest then oldest = m end
  end
end
local polled = redis.call('HMGET', KEYS[2], 'threshold', 'count', 'ours', 'at')
local threshold, tenant, at = assumed, ours, 0
if polled[1] then
  threshold, at = tonumber(polled[1]), tonumber(polled[4])
  tenant = math.max(ours, tonumber(polled[2]) + math.max(0, ours - tonumber(polled[3])))
end
local function over(used, limit) return (used + 1) * 1000000 > limit * stop end
local granted = 1
if not exempt and (over(tenant, threshold) or (budget > 0 and over(ours, budget))) then
  granted = 0
else
  redis.call('HINCRBY', KEYS[1], minute, 1)
  redis.call('PEXPIRE', KEYS[1], 3660000)
  ours, tenant = ours + 1, tenant + 1
end
local elected = 0
if interval > 0 and now - at >= interval then
  if redis.call('SET', KEYS[3], token, 'NX', 'PX', 10000) then elected = 1 end
end
return {granted, ours, tenant, threshold, elected, (oldest + 60) * 60000 - now}
";

/// KEYS: minute buckets, last threshold answer, poller lock. ARGV: threshold, tenant count, poller
/// token. Stores the answer with this integration's count at the same moment, and frees the lock.
const STORE: &str = r"
local minute = math.floor(now / 60000)
local ours = 0
local buckets = redis.call('HGETALL', KEYS[1])
for i = 1, #buckets, 2 do
  if tonumber(buckets[i]) > minute - 60 then ours = ours + tonumber(buckets[i + 1]) end
end
redis.call('HSET', KEYS[2], 'threshold', ARGV[1], 'count', ARGV[2], 'ours', ours, 'at', now)
redis.call('PEXPIRE', KEYS[2], 3660000)
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return ours
";

fn take_script() -> &'static Script {
    static CELL: OnceLock<Script> = OnceLock::new();
    with_clock(&CELL, TAKE)
}

fn store_script() -> &'static Script {
    static CELL: OnceLock<Script> = OnceLock::new();
    with_clock(&CELL, STORE)
}

/// What the budget decided for one request.
pub(super) struct Decision {
    /// Counted and allowed (after `delay`), or refused.
    pub granted: bool,
    pub delay: Duration,
    /// This worker is the one to poll `ThresholdInformation` now.
    pub poll: bool,
    /// When refused: when budget frees up at the latest (the oldest minute leaves the window).
    pub retry_after: Duration,
    pub usage: SharedUsage,
}

pub(super) struct Budget {
    settings: SharedLimits,
    /// The poller lock's value for this client.
    token: String,
    levels: watch::Sender<UsageLevel>,
    last: Mutex<Option<SharedUsage>>,
}

impl Budget {
    pub(super) fn new(settings: SharedLimits) -> Budget {
        Budget {
            settings,
            token: format!("{}-{:016x}", std::process::id(), fastrand::u64(..)),
            levels: watch::Sender::new(UsageLevel::Normal),
            last: Mutex::new(None),
        }
    }

    pub(super) fn subscribe(&self) -> watch::Receiver<UsageLevel> {
        self.levels.subscribe()
    }

    pub(super) fn last(&self) -> Option<SharedUsage> {
        lock(&self.last).clone()
    }

    fn keys(namespace: &str) -> [String; 3] {
        [
            format!("{namespace}:budget:minutes"),
            format!("{namespace}:budget:threshold"),
            format!("{namespace}:budget:poller"),
        ]
    }

    /// Counts one request (unless it would pass the stop line; `exempt` requests, the threshold polls,
    /// are always counted and allowed). `None` when Redis is unreachable.
    pub(super) async fn take(
        &self,
        link: &Arc<Link>,
        namespace: &str,
        exempt: bool,
    ) -> Option<Decision> {
        let settings = &self.settings;
        let keys = Self::keys(namespace);
        let interval_ms = if settings.poll_interval == Duration::MAX {
            0
        } else {
            settings.poll_interval.as_millis().max(1) as u64
        };
        let stop_ppm = (settings.stop_at * 1_000_000.0).round() as u64;
        let token = self.token.clone();
        let answer: Vec<i64> = link
            .run(|mut manager| async move {
                take_script()
                    .key(&keys[0])
                    .key(&keys[1])
                    .key(&keys[2])
                    .arg(settings.hourly_budget.unwrap_or(0))
                    .arg(stop_ppm)
                    .arg(u8::from(exempt))
                    .arg(settings.default_threshold)
                    .arg(interval_ms)
                    .arg(token)
                    .invoke_async(&mut manager)
                    .await
            })
            .await?;
        let [granted, ours, tenant, threshold, elected, wait_ms] = answer[..] else {
            return None;
        };
        let usage = self.usage(ours as u64, tenant as u64, threshold as u64, granted == 0);
        let delay = match (&usage.level, exempt) {
            (UsageLevel::SlowedDown { delay, .. }, false) => *delay,
            _ => Duration::ZERO,
        };
        self.publish(&usage);
        Some(Decision {
            granted: granted == 1,
            delay,
            poll: elected == 1,
            retry_after: Duration::from_millis(wait_ms.max(1000) as u64),
            usage,
        })
    }

    /// Stores a `ThresholdInformation` answer for every worker (or, on `None`, leaves the poller lock
    /// to expire so that the next poll waits a little).
    pub(super) async fn store(
        &self,
        link: &Arc<Link>,
        namespace: &str,
        threshold: u64,
        current_count: u64,
    ) {
        let keys = Self::keys(namespace);
        let token = self.token.clone();
        let ours: Option<i64> = link
            .run(|mut manager| async move {
                store_script()
                    .key(&keys[0])
                    .key(&keys[1])
                    .key(&keys[2])
                    .arg(threshold)
                    .arg(current_count)
                    .arg(token)
                    .invoke_async(&mut manager)
                    .await
            })
            .await;
        if let Some(ours) = ours {
            let ours = ours as u64;
            let usage = self.usage(ours, current_count.max(ours), threshold, false);
            self.publish(&usage);
        }
    }

    fn usage(&self, ours: u64, tenant: u64, threshold: u64, refused: bool) -> SharedUsage {
        let settings = &self.settings;
        let tenant_share = tenant as f64 / threshold.max(1) as f64;
        let own_share = settings
            .hourly_budget
            .map_or(0.0, |budget| ours as f64 / budget.max(1) as f64);
        let share = tenant_share.max(own_share);
        let level = if refused || share >= settings.stop_at {
            UsageLevel::Stopped
        } else {
            match settings
                .levels
                .iter()
                .rev()
                .find(|(from, _)| share >= *from)
            {
                Some(&(from, delay)) => UsageLevel::SlowedDown { from, delay },
                None => UsageLevel::Normal,
            }
        };
        SharedUsage {
            integration_requests: ours,
            tenant_requests: tenant,
            threshold,
            budget: settings.hourly_budget,
            share,
            level,
        }
    }

    fn publish(&self, usage: &SharedUsage) {
        *lock(&self.last) = Some(usage.clone());
        self.levels.send_if_modified(|level| {
            if *level == usage.level {
                return false;
            }
            tracing::info!(level = ?usage.level, share = usage.share, integration_requests = usage.integration_requests, tenant_requests = usage.tenant_requests, threshold = usage.threshold, "shared hourly budget level changed");
            *level = usage.level.clone();
            true
        });
    }
}

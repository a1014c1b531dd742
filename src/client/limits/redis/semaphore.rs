//! The distributed per-endpoint semaphore: slots are leases in a Redis sorted set (member: a token,
//! score: the lease's expiry in Redis server time, so workers' clocks do not matter), waiters queue
//! by ticket so that the first to ask is the first served, and a release is published so that waiters
//! in every process wake at once (they also poll, so a lost message or an expired lease only delays
//! them by a poll interval).

use super::link::Link;
use crate::client::sync::lock;
use futures::StreamExt;
use redis::Script;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// `redis.call('TIME')` in milliseconds. Scripts that read the clock must replicate their effects
/// (the default from Redis 5; `replicate_commands` asks for it on older servers).
pub(super) const NOW: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
";

/// KEYS: holders, queue, waiters, ticket counter. ARGV: token, lease (ms), limit.
/// Drops expired holders and waiters, queues the token (once), and grants it a slot when fewer
/// tokens are ahead of it in the queue than there are free slots. Answers 1 when the token holds a
/// slot.
const ACQUIRE: &str = r"
local token, lease, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, gone in ipairs(stale) do redis.call('ZREM', KEYS[2], gone) end
if #stale > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) end
local granted = 0
if redis.call('ZSCORE', KEYS[1], token) then
  redis.call('ZADD', KEYS[1], now + lease, token)
  granted = 1
else
  if not redis.call('ZSCORE', KEYS[2], token) then
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), token)
  end
  redis.call('ZADD', KEYS[3], now + lease, token)
  local ahead = redis.call('ZRANK', KEYS[2], token)
  if ahead < limit - redis.call('ZCARD', KEYS[1]) then
    redis.call('ZREM', KEYS[2], token)
    redis.call('ZREM', KEYS[3], token)
    redis.call('ZADD', KEYS[1], now + lease, token)
    granted = 1
  end
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], lease * 4) end
return granted
";

/// KEYS: holders, queue, waiters. ARGV: token, channel, endpoint. Gives the slot (or the place in
/// the queue) up and tells the waiters.
const RELEASE: &str = r"
local held = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if held > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return held
";

/// KEYS: the holders set of each lease. ARGV: lease (ms), then one token per key. Extends the leases
/// still held; answers the (1-based) positions of those already lost.
const RENEW: &str = r"
local lease = tonumber(ARGV[1])
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[i + 1]) then
    redis.call('ZADD', key, now + lease, ARGV[i + 1])
    redis.call('PEXPIRE', key, lease * 4)
  else
    table.insert(lost, i)
  end
end
return lost
";

/// A script that reads the clock first.
pub(super) fn with_clock(cell: &'static OnceLock<Script>, body: &str) -> &'static Script {
    cell.get_or_init(|| Script::new(&format!("{NOW}{body}")))
}

fn acquire_script() -> &'static Script {
    static CELL: OnceLock<Script> = OnceLock::new();
    with_clock(&CELL, ACQUIRE)
}

fn release_script() -> &'static Script {
    static CELL: OnceLock<Script> = OnceLock::new();
    CELL.get_or_init(|| Script::new(RELEASE))
}

fn renew_script() -> &'static Script {
    static CELL: OnceLock<Script> = OnceLock::new();
    with_clock(&CELL, RENEW)
}

/// The Redis keys of one endpoint's semaphore.
#[derive(Debug, Clone)]
struct Keys {
    holders: String,
    queue: String,
    waiters: String,
    tickets: String,
}

impl Keys {
    fn of(namespace: &str, endpoint: &str) -> Keys {
        let base = format!("{namespace}:sem:{endpoint}");
        Keys {
            holders: format!("{base}:holders"),
            queue: format!("{base}:queue"),
            waiters: format!("{base}:waiters"),
            tickets: format!("{base}:tickets"),
        }
    }
}

/// The semaphores of one client: its leases, their renewal and the wake-ups of its waiters.
pub(super) struct Semaphores {
    link: Arc<Link>,
    lease: Duration,
    /// Unique per client: `<pid>-<random>`; tokens are `<worker>-<n>`.
    worker: String,
    next_token: AtomicU64,
    /// Leases held now: token → holders key. The renewal task extends them all at once.
    held: Mutex<HashMap<String, String>>,
    /// Local waiters per (namespace, endpoint), woken by the release channel.
    wakers: Mutex<HashMap<String, Arc<Notify>>>,
    /// Namespaces whose release channel is listened to.
    listening: Mutex<Vec<String>>,
    renewing: OnceLock<()>,
}

/// One slot of one endpoint, held until dropped (its release is sent in the background).
pub(crate) struct Lease {
    semaphores: Arc<Semaphores>,
    keys: Keys,
    token: String,
    channel: String,
    endpoint: String,
    /// False while still queued: dropping it then only leaves the queue.
    granted: bool,
}

impl Semaphores {
    pub(super) fn new(link: Arc<Link>, lease: Duration) -> Semaphores {
        Semaphores {
            link,
            lease,
            worker: format!("{}-{:016x}", std::process::id(), fastrand::u64(..)),
            next_token: AtomicU64::new(0),
            held: Mutex::default(),
            wakers: Mutex::default(),
            listening: Mutex::default(),
            renewing: OnceLock::new(),
        }
    }

    /// Waits for a slot of `endpoint` (one of `limit`) under `namespace`; `None` when Redis became
    /// unreachable (the caller falls back to the in-process limits).
    pub(super) async fn acquire(
        self: &Arc<Self>,
        namespace: &str,
        endpoint: &str,
        limit: usize,
    ) -> Option<Lease> {
        self.start_renewal();
        let waker = self.waker(namespace, endpoint);
        let token = format!(
            "{}-{}",
            self.worker,
            self.next_token.fetch_add(1, Ordering::Relaxed)
        );
        let mut lease = Lease {
            semaphores: Arc::clone(self),
            keys: Keys::of(namespace, endpoint),
            token,
            channel: channel(namespace),
            endpoint: endpoint.to_string(),
            granted: false,
        };
        let lease_ms = self.lease.as_millis() as u64;
        // Waiters re-ask at least this often: it bounds the wait after an expired lease (nobody
        // publishes those) and keeps the waiter's own heartbeat (a lease long) fresh.
        let poll = (self.lease / 4).min(Duration::from_millis(250));
        loop {
            let notified = waker.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let keys = lease.keys.clone();
            let token = lease.token.clone();
            let granted: i64 = self
                .link
                .run(|mut manager| async move {
                    acquire_script()
                        .key(&keys.holders)
                        .key(&keys.queue)
                        .key(&keys.waiters)
                        .key(&keys.tickets)
                        .arg(&token)
                        .arg(lease_ms)
                        .arg(limit)
                        .invoke_async(&mut manager)
                        .await
                })
                .await?;
            if granted == 1 {
                lease.granted = true;
                lock(&self.held).insert(lease.token.clone(), lease.keys.holders.clone());
                return Some(lease);
            }
            let jitter = Duration::from_millis(fastrand::u64(0..=poll.as_millis() as u64 / 4));
            // Woken by a release notice, or asking again after the poll interval.
            let _ = tokio::time::timeout(poll + jitter, &mut notified).await;
        }
    }

    fn waker(self: &Arc<Self>, namespace: &str, endpoint: &str) -> Arc<Notify> {
        self.listen(namespace);
        let mut wakers = lock(&self.wakers);
        Arc::clone(
            wakers
                .entry(format!("{namespace}\n{endpoint}"))
                .or_default(),
        )
    }

    /// Subscribes (once per namespace) to the release channel, reconnecting while the client lives.
    fn listen(self: &Arc<Self>, namespace: &str) {
        {
            let mut listening = lock(&self.listening);
            if listening.iter().any(|n| n == namespace) {
                return;
            }
            listening.push(namespace.to_string());
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak = Arc::downgrade(self);
        let namespace = namespace.to_string();
        runtime.spawn(async move {
            loop {
                let Some(client) = weak.upgrade().map(|s| s.link.redis_client().clone()) else {
                    return;
                };
                if let Ok(mut pubsub) = client.get_async_pubsub().await {
                    if pubsub.subscribe(channel(&namespace)).await.is_ok() {
                        let mut messages = pubsub.on_message();
                        while let Some(message) = messages.next().await {
                            let Some(semaphores) = weak.upgrade() else {
                                return;
                            };
                            let endpoint: String = message.get_payload().unwrap_or_default();
                            let waker = lock(&semaphores.wakers)
                                .get(&format!("{namespace}\n{endpoint}"))
                                .cloned();
                            if let Some(waker) = waker {
                                waker.notify_waiters();
                            }
                        }
                    }
                }
                if weak.strong_count() == 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// One task per client extends every held lease each third of the lease time.
    fn start_renewal(self: &Arc<Self>) {
        if self.renewing.get().is_some() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.renewing.set(()).is_err() {
            return;
        }
        let weak: Weak<Semaphores> = Arc::downgrade(self);
        let every = self.lease / 3;
        runtime.spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Some(semaphores) = weak.upgrade() else {
                    return;
                };
                semaphores.renew().await;
            }
        });
    }

    async fn renew(&self) {
        let held: Vec<(String, String)> = lock(&self.held)
            .iter()
            .map(|(token, key)| (token.clone(), key.clone()))
            .collect();
        if held.is_empty() {
            return;
        }
        let lease_ms = self.lease.as_millis() as u64;
        let tokens = held.clone();
        let lost: Option<Vec<usize>> = self
            .link
            .quietly(|mut manager| async move {
                let script = renew_script();
                let mut invocation = script.prepare_invoke();
                invocation.arg(lease_ms);
                for (token, key) in &tokens {
                    invocation.key(key).arg(token);
                }
                invocation.invoke_async(&mut manager).await
            })
            .await;
        for position in lost.unwrap_or_default() {
            let Some((token, key)) = held.get(position.wrapping_sub(1)) else {
                continue;
            };
            // Still running but no longer counted: the worker was stalled longer than a lease.
            if lock(&self.held).remove(token).is_some() {
                tracing::warn!(key = %key, lease = ?self.lease, "a shared thread-limit lease expired while its request was still running (the worker stalled longer than the lease)");
            }
        }
    }
}

fn channel(namespace: &str) -> String {
    format!("{namespace}:released")
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.granted {
            lock(&self.semaphores.held).remove(&self.token);
        }
        // Without a runtime (shutting down) the lease or the queue heartbeat simply expires.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let semaphores = Arc::clone(&self.semaphores);
        let keys = self.keys.clone();
        let token = std::mem::take(&mut self.token);
        let channel = std::mem::take(&mut self.channel);
        let endpoint = std::mem::take(&mut self.endpoint);
        runtime.spawn(async move {
            let _: Option<i64> = semaphores
                .link
                .quietly(|mut manager| async move {
                    release_script()
                        .key(&keys.holders)
                        .key(&keys.queue)
                        .key(&keys.waiters)
                        .arg(&token)
                        .arg(&channel)
                        .arg(&endpoint)
                        .invoke_async(&mut manager)
                        .await
                })
                .await;
        });
    }
}

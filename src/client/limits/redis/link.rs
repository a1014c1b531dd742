//! The connection to Redis and the fallback decision: every Redis call goes through [`Link::run`],
//! which answers `None` (use the in-process limits) while Redis is unreachable, warns once when it
//! becomes so, and tries it again in the background every `retry_every`.

use crate::client::shared_limits::SharedLimitsMode;
use crate::client::sync::lock;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

pub(super) struct Link {
    client: redis::Client,
    timeout: Duration,
    retry_every: Duration,
    state: Mutex<State>,
    /// The connection, once made (`ConnectionManager` reconnects by itself after I/O errors).
    manager: tokio::sync::Mutex<Option<ConnectionManager>>,
    probing: AtomicBool,
}

struct State {
    mode: SharedLimitsMode,
    /// In fallback: when Redis is next tried.
    retry_at: Option<Instant>,
    /// Counts the mode switches. A Redis call's outcome switches the mode only if none happened since
    /// the call began: an answer to a call sent before Redis went away (or a failure of one sent before
    /// it came back) is news from the past, and acting on it would flip the mode back and forth (and
    /// warn again).
    generation: u64,
}

impl State {
    /// The generation a Redis call starts in; `None` in fallback (no call is made).
    fn begin(&self) -> Option<u64> {
        match self.mode {
            SharedLimitsMode::Fallback { .. } => None,
            _ => Some(self.generation),
        }
    }

    /// A Redis answer to a call made in `generation` (`None`: the probe): true when it ends a
    /// fallback.
    fn answered(&mut self, generation: Option<u64>) -> bool {
        if generation.is_some_and(|g| g != self.generation) {
            return false;
        }
        let recovered = match self.mode {
            SharedLimitsMode::Shared => return false,
            SharedLimitsMode::Connecting => false,
            SharedLimitsMode::Fallback { .. } => true,
        };
        self.mode = SharedLimitsMode::Shared;
        self.retry_at = None;
        self.generation += 1;
        recovered
    }

    /// A failed call made in `generation`: true when it starts a fallback (the one time to warn).
    fn failed(&mut self, reason: String, generation: u64, retry_every: Duration) -> bool {
        if matches!(self.mode, SharedLimitsMode::Fallback { .. }) || generation != self.generation {
            return false;
        }
        self.mode = SharedLimitsMode::Fallback {
            since: SystemTime::now(),
            reason,
        };
        self.retry_at = Some(Instant::now() + retry_every);
        self.generation += 1;
        true
    }
}

impl Link {
    pub(super) fn new(
        url: &str,
        timeout: Duration,
        retry_every: Duration,
    ) -> redis::RedisResult<Link> {
        Ok(Link {
            client: redis::Client::open(url)?,
            timeout,
            retry_every,
            state: Mutex::new(State {
                mode: SharedLimitsMode::Connecting,
                retry_at: None,
                generation: 0,
            }),
            manager: tokio::sync::Mutex::new(None),
            probing: AtomicBool::new(false),
        })
    }

    pub(super) fn mode(&self) -> SharedLimitsMode {
        lock(&self.state).mode.clone()
    }

    /// The client the publish/subscribe listener connects with.
    pub(super) fn redis_client(&self) -> &redis::Client {
        &self.client
    }

    pub(super) fn in_fallback(&self) -> bool {
        matches!(lock(&self.state).mode, SharedLimitsMode::Fallback { .. })
    }

    /// Runs `op` on the connection; `None` when Redis is (or just became) unreachable. In fallback, a
    /// background probe is started when one is due and `None` is answered at once. An answer is used
    /// even when the mode switched while it was on its way (it happened in Redis: a lease taken is
    /// held), but only an outcome newer than the last switch switches the mode.
    pub(super) async fn run<T, F, Fut>(self: &Arc<Self>, op: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let Some(generation) = lock(&self.state).begin() else {
            self.probe_if_due();
            return None;
        };
        match self.call(op).await {
            Ok(value) => {
                self.set_shared(Some(generation));
                Some(value)
            }
            Err(reason) => {
                self.fall_back(reason, generation);
                None
            }
        }
    }

    /// Like [`run`](Self::run) without touching the mode: for the lease bookkeeping that happens after
    /// a request (a failure there is noticed by the next request).
    pub(super) async fn quietly<T, F, Fut>(&self, op: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.in_fallback() {
            return None;
        }
        self.call(op).await.ok()
    }

    async fn call<T, F, Fut>(&self, op: F) -> Result<T, String>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let manager = self.manager().await?;
        match tokio::time::timeout(self.timeout, op(manager)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer from Redis within {:?}", self.timeout)),
        }
    }

    async fn manager(&self) -> Result<ConnectionManager, String> {
        let mut slot = self.manager.lock().await;
        if let Some(manager) = slot.as_ref() {
            return Ok(manager.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let connect = self.client.get_connection_manager_with_config(config);
        let manager = match tokio::time::timeout(self.timeout * 2, connect).await {
            Ok(Ok(manager)) => manager,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => {
                return Err(format!(
                    "cannot connect to Redis within {:?}",
                    self.timeout * 2
                ))
            }
        };
        *slot = Some(manager.clone());
        Ok(manager)
    }

    /// Shared limits again (or for the first time), after a Redis answer to a call made in
    /// `generation` (`None`: the probe, which speaks for the present).
    fn set_shared(&self, generation: Option<u64>) {
        if lock(&self.state).answered(generation) {
            tracing::info!("Redis answers again: limits are shared across workers again");
        }
    }

    /// Switches to the in-process limits after a failed call made in `generation`; warns only on the
    /// switch, not on every request after it.
    fn fall_back(&self, reason: String, generation: u64) {
        let mut state = lock(&self.state);
        let shown = reason.clone();
        if state.failed(reason, generation, self.retry_every) {
            tracing::warn!(
                error = %shown,
                retry_every = ?self.retry_every,
                "Redis is unreachable: falling back to in-process limits (each worker limits only \
                 itself until Redis answers again)"
            );
        }
    }

    /// In fallback, one background `PING` per `retry_every`; its success restores shared limits.
    fn probe_if_due(self: &Arc<Self>) {
        {
            let state = lock(&self.state);
            if state.retry_at.is_some_and(|at| Instant::now() < at) {
                return;
            }
        }
        if self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.probing.store(false, Ordering::Release);
            return;
        };
        let link = Arc::clone(self);
        runtime.spawn(async move {
            let pong = link
                .call(|mut manager| async move {
                    redis::cmd("PING").query_async::<String>(&mut manager).await
                })
                .await;
            match pong {
                Ok(_) => link.set_shared(None),
                Err(_) => lock(&link.state).retry_at = Some(Instant::now() + link.retry_every),
            }
            link.probing.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            mode: SharedLimitsMode::Connecting,
            retry_at: None,
            generation: 0,
        }
    }

    const RETRY: Duration = Duration::from_secs(5);

    #[test]
    fn one_failure_falls_back_once_and_later_failures_stay_quiet() {
        let mut state = state();
        let call = state.begin().unwrap();
        assert!(!state.answered(Some(call)));
        assert_eq!(state.mode, SharedLimitsMode::Shared);
        let (a, b) = (state.begin().unwrap(), state.begin().unwrap());
        assert!(
            state.failed("reset".into(), a, RETRY),
            "the first failure warns"
        );
        assert!(!state.failed("reset".into(), b, RETRY), "not again");
        assert!(state.begin().is_none(), "no Redis call in fallback");
        assert!(matches!(state.mode, SharedLimitsMode::Fallback { .. }));
    }

    #[test]
    fn an_answer_sent_before_the_fallback_does_not_end_it() {
        // Two calls in flight when Redis dies: the one answered just before is processed after the
        // one that failed. Taking that answer as "Redis is back" would flip to shared limits and warn
        // a second time at the next failure.
        let mut state = state();
        let first = state.begin().unwrap();
        state.answered(Some(first));
        let (answered, lost) = (state.begin().unwrap(), state.begin().unwrap());
        assert!(state.failed("connection reset".into(), lost, RETRY));
        assert!(!state.answered(Some(answered)));
        assert!(matches!(state.mode, SharedLimitsMode::Fallback { .. }));
        // Only the probe (a call of the present) ends the fallback.
        assert!(state.answered(None));
        assert_eq!(state.mode, SharedLimitsMode::Shared);
    }

    #[test]
    fn a_failure_of_a_call_sent_before_the_recovery_does_not_fall_back_again() {
        let mut state = state();
        let first = state.begin().unwrap();
        state.answered(Some(first));
        let stale = state.begin().unwrap();
        let now = state.begin().unwrap();
        assert!(state.failed("timeout".into(), now, RETRY));
        assert!(state.answered(None), "the probe restores shared limits");
        assert!(!state.failed("timeout".into(), stale, RETRY));
        assert_eq!(state.mode, SharedLimitsMode::Shared);
    }
}

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
    /// background probe is started when one is due and `None` is answered at once.
    pub(super) async fn run<T, F, Fut>(self: &Arc<Self>, op: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.in_fallback() {
            self.probe_if_due();
            return None;
        }
        match self.call(op).await {
            Ok(value) => {
                self.set_shared();
                Some(value)
            }
            Err(reason) => {
                self.fall_back(reason);
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

    fn set_shared(&self) {
        let mut state = lock(&self.state);
        match state.mode {
            SharedLimitsMode::Shared => {}
            SharedLimitsMode::Connecting => state.mode = SharedLimitsMode::Shared,
            SharedLimitsMode::Fallback { .. } => {
                state.mode = SharedLimitsMode::Shared;
                state.retry_at = None;
                tracing::info!("Redis answers again: limits are shared across workers again");
            }
        }
    }

    /// Switches to the in-process limits; warns only on the switch, not on every request after it.
    pub(super) fn fall_back(&self, reason: String) {
        let mut state = lock(&self.state);
        if matches!(state.mode, SharedLimitsMode::Fallback { .. }) {
            return;
        }
        tracing::warn!(
            error = %reason,
            retry_every = ?self.retry_every,
            "Redis is unreachable: falling back to in-process limits (each worker limits only itself \
             until Redis answers again)"
        );
        state.mode = SharedLimitsMode::Fallback {
            since: SystemTime::now(),
            reason,
        };
        state.retry_at = Some(Instant::now() + self.retry_every);
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
                Ok(_) => link.set_shared(),
                Err(_) => lock(&link.state).retry_at = Some(Instant::now() + link.retry_every),
            }
            link.probing.store(false, Ordering::Release);
        });
    }
}

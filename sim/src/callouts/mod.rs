//! Webhook callouts (PROTOCOL.md §6.8): after an API write to one of the five webhook-capable entities,
//! every active webhook of that entity whose subscriptions match gets a signed JSON callout, POSTed in the
//! background; deactivating or deleting a webhook, or deactivating the resource that owns it, sends
//! `Action:"Deactivated"` to its `deactivationUrl`.
//!
//! * [`rules`]: which writes call out, and what webhook records the simulator maintains (`webhookGUID`,
//!   `ownerResourceID`, `isReady`, deactivation).
//! * [`payload`]: the callout body, written with Autotask's escaping, and its signature.
//! * [`delivery`]: the HTTP client (reqwest), loopback-only unless allowed.
//!
//! Callouts are decided inside the write, before its API answer is sent, and delivered one at a time in
//! write order by one background task; the answer never waits for a delivery.

mod delivery;
mod payload;
mod rules;

pub use rules::{after_write, field_id_picklists, is_supported_field, Change};

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// One callout attempt, as recorded by the simulator.
#[derive(Debug, Clone, PartialEq)]
pub struct CalloutDelivery {
    /// The webhook entity (`TicketWebhooks`).
    pub webhook_entity: String,
    /// The webhook's id.
    pub webhook_id: i64,
    /// `Create`, `Update`, `Delete` or `Deactivated`.
    pub action: String,
    /// Where it was sent (`webhookUrl`, or `deactivationUrl` for `Deactivated`).
    pub url: String,
    /// The exact body text sent (escaped as Autotask escapes it).
    pub body: String,
    /// The `X-Hook-Signature` header sent.
    pub signature: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why there is no status: refused (non-loopback or unsupported URL), connection failure or timeout.
    pub error: Option<String>,
}

impl CalloutDelivery {
    /// True when the receiver answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// How callouts are delivered.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    /// Call hosts other than loopback addresses too.
    pub allow_non_loopback: bool,
    /// Limit on one delivery (connect, send, read the answer).
    pub timeout: Duration,
}

/// Callouts decided and attempted so far; attempts catch up with decisions when the outbox is idle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Progress {
    decided: u64,
    attempted: u64,
}

/// The per-simulator callout state: sequence numbers, the delivery queue and the (bounded) log.
#[derive(Debug)]
pub struct Outbox {
    queue: mpsc::UnboundedSender<CalloutDelivery>,
    sequences: Mutex<HashMap<(String, i64), i64>>,
    log: Arc<Mutex<VecDeque<CalloutDelivery>>>,
    progress: watch::Sender<Progress>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Outbox {
    /// The outbox and its delivery task (spawned on the current runtime; it ends when the outbox drops).
    /// The log keeps the last `log_capacity` attempts.
    pub fn start(options: DeliveryOptions, log_capacity: usize) -> Outbox {
        let (queue, mut jobs) = mpsc::unbounded_channel::<CalloutDelivery>();
        let log: Arc<Mutex<VecDeque<CalloutDelivery>>> = Arc::default();
        let (progress, _) = watch::channel(Progress::default());
        let worker_log = Arc::clone(&log);
        let worker_progress = progress.clone();
        tokio::spawn(async move {
            let client = delivery::client(options);
            while let Some(mut job) = jobs.recv().await {
                match delivery::send(&client, &job, options).await {
                    Ok(status) => job.status = Some(status),
                    Err(error) => job.error = Some(error),
                }
                {
                    let mut log = lock(&worker_log);
                    if log_capacity > 0 {
                        if log.len() == log_capacity {
                            log.pop_front();
                        }
                        log.push_back(job);
                    }
                }
                worker_progress.send_modify(|p| p.attempted += 1);
            }
        });
        Outbox {
            queue,
            sequences: Mutex::default(),
            log,
            progress,
        }
    }

    fn next_sequence(&self, webhook_entity: &str, webhook_id: i64) -> i64 {
        let mut sequences = lock(&self.sequences);
        let n = sequences
            .entry((webhook_entity.to_string(), webhook_id))
            .or_insert(0);
        *n += 1;
        *n
    }

    fn enqueue(&self, delivery: CalloutDelivery) {
        self.progress.send_modify(|p| p.decided += 1);
        // The worker lives as long as the outbox; a send error means the simulator is shutting down.
        if self.queue.send(delivery).is_err() {
            self.progress.send_modify(|p| p.attempted += 1);
        }
    }

    /// Every attempt kept, oldest first.
    pub fn log(&self) -> Vec<CalloutDelivery> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Empties the log (sequence numbers keep counting).
    pub fn clear_log(&self) {
        lock(&self.log).clear();
    }

    /// Waits until at least `count` attempts are in the log or `timeout` passes; returns the log.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<CalloutDelivery> {
        let mut progress = self.progress.subscribe();
        let _ = tokio::time::timeout(timeout, async {
            while lock(&self.log).len() < count {
                if progress.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
        self.log()
    }

    /// Waits until every callout decided so far has been attempted (or `timeout` passes); returns the log.
    pub async fn settled(&self, timeout: Duration) -> Vec<CalloutDelivery> {
        let mut progress = self.progress.subscribe();
        let _ =
            tokio::time::timeout(timeout, progress.wait_for(|p| p.attempted >= p.decided)).await;
        self.log()
    }
}

//! The in-process [`Limiter`]: one semaphore of `max_concurrent_per_endpoint` slots per key, shared by a
//! client and its clones (not by separate clients or processes).

use super::{Endpoint, Limiter, Permit};
use crate::client::sync::lock;
use crate::error::Result;
use futures::future::BoxFuture;
use futures::FutureExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Semaphores per lower-case entity name, created on first use.
pub(crate) struct LocalLimiter {
    slots: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl LocalLimiter {
    /// `slots` requests in flight per key (at least 1).
    pub(crate) fn new(slots: usize) -> Self {
        Self {
            slots: slots.max(1),
            semaphores: Mutex::default(),
        }
    }
}

impl Limiter for LocalLimiter {
    fn admit<'a>(&'a self, endpoint: &'a Endpoint) -> BoxFuture<'a, Result<Permit>> {
        async move {
            let semaphores: Vec<Arc<Semaphore>> = {
                let mut map = lock(&self.semaphores);
                endpoint
                    .keys
                    .iter()
                    .map(|key| {
                        map.entry(key.clone())
                            .or_insert_with(|| Arc::new(Semaphore::new(self.slots)))
                            .clone()
                    })
                    .collect()
            };
            let mut permits = Vec::with_capacity(semaphores.len());
            for semaphore in semaphores {
                // The semaphores are never closed, so acquiring cannot fail.
                if let Ok(permit) = semaphore.acquire_owned().await {
                    permits.push(permit);
                }
            }
            Ok(Permit::new(permits))
        }
        .boxed()
    }
}

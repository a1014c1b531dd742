//! Request limits: the rolling-hour threshold per database, concurrent threads per
//! (integration code, endpoint), and the attachment byte window.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The text of the thread-limit error (PROTOCOL.md §6.2).
pub fn thread_limit_message(limit: usize) -> String {
    format!(
        "Thread Threshold Exceeded - The Autotask API thread threshold of {limit} threads has been exceeded. Itgenatr005"
    )
}

/// Requests in the last hour, kept as per-second buckets so recording is O(1).
#[derive(Debug, Default)]
pub struct HourlyWindow {
    buckets: VecDeque<(u64, u64)>,
    total: u64,
}

const HOUR_SECS: u64 = 3600;

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

/// Busy request slots per (integration code, endpoint).
#[derive(Debug, Default)]
pub struct ThreadSlots {
    busy: Mutex<HashMap<(String, String), usize>>,
}

/// Holds one slot until dropped.
#[derive(Debug)]
pub struct ThreadGuard {
    slots: Arc<ThreadSlots>,
    key: (String, String),
}

impl ThreadSlots {
    /// Takes a slot for `key`, or `None` when `limit` slots are already busy.
    pub fn acquire(self: &Arc<Self>, key: (String, String), limit: usize) -> Option<ThreadGuard> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let count = busy.entry(key.clone()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(ThreadGuard {
            slots: Arc::clone(self),
            key,
        })
    }
}

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        let mut busy = self.slots.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = busy.get_mut(&self.key) {
            *count = count.saturating_sub(1);
        }
    }
}

/// Attachment bytes accepted in the last five minutes.
#[derive(Debug, Default)]
pub struct AttachmentWindow {
    uploads: VecDeque<(Instant, u64)>,
    total: u64,
}

const ATTACHMENT_WINDOW: Duration = Duration::from_secs(300);

impl AttachmentWindow {
    /// Accounts `bytes` if the window has room under `limit`; false otherwise.
    pub fn try_add(&mut self, bytes: u64, limit: u64, now: Instant) -> bool {
        while let Some(&(at, size)) = self.uploads.front() {
            if now.duration_since(at) < ATTACHMENT_WINDOW {
                break;
            }
            self.total -= size;
            self.uploads.pop_front();
        }
        if self.total + bytes > limit {
            return false;
        }
        self.total += bytes;
        self.uploads.push_back((now, bytes));
        true
    }
}

//! The request log tests read: the last N requests (how each was answered) plus counters over every
//! request since start, so that a long load test or a sandbox left running for days stays flat.

use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

/// How many requests the log keeps unless configured otherwise.
pub const DEFAULT_LOG_CAPACITY: usize = 10_000;

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query string as sent (`/ATServicesRest/V1.0/Tickets/query?search=...`).
    pub path: String,
    /// The HTTP status answered (0 when the connection was dropped without an answer).
    pub status: u16,
    /// Request body size in bytes.
    pub body_size: usize,
    /// The request body, when it was JSON.
    pub body: Option<Value>,
    /// True when an injected fault closed the connection instead of answering.
    pub connection_dropped: bool,
}

/// Counts over every request served since start (not affected by the log's capacity or by clearing it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestCounts {
    /// Every request served.
    pub total: u64,
    /// Requests per HTTP status answered (`0`: connection dropped by a fault).
    pub by_status: BTreeMap<u16, u64>,
    /// Requests that fell out of the log because it was full.
    pub evicted: u64,
}

/// The last `capacity` requests plus [`RequestCounts`].
#[derive(Debug)]
pub struct RequestLog {
    entries: VecDeque<LoggedRequest>,
    capacity: usize,
    counts: RequestCounts,
}

impl RequestLog {
    /// An empty log keeping at most `capacity` requests.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity,
            counts: RequestCounts::default(),
        }
    }

    /// Records a request, evicting the oldest when full.
    pub fn push(&mut self, request: LoggedRequest) {
        self.counts.total += 1;
        *self.counts.by_status.entry(request.status).or_default() += 1;
        if self.capacity == 0 {
            self.counts.evicted += 1;
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.counts.evicted += 1;
        }
        self.entries.push_back(request);
    }

    /// The kept requests, oldest first.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }

    /// Forgets the kept requests (the counts go on).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The counters.
    pub fn counts(&self) -> RequestCounts {
        self.counts.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(status: u16) -> LoggedRequest {
        LoggedRequest {
            method: "GET".into(),
            path: "/x".into(),
            status,
            body_size: 0,
            body: None,
            connection_dropped: false,
        }
    }

    #[test]
    fn keeps_the_last_n_and_counts_all() {
        let mut log = RequestLog::new(3);
        for status in [200, 200, 500, 200, 429] {
            log.push(request(status));
        }
        let kept: Vec<u16> = log.entries().iter().map(|r| r.status).collect();
        assert_eq!(kept, [500, 200, 429]);
        let counts = log.counts();
        assert_eq!((counts.total, counts.evicted), (5, 2));
        assert_eq!(counts.by_status[&200], 3);
        log.clear();
        assert!(log.entries().is_empty());
        assert_eq!(log.counts().total, 5);
    }
}

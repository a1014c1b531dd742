//! A bounded in-memory journal of the writes (create, update, replace, delete) this client sent.
//!
//! Autotask keeps no general audit log reachable through the REST API, so the SDK remembers what *it*
//! wrote: method, entity, record id, time, impersonated resource and outcome. The journal is shared by
//! every clone of a [`Client`](crate::Client) and holds the newest [`JOURNAL_CAPACITY`] entries; older
//! ones are dropped (the count of dropped entries is kept, so a reader knows the window is partial).
//! Reads, queries and counts (including `POST .../query`) are not recorded. The operations layer
//! ([`crate::ops`]) records every write it sends, also when its call is cancelled or panics.

use crate::error::Error;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Entries kept; the oldest is dropped when a new write arrives at this size.
pub const JOURNAL_CAPACITY: usize = 1024;

/// How a journaled write ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteOutcome {
    /// The API accepted the write.
    Succeeded,
    /// The API (or the transport) refused it; the error's text.
    Failed(String),
    /// The request may or may not have been processed ([`Error::UnknownOutcome`]).
    Unknown(String),
}

/// One write sent through the client.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    /// When the answer (or the final error) arrived.
    pub at: DateTime<Utc>,
    /// `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: String,
    /// The REST collection written (`Tickets`, `TicketNotes`).
    pub entity: String,
    /// The record id: from the answer's `itemId`, else the body's `id`, else the path's last segment
    /// (deletes); `None` when none of those carried one (a failed create).
    pub id: Option<i64>,
    /// The `ImpersonationResourceId` the request carried.
    pub impersonation: Option<i64>,
    /// How the write ended.
    pub outcome: WriteOutcome,
}

/// The journal itself, owned by the client.
#[derive(Debug, Default)]
pub(crate) struct WriteJournal {
    state: Mutex<JournalState>,
}

#[derive(Debug, Default)]
struct JournalState {
    entries: VecDeque<JournalEntry>,
    dropped: u64,
}

/// A write about to be sent: what the journal needs from its request.
pub(crate) struct PendingWrite {
    method: String,
    entity: String,
    /// From the body's `id` (updates) or the path's last segment (deletes).
    id: Option<i64>,
    impersonation: Option<i64>,
}

impl PendingWrite {
    /// A write of `method` (`POST`, `PATCH`, `PUT`, `DELETE`) to `entity`; `id` is the record's id when
    /// known before the answer (updates, deletes).
    pub(crate) fn new(
        method: &str,
        entity: &str,
        id: Option<i64>,
        impersonation: Option<i64>,
    ) -> PendingWrite {
        PendingWrite {
            method: method.to_string(),
            entity: entity.to_string(),
            id,
            impersonation,
        }
    }
}

impl WriteJournal {
    /// Records a finished write.
    pub(crate) fn record(&self, write: PendingWrite, result: Result<&Value, &Error>) {
        let answer_id = result.ok().and_then(|answer| answer["itemId"].as_i64());
        let outcome = match result {
            Ok(_) => WriteOutcome::Succeeded,
            Err(error @ Error::UnknownOutcome { .. }) => WriteOutcome::Unknown(error.to_string()),
            Err(error) => WriteOutcome::Failed(error.to_string()),
        };
        self.push(write, answer_id, outcome);
    }

    /// Records a write whose call ended before its outcome was known (its future was dropped, or a
    /// panic unwound through it): it may have reached the server.
    pub(crate) fn record_interrupted(&self, write: PendingWrite) {
        let reason =
            "the call ended (cancelled or panicked) before the answer was read".to_string();
        self.push(write, None, WriteOutcome::Unknown(reason));
    }

    fn push(&self, write: PendingWrite, answer_id: Option<i64>, outcome: WriteOutcome) {
        let entry = JournalEntry {
            at: Utc::now(),
            method: write.method,
            entity: write.entity,
            id: answer_id.or(write.id),
            impersonation: write.impersonation,
            outcome,
        };
        let mut state = crate::client::sync::lock(&self.state);
        if state.entries.len() == JOURNAL_CAPACITY {
            state.entries.pop_front();
            state.dropped += 1;
        }
        state.entries.push_back(entry);
    }

    /// The entries kept, oldest first, and how many older ones were dropped.
    pub(crate) fn snapshot(&self) -> (Vec<JournalEntry>, u64) {
        let state = crate::client::sync::lock(&self.state);
        (state.entries.iter().cloned().collect(), state.dropped)
    }
}

impl crate::Client {
    /// The writes this client (and its clones) sent, oldest first, at most [`JOURNAL_CAPACITY`]; and
    /// how many older entries were dropped to stay within it. No request is made.
    pub fn write_journal(&self) -> (Vec<JournalEntry>, u64) {
        self.inner.journal.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(method: &str, id: Option<i64>) -> PendingWrite {
        PendingWrite::new(method, "Tickets", id, Some(7))
    }

    #[test]
    fn ids_come_from_the_answer_or_the_write() {
        let journal = WriteJournal::default();
        journal.record(write("POST", None), Ok(&json!({"itemId": 5})));
        journal.record(
            write("PATCH", Some(6)),
            Err(&Error::InvalidInput("no".into())),
        );
        journal.record(write("DELETE", Some(9)), Ok(&Value::Null));
        let (entries, dropped) = journal.snapshot();
        assert_eq!(dropped, 0);
        let ids: Vec<_> = entries.iter().map(|e| e.id).collect();
        assert_eq!(ids, [Some(5), Some(6), Some(9)]);
        assert_eq!(entries[0].outcome, WriteOutcome::Succeeded);
        assert!(matches!(&entries[1].outcome, WriteOutcome::Failed(m) if m.contains("no")));
        assert!(entries.iter().all(|e| e.impersonation == Some(7)));
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let journal = WriteJournal::default();
        for i in 0..JOURNAL_CAPACITY + 3 {
            journal.record(write("POST", None), Ok(&json!({ "itemId": i as i64 })));
        }
        let (entries, dropped) = journal.snapshot();
        assert_eq!(entries.len(), JOURNAL_CAPACITY);
        assert_eq!(dropped, 3);
        assert_eq!(entries[0].id, Some(3));
    }
}

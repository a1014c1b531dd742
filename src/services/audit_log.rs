//! `client.audit_log()`: py-autotask's `AuditLogs`, from the real history and deletion-log collections
//! plus the journal of writes made through this client.
//!
//! The REST API has no general audit log. What it does have: `TicketHistory` (changes to tickets),
//! `DeletedTicketLogs` (deleted tickets), `DeletedTicketActivityLogs` (deleted ticket notes, time
//! entries and attachments) and `DeletedTaskActivityLogs` (the same for tasks). Every other entity's
//! changes are visible only through this client's own [write journal](crate::Client::write_journal).

use crate::client::journal::{JournalEntry, WriteOutcome};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::meta::entity_meta;
use crate::model::wire::datetime;
use crate::query::{Filter, Op};
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::Value;

/// Where an [`AuditEvent`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditSource {
    /// A `TicketHistory` record.
    TicketHistory,
    /// A `DeletedTicketLogs` record.
    DeletedTicketLog,
    /// A `DeletedTicketActivityLogs` record.
    DeletedTicketActivityLog,
    /// A `DeletedTaskActivityLogs` record.
    DeletedTaskActivityLog,
    /// This client's write journal.
    Journal,
}

/// One thing that happened, from any [`AuditSource`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// When it happened (`date`, `deletedDateTime`, or the journal's time); `None` if the API sent none.
    pub at: Option<DateTime<Utc>>,
    /// Which collection (or the journal) reported it.
    pub source: AuditSource,
    /// The id of the history or log record; `None` for journal entries.
    pub record_id: Option<i64>,
    /// The collection the event is about (`Tickets`, `Tasks`, or the entity a journaled write touched).
    pub entity: String,
    /// The record the event is about.
    pub entity_id: Option<i64>,
    /// Who did it: `resourceID` (history), `deletedByResourceID` (deletion logs), or the impersonated
    /// resource of a journaled write (`None` when the write was not impersonated).
    pub resource_id: Option<i64>,
    /// What happened: TicketHistory's `action`, `deleted ticket`, `deleted ticket activity`,
    /// `deleted task activity`, or the journaled HTTP method.
    pub action: String,
    /// Details: TicketHistory's `detail`, the deleted item's number and title, or the write's outcome.
    pub detail: String,
}

/// One history or deletion-log collection and the fields the queries use.
struct HistorySource {
    kind: AuditSource,
    collection: &'static str,
    date_field: &'static str,
    user_field: &'static str,
    target_field: &'static str,
    target_entity: &'static str,
}

const SOURCES: [HistorySource; 4] = [
    HistorySource {
        kind: AuditSource::TicketHistory,
        collection: "TicketHistory",
        date_field: "date",
        user_field: "resourceID",
        target_field: "ticketID",
        target_entity: "Tickets",
    },
    HistorySource {
        kind: AuditSource::DeletedTicketLog,
        collection: "DeletedTicketLogs",
        date_field: "deletedDateTime",
        user_field: "deletedByResourceID",
        target_field: "ticketID",
        target_entity: "Tickets",
    },
    HistorySource {
        kind: AuditSource::DeletedTicketActivityLog,
        collection: "DeletedTicketActivityLogs",
        date_field: "deletedDateTime",
        user_field: "deletedByResourceID",
        target_field: "ticketID",
        target_entity: "Tickets",
    },
    HistorySource {
        kind: AuditSource::DeletedTaskActivityLog,
        collection: "DeletedTaskActivityLogs",
        date_field: "deletedDateTime",
        user_field: "deletedByResourceID",
        target_field: "taskID",
        target_entity: "Tasks",
    },
];

impl HistorySource {
    fn event(&self, record: &Value) -> AuditEvent {
        let text = |key: &str| record[key].as_str().unwrap_or_default().to_string();
        let (action, detail) = match self.kind {
            AuditSource::TicketHistory => (text("action"), text("detail")),
            AuditSource::DeletedTicketLog => (
                "deleted ticket".to_string(),
                format!("{} {}", text("ticketNumber"), text("ticketTitle")),
            ),
            AuditSource::DeletedTicketActivityLog => (
                "deleted ticket activity".to_string(),
                format!("{} {}", text("ticketNumber"), text("noteOrAttachmentTitle")),
            ),
            _ => (
                "deleted task activity".to_string(),
                format!("{} {}", text("taskNumber"), text("noteOrAttachmentTitle")),
            ),
        };
        AuditEvent {
            at: record[self.date_field].as_str().and_then(datetime::parse),
            source: self.kind,
            record_id: record["id"].as_i64(),
            entity: self.target_entity.to_string(),
            entity_id: record[self.target_field].as_i64(),
            resource_id: record[self.user_field].as_i64(),
            action,
            detail: detail.trim().to_string(),
        }
    }
}

fn journal_event(entry: JournalEntry) -> AuditEvent {
    let detail = match &entry.outcome {
        WriteOutcome::Succeeded => "succeeded".to_string(),
        WriteOutcome::Failed(message) => format!("failed: {message}"),
        WriteOutcome::Unknown(message) => format!("outcome unknown: {message}"),
    };
    AuditEvent {
        at: Some(entry.at),
        source: AuditSource::Journal,
        record_id: None,
        entity: entry.entity,
        entity_id: entry.id,
        resource_id: entry.impersonation,
        action: entry.method,
        detail,
    }
}

/// What every [`AuditLog`] method returns: the events found, and the sources that could not be read.
#[derive(Debug)]
pub struct AuditTrail {
    /// The events of the sources that answered, merged with the journal's, newest first (events
    /// without a time last).
    pub events: Vec<AuditEvent>,
    /// One `(source, error)` per collection whose query failed, in query order; such a source
    /// contributes no events.
    pub skipped: Vec<(AuditSource, Error)>,
}

/// py-autotask's `AuditLogs`: `client.audit_log()`.
///
/// Every method returns an [`AuditTrail`] of `events` and `skipped` sources: the events of the sources that answered, merged with
/// the journal's, newest first (events without a time last); and one `(source, error)` per
/// collection whose query failed (refused by the API, a server or transport error after the
/// client's retries, an answer that could not be read), in query order. A failed source does not
/// fail the call and contributes no events, not even those of pages read before the failure; the
/// other sources and the journal are still returned. Errors found before any request (an unknown
/// entity name, a time window chrono cannot represent) are returned as `Err`.
///
/// The `TicketHistory` filters sent (`date` by [`get_recent_activity`](Self::get_recent_activity),
/// `resourceID` by [`get_by_user`](Self::get_by_user), `ticketID` by
/// [`get_by_entity`](Self::get_by_entity)) work on the simulator; whether the real API accepts a
/// `TicketHistory` query filtered by `date` or `resourceID` (rather than `ticketID`) is unverified.
/// If it refuses one, that shows up as a skipped [`AuditSource::TicketHistory`], not as a failed
/// call.
#[derive(Debug, Clone)]
pub struct AuditLog {
    client: Client,
}

impl Client {
    /// History and deletion logs, merged with this client's write journal.
    pub fn audit_log(&self) -> AuditLog {
        AuditLog {
            client: self.clone(),
        }
    }
}

impl AuditLog {
    /// Events of the last `hours` hours, newest first, and the sources that failed (see [`AuditLog`]).
    ///
    /// Requests: one query (`POST {E}/query`, paged to the end) on each of `TicketHistory` (`date`),
    /// `DeletedTicketLogs`, `DeletedTicketActivityLogs` and `DeletedTaskActivityLogs`
    /// (`deletedDateTime`), one after another, filtered `>= now - hours`; plus the journal entries of
    /// that window (no request). Every match is returned, so a busy tenant and a long window make a
    /// long list. Collections whose feature group is not compiled are not queried. An `hours` reaching
    /// before the earliest date chrono can represent is an [`Error::InvalidInput`] (no request).
    ///
    /// ```no_run
    /// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
    /// let trail = client.audit_log().get_recent_activity(24).await?;
    /// for (source, error) in &trail.skipped {
    ///     eprintln!("{source:?} not read: {error}");
    /// }
    /// println!("{} events", trail.events.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_recent_activity(&self, hours: u32) -> Result<AuditTrail> {
        let now = Utc::now();
        let since = Span::try_hours(i64::from(hours))
            .and_then(|span| now.checked_sub_signed(span))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "recent activity: {hours} hours before {} is before the earliest date chrono can represent",
                    datetime::format(&now)
                ))
            })?;
        let since_text = datetime::format(&since);
        self.collect(
            SOURCES.iter().collect(),
            |source| Filter::condition(source.date_field, Op::Gte, since_text.as_str()),
            |entry| entry.at >= since,
        )
        .await
    }

    /// Events caused by resource `resource_id`, newest first, and the sources that failed (see [`AuditLog`]).
    ///
    /// Requests: one query on each of the four collections (`TicketHistory.resourceID`, the deletion
    /// logs' `deletedByResourceID`), one after another, paged to the end; plus journal entries whose
    /// impersonated resource is `resource_id` (writes made without impersonation belong to the API
    /// user, not to a resource).
    pub async fn get_by_user(&self, resource_id: i64) -> Result<AuditTrail> {
        self.collect(
            SOURCES.iter().collect(),
            |source| Filter::condition(source.user_field, Op::Eq, resource_id),
            |entry| entry.impersonation == Some(resource_id),
        )
        .await
    }

    /// Events about record `id` of `entity_type` (a collection or model name, or an alias such as
    /// `InstalledProducts`), newest first, and the sources that failed (see [`AuditLog`]).
    ///
    /// Requests: for `Tickets`, one query each on `TicketHistory`, `DeletedTicketLogs` and
    /// `DeletedTicketActivityLogs` (`ticketID = id`); for `Tasks`, one on `DeletedTaskActivityLogs`
    /// (`taskID = id`); for any other entity, none: Autotask keeps no history for it, and only the
    /// journal's entries for that record are returned. An unknown name is an error (no request).
    pub async fn get_by_entity(&self, entity_type: &str, id: i64) -> Result<AuditTrail> {
        let entity = self.client.entities().get_entity(entity_type)?.meta().name;
        let sources = SOURCES
            .iter()
            .filter(|s| s.target_entity == entity)
            .collect();
        self.collect(
            sources,
            |source| Filter::condition(source.target_field, Op::Eq, id),
            |entry| entry.entity.eq_ignore_ascii_case(entity) && entry.id == Some(id),
        )
        .await
    }

    async fn collect(
        &self,
        sources: Vec<&HistorySource>,
        filter: impl Fn(&HistorySource) -> Filter,
        journaled: impl Fn(&JournalEntry) -> bool,
    ) -> Result<AuditTrail> {
        let mut events = Vec::new();
        let mut skipped = Vec::new();
        for source in sources {
            // A collection whose feature group is not compiled into this build is not queried.
            if entity_meta(source.collection).is_none() {
                continue;
            }
            let entity = self.client.entities().get_entity(source.collection)?;
            // All of a source's pages or none of its events: a failure reports the source as skipped.
            let read: Result<Vec<Value>> = entity.query().filter(filter(source)).all().await;
            match read {
                Ok(records) => events.extend(records.iter().map(|r| source.event(r))),
                Err(error) => skipped.push((source.kind, error)),
            }
        }
        let (journal, _dropped) = self.client.write_journal();
        events.extend(
            journal
                .into_iter()
                .filter(|e| journaled(e))
                .map(journal_event),
        );
        // Newest first; events without a time last.
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(AuditTrail { events, skipped })
    }
}

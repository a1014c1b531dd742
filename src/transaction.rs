//! Compensating transactions: a unit of work whose writes are undone, as far as the API allows, when it fails.
//!
//! **This is best-effort compensation, not atomicity.** Autotask has no transactions. Every step is an
//! ordinary request that takes effect (and is visible to every other user, integration, workflow rule and
//! webhook) the moment it succeeds. If the work fails, the SDK sends *new* requests that try to reverse
//! the recorded steps, newest first:
//!
//! * a create is undone by deleting the record — only where the API offers a `DELETE` on the path it was
//!   created on (the entity metadata's [`Verbs`]). Many entities cannot be deleted at all (a `Ticket`, a
//!   `TicketNote`, a `Company`): such records **stay**, and are reported;
//! * an update is undone by a `PATCH` that writes back the values the changed fields (and UDFs) had when the
//!   step read the record with a `GET` just before its own `PATCH`. A change someone else made to those
//!   fields in between is overwritten by the restore; other fields are not touched;
//! * a create whose outcome is unknown (the answer was lost) cannot be undone: there is no id. It is
//!   reported with its payload;
//! * deletes cannot be undone at all, so they are not run as steps: [`TxEntity::delete_on_commit`] queues
//!   them and they run, in call order, only after the work succeeded. If one of them fails, the transaction
//!   fails: the creates and updates are compensated, and the deletes that already ran are reported as not
//!   undone.
//!
//! The caller gets every failure spelled out in [`TransactionError`]: the original error, the steps undone,
//! and each step that could not be undone with the reason (not deletable, outcome unknown, a compensating
//! request that failed and its error). Compensation does not retry beyond the client's retry policy and
//! does not stop at the first failure.
//!
//! Other limits: await every step inside the closure (a step still running when the closure returns is
//! not recorded); run steps one after another if their undo order matters (steps are recorded in the order
//! they complete); dropping the future returned by [`Client::transaction`] abandons the work without
//! compensation; a panic in the closure is compensated, logged, and then resumed.
//!
//! ```no_run
//! # async fn f(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::entities::{NewContactGroup, ContactGroup, Ticket, TicketPatch, TicketStatus};
//!
//! let group_id = client
//!     .transaction(|tx| async move {
//!         let group = tx.entity::<ContactGroup>().create(&NewContactGroup::new(true, "VIP")).await?;
//!         let mut patch = TicketPatch::new(42);
//!         patch.status = TicketStatus::COMPLETE.into();
//!         tx.entity::<Ticket>().update(&patch).await?; // GET /Tickets/42, then PATCH /Tickets
//!         Ok(group)
//!     })
//!     .await?;
//! # let _ = group_id;
//! # Ok(()) }
//! ```

pub use crate::error::{NotUndone, NotUndoneReason, Step, TransactionError};

use crate::client::Client;
use crate::error::{Error, NotUndoneList, Result};
use crate::model::entity::{
    Child, CreateAtRoot, CreateUnderParent, DeleteAtRoot, DeleteUnderParent, Entity, GetById,
    GetUnderParent, UpdateAtRoot, UpdateUnderParent,
};
use crate::model::meta::{entity_meta, EntityMeta, Verbs};
use crate::model::wire::Payload;
use crate::ops::core::{self, Read};
use crate::ops::encode;
use crate::ops::route::Route;
use futures::FutureExt;
use serde_json::{json, Map, Value};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

impl Client {
    /// Runs `work` as a compensating transaction (see [the module docs](crate::transaction) for exactly
    /// what is and is not guaranteed).
    ///
    /// Writes made through the [`Transaction`] handed to `work` are recorded. When `work` returns `Ok`, the
    /// deletes queued with `delete_on_commit` run and the value is returned; nothing else is sent. When
    /// `work` (or a queued delete) fails, the recorded steps are compensated newest first and the result is
    /// [`Error::Transaction`], carrying the original error and a [`TransactionError`] report.
    pub async fn transaction<T, F, Fut>(&self, work: F) -> Result<T>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let tx = Transaction {
            client: self.clone(),
            log: Arc::default(),
        };
        let worker = tx.clone();
        // Calling `work` inside the future makes a panic while building the future caught as well.
        let outcome = AssertUnwindSafe(async move { work(worker).await })
            .catch_unwind()
            .await;
        match outcome {
            Ok(Ok(value)) => match tx.commit().await {
                Ok(()) => Ok(value),
                Err(cause) => Err(tx.roll_back(cause).await),
            },
            Ok(Err(cause)) => Err(tx.roll_back(cause).await),
            Err(panic) => {
                let (undone, not_undone) = tx.compensate().await;
                tracing::error!(
                    undone = undone.len(),
                    not_undone = %NotUndoneList(&not_undone),
                    "transaction closure panicked; compensated what the API allows"
                );
                std::panic::resume_unwind(panic)
            }
        }
    }
}

/// The handle a [`Client::transaction`] closure writes through. Cheap to clone; clones share one record of
/// steps. Reads go through [`client`](Transaction::client) and are not recorded.
#[derive(Clone)]
pub struct Transaction {
    client: Client,
    log: Arc<Mutex<StepLog>>,
}

impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("steps", &self.steps())
            .finish()
    }
}

/// The steps a transaction made and the deletes it queued.
#[derive(Default)]
struct StepLog {
    entries: Vec<LoggedStep>,
    deletes: Vec<QueuedDelete>,
    /// Set when the closure has returned: no further steps are accepted.
    closed: bool,
}

struct LoggedStep {
    step: Step,
    undo: Undo,
}

/// How to reverse a step, decided when it is recorded.
enum Undo {
    Delete { route: Route, id: i64 },
    Patch { route: Route, body: Value },
    NotDeletable,
    OutcomeUnknown,
    Irreversible,
}

struct QueuedDelete {
    route: Route,
    id: i64,
}

/// True when the error shows the request was certainly not carried out, so there is nothing to undo.
/// Anything else (a lost answer, a 5xx, an unreadable 2xx answer) may have been applied.
fn certainly_not_applied(error: &Error) -> bool {
    match error {
        Error::InvalidInput(_)
        | Error::Configuration(_)
        | Error::Validation { .. }
        | Error::Permission { .. }
        | Error::NotFound { .. }
        | Error::Authentication { .. }
        | Error::RateLimited { .. }
        | Error::ThreadLimit { .. }
        | Error::SharedBudgetReached { .. } => true,
        Error::Transport { not_sent, .. } => *not_sent,
        Error::Timeout { sent, .. } => !*sent,
        Error::Http { status, .. } => (400..500).contains(status),
        _ => false,
    }
}

impl Transaction {
    /// The client, for reads inside the transaction (not recorded, never undone).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Writes to entity `E`'s root collection (`tx.entity::<Ticket>().create(..)`).
    pub fn entity<E: Entity>(&self) -> TxEntity<E> {
        TxEntity {
            tx: self.clone(),
            _entity: PhantomData,
        }
    }

    /// Writes to the children of type `E` under `parent_id` (`tx.children::<TicketNote>(ticket_id)`).
    pub fn children<E: Child>(&self, parent_id: i64) -> TxChildren<E> {
        TxChildren {
            tx: self.clone(),
            parent_id,
            _entity: PhantomData,
        }
    }

    /// Name-based writes over JSON, like [`Client::entities`]; an unknown name is [`Error::InvalidInput`].
    pub fn dynamic(&self, name: &str) -> Result<TxDynamic> {
        let meta = entity_meta(name).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{name:?} is not an Autotask REST entity known to this build"
            ))
        })?;
        Ok(TxDynamic {
            tx: self.clone(),
            route: Route::root(meta),
        })
    }

    /// The steps recorded so far, oldest first (queued deletes are not steps until they run).
    pub fn steps(&self) -> Vec<Step> {
        self.log().entries.iter().map(|e| e.step.clone()).collect()
    }

    fn log(&self) -> MutexGuard<'_, StepLog> {
        // A panic while holding the lock cannot leave the log half-written (every change is one push).
        crate::client::sync::lock(&self.log)
    }

    fn ensure_open(&self) -> Result<()> {
        if self.log().closed {
            return Err(Error::InvalidInput(
                "this transaction has finished; its handle accepts no more writes".into(),
            ));
        }
        Ok(())
    }

    fn record(&self, step: Step, undo: Undo) {
        let mut log = self.log();
        if log.closed {
            // The closure returned while this step was still running: it can no longer be compensated.
            tracing::warn!(step = %step, "transaction step finished after the transaction ended; not recorded");
            return;
        }
        log.entries.push(LoggedStep { step, undo });
    }

    async fn create(&self, route: Route, body: Value) -> Result<i64> {
        self.ensure_open()?;
        let entity = route.meta.name;
        let result = core::create(&self.client, route, body.clone()).await;
        match &result {
            Ok(id) => {
                let undo = if route.verbs().contains(Verbs::DELETE) {
                    Undo::Delete { route, id: *id }
                } else {
                    Undo::NotDeletable
                };
                let step = Step::Created {
                    entity,
                    path: route.collection(),
                    id: *id,
                };
                self.record(step, undo);
            }
            Err(error) if !certainly_not_applied(error) => {
                let step = Step::CreateOutcomeUnknown {
                    entity,
                    path: route.collection(),
                    payload: Payload::new(body),
                };
                self.record(step, Undo::OutcomeUnknown);
            }
            Err(_) => {}
        }
        result
    }

    async fn update(&self, route: Route, body: Value) -> Result<i64> {
        self.ensure_open()?;
        let id = core::check_update(route, &body)?;
        route.require(
            Verbs::GET,
            "be read by id, which a transaction needs to undo an update",
        )?;
        let entity = route.meta.name;
        let before = core::get(&self.client, route, id, Read::Fresh)
            .await?
            .ok_or_else(|| Error::NotFound {
                status: 404,
                messages: vec![format!(
                    "{entity} {id} does not exist (read before the update); nothing was changed"
                )],
            })?;
        let (restore, fields) = restore_body(route.meta, id, &body, &before);
        let result = core::update(&self.client, route, body).await;
        let applied = match &result {
            Ok(_) => true,
            Err(error) => !certainly_not_applied(error),
        };
        if applied {
            let step = Step::Updated {
                entity,
                path: route.collection(),
                id,
                fields,
            };
            let undo = Undo::Patch {
                route,
                body: restore,
            };
            self.record(step, undo);
        }
        result
    }

    fn queue_delete(&self, route: Route, id: i64) -> Result<()> {
        route.require(Verbs::DELETE, "be deleted")?;
        let mut log = self.log();
        if log.closed {
            return Err(Error::InvalidInput(
                "this transaction has finished; its handle accepts no more writes".into(),
            ));
        }
        log.deletes.push(QueuedDelete { route, id });
        Ok(())
    }

    /// Closes the log and runs the queued deletes in call order, stopping at the first failure.
    async fn commit(&self) -> Result<()> {
        let deletes = {
            let mut log = self.log();
            log.closed = true;
            std::mem::take(&mut log.deletes)
        };
        for QueuedDelete { route, id } in deletes {
            core::delete(&self.client, route, id).await?;
            // Pushed directly: the log is closed to the closure, not to the commit.
            self.log().entries.push(LoggedStep {
                step: Step::Deleted {
                    entity: route.meta.name,
                    path: route.collection(),
                    id,
                },
                undo: Undo::Irreversible,
            });
        }
        Ok(())
    }

    async fn roll_back(&self, cause: Error) -> Error {
        let (undone, not_undone) = self.compensate().await;
        Error::Transaction(Box::new(TransactionError {
            cause,
            undone,
            not_undone,
        }))
    }

    /// Reverses every recorded step, newest first, continuing past failures.
    async fn compensate(&self) -> (Vec<Step>, Vec<NotUndone>) {
        let entries = {
            let mut log = self.log();
            log.closed = true;
            log.deletes.clear();
            std::mem::take(&mut log.entries)
        };
        let mut undone = Vec::new();
        let mut not_undone = Vec::new();
        for LoggedStep { step, undo } in entries.into_iter().rev() {
            let outcome = match undo {
                Undo::Delete { route, id } => core::delete(&self.client, route, id)
                    .await
                    .map_err(NotUndoneReason::CompensationFailed),
                Undo::Patch { route, body } => core::update(&self.client, route, body)
                    .await
                    .map(drop)
                    .map_err(NotUndoneReason::CompensationFailed),
                Undo::NotDeletable => Err(NotUndoneReason::NotDeletable),
                Undo::OutcomeUnknown => Err(NotUndoneReason::OutcomeUnknown),
                Undo::Irreversible => Err(NotUndoneReason::Irreversible),
            };
            match outcome {
                Ok(()) => undone.push(step),
                Err(reason) => not_undone.push(NotUndone { step, reason }),
            }
        }
        (undone, not_undone)
    }
}

/// The PATCH that puts back what `patch` changes: `id`, each patched field with its value in `before`
/// (null when absent), and each patched UDF with its previous value. Also returns the changed field names
/// (UDFs as `userDefinedFields.Name`).
fn restore_body(meta: &EntityMeta, id: i64, patch: &Value, before: &Value) -> (Value, Vec<String>) {
    let mut restore = Map::new();
    restore.insert("id".into(), json!(id));
    let mut fields = Vec::new();
    let Some(patched) = patch.as_object() else {
        return (Value::Object(restore), fields);
    };
    for (name, value) in patched {
        if name == "id" {
            continue;
        }
        if name.eq_ignore_ascii_case("userDefinedFields") {
            let udfs: Vec<Value> = value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|udf| udf.get("name").and_then(Value::as_str))
                .map(|udf_name| {
                    fields.push(format!("userDefinedFields.{udf_name}"));
                    json!({"name": udf_name, "value": previous_udf(before, udf_name)})
                })
                .collect();
            restore.insert("userDefinedFields".into(), Value::Array(udfs));
            continue;
        }
        // The API matches names case-insensitively; answer with the canonical name.
        let canonical = meta.field(name).map_or(name.as_str(), |f| f.name);
        let previous = before
            .as_object()
            .and_then(|record| {
                record
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(canonical))
            })
            .map_or(Value::Null, |(_, v)| v.clone());
        fields.push(canonical.to_string());
        restore.insert(canonical.to_string(), previous);
    }
    (Value::Object(restore), fields)
}

fn previous_udf(before: &Value, name: &str) -> Value {
    before
        .get("userDefinedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|udf| {
            udf.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|udf| udf.get("value").cloned())
        .unwrap_or(Value::Null)
}

/// Typed writes to one entity's root collection inside a transaction: [`Transaction::entity`].
pub struct TxEntity<E> {
    tx: Transaction,
    _entity: PhantomData<fn() -> E>,
}

impl<E: CreateAtRoot> TxEntity<E> {
    /// `POST /{E}`, recorded. Undone by `DELETE /{E}/{id}` when the entity offers it; otherwise reported as
    /// not undone. A create with an unknown outcome is recorded and reported, never re-sent.
    pub async fn create(&self, record: &E::New) -> Result<i64> {
        let body = encode(E::NAME, record)?;
        self.tx.create(Route::root(E::meta()), body).await
    }
}

impl<E: UpdateAtRoot + GetById> TxEntity<E> {
    /// `GET /{E}/{id}` (the values to restore), then `PATCH /{E}`, recorded. Undone by a `PATCH` of the
    /// changed fields and UDFs back to the values read.
    pub async fn update(&self, patch: &E::Patch) -> Result<i64> {
        let body = encode(E::NAME, patch)?;
        self.tx.update(Route::root(E::meta()), body).await
    }
}

impl<E: DeleteAtRoot> TxEntity<E> {
    /// Queues `DELETE /{E}/{id}` to run only after the closure succeeded (no request now). A delete cannot be
    /// undone; if it fails, the transaction fails and is compensated.
    pub fn delete_on_commit(&self, id: i64) -> Result<()> {
        self.tx.queue_delete(Route::root(E::meta()), id)
    }
}

/// Typed writes to the children of one parent inside a transaction: [`Transaction::children`].
pub struct TxChildren<E> {
    tx: Transaction,
    parent_id: i64,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Child> TxChildren<E> {
    fn route(&self) -> Result<Route> {
        Route::child(E::meta(), self.parent_id)
    }
}

impl<E: CreateUnderParent> TxChildren<E> {
    /// `POST /{Parent}/{id}/{Seg}`, recorded. Undone by `DELETE /{Parent}/{id}/{Seg}/{childId}` when that
    /// route exists (it does not for `TicketNotes`); otherwise reported as not undone.
    pub async fn create(&self, record: &E::New) -> Result<i64> {
        let body = encode(E::NAME, record)?;
        self.tx.create(self.route()?, body).await
    }
}

impl<E: UpdateUnderParent + GetUnderParent> TxChildren<E> {
    /// `GET /{Parent}/{id}/{Seg}/{childId}`, then `PATCH /{Parent}/{id}/{Seg}`, recorded. Undone by a
    /// `PATCH` of the changed fields and UDFs back to the values read.
    pub async fn update(&self, patch: &E::Patch) -> Result<i64> {
        let body = encode(E::NAME, patch)?;
        self.tx.update(self.route()?, body).await
    }
}

impl<E: DeleteUnderParent> TxChildren<E> {
    /// Queues `DELETE /{Parent}/{id}/{Seg}/{childId}` to run only after the closure succeeded.
    pub fn delete_on_commit(&self, id: i64) -> Result<()> {
        self.tx.queue_delete(self.route()?, id)
    }
}

/// Name-based JSON writes inside a transaction: [`Transaction::dynamic`]. Operations the entity does not
/// offer at this path are [`Error::InvalidInput`], without requests.
#[derive(Clone)]
pub struct TxDynamic {
    tx: Transaction,
    route: Route,
}

impl fmt::Debug for TxDynamic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TxDynamic")
            .field("path", &self.route.collection())
            .finish()
    }
}

impl TxDynamic {
    /// The same entity's children under `parent_id`.
    pub fn children(&self, parent_id: i64) -> Result<TxDynamic> {
        Ok(TxDynamic {
            tx: self.tx.clone(),
            route: Route::child(self.route.meta, parent_id)?,
        })
    }

    /// `POST` the collection, recorded (as [`TxEntity::create`]).
    pub async fn create(&self, record: &Value) -> Result<i64> {
        self.tx.create(self.route, record.clone()).await
    }

    /// `GET` the record named by the patch's `id`, then `PATCH` the collection, recorded
    /// (as [`TxEntity::update`]).
    pub async fn update(&self, patch: &Value) -> Result<i64> {
        self.tx.update(self.route, patch.clone()).await
    }

    /// Queues a `DELETE` to run only after the closure succeeded (as [`TxEntity::delete_on_commit`]).
    pub fn delete_on_commit(&self, id: i64) -> Result<()> {
        self.tx.queue_delete(self.route, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_body_puts_back_only_patched_fields_and_udfs() {
        let meta = crate::model::meta::entity_meta("Tickets").expect("Tickets in this build");
        let before = json!({
            "id": 7, "title": "Old", "status": 1, "dueDateTime": null, "description": "untouched",
            "userDefinedFields": [{"name": "Customer Reference", "value": "R-1"}, {"name": "Other", "value": "x"}]
        });
        let patch = json!({
            "id": 7, "Title": "New", "dueDateTime": "2026-01-01T00:00:00Z",
            "userDefinedFields": [{"name": "customer reference", "value": "R-2"}, {"name": "Missing", "value": "y"}]
        });
        let (restore, fields) = restore_body(meta, 7, &patch, &before);
        assert_eq!(
            restore,
            json!({
                "id": 7, "title": "Old", "dueDateTime": null,
                "userDefinedFields": [{"name": "customer reference", "value": "R-1"}, {"name": "Missing", "value": null}]
            })
        );
        assert_eq!(
            fields,
            [
                "title",
                "dueDateTime",
                "userDefinedFields.customer reference",
                "userDefinedFields.Missing"
            ]
        );
    }

    #[test]
    fn only_refused_requests_count_as_not_applied() {
        assert!(certainly_not_applied(&Error::Validation {
            status: 500,
            messages: vec![]
        }));
        assert!(!certainly_not_applied(&Error::Http {
            status: 503,
            method: "PATCH".into(),
            path: "/x".into(),
            body: String::new()
        }));
        assert!(!certainly_not_applied(&Error::UnknownOutcome {
            entity: "Tickets".into(),
            reason: "lost".into(),
            payload: Payload::default()
        }));
        assert!(!certainly_not_applied(&Error::Protocol("no itemId".into())));
    }
}

//! Batch writes: many creates, updates or deletes of one entity, with one result per item.
//!
//! Autotask has **no batch endpoint**: a batch is one ordinary request per item (`POST`, `PATCH` or `DELETE`,
//! exactly as the single-item methods send them), run concurrently. At most
//! [`ClientBuilder::max_concurrent_per_endpoint`](crate::ClientBuilder::max_concurrent_per_endpoint) items
//! (3 by default, Autotask's thread limit) are in flight at once; the client's per-endpoint queue also
//! counts requests made elsewhere through the same client, so a batch never pushes an endpoint over the limit.
//!
//! Guarantees:
//! * one result per input item, in input order ([`BatchResults`]);
//! * a failed item never stops or hides the others; an item the client refuses before sending (an unknown
//!   field, a read-only field, a string too long) fails alone without a request;
//! * a create whose outcome is unknown (the answer was lost after the request was sent) is reported as
//!   [`Error::UnknownOutcome`] for that item and is **never re-sent**: it may have created the record.
//!
//! Limits: a batch is not atomic (use [`Client::transaction`](crate::Client::transaction) for best-effort
//! compensation); items start in input order but complete in any order, so items that depend on each
//! other belong in separate batches; each item counts against the hourly request threshold like any request.

use super::dynamic::{DynamicChildren, DynamicEntity};
use super::typed::{ChildHandle, EntityHandle};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::entity::{
    Child, CreateAtRoot, CreateUnderParent, DeleteAtRoot, DeleteUnderParent, Entity, UpdateAtRoot,
    UpdateUnderParent,
};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use std::future::IntoFuture;

/// How far a running batch has got, passed to [`Batch::on_progress`] after each item completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchProgress {
    /// Items finished so far (succeeded or failed).
    pub completed: usize,
    /// Of those, how many failed (including unknown outcomes).
    pub failed: usize,
    /// Items in the batch.
    pub total: usize,
}

/// A batch ready to run: `.await` it (or call [`run`](Batch::run)) to send the requests.
///
/// Nothing is sent until then. Built by the `create_batch`, `update_batch` and `delete_batch` methods of
/// [`EntityHandle`], [`ChildHandle`], [`DynamicEntity`] and [`DynamicChildren`].
#[must_use = "a batch sends nothing until it is awaited"]
pub struct Batch<'a> {
    entity: &'static str,
    jobs: Vec<BoxFuture<'a, Result<i64>>>,
    limit: usize,
    concurrency: usize,
    progress: Option<Box<dyn FnMut(BatchProgress) + Send + 'a>>,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("entity", &self.entity)
            .field("items", &self.jobs.len())
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl<'a> Batch<'a> {
    fn new(client: &Client, entity: &'static str, jobs: Vec<BoxFuture<'a, Result<i64>>>) -> Self {
        let limit = client.inner.max_concurrent.max(1);
        Self {
            entity,
            jobs,
            limit,
            concurrency: limit,
            progress: None,
        }
    }

    /// Items in the batch.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// True for a batch of no items (it makes no request).
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Runs at most `n` items at once. The default, and the maximum, is the client's per-endpoint limit:
    /// larger values are lowered to it, 0 is raised to 1.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.clamp(1, self.limit);
        self
    }

    /// Calls `report` after each item completes, in completion order (not input order).
    pub fn on_progress(mut self, report: impl FnMut(BatchProgress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(report));
        self
    }

    /// Sends every item and waits for all of them; the same as awaiting the batch.
    pub async fn run(self) -> BatchResults {
        let Batch {
            entity,
            jobs,
            concurrency,
            mut progress,
            ..
        } = self;
        let total = jobs.len();
        let mut slots: Vec<Option<Result<i64>>> = (0..total).map(|_| None).collect();
        // Futures are lazy: tagging them with their index sends nothing yet.
        let indexed: Vec<BoxFuture<'a, (usize, Result<i64>)>> = jobs
            .into_iter()
            .enumerate()
            .map(|(index, job)| job.map(move |result| (index, result)).boxed())
            .collect();
        // A bounded buffer: at most `concurrency` requests exist at any time, whatever the batch size.
        let mut finished = futures::stream::iter(indexed).buffer_unordered(concurrency);
        let (mut completed, mut failed) = (0, 0);
        while let Some((index, result)) = finished.next().await {
            completed += 1;
            failed += usize::from(result.is_err());
            slots[index] = Some(result);
            if let Some(report) = progress.as_mut() {
                report(BatchProgress {
                    completed,
                    failed,
                    total,
                });
            }
        }
        BatchResults {
            results: slots
                .into_iter()
                .map(|slot| {
                    // Every index is yielded exactly once by the stream; this only guards the invariant.
                    slot.unwrap_or_else(|| {
                        Err(Error::Protocol(format!(
                            "{entity}: a batch item produced no result"
                        )))
                    })
                })
                .collect(),
        }
    }
}

impl<'a> IntoFuture for Batch<'a> {
    type Output = BatchResults;
    type IntoFuture = BoxFuture<'a, BatchResults>;

    fn into_future(self) -> Self::IntoFuture {
        self.run().boxed()
    }
}

/// The outcome of a batch: one `Result` per input item, in input order. The `Ok` value is the record's id
/// (the new id for creates; the changed or deleted id for updates and deletes).
#[derive(Debug)]
pub struct BatchResults {
    results: Vec<Result<i64>>,
}

impl BatchResults {
    /// Items in the batch.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// True for an empty batch.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }

    /// Every item's result, in input order.
    pub fn results(&self) -> &[Result<i64>] {
        &self.results
    }

    /// The result of input item `index`.
    pub fn get(&self, index: usize) -> Option<&Result<i64>> {
        self.results.get(index)
    }

    /// True when every item succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(Result::is_ok)
    }

    /// `(input index, id)` of each item that succeeded, in input order.
    pub fn succeeded(&self) -> Vec<(usize, i64)> {
        self.results
            .iter()
            .enumerate()
            .filter_map(|(index, r)| r.as_ref().ok().map(|id| (index, *id)))
            .collect()
    }

    /// `(input index, error)` of each item that failed with anything but [`Error::UnknownOutcome`].
    pub fn failed(&self) -> Vec<(usize, &Error)> {
        self.errors(|e| !matches!(e, Error::UnknownOutcome { .. }))
    }

    /// `(input index, error)` of each create whose outcome is unknown ([`Error::UnknownOutcome`]): the record
    /// may exist. Check before re-sending its `payload`.
    pub fn unknown_outcomes(&self) -> Vec<(usize, &Error)> {
        self.errors(|e| matches!(e, Error::UnknownOutcome { .. }))
    }

    /// The ids of the items that succeeded, in input order (failed items are skipped).
    pub fn ids(&self) -> Vec<i64> {
        self.results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect()
    }

    /// The per-item results, in input order.
    pub fn into_results(self) -> Vec<Result<i64>> {
        self.results
    }

    fn errors(&self, keep: impl Fn(&Error) -> bool) -> Vec<(usize, &Error)> {
        self.results
            .iter()
            .enumerate()
            .filter_map(|(index, r)| r.as_ref().err().map(|e| (index, e)))
            .filter(|(_, e)| keep(e))
            .collect()
    }
}

impl From<BatchResults> for Vec<Result<i64>> {
    fn from(results: BatchResults) -> Self {
        results.results
    }
}

impl IntoIterator for BatchResults {
    type Item = Result<i64>;
    type IntoIter = std::vec::IntoIter<Result<i64>>;

    fn into_iter(self) -> Self::IntoIter {
        self.results.into_iter()
    }
}

impl<E: Entity> EntityHandle<E> {
    /// Creates every record with one [`create`](Self::create) (`POST /{E}`) each, concurrently within the
    /// per-endpoint limit; one id or error per record, in input order. See [the module docs](crate::ops::Batch).
    ///
    /// ```no_run
    /// # async fn f(client: autotask::Client) {
    /// use autotask::entities::{NewTicket, TicketPriority, TicketStatus};
    /// let tickets: Vec<NewTicket> = (1..=10)
    ///     .map(|i| NewTicket::new(0, TicketPriority::MEDIUM, TicketStatus::NEW, format!("Issue {i}")))
    ///     .collect();
    /// let results = client.tickets().create_batch(&tickets).await;
    /// println!("created {:?}", results.ids());
    /// for (index, error) in results.unknown_outcomes() {
    ///     eprintln!("ticket {index} may or may not exist: {error}");
    /// }
    /// # }
    /// ```
    pub fn create_batch<'a>(&'a self, records: &'a [E::New]) -> Batch<'a>
    where
        E: CreateAtRoot,
    {
        let jobs = records.iter().map(|r| self.create(r).boxed()).collect();
        Batch::new(self.client(), E::NAME, jobs)
    }
}

impl<E: Entity> EntityHandle<E> {
    /// Applies every patch with one [`update`](Self::update) (`PATCH /{E}`) each, concurrently within the
    /// per-endpoint limit; one result per patch, in input order. See [the module docs](crate::ops::Batch).
    pub fn update_batch<'a>(&'a self, patches: &'a [E::Patch]) -> Batch<'a>
    where
        E: UpdateAtRoot,
    {
        let jobs = patches.iter().map(|p| self.update(p).boxed()).collect();
        Batch::new(self.client(), E::NAME, jobs)
    }
}

impl<E: Entity> EntityHandle<E> {
    /// Deletes every id with one [`delete`](Self::delete) (`DELETE /{E}/{id}`) each, concurrently within the
    /// per-endpoint limit; `Ok(id)` or the error per id, in input order. See [the module docs](crate::ops::Batch).
    pub fn delete_batch<'a>(&'a self, ids: &'a [i64]) -> Batch<'a>
    where
        E: DeleteAtRoot,
    {
        let jobs = ids
            .iter()
            .map(|&id| self.delete(id).map(move |r| r.map(|()| id)).boxed())
            .collect();
        Batch::new(self.client(), E::NAME, jobs)
    }
}

impl<E: Child> ChildHandle<E> {
    /// Creates every child with one [`create`](Self::create) (`POST /{Parent}/{id}/{Seg}`) each, concurrently
    /// within the parent endpoint's limit; one id or error per record, in input order.
    /// See [the module docs](crate::ops::Batch).
    pub fn create_batch<'a>(&'a self, records: &'a [E::New]) -> Batch<'a>
    where
        E: CreateUnderParent,
    {
        let jobs = records.iter().map(|r| self.create(r).boxed()).collect();
        Batch::new(self.client(), E::NAME, jobs)
    }
}

impl<E: Child> ChildHandle<E> {
    /// Applies every patch with one [`update`](Self::update) (`PATCH /{Parent}/{id}/{Seg}`) each,
    /// concurrently within the parent endpoint's limit; one result per patch, in input order.
    pub fn update_batch<'a>(&'a self, patches: &'a [E::Patch]) -> Batch<'a>
    where
        E: UpdateUnderParent,
    {
        let jobs = patches.iter().map(|p| self.update(p).boxed()).collect();
        Batch::new(self.client(), E::NAME, jobs)
    }
}

impl<E: Child> ChildHandle<E> {
    /// Deletes every child id with one [`delete`](Self::delete) (`DELETE /{Parent}/{id}/{Seg}/{childId}`)
    /// each, concurrently within the parent endpoint's limit; `Ok(id)` or the error per id, in input order.
    pub fn delete_batch<'a>(&'a self, ids: &'a [i64]) -> Batch<'a>
    where
        E: DeleteUnderParent,
    {
        let jobs = ids
            .iter()
            .map(|&id| self.delete(id).map(move |r| r.map(|()| id)).boxed())
            .collect();
        Batch::new(self.client(), E::NAME, jobs)
    }
}

impl DynamicEntity {
    /// Creates every JSON record with one [`create`](Self::create) (`POST /{E}`) each, concurrently within
    /// the per-endpoint limit; one id or error per record, in input order (py-autotask's
    /// `create_batch`). An entity that cannot be created at its root gives every item the same
    /// [`Error::InvalidInput`], without requests.
    pub fn create_batch<'a>(&'a self, records: &'a [Value]) -> Batch<'a> {
        let jobs = records.iter().map(|r| self.create(r).boxed()).collect();
        Batch::new(self.client(), self.meta().name, jobs)
    }

    /// Applies every JSON patch (each with its `id`) with one [`update`](Self::update) (`PATCH /{E}`) each,
    /// concurrently; one result per patch, in input order (py-autotask's `update_batch`).
    pub fn update_batch<'a>(&'a self, patches: &'a [Value]) -> Batch<'a> {
        let jobs = patches.iter().map(|p| self.update(p).boxed()).collect();
        Batch::new(self.client(), self.meta().name, jobs)
    }

    /// Deletes every id with one [`delete`](Self::delete) (`DELETE /{E}/{id}`) each, concurrently;
    /// `Ok(id)` or the error per id, in input order.
    pub fn delete_batch<'a>(&'a self, ids: &'a [i64]) -> Batch<'a> {
        let jobs = ids
            .iter()
            .map(|&id| self.delete(id).map(move |r| r.map(|()| id)).boxed())
            .collect();
        Batch::new(self.client(), self.meta().name, jobs)
    }
}

impl DynamicChildren {
    /// Creates every JSON child record with one [`create`](Self::create) each, concurrently within the
    /// parent endpoint's limit; one id or error per record, in input order.
    pub fn create_batch<'a>(&'a self, records: &'a [Value]) -> Batch<'a> {
        let jobs = records.iter().map(|r| self.create(r).boxed()).collect();
        Batch::new(self.client(), self.meta().name, jobs)
    }

    /// Applies every JSON patch (each with its `id`) with one [`update`](Self::update) each, concurrently;
    /// one result per patch, in input order.
    pub fn update_batch<'a>(&'a self, patches: &'a [Value]) -> Batch<'a> {
        let jobs = patches.iter().map(|p| self.update(p).boxed()).collect();
        Batch::new(self.client(), self.meta().name, jobs)
    }

    /// Deletes every child id with one [`delete`](Self::delete) each, concurrently; `Ok(id)` or the error
    /// per id, in input order.
    pub fn delete_batch<'a>(&'a self, ids: &'a [i64]) -> Batch<'a> {
        let jobs = ids
            .iter()
            .map(|&id| self.delete(id).map(move |r| r.map(|()| id)).boxed())
            .collect();
        Batch::new(self.client(), self.meta().name, jobs)
    }
}

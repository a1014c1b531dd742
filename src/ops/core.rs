//! The untyped operations: (route, verb, JSON) in, JSON out. Each one checks the capability on its route,
//! checks its input against the metadata, sends through the client's one request path, and, for writes,
//! invalidates what the write may have changed in the cache and journals it (also when the call is
//! cancelled or panics). Typed handles, dynamic handles, batches, transactions, helpers and services
//! all come through here.

use super::checks::{body_id, check_id, check_write_body, replace_body, require_whole, Unknown};
use super::codec::RawPage;
use super::codec::{item, item_id};
use super::paging;
use super::query_builder::Record;
use super::route::Route;
use crate::client::cache::{Class, Invalidation, Lookup};
use crate::client::journal::PendingWrite;
use crate::client::{Client, Request};
use crate::error::{Error, Result, ResumePoint};
use crate::model::meta::{EntityMeta, Verbs};
use crate::query::{QuerySpec, MAX_PAGE_SIZE};
use futures::stream::{BoxStream, StreamExt};
use reqwest::Method;
use serde_json::Value;

/// Whether a read may be answered from the record cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// From the cache when it holds the record (and the cache is on).
    Cached,
    /// Always from the server (a replace or a transaction reads what it may overwrite or restore).
    Fresh,
}

/// Whether a replace body must prove it is a whole record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Whole {
    /// The caller's type guarantees it ([`FullRecord`](crate::FullRecord)).
    Guaranteed,
    /// Check that every writable field is present (JSON from the caller).
    Check,
}

/// An error stream of one item, for operations refused before any request.
pub(crate) fn failed<T: Send + 'static>(error: Error) -> BoxStream<'static, Result<T>> {
    futures::stream::once(futures::future::ready(Err(error))).boxed()
}

/// `GET {route}/{id}`: `None` for both `200 {"item":null}` and 404.
pub(crate) async fn get(
    client: &Client,
    route: Route,
    id: i64,
    read: Read,
) -> Result<Option<Value>> {
    route.require(Verbs::GET, "be read by id")?;
    check_id(route.meta.name, id)?;
    let path = route.record(id);
    let token = match read {
        Read::Fresh => None,
        Read::Cached => match client.inner.cache.lookup(
            Class::Record,
            &path,
            Some((route.meta.name, id)),
            client.impersonation(),
        ) {
            Lookup::Hit(answer) => return Ok(item(answer)),
            Lookup::Miss(token) => token,
        },
    };
    match client
        .execute(Request::new(Method::GET, path, route.meta.name))
        .await
    {
        Ok(answer) => {
            if let Some(token) = token {
                client.inner.cache.store(token, &answer);
            }
            Ok(item(answer))
        }
        Err(Error::NotFound { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `POST {route}`: the new record's id. A create is retried only when it certainly was not processed;
/// otherwise [`Error::UnknownOutcome`] carries the payload.
pub(crate) async fn create(client: &Client, route: Route, body: Value) -> Result<i64> {
    route.require(Verbs::CREATE, "be created")?;
    check_write_body(route.meta, &body, Unknown::Refuse)?;
    let answer = write(
        client,
        route,
        Method::POST,
        route.collection(),
        Some(body),
        None,
    )
    .await?;
    item_id(route.meta.name, &answer)
}

/// The checks of an update before anything is sent (the verb, the body's `id` and fields); the id.
pub(crate) fn check_update(route: Route, body: &Value) -> Result<i64> {
    route.require(Verbs::PATCH, "be updated")?;
    let id = body_id(route.meta, body)?;
    check_write_body(route.meta, body, Unknown::Refuse)?;
    Ok(id)
}

/// `PATCH {route}` with the record's `id` in the body: only the fields the body holds change.
pub(crate) async fn update(client: &Client, route: Route, body: Value) -> Result<i64> {
    let id = check_update(route, &body)?;
    let answer = write(
        client,
        route,
        Method::PATCH,
        route.collection(),
        Some(body),
        Some(id),
    )
    .await?;
    item_id(route.meta.name, &answer)
}

/// `PUT {route}`: replaces the whole record. Writable fields the body lacks are sent as null (so a body
/// that must prove it is whole is checked first); read-only fields are left out; fields the metadata
/// does not know are sent as given.
pub(crate) async fn replace(
    client: &Client,
    route: Route,
    record: Value,
    whole: Whole,
) -> Result<i64> {
    route.require(Verbs::PUT, "be replaced")?;
    let id = body_id(route.meta, &record)?;
    if whole == Whole::Check {
        require_whole(route.meta, &record)?;
    }
    let body = replace_body(route.meta, record);
    check_write_body(route.meta, &body, Unknown::Keep)?;
    let answer = write(
        client,
        route,
        Method::PUT,
        route.collection(),
        Some(body),
        Some(id),
    )
    .await?;
    item_id(route.meta.name, &answer)
}

/// `DELETE {route}/{id}`. When an attempt's answer was lost and the retry finds the record gone, the
/// delete is reported done: that attempt removed it (or someone else did meanwhile).
pub(crate) async fn delete(client: &Client, route: Route, id: i64) -> Result<()> {
    route.require(Verbs::DELETE, "be deleted")?;
    check_id(route.meta.name, id)?;
    write(
        client,
        route,
        Method::DELETE,
        route.record(id),
        None,
        Some(id),
    )
    .await?;
    Ok(())
}

/// Sends one write; whatever its outcome (cancelled and panicking calls included), the cache forgets
/// what it may have changed and the journal records it.
async fn write(
    client: &Client,
    route: Route,
    method: Method,
    path: String,
    body: Option<Value>,
    id: Option<i64>,
) -> Result<Value> {
    let entity = route.meta.name;
    let mut outcome = WriteGuard {
        client,
        invalidation: Some(Invalidation::of(entity, id, route.parent_record())),
        journal: Some(PendingWrite::new(
            method.as_str(),
            entity,
            id,
            client.impersonation(),
        )),
    };
    let mut request = Request::new(method, path, entity);
    request.body = body;
    let result = client.execute(request).await;
    outcome.finish(result.as_ref());
    result
}

/// Applies a write's outcome to the cache and the journal exactly once, also when the write never
/// finishes (a panic inside it, or its future dropped): a write that may have reached the server then
/// still invalidates the cache and is journaled with an unknown outcome.
struct WriteGuard<'a> {
    client: &'a Client,
    invalidation: Option<Invalidation>,
    journal: Option<PendingWrite>,
}

impl WriteGuard<'_> {
    fn finish(&mut self, result: Result<&Value, &Error>) {
        if let Some(what) = self.invalidation.take() {
            self.client.inner.cache.invalidate(&what);
        }
        if let Some(write) = self.journal.take() {
            self.client.inner.journal.record(write, result);
        }
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        if let Some(what) = self.invalidation.take() {
            self.client.inner.cache.invalidate(&what);
        }
        if let Some(write) = self.journal.take() {
            self.client.inner.journal.record_interrupted(write);
        }
    }
}

/// The spec as it is sent: checked against the metadata, with a small page when a small total is wanted.
fn checked_spec(meta: &EntityMeta, spec: &QuerySpec, max_total: Option<u64>) -> Result<QuerySpec> {
    spec.validate(meta)?;
    let mut spec = spec.clone();
    if let Some(total) = max_total {
        let page = u64::from(spec.max_records.unwrap_or(MAX_PAGE_SIZE));
        if total > 0 && total < page {
            spec.max_records = u32::try_from(total).ok();
        }
    }
    Ok(spec)
}

/// Every record matching `spec` at the entity's root, in id order, following `nextPageUrl` to the end
/// (or to `max_total`), long `in` lists split and merged; from `resume` on when given; up to `parallel`
/// pages at a time (at most the client's per-endpoint limit).
pub(crate) fn query<R: Record>(
    client: &Client,
    meta: &'static EntityMeta,
    spec: &QuerySpec,
    max_total: Option<u64>,
    resume: Option<ResumePoint>,
    parallel: usize,
) -> BoxStream<'static, Result<R>> {
    let checked = Route::root(meta)
        .require(Verbs::QUERY, "be queried")
        .and_then(|()| checked_spec(meta, spec, max_total));
    let parallel = parallel.clamp(1, client.max_concurrent_per_endpoint().max(1));
    match checked {
        Ok(spec) => paging::records(
            client.clone(),
            meta.name,
            &spec,
            max_total,
            resume,
            parallel,
        ),
        Err(e) => failed(e),
    }
}

/// The first page of a query.
pub(crate) async fn page<R: Record>(
    client: &Client,
    meta: &'static EntityMeta,
    spec: &QuerySpec,
    max_total: Option<u64>,
) -> Result<RawPage<R>> {
    Route::root(meta).require(Verbs::QUERY, "be queried")?;
    let spec = checked_spec(meta, spec, max_total)?;
    let request = Request::new(Method::POST, format!("{}/query", meta.name), meta.name)
        .body(spec.body())
        .read_only();
    paging::fetch_page(client, meta.name, request).await
}

/// `query/count` of the records matching `spec`. Split `in` lists are counted part by part (the parts
/// are disjoint).
pub(crate) async fn count(
    client: &Client,
    meta: &'static EntityMeta,
    spec: &QuerySpec,
) -> Result<u64> {
    Route::root(meta).require(Verbs::COUNT, "be counted")?;
    spec.validate(meta)?;
    let mut total = 0u64;
    for part in spec.split_long_lists() {
        total += paging::count_part(client, meta.name, &part).await?;
    }
    Ok(total)
}

/// Every child under a parent route (`GET {Parent}/{id}/{Seg}`), following `nextPageUrl` to the end;
/// from `resume` on when given (a child list cannot be filtered, so its pages are read again and the
/// records up to the resume id skipped).
pub(crate) fn list<R: Record>(
    client: &Client,
    route: Route,
    resume: Option<ResumePoint>,
) -> BoxStream<'static, Result<R>> {
    match route.require(Verbs::LIST, "be listed") {
        Ok(()) => paging::children(client.clone(), route.meta.name, route.collection(), resume),
        Err(e) => failed(e),
    }
}

//! [`QueryBuilder`]: the one shape of a query, typed (`client.tickets().query()`, records decoded into
//! `Ticket`) or dynamic (`client.entities().get_entity("Tickets")?.query()`, records as JSON). Nothing
//! is sent until `count`, `stream`, `all` or `page`.

use super::codec::decode;
use super::core;
use crate::client::Client;
use crate::error::{Result, ResumePoint};
use crate::model::entity::{Entity, FieldName};
use crate::model::meta::EntityMeta;
use crate::model::value::FieldValue;
use crate::query::{Filter, Op, QuerySpec};
use futures::stream::{BoxStream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::marker::PhantomData;

/// What a query yields: a typed record (every generated entity type) or a JSON record
/// (`serde_json::Value`, the dynamic API). Pages decode straight from the answer's text into it.
pub trait Record: DeserializeOwned + Sized + Send + 'static {
    /// The record from its JSON (an [`Error::Decode`](crate::Error::Decode) naming the offending field when it does not fit).
    fn from_json(entity: &str, json: Value) -> Result<Self>;

    /// The record's id, when it has one: paging relies on ascending ids to leave out repeats and to
    /// resume.
    fn record_id(&self) -> Option<i64>;

    /// Whether pages of these records are read by the SDK's own page reader first: it knows the
    /// shape of the generated records and reads them faster than `serde_json`, but reads arbitrary
    /// JSON values a little slower, so the dynamic API's pages go to `serde_json` directly.
    #[doc(hidden)]
    const FAST_PAGE_READER: bool = false;
}

impl<E: Entity> Record for E {
    const FAST_PAGE_READER: bool = true;

    fn from_json(entity: &str, json: Value) -> Result<Self> {
        decode(entity, json)
    }

    fn record_id(&self) -> Option<i64> {
        Some(self.id())
    }
}

impl Record for Value {
    fn from_json(_entity: &str, json: Value) -> Result<Self> {
        Ok(json)
    }

    fn record_id(&self) -> Option<i64> {
        self.get("id").and_then(Value::as_i64)
    }
}

/// How many pages a [`QueryBuilder::parallel`] stream fetches at once when asked for the API's limit:
/// Autotask allows 3 concurrent requests per endpoint (and integration code).
pub const DEFAULT_PARALLEL_PAGES: usize = 3;

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<R> {
    /// The records of this page, in id order.
    pub items: Vec<R>,
    /// Where the next page is, if there is one.
    pub next_page_url: Option<String>,
}

/// A query under construction: filters (ANDed), page size, included fields, a total cap, a resume
/// point. Nothing is sent until [`count`](Self::count), [`stream`](Self::stream), [`all`](Self::all) or
/// [`page`](Self::page).
pub struct QueryBuilder<R> {
    client: Client,
    meta: &'static EntityMeta,
    spec: QuerySpec,
    max_total: Option<u64>,
    resume: Option<ResumePoint>,
    parallel: usize,
    _record: PhantomData<fn() -> R>,
}

impl<R> Clone for QueryBuilder<R> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            meta: self.meta,
            spec: self.spec.clone(),
            max_total: self.max_total,
            resume: self.resume,
            parallel: self.parallel,
            _record: PhantomData,
        }
    }
}

impl<R> std::fmt::Debug for QueryBuilder<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryBuilder")
            .field("entity", &self.meta.name)
            .field("spec", &self.spec)
            .field("max_total", &self.max_total)
            .field("resume", &self.resume)
            .field("parallel", &self.parallel)
            .finish()
    }
}

impl<R: Record> QueryBuilder<R> {
    pub(crate) fn new(client: Client, meta: &'static EntityMeta) -> Self {
        Self {
            client,
            meta,
            spec: QuerySpec::default(),
            max_total: None,
            resume: None,
            parallel: 1,
            _record: PhantomData,
        }
    }

    /// Adds a filter; top-level filters are ANDed.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.spec.filters.push(filter);
        self
    }

    /// A condition on a user-defined field (one per query, as the API allows). To check the value
    /// against the UDF's definition first, build the filter with
    /// [`UdfDefinitions::filter`](crate::metadata::UdfDefinitions::filter).
    pub fn udf(self, name: impl Into<String>, op: Op, value: impl FieldValue) -> Self {
        self.filter(Filter::udf(name, op, value.into_typed().json))
    }

    /// `MaxRecords`: the page size, 1..=500 (checked before sending).
    pub fn max_records(mut self, n: u32) -> Self {
        self.spec.max_records = Some(n);
        self
    }

    /// Stop after this many records in total (no further pages are fetched).
    pub fn max_total_records(mut self, n: u64) -> Self {
        self.max_total = Some(n);
        self
    }

    /// Streams from where an interrupted stream of the same query stopped
    /// ([`Error::StreamInterrupted`](crate::Error::StreamInterrupted)'s `resume`): the records after its last id, none twice, none
    /// lost. Applies to [`stream`](Self::stream) and [`all`](Self::all).
    ///
    /// ```no_run
    /// # async fn f(client: autotask::Client) -> autotask::Result<()> {
    /// use autotask::prelude::*;
    /// let query = client.tickets().query();
    /// let mut stream = query.stream();
    /// let resume = loop {
    ///     match stream.try_next().await {
    ///         Ok(Some(ticket)) => println!("{}", ticket.id),
    ///         Ok(None) => return Ok(()),
    ///         Err(autotask::Error::StreamInterrupted { resume, .. }) => break resume,
    ///         Err(other) => return Err(other),
    ///     }
    /// };
    /// let rest = query.resume_from(resume).all().await?;
    /// # Ok(()) }
    /// ```
    pub fn resume_from(mut self, point: ResumePoint) -> Self {
        self.resume = Some(point);
        self
    }

    /// The query as it will be sent.
    pub fn spec(&self) -> &QuerySpec {
        &self.spec
    }

    /// The entity queried.
    pub fn meta(&self) -> &'static EntityMeta {
        self.meta
    }

    /// `query/count` of the matching records. Split `in` lists are counted part by part (the parts are
    /// disjoint).
    pub async fn count(&self) -> Result<u64> {
        core::count(&self.client, self.meta, &self.spec).await
    }

    /// Fetches up to `pages` pages at a time in [`stream`](Self::stream) and [`all`](Self::all) (1, the
    /// default, is one after the other; more is capped at the client's per-endpoint limit,
    /// [`ClientBuilder::max_concurrent_per_endpoint`](crate::ClientBuilder::max_concurrent_per_endpoint),
    /// 3 unless configured): [`DEFAULT_PARALLEL_PAGES`] (3, the API's limit per endpoint) cuts the time of a long query to about a third
    /// when the API's latency dominates.
    ///
    /// The records, and their order, are the same as the sequential stream's: the ids after the first
    /// page are split into consecutive ranges of about a page each (by `query/count`, one more request,
    /// and the first page's id density) that are fetched concurrently, each by its own `nextPageUrl`
    /// chain, and delivered in id order; the last range is open-ended, so records created meanwhile
    /// are found as the sequential stream would find them. At most `pages` pages wait for the consumer.
    /// Every request shares the client's per-endpoint limit with the rest of its work, so other calls
    /// on the same entity are never pushed over it. Queries split into parts (long `in` lists) page
    /// sequentially.
    ///
    /// ```no_run
    /// # #[cfg(feature = "service_desk")]
    /// # async fn f(client: autotask::Client) -> autotask::Result<()> {
    /// use autotask::prelude::*;
    /// let mut tickets = client.tickets().query().parallel(autotask::ops::DEFAULT_PARALLEL_PAGES).stream();
    /// while let Some(ticket) = tickets.try_next().await? {
    ///     println!("{}", ticket.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn parallel(mut self, pages: usize) -> Self {
        self.parallel = pages.max(1);
        self
    }

    /// Every matching record, in id order, following `nextPageUrl` to the end (or to
    /// `max_total_records`). The next page is fetched while the current one is consumed (at most two
    /// pages held), or up to [`parallel`](Self::parallel) pages at a time.
    pub fn stream(&self) -> BoxStream<'static, Result<R>> {
        self.stream_as()
    }

    /// The matching records as JSON (same paging as [`stream`](Self::stream)).
    pub fn stream_json(&self) -> BoxStream<'static, Result<Value>> {
        self.stream_as()
    }

    /// This query's records decoded as `T`.
    fn stream_as<T: Record>(&self) -> BoxStream<'static, Result<T>> {
        core::query(
            &self.client,
            self.meta,
            &self.spec,
            self.max_total,
            self.resume,
            self.parallel,
        )
    }

    /// Every matching record collected into a `Vec`.
    pub async fn all(&self) -> Result<Vec<R>> {
        self.stream().try_collect().await
    }

    /// The first page only.
    pub async fn page(&self) -> Result<Page<R>> {
        let page = core::page::<R>(&self.client, self.meta, &self.spec, self.max_total).await?;
        Ok(Page {
            items: page.records.into_all()?,
            next_page_url: page.next_page_url,
        })
    }
}

impl<E: Entity> QueryBuilder<E> {
    /// `IncludeFields`: only these fields come back (plus `id` and `userDefinedFields`).
    pub fn include_fields(mut self, fields: impl IntoIterator<Item = E::Field>) -> Self {
        self.spec
            .include_fields
            .extend(fields.into_iter().map(|f| f.as_str().to_string()));
        self
    }
}

impl QueryBuilder<Value> {
    /// `IncludeFields` by wire name: only these fields come back (plus `id`); names are checked
    /// against the metadata before sending.
    pub fn include_fields<S: AsRef<str>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.spec
            .include_fields
            .extend(fields.into_iter().map(|f| f.as_ref().to_string()));
        self
    }
}

//! Typed handles: `client.tickets()` ([`EntityHandle`]) and `client.tickets().notes(id)` ([`ChildHandle`]).
//! Each operation exists only where the entity's capability markers allow it, so a forbidden call does
//! not compile:
//!
//! ```compile_fail
//! # async fn f(client: autotask::Client) {
//! client.tickets().delete(1).await; // Tickets cannot be deleted
//! # }
//! ```
//!
//! ```compile_fail
//! # async fn f(client: autotask::Client, note: autotask::entities::NewTicketNote) {
//! client.ticket_notes().create(&note).await; // TicketNotes are created only under a ticket
//! # }
//! ```

use crate::cache::Cacheable;
use crate::client::{Client, Request};
use crate::entity::*;
use crate::error::{Error, Result, ResumePoint};
use crate::meta::{DataType, EntityMeta};
use crate::paging;
use crate::query::{Filter, Op, QuerySpec};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::marker::PhantomData;

/// Operations on one entity's root collection.
pub struct EntityHandle<E> {
    client: Client,
    _entity: PhantomData<fn() -> E>,
}

impl<E> Clone for EntityHandle<E> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            _entity: PhantomData,
        }
    }
}

impl Client {
    /// The handle of any entity type (the generated accessors like `tickets()` call this).
    pub fn entity<E: Entity>(&self) -> EntityHandle<E> {
        EntityHandle {
            client: self.clone(),
            _entity: PhantomData,
        }
    }

    /// The children of type `E` under parent `parent_id` (e.g. `ExpenseItem` under an expense report).
    pub fn children<E: Child>(&self, parent_id: i64) -> ChildHandle<E> {
        ChildHandle {
            client: self.clone(),
            parent_id,
            _entity: PhantomData,
        }
    }
}

/// Decodes a JSON record into `T`, naming the field path and the offending value on failure.
pub(crate) fn decode<T: DeserializeOwned>(entity: &str, value: Value) -> Result<T> {
    let text = value.to_string();
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let offending = lookup(&value, &path)
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into());
        Error::Decode {
            entity: entity.to_string(),
            path,
            value: offending,
            message: e.into_inner().to_string(),
        }
    })
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    for part in path.split('.').filter(|p| !p.is_empty() && *p != "?") {
        let (name, index) = match part.find('[') {
            Some(i) => (
                &part[..i],
                part[i + 1..].trim_end_matches(']').parse::<usize>().ok(),
            ),
            None => (part, None),
        };
        if !name.is_empty() {
            current = current.get(name)?;
        }
        if let Some(i) = index {
            current = current.get(i)?;
        }
    }
    Some(current)
}

pub(crate) fn encode<T: Serialize>(entity: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::InvalidInput(format!("{entity}: cannot encode body: {e}")))
}

/// Ids the API can hold: positive, or 0 for the root company (PROTOCOL.md 6.4); anything else is refused
/// before sending.
pub(crate) fn check_id(entity: &str, id: i64) -> Result<()> {
    if id > 0 || (id == 0 && entity.eq_ignore_ascii_case("Companies")) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{entity}: {id} is not a record id (ids are positive; only the root company has id 0)"
        )))
    }
}

/// What a write body may hold besides the entity's known fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Refuse fields the metadata does not know (creates, patches).
    Refuse,
    /// Keep them: a whole record read from the server sends back fields this SDK does not know.
    Keep,
}

/// Checks a write body against the metadata before sending: known fields, no read-only fields (except
/// `id`), strings within their length, integers within their field's width, dates within the years
/// Autotask stores.
pub(crate) fn check_write_body(meta: &EntityMeta, body: &Value, unknown: Unknown) -> Result<()> {
    let Some(object) = body.as_object() else {
        return Err(Error::InvalidInput(format!(
            "{}: a write body must be a JSON object",
            meta.name
        )));
    };
    for (name, value) in object {
        if name == "userDefinedFields" {
            continue;
        }
        if name == "id" {
            // A create may carry `id: 0` (PROTOCOL.md 2.1); updates check their id themselves.
            if !(value.is_null() || value.as_i64().is_some_and(|id| id >= 0)) {
                return Err(Error::InvalidInput(format!(
                    "{}: `id` must be a record id, not {value}",
                    meta.name
                )));
            }
            continue;
        }
        let Some(field) = meta.field(name) else {
            if unknown == Unknown::Keep {
                continue;
            }
            return Err(Error::InvalidInput(format!(
                "{} has no field {name:?}",
                meta.name
            )));
        };
        if field.is_read_only() && !value.is_null() {
            return Err(Error::InvalidInput(format!(
                "{}.{} is read-only",
                meta.name, field.name
            )));
        }
        if let (DataType::String, Some(text)) = (field.data_type, value.as_str()) {
            let chars = text.chars().count();
            if field.length > 0 && chars > field.length as usize {
                return Err(Error::InvalidInput(format!(
                    "{}.{} is {chars} characters long; the limit is {}",
                    meta.name, field.name, field.length
                )));
            }
        }
        crate::query::check_range(field.data_type, value)
            .map_err(|why| Error::InvalidInput(format!("{}.{}: {why}", meta.name, field.name)))?;
    }
    Ok(())
}

/// Reads `{"itemId": N}`.
pub(crate) fn item_id(entity: &str, answer: &Value) -> Result<i64> {
    answer
        .get("itemId")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| Error::Protocol(format!("{entity}: write answer has no itemId: {answer}")))
}

/// `{"item": {...}}` → `Some`, `{"item": null}` → `None`.
pub(crate) fn item(answer: Value) -> Option<Value> {
    let mut answer = answer;
    match answer.get_mut("item").map(Value::take) {
        Some(Value::Null) | None => None,
        Some(v) => Some(v),
    }
}

/// A GET of one record, `None` for both `200 {"item":null}` and 404; answered from the record cache when
/// it is on.
pub(crate) async fn get_raw(client: &Client, entity: &str, path: String) -> Result<Option<Value>> {
    one_record(
        client,
        Request::new(Method::GET, path, entity).cached_as(Cacheable::Record),
    )
    .await
}

/// A GET of one record that always goes to the server (a transaction reads the values it may have to
/// restore: a cached copy could be older than another writer's change).
pub(crate) async fn get_fresh(
    client: &Client,
    entity: &str,
    path: String,
) -> Result<Option<Value>> {
    one_record(client, Request::new(Method::GET, path, entity)).await
}

async fn one_record(client: &Client, request: Request) -> Result<Option<Value>> {
    match client.execute(request).await {
        Ok(answer) => Ok(item(answer)),
        Err(Error::NotFound { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl<E: Entity> EntityHandle<E> {
    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The entity's metadata.
    pub fn meta(&self) -> &'static EntityMeta {
        E::meta()
    }
}

impl<E: GetById> EntityHandle<E> {
    /// `GET /{E}/{id}`; `None` when there is no such record (the API answers `200 {"item":null}` or 404).
    /// No request when the record cache holds it ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<E>> {
        check_id(E::NAME, id)?;
        let raw = get_raw(&self.client, E::NAME, format!("{}/{id}", E::NAME)).await?;
        raw.map(|v| decode(E::NAME, v)).transpose()
    }
}

impl<E: CreateAtRoot> EntityHandle<E> {
    /// `POST /{E}`; the new record's id. A create is retried only when it certainly was not processed;
    /// otherwise [`Error::UnknownOutcome`] carries the payload.
    pub async fn create(&self, record: &E::New) -> Result<i64> {
        let body = encode(E::NAME, record)?;
        check_write_body(E::meta(), &body, Unknown::Refuse)?;
        let answer = self
            .client
            .execute(Request::new(Method::POST, E::NAME, E::NAME).body(body))
            .await?;
        item_id(E::NAME, &answer)
    }
}

impl<E: CreateAtRoot + GetById> EntityHandle<E> {
    /// Creates the record and reads it back (two requests). When the create succeeded but the read
    /// fails, the error is [`Error::CreatedButUnread`] with the new id: the record exists, do not
    /// create it again.
    pub async fn create_and_get(&self, record: &E::New) -> Result<E> {
        let id = self.create(record).await?;
        read_back(&self.client, id).await
    }
}

/// `GET /{E}/{id}` of a record just created; any failure keeps the id ([`Error::CreatedButUnread`]).
pub(crate) async fn read_back<E: GetById>(client: &Client, id: i64) -> Result<E> {
    let unread = |source: Error| Error::CreatedButUnread {
        entity: E::NAME.to_string(),
        id,
        source: Box::new(source),
    };
    match client.entity::<E>().get(id).await {
        Ok(Some(record)) => Ok(record),
        Ok(None) => Err(unread(Error::NotFound {
            status: 200,
            messages: vec![format!("{} {id} is not there yet", E::NAME)],
        })),
        Err(error) => Err(unread(error)),
    }
}

impl<E: UpdateAtRoot> EntityHandle<E> {
    /// `PATCH /{E}` with the id in the body: only the patch's changed fields are sent.
    pub async fn update(&self, patch: &E::Patch) -> Result<i64> {
        check_id(E::NAME, patch.id())?;
        let body = encode(E::NAME, patch)?;
        check_write_body(E::meta(), &body, Unknown::Refuse)?;
        let answer = self
            .client
            .execute(Request::new(Method::PATCH, E::NAME, E::NAME).body(body))
            .await?;
        item_id(E::NAME, &answer)
    }
}

/// A whole record read fresh from the server, the only thing a `PUT` ([`EntityHandle::replace`],
/// [`ChildHandle::replace`]) accepts.
///
/// A `PUT` clears every writable field the body leaves null, so replacing with a partial record (one
/// read with `include_fields`, whose other fields are `None`) would clear them all. A `FullRecord` is
/// made only by `read_for_replace`, which reads every field from the server (never from the cache,
/// never with `IncludeFields`); change its fields through `Deref`/`DerefMut`, then replace. Fields this
/// SDK does not know (`extra`) are sent back as read. To change a few fields, `update` (a PATCH, which
/// sends only those) is the simpler tool.
///
/// ```compile_fail,E0308
/// # async fn f(client: autotask::Client) -> autotask::Result<()> {
/// use autotask::entities::TicketField;
/// let partial = client.tickets().query().include_fields([TicketField::Title]).all().await?;
/// client.tickets().replace(&partial[0]).await?; // a partial Ticket is not a FullRecord
/// # Ok(()) }
/// ```
///
/// ```no_run
/// # async fn f(client: autotask::Client) -> autotask::Result<()> {
/// if let Some(mut ticket) = client.tickets().read_for_replace(42).await? {
///     ticket.title = Some("Printer fixed".into());
///     client.tickets().replace(&ticket).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FullRecord<E>(E);

impl<E> FullRecord<E> {
    /// The record.
    pub fn into_inner(self) -> E {
        self.0
    }
}

impl<E> std::ops::Deref for FullRecord<E> {
    type Target = E;

    fn deref(&self) -> &E {
        &self.0
    }
}

impl<E> std::ops::DerefMut for FullRecord<E> {
    fn deref_mut(&mut self) -> &mut E {
        &mut self.0
    }
}

/// `GET` of a whole record from the server, for a replace.
async fn read_full<E: Entity>(client: &Client, path: String) -> Result<Option<FullRecord<E>>> {
    let raw = get_fresh(client, E::NAME, path).await?;
    raw.map(|v| decode(E::NAME, v).map(FullRecord)).transpose()
}

impl<E: ReplaceAtRoot + GetById> EntityHandle<E> {
    /// `GET /{E}/{id}` from the server (never from the cache): the whole record, to change and pass to
    /// [`replace`](Self::replace). `None` when there is no such record.
    pub async fn read_for_replace(&self, id: i64) -> Result<Option<FullRecord<E>>> {
        check_id(E::NAME, id)?;
        read_full(&self.client, format!("{}/{id}", E::NAME)).await
    }
}

impl<E: ReplaceAtRoot> EntityHandle<E> {
    /// `PUT /{E}`: replaces the whole record with `record` (read by `read_for_replace`, then changed).
    /// Writable fields it holds as `None` are cleared; read-only fields are left out; fields this SDK
    /// does not know are sent back as read.
    pub async fn replace(&self, record: &FullRecord<E>) -> Result<i64> {
        check_id(E::NAME, record.id())?;
        let body = replace_body(E::meta(), encode(E::NAME, &record.0)?);
        check_write_body(E::meta(), &body, Unknown::Keep)?;
        let answer = self
            .client
            .execute(Request::new(Method::PUT, E::NAME, E::NAME).body(body))
            .await?;
        item_id(E::NAME, &answer)
    }
}

/// A PUT body: every writable field (null when unset), no read-only ones, and every field the metadata
/// does not know (read from a newer server: sent back as it came).
pub(crate) fn replace_body(meta: &EntityMeta, record: Value) -> Value {
    let mut record = record;
    if let Some(object) = record.as_object_mut() {
        object.retain(|name, _| {
            name == "id"
                || name == "userDefinedFields"
                || meta.field(name).is_none_or(|f| !f.is_read_only())
        });
        for field in meta
            .fields
            .iter()
            .filter(|f| !f.is_read_only() && f.name != "id")
        {
            object.entry(field.name).or_insert(Value::Null);
        }
    }
    record
}

impl<E: DeleteAtRoot> EntityHandle<E> {
    /// `DELETE /{E}/{id}`. When an attempt's answer was lost and the retry finds the record gone, the
    /// delete is reported done: that attempt removed it (or someone else did meanwhile).
    pub async fn delete(&self, id: i64) -> Result<()> {
        check_id(E::NAME, id)?;
        self.client
            .execute(Request::new(
                Method::DELETE,
                format!("{}/{id}", E::NAME),
                E::NAME,
            ))
            .await?;
        Ok(())
    }
}

impl<E: Query> EntityHandle<E> {
    /// A query; add filters, then `.page()`, `.stream()`, `.all()` or `.count()`.
    pub fn query(&self) -> QueryBuilder<E> {
        QueryBuilder {
            client: self.client.clone(),
            spec: QuerySpec::default(),
            max_total: None,
            resume: None,
            _entity: PhantomData,
        }
    }

    /// A query matching `filter`.
    pub fn filter(&self, filter: Filter) -> QueryBuilder<E> {
        self.query().filter(filter)
    }

    /// Every record, in id order, as a stream that pages to the end.
    pub fn stream_all(&self) -> BoxStream<'static, Result<E>> {
        self.query().stream()
    }

    /// `query/count` of the records matching `filter`.
    pub async fn count(&self, filter: Filter) -> Result<u64> {
        self.query().filter(filter).count().await
    }

    /// The py-autotask style builder: `where_(field, op, value)`, `order_by`, `limit`, `execute`.
    pub fn query_builder(&self) -> crate::builder::PyQueryBuilder<E> {
        crate::builder::PyQueryBuilder::new(self.query())
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<E> {
    /// The records of this page, in id order.
    pub items: Vec<E>,
    /// Where the next page is, if there is one.
    pub next_page_url: Option<String>,
}

/// A query under construction. Nothing is sent until `page`, `stream`, `all` or `count`.
pub struct QueryBuilder<E> {
    client: Client,
    spec: QuerySpec,
    max_total: Option<u64>,
    resume: Option<ResumePoint>,
    _entity: PhantomData<fn() -> E>,
}

impl<E> Clone for QueryBuilder<E> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            spec: self.spec.clone(),
            max_total: self.max_total,
            resume: self.resume,
            _entity: PhantomData,
        }
    }
}

impl<E: Query> QueryBuilder<E> {
    /// Adds a filter; top-level filters are ANDed.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.spec.filters.push(filter);
        self
    }

    /// A condition on a user-defined field (one per query, as the API allows).
    pub fn udf(self, name: impl Into<String>, op: Op, value: impl Into<Value>) -> Self {
        self.filter(Filter::udf(name, op, value))
    }

    /// `MaxRecords`: the page size, 1..=500 (checked before sending).
    pub fn max_records(mut self, n: u32) -> Self {
        self.spec.max_records = Some(n);
        self
    }

    /// `IncludeFields`: only these fields come back (plus `id` and `userDefinedFields`).
    pub fn include_fields(mut self, fields: impl IntoIterator<Item = E::Field>) -> Self {
        self.spec
            .include_fields
            .extend(fields.into_iter().map(|f| f.as_str().to_string()));
        self
    }

    /// Stop after this many records in total (no further pages are fetched).
    pub fn max_total_records(mut self, n: u64) -> Self {
        self.max_total = Some(n);
        self
    }

    /// Streams from where an interrupted stream of the same query stopped
    /// ([`Error::StreamInterrupted`]'s `resume`): the records after its last id, none twice, none
    /// lost. Applies to [`stream`](Self::stream), [`stream_json`](Self::stream_json) and
    /// [`all`](Self::all).
    ///
    /// ```no_run
    /// # async fn f(client: autotask::Client) -> autotask::Result<()> {
    /// use futures::TryStreamExt;
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

    fn checked(&self) -> Result<QuerySpec> {
        self.spec.validate(E::meta())?;
        let mut spec = self.spec.clone();
        // A small total needs a small page only.
        if let Some(total) = self.max_total {
            let page = spec.max_records.unwrap_or(crate::query::MAX_PAGE_SIZE) as u64;
            if total > 0 && total < page {
                spec.max_records = Some(total as u32);
            }
        }
        Ok(spec)
    }

    /// The first page only.
    pub async fn page(&self) -> Result<Page<E>> {
        let spec = self.checked()?;
        let request = Request::new(Method::POST, format!("{}/query", E::NAME), E::NAME)
            .body(spec.body())
            .read_only();
        let page = paging::parse_page(E::NAME, self.client.execute(request).await?)?;
        let items = page
            .items
            .into_iter()
            .map(|v| decode(E::NAME, v))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_page_url: page.next_page_url,
        })
    }

    /// Every matching record, in id order, following `nextPageUrl` to the end (or to `max_total_records`).
    /// One page is held in memory at a time.
    pub fn stream(&self) -> BoxStream<'static, Result<E>> {
        match self.checked() {
            Ok(spec) => paging::records(
                self.client.clone(),
                E::NAME,
                &spec,
                self.max_total,
                self.resume,
            )
            .and_then(|v| futures::future::ready(decode(E::NAME, v)))
            .boxed(),
            Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
        }
    }

    /// Raw JSON records (same paging as [`stream`](Self::stream)).
    pub fn stream_json(&self) -> BoxStream<'static, Result<Value>> {
        match self.checked() {
            Ok(spec) => paging::records(
                self.client.clone(),
                E::NAME,
                &spec,
                self.max_total,
                self.resume,
            ),
            Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
        }
    }

    /// Every matching record collected into a `Vec`.
    pub async fn all(&self) -> Result<Vec<E>> {
        self.stream().try_collect().await
    }

    /// `query/count`. Split `in` lists are counted part by part (the parts are disjoint).
    pub async fn count(&self) -> Result<u64> {
        let spec = self.checked()?;
        let mut total = 0u64;
        for part in spec.split_long_lists() {
            let request = Request::new(Method::POST, format!("{}/query/count", E::NAME), E::NAME)
                .body(part.body())
                .read_only();
            let answer = self.client.execute(request).await?;
            total += answer["queryCount"].as_u64().ok_or_else(|| {
                Error::Protocol(format!(
                    "{} count answer has no queryCount: {answer}",
                    E::NAME
                ))
            })?;
        }
        Ok(total)
    }
}

/// Operations on the children of one parent: `client.tickets().notes(ticket_id)`.
pub struct ChildHandle<E> {
    client: Client,
    parent_id: i64,
    _entity: PhantomData<fn() -> E>,
}

impl<E> Clone for ChildHandle<E> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            parent_id: self.parent_id,
            _entity: PhantomData,
        }
    }
}

impl<E: Child> ChildHandle<E> {
    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The parent's id.
    pub fn parent_id(&self) -> i64 {
        self.parent_id
    }

    fn path(&self) -> String {
        format!("{}/{}/{}", E::PARENT, self.parent_id, E::SEGMENT)
    }
}

impl<E: ListUnderParent> ChildHandle<E> {
    /// Every child of the parent (`GET /{Parent}/{id}/{Seg}`), following `nextPageUrl` to the end.
    pub fn stream(&self) -> BoxStream<'static, Result<E>> {
        self.stream_resumed(None)
    }

    /// The children after where an interrupted [`stream`](Self::stream) stopped
    /// ([`Error::StreamInterrupted`]'s `resume`). A child list cannot be filtered, so its pages are read
    /// again and the records up to the resume id skipped.
    pub fn stream_from(&self, point: ResumePoint) -> BoxStream<'static, Result<E>> {
        self.stream_resumed(Some(point))
    }

    fn stream_resumed(&self, resume: Option<ResumePoint>) -> BoxStream<'static, Result<E>> {
        if let Err(e) = check_id(E::PARENT, self.parent_id) {
            return futures::stream::once(futures::future::ready(Err(e))).boxed();
        }
        paging::children(self.client.clone(), E::NAME, self.path(), resume)
            .and_then(|v| futures::future::ready(decode(E::NAME, v)))
            .boxed()
    }

    /// Every child collected into a `Vec`.
    pub async fn list(&self) -> Result<Vec<E>> {
        self.stream().try_collect().await
    }
}

impl<E: GetUnderParent> ChildHandle<E> {
    /// `GET /{Parent}/{id}/{Seg}/{childId}` (attachments return their `data` only here).
    /// No request when the record cache holds it ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<E>> {
        check_id(E::PARENT, self.parent_id)?;
        check_id(E::NAME, id)?;
        let raw = get_raw(&self.client, E::NAME, format!("{}/{id}", self.path())).await?;
        raw.map(|v| decode(E::NAME, v)).transpose()
    }
}

impl<E: CreateUnderParent> ChildHandle<E> {
    /// `POST /{Parent}/{id}/{Seg}`; the new record's id.
    pub async fn create(&self, record: &E::New) -> Result<i64> {
        check_id(E::PARENT, self.parent_id)?;
        let body = encode(E::NAME, record)?;
        check_write_body(E::meta(), &body, Unknown::Refuse)?;
        let answer = self
            .client
            .execute(Request::new(Method::POST, self.path(), E::NAME).body(body))
            .await?;
        item_id(E::NAME, &answer)
    }
}

impl<E: UpdateUnderParent> ChildHandle<E> {
    /// `PATCH /{Parent}/{id}/{Seg}` with the child's id in the body; only changed fields are sent.
    pub async fn update(&self, patch: &E::Patch) -> Result<i64> {
        check_id(E::PARENT, self.parent_id)?;
        check_id(E::NAME, patch.id())?;
        let body = encode(E::NAME, patch)?;
        check_write_body(E::meta(), &body, Unknown::Refuse)?;
        let answer = self
            .client
            .execute(Request::new(Method::PATCH, self.path(), E::NAME).body(body))
            .await?;
        item_id(E::NAME, &answer)
    }
}

impl<E: ReplaceUnderParent + GetUnderParent> ChildHandle<E> {
    /// `GET /{Parent}/{id}/{Seg}/{childId}` from the server (never from the cache): the whole child
    /// record, to change and pass to [`replace`](Self::replace). `None` when there is no such child.
    pub async fn read_for_replace(&self, id: i64) -> Result<Option<FullRecord<E>>> {
        check_id(E::PARENT, self.parent_id)?;
        check_id(E::NAME, id)?;
        read_full(&self.client, format!("{}/{id}", self.path())).await
    }
}

impl<E: ReplaceUnderParent> ChildHandle<E> {
    /// `PUT /{Parent}/{id}/{Seg}`: replaces the whole child record with `record` (read by
    /// `read_for_replace`, then changed); see [`FullRecord`].
    pub async fn replace(&self, record: &FullRecord<E>) -> Result<i64> {
        check_id(E::PARENT, self.parent_id)?;
        check_id(E::NAME, record.id())?;
        let body = replace_body(E::meta(), encode(E::NAME, &record.0)?);
        check_write_body(E::meta(), &body, Unknown::Keep)?;
        let answer = self
            .client
            .execute(Request::new(Method::PUT, self.path(), E::NAME).body(body))
            .await?;
        item_id(E::NAME, &answer)
    }
}

impl<E: DeleteUnderParent> ChildHandle<E> {
    /// `DELETE /{Parent}/{id}/{Seg}/{childId}`; done also when a retry finds the child gone after an
    /// attempt whose answer was lost (see [`EntityHandle::delete`]).
    pub async fn delete(&self, id: i64) -> Result<()> {
        check_id(E::PARENT, self.parent_id)?;
        check_id(E::NAME, id)?;
        self.client
            .execute(Request::new(
                Method::DELETE,
                format!("{}/{id}", self.path()),
                E::NAME,
            ))
            .await?;
        Ok(())
    }
}

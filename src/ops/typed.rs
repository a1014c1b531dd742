//! Typed handles: `client.tickets()` ([`EntityHandle`]) and `client.tickets().notes(id)` ([`ChildHandle`]).
//! They encode and decode around the untyped operations (`core.rs`); each operation exists only where
//! the entity's capability markers allow it, so a forbidden call does not compile, and the compiler's
//! message says why and what to use instead (`tests/compile_fail/`).

use super::codec::{decode, encode};
use super::core::{self, Read, Whole};
use super::py_builder::PyQueryBuilder;
use super::query_builder::QueryBuilder;
use super::route::Route;
use crate::client::Client;
use crate::error::{Error, Result, ResumePoint};
use crate::model::entity::{
    Child, CreateAtRoot, CreateUnderParent, DeleteAtRoot, DeleteUnderParent, Entity, GetById,
    GetUnderParent, ListUnderParent, Query, ReplaceAtRoot, ReplaceUnderParent, UpdateAtRoot,
    UpdateUnderParent,
};
use crate::model::meta::EntityMeta;
use futures::stream::{BoxStream, TryStreamExt};
use std::marker::PhantomData;

/// Operations on one entity's root collection: `client.tickets()`.
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

impl<E> std::fmt::Debug for EntityHandle<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityHandle")
            .field("entity", &std::any::type_name::<E>())
            .finish()
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

    /// The children of type `E` under parent `parent_id`; the generated accessors on the parent's handle
    /// (`client.tickets().notes(ticket_id)`) call this.
    pub fn children<E: Child>(&self, parent_id: i64) -> ChildHandle<E> {
        ChildHandle {
            client: self.clone(),
            parent_id,
            _entity: PhantomData,
        }
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

    fn route(&self) -> Route {
        Route::root(E::meta())
    }

    /// `GET /{E}/{id}`; `None` when there is no such record (the API answers `200 {"item":null}` or
    /// 404). No request when the record cache holds it ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<E>>
    where
        E: GetById,
    {
        let raw = core::get(&self.client, self.route(), id, Read::Cached).await?;
        raw.map(|v| decode(E::NAME, v)).transpose()
    }

    /// `POST /{E}`; the new record's id. A create is retried only when it certainly was not processed;
    /// otherwise [`Error::UnknownOutcome`] carries the payload.
    pub async fn create(&self, record: &E::New) -> Result<i64>
    where
        E: CreateAtRoot,
    {
        core::create(&self.client, self.route(), encode(E::NAME, record)?).await
    }

    /// Creates the record and reads it back (two requests). When the create succeeded but the read
    /// fails, the error is [`Error::CreatedButUnread`] with the new id: the record exists, do not
    /// create it again.
    pub async fn create_and_get(&self, record: &E::New) -> Result<E>
    where
        E: CreateAtRoot + GetById,
    {
        let id = self.create(record).await?;
        read_back(&self.client, id).await
    }

    /// `PATCH /{E}` with the id in the body: only the patch's changed fields are sent.
    pub async fn update(&self, patch: &E::Patch) -> Result<i64>
    where
        E: UpdateAtRoot,
    {
        core::update(&self.client, self.route(), encode(E::NAME, patch)?).await
    }

    /// `GET /{E}/{id}` from the server (never from the cache): the whole record, to change and pass to
    /// [`replace`](Self::replace). `None` when there is no such record.
    pub async fn read_for_replace(&self, id: i64) -> Result<Option<FullRecord<E>>>
    where
        E: ReplaceAtRoot + GetById,
    {
        read_full(&self.client, self.route(), id).await
    }

    /// `PUT /{E}`: replaces the whole record with `record` (read by `read_for_replace`, then changed).
    /// Writable fields it holds as `None` are cleared; read-only fields are left out; fields this SDK
    /// does not know are sent back as read.
    pub async fn replace(&self, record: &FullRecord<E>) -> Result<i64>
    where
        E: ReplaceAtRoot,
    {
        replace_full(&self.client, self.route(), record).await
    }

    /// `DELETE /{E}/{id}`. When an attempt's answer was lost and the retry finds the record gone, the
    /// delete is reported done: that attempt removed it (or someone else did meanwhile).
    pub async fn delete(&self, id: i64) -> Result<()>
    where
        E: DeleteAtRoot,
    {
        core::delete(&self.client, self.route(), id).await
    }

    /// A query: add filters, then `.count()`, `.stream()`, `.all()` or `.page()`.
    ///
    /// ```no_run
    /// # #[cfg(feature = "service_desk")]
    /// # async fn f(client: autotask::Client) -> autotask::Result<()> {
    /// use autotask::prelude::*;
    /// use autotask::entities::{TicketField, TicketStatus};
    ///
    /// let open = client.tickets().query().filter(TicketField::Status.noteq(TicketStatus::COMPLETE));
    /// println!("{} open tickets", open.count().await?);
    /// let mut stream = open.stream();
    /// while let Some(ticket) = stream.try_next().await? {
    ///     println!("{}", ticket.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn query(&self) -> QueryBuilder<E>
    where
        E: Query,
    {
        QueryBuilder::new(self.client.clone(), E::meta())
    }

    /// Every record, in id order, as a stream that pages to the end (py-autotask's `query_all`; the
    /// same as `query().stream()`).
    pub fn stream_all(&self) -> BoxStream<'static, Result<E>>
    where
        E: Query,
    {
        self.query().stream()
    }

    /// The py-autotask style builder: `where_(field, op, value)`, `order_by`, `limit`, `execute`.
    pub fn query_builder(&self) -> PyQueryBuilder<E>
    where
        E: Query,
    {
        PyQueryBuilder::new(self.query())
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

/// A whole record read fresh from the server, the only thing a `PUT` ([`EntityHandle::replace`],
/// [`ChildHandle::replace`]) accepts.
///
/// A `PUT` clears every writable field the body leaves null, so replacing with a partial record (one
/// read with `include_fields`, whose other fields are `None`) would clear them all: it does not compile
/// (`tests/compile_fail/replace_a_partial_record.rs`). A `FullRecord` is made only by `read_for_replace`,
/// which reads every field from the server (never from the cache, never with `IncludeFields`); change
/// its fields through `Deref`/`DerefMut`, then replace. Fields this SDK does not know (`extra`) are sent
/// back as read. To change a few fields, `update` (a PATCH, which sends only those) is the simpler tool.
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
async fn read_full<E: Entity>(
    client: &Client,
    route: Route,
    id: i64,
) -> Result<Option<FullRecord<E>>> {
    let raw = core::get(client, route, id, Read::Fresh).await?;
    raw.map(|v| decode(E::NAME, v).map(FullRecord)).transpose()
}

async fn replace_full<E: Entity>(
    client: &Client,
    route: Route,
    record: &FullRecord<E>,
) -> Result<i64> {
    let body = encode(E::NAME, &record.0)?;
    core::replace(client, route, body, Whole::Guaranteed).await
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

impl<E> std::fmt::Debug for ChildHandle<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildHandle")
            .field("entity", &std::any::type_name::<E>())
            .field("parent_id", &self.parent_id)
            .finish()
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

    fn route(&self) -> Result<Route> {
        Route::child(E::meta(), self.parent_id)
    }

    /// Every child of the parent (`GET /{Parent}/{id}/{Seg}`), following `nextPageUrl` to the end.
    pub fn stream(&self) -> BoxStream<'static, Result<E>>
    where
        E: ListUnderParent,
    {
        self.stream_resumed(None)
    }

    /// The children after where an interrupted [`stream`](Self::stream) stopped
    /// ([`Error::StreamInterrupted`]'s `resume`). A child list cannot be filtered, so its pages are read
    /// again and the records up to the resume id skipped.
    pub fn stream_from(&self, point: ResumePoint) -> BoxStream<'static, Result<E>>
    where
        E: ListUnderParent,
    {
        self.stream_resumed(Some(point))
    }

    fn stream_resumed(&self, resume: Option<ResumePoint>) -> BoxStream<'static, Result<E>> {
        match self.route() {
            Ok(route) => core::list(&self.client, route, resume),
            Err(e) => core::failed(e),
        }
    }

    /// Every child collected into a `Vec`.
    pub async fn list(&self) -> Result<Vec<E>>
    where
        E: ListUnderParent,
    {
        self.stream().try_collect().await
    }

    /// `GET /{Parent}/{id}/{Seg}/{childId}` (attachments return their `data` only here).
    /// No request when the record cache holds it ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<E>>
    where
        E: GetUnderParent,
    {
        let raw = core::get(&self.client, self.route()?, id, Read::Cached).await?;
        raw.map(|v| decode(E::NAME, v)).transpose()
    }

    /// `POST /{Parent}/{id}/{Seg}`; the new record's id.
    pub async fn create(&self, record: &E::New) -> Result<i64>
    where
        E: CreateUnderParent,
    {
        let route = self.route()?;
        core::create(&self.client, route, encode(E::NAME, record)?).await
    }

    /// Creates the child and reads it back at the entity's root (two requests); when the read fails,
    /// [`Error::CreatedButUnread`] keeps the new id.
    pub async fn create_and_get(&self, record: &E::New) -> Result<E>
    where
        E: CreateUnderParent + GetById,
    {
        let id = self.create(record).await?;
        read_back(&self.client, id).await
    }

    /// `PATCH /{Parent}/{id}/{Seg}` with the child's id in the body; only changed fields are sent.
    pub async fn update(&self, patch: &E::Patch) -> Result<i64>
    where
        E: UpdateUnderParent,
    {
        let route = self.route()?;
        core::update(&self.client, route, encode(E::NAME, patch)?).await
    }

    /// `GET /{Parent}/{id}/{Seg}/{childId}` from the server (never from the cache): the whole child
    /// record, to change and pass to [`replace`](Self::replace). `None` when there is no such child.
    pub async fn read_for_replace(&self, id: i64) -> Result<Option<FullRecord<E>>>
    where
        E: ReplaceUnderParent + GetUnderParent,
    {
        read_full(&self.client, self.route()?, id).await
    }

    /// `PUT /{Parent}/{id}/{Seg}`: replaces the whole child record with `record` (read by
    /// `read_for_replace`, then changed); see [`FullRecord`].
    pub async fn replace(&self, record: &FullRecord<E>) -> Result<i64>
    where
        E: ReplaceUnderParent,
    {
        replace_full(&self.client, self.route()?, record).await
    }

    /// `DELETE /{Parent}/{id}/{Seg}/{childId}`; done also when a retry finds the child gone after an
    /// attempt whose answer was lost (see [`EntityHandle::delete`]).
    pub async fn delete(&self, id: i64) -> Result<()>
    where
        E: DeleteUnderParent,
    {
        core::delete(&self.client, self.route()?, id).await
    }
}

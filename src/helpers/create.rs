//! The two create builders the helpers return: [`Create`] for entities created at their root path and
//! [`CreateChild`] for entities created under a parent (`Tickets/{id}/Notes`, `Companies/{id}/Contacts`).

use crate::error::Result;
use crate::model::entity::{Creatable, CreateAtRoot, CreateUnderParent, GetById};
use crate::ops::{ChildHandle, EntityHandle};

/// A record about to be created with `POST /{Entity}`. Nothing is sent until [`send`](Self::send) or
/// [`send_id`](Self::send_id).
#[must_use = "nothing is created until `send()` or `send_id()`"]
pub struct Create<E: Creatable> {
    handle: EntityHandle<E>,
    body: E::New,
}

impl<E: CreateAtRoot + GetById> Create<E> {
    // Unused when the enabled feature groups have no root-created helper entity.
    #[allow(dead_code)]
    pub(crate) fn new(handle: EntityHandle<E>, body: E::New) -> Self {
        Self { handle, body }
    }

    /// Edits any field of the create body (for fields without a setter of their own).
    pub fn with(mut self, edit: impl FnOnce(&mut E::New)) -> Self {
        edit(&mut self.body);
        self
    }

    /// The body as it will be sent.
    pub fn body(&self) -> &E::New {
        &self.body
    }

    /// Creates the record and reads it back: `POST /{Entity}`, then `GET /{Entity}/{id}` (two requests).
    /// A create is never retried when its outcome is unknown ([`Error::UnknownOutcome`](crate::Error::UnknownOutcome)); when the
    /// create succeeded but the read failed, the error is [`Error::CreatedButUnread`](crate::Error::CreatedButUnread) with the new id.
    pub async fn send(self) -> Result<E> {
        self.handle.create_and_get(&self.body).await
    }

    /// Creates the record and returns its id: one `POST /{Entity}`.
    pub async fn send_id(self) -> Result<i64> {
        self.handle.create(&self.body).await
    }
}

/// A record about to be created with `POST /{Parent}/{parentId}/{Segment}` (the only way Autotask creates
/// these entities). Nothing is sent until [`send`](Self::send) or [`send_id`](Self::send_id).
#[must_use = "nothing is created until `send()` or `send_id()`"]
pub struct CreateChild<E: Creatable> {
    handle: ChildHandle<E>,
    body: E::New,
}

impl<E: CreateUnderParent + GetById> CreateChild<E> {
    // Unused when the enabled feature groups have no parent-created helper entity.
    #[allow(dead_code)]
    pub(crate) fn new(handle: ChildHandle<E>, body: E::New) -> Self {
        Self { handle, body }
    }

    /// Edits any field of the create body (for fields without a setter of their own).
    pub fn with(mut self, edit: impl FnOnce(&mut E::New)) -> Self {
        edit(&mut self.body);
        self
    }

    /// The body as it will be sent.
    pub fn body(&self) -> &E::New {
        &self.body
    }

    /// The parent the record is created under.
    pub fn parent_id(&self) -> i64 {
        self.handle.parent_id()
    }

    /// Creates the record and reads it back: `POST /{Parent}/{parentId}/{Segment}`, then
    /// `GET /{Entity}/{id}` (two requests). When the create succeeded but the read failed, the error is
    /// [`Error::CreatedButUnread`](crate::Error::CreatedButUnread) with the new id.
    pub async fn send(self) -> Result<E> {
        self.handle.create_and_get(&self.body).await
    }

    /// Creates the record and returns its id: one `POST /{Parent}/{parentId}/{Segment}`.
    pub async fn send_id(self) -> Result<i64> {
        self.handle.create(&self.body).await
    }
}

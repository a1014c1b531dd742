//! The `Entity` trait and the capability markers that make forbidden operations fail to compile.
//!
//! Capabilities follow the published routes: `Tickets` has no `DeleteAtRoot`; `Contacts` are written only
//! through `Companies/{id}/Contacts` (`CreateUnderParent`, ...); `TicketNotes` only under a ticket.

use crate::meta::EntityMeta;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::str::FromStr;

/// A field-name enum of one entity (`TicketField`).
pub trait FieldName: Copy + Eq + Hash + Debug + Display + FromStr + Send + Sync + 'static {
    /// Every field, in schema order.
    const ALL: &'static [Self];
    /// The exact wire name.
    fn as_str(self) -> &'static str;
}

/// One Autotask REST entity type.
pub trait Entity: Serialize + DeserializeOwned + Clone + Debug + Send + Sync + 'static {
    /// REST collection name (`Tickets`).
    const NAME: &'static str;
    /// Its field-name enum.
    type Field: FieldName;
    /// Its metadata table.
    fn meta() -> &'static EntityMeta;
    /// The record's id.
    fn id(&self) -> i64;
}

/// Entities that can be created somewhere (at the root or under a parent).
pub trait Creatable: Entity {
    /// The create body, whose constructor takes the required fields.
    type New: Serialize + Clone + Debug + Send + Sync + 'static;
}

/// Entities that can be updated somewhere.
pub trait Updatable: Entity {
    /// The tri-state partial update body.
    type Patch: PatchBody;
}

/// A patch body: serialisable and carrying the id of the record it changes.
pub trait PatchBody: Serialize + Clone + Debug + Send + Sync + 'static {
    /// The record to change.
    fn id(&self) -> i64;
}

/// `POST|GET /{E}/query` and `/query/count`.
pub trait Query: Entity {}
/// `GET /{E}/{id}`.
pub trait GetById: Entity {}
/// `POST /{E}`.
pub trait CreateAtRoot: Creatable {}
/// `PATCH /{E}` with the id in the body.
pub trait UpdateAtRoot: Updatable {}
/// `PUT /{E}` with the id in the body.
pub trait ReplaceAtRoot: Updatable {}
/// `DELETE /{E}/{id}`.
pub trait DeleteAtRoot: Entity {}

/// Entities reached through a parent path `/{PARENT}/{parentId}/{SEGMENT}`.
pub trait Child: Entity {
    /// Parent URL segment (`Tickets`).
    const PARENT: &'static str;
    /// Child URL segment (`Notes`).
    const SEGMENT: &'static str;
}
/// `GET /{Parent}/{parentId}/{Seg}`.
pub trait ListUnderParent: Child {}
/// `GET /{Parent}/{parentId}/{Seg}/{id}`.
pub trait GetUnderParent: Child {}
/// `POST /{Parent}/{parentId}/{Seg}`.
pub trait CreateUnderParent: Child + Creatable {}
/// `PATCH /{Parent}/{parentId}/{Seg}`.
pub trait UpdateUnderParent: Child + Updatable {}
/// `PUT /{Parent}/{parentId}/{Seg}`.
pub trait ReplaceUnderParent: Child + Updatable {}
/// `DELETE /{Parent}/{parentId}/{Seg}/{id}`.
pub trait DeleteUnderParent: Child {}

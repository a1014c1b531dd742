//! The `Entity` trait and the capability markers that make forbidden operations fail to compile.
//!
//! Capabilities follow the published routes: `Tickets` has no `DeleteAtRoot`; `Contacts` are written only
//! through `Companies/{id}/Contacts` (`CreateUnderParent`, ...); `TicketNotes` only under a ticket. Each
//! marker carries a compiler message that says why the operation is missing and what to use instead
//! (`tests/compile_fail/*.stderr` pin them).

use super::meta::EntityMeta;
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
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be queried at its root path: the Autotask API has no `/query` for it",
    label = "no root query for this entity",
    note = "an entity reached only through a parent path is listed from the parent's handle: \
            `client.<parents>().<children>(parent_id).list()` (e.g. `client.tickets().notes(ticket_id).list()`)"
)]
pub trait Query: Entity {}
/// `GET /{E}/{id}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by id at its root path",
    label = "no `GET /{{entity}}/{{id}}` for this entity",
    note = "read it under its parent: `client.<parents>().<children>(parent_id).get(id)`"
)]
pub trait GetById: Entity {}
/// `POST /{E}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be created at its root path",
    label = "no root create for this entity",
    note = "an entity written under a parent is created through the parent's handle: \
            `client.<parents>().<children>(parent_id).create(&record)` (e.g. \
            `client.tickets().notes(ticket_id).create(&note)`); some entities cannot be created through \
            the API at all"
)]
pub trait CreateAtRoot: Creatable {}
/// `PATCH /{E}` with the id in the body.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be updated at its root path",
    label = "no root update for this entity",
    note = "an entity written under a parent is updated through the parent's handle: \
            `client.<parents>().<children>(parent_id).update(&patch)`; read-only entities cannot be \
            updated through the API at all"
)]
pub trait UpdateAtRoot: Updatable {}
/// `PUT /{E}` with the id in the body.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be replaced (PUT) at its root path",
    label = "no root replace for this entity",
    note = "an entity written under a parent is replaced through the parent's handle: \
            `client.<parents>().<children>(parent_id).replace(&record)`; to change some fields, `update` \
            (a PATCH) sends only those"
)]
pub trait ReplaceAtRoot: Updatable {}
/// `DELETE /{E}/{id}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be deleted at its root path through the Autotask API",
    label = "no root delete for this entity",
    note = "Tickets and Companies cannot be deleted through the API: set a ticket's `status` to \
            Complete, a company's `isActive` to false; an entity written under a parent is deleted \
            through the parent's handle where the API allows it: \
            `client.<parents>().<children>(parent_id).delete(id)`"
)]
pub trait DeleteAtRoot: Entity {}

/// Entities reached through a parent path `/{PARENT}/{parentId}/{SEGMENT}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no parent path in the Autotask API",
    label = "not reached through a parent",
    note = "use its root handle: `client.<entities>()` (`client.entity::<{Self}>()`)"
)]
pub trait Child: Entity {
    /// Parent URL segment (`Tickets`).
    const PARENT: &'static str;
    /// Child URL segment (`Notes`).
    const SEGMENT: &'static str;
}
/// `GET /{Parent}/{parentId}/{Seg}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be listed under its parent path",
    label = "no list under the parent",
    note = "query it at its root with a filter on the parent's id: `client.<entities>().query().filter(..)`"
)]
pub trait ListUnderParent: Child {}
/// `GET /{Parent}/{parentId}/{Seg}/{id}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read by id under its parent path",
    label = "no get under the parent",
    note = "read it at its root: `client.<entities>().get(id)`"
)]
pub trait GetUnderParent: Child {}
/// `POST /{Parent}/{parentId}/{Seg}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be created under its parent path",
    label = "no create under the parent",
    note = "create it at its root where the API allows it: `client.<entities>().create(&record)`"
)]
pub trait CreateUnderParent: Child + Creatable {}
/// `PATCH /{Parent}/{parentId}/{Seg}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be updated under its parent path",
    label = "no update under the parent",
    note = "update it at its root where the API allows it: `client.<entities>().update(&patch)`"
)]
pub trait UpdateUnderParent: Child + Updatable {}
/// `PUT /{Parent}/{parentId}/{Seg}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be replaced (PUT) under its parent path",
    label = "no replace under the parent",
    note = "replace it at its root where the API allows it, or `update` (a PATCH) the fields to change"
)]
pub trait ReplaceUnderParent: Child + Updatable {}
/// `DELETE /{Parent}/{parentId}/{Seg}/{id}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be deleted under its parent path through the Autotask API",
    label = "no delete under the parent",
    note = "notes and many other child records cannot be deleted through the API; where the root path \
            offers it, delete there: `client.<entities>().delete(id)`"
)]
pub trait DeleteUnderParent: Child {}

/// A field name that the entity does not have (from a field enum's `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entity} has no field named {field:?}")]
pub struct UnknownField {
    /// The field enum's name.
    pub entity: &'static str,
    /// The name that did not match.
    pub field: String,
}

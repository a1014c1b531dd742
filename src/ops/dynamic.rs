//! Access to any entity by name over `serde_json::Value`, as py-autotask's
//! `client.entities.get_entity("Tickets")`. The same operations as the typed handles, with the same
//! checks, made at run time from the metadata: an operation the API does not offer is an
//! [`Error::InvalidInput`] and sends nothing. Queries take the same builder as the typed API, with
//! filters built by field name ([`DynamicEntity::field`]).
//!
//! ```no_run
//! # async fn demo(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::prelude::*;
//!
//! let tickets = client.entities().get_entity("Tickets")?;
//! let open = tickets.query().filter(tickets.field("status")?.noteq(5));
//! println!("{} open tickets", open.count().await?);
//! let first: Vec<serde_json::Value> = open.max_total_records(10).all().await?;
//! # let _ = first; Ok(()) }
//! ```

use super::core::{self, Read, Whole};
use super::query_builder::QueryBuilder;
use super::route::Route;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::metadata::aliases::{self, ReferenceName};
use crate::model::meta::{entity_meta, EntityMeta, FieldMeta};
use crate::query::Where;
use futures::stream::BoxStream;
use serde_json::Value;

/// Entry point for name-based access: `client.entities()`.
#[derive(Clone, Debug)]
pub struct Entities {
    client: Client,
}

impl Client {
    /// Name-based access to every entity.
    pub fn entities(&self) -> Entities {
        Entities {
            client: self.clone(),
        }
    }
}

impl Entities {
    /// The entity whose REST collection or model name is `name` (case-insensitive). No request is made.
    ///
    /// Names from py-autotask's list that are not REST collections are answered from
    /// [`crate::metadata::aliases`]: an old name of a real collection (`InstalledProducts`, `Teams`, ...)
    /// resolves to that collection, and [`DynamicEntity::alias`] tells it was reached that way. Picklist
    /// names (`TicketStatuses`), names this SDK provides as a service (`Analytics`) and names with no
    /// endpoint at all (`Workflows`) give [`Error::NotAnEntity`], whose text names the real
    /// alternative. Anything else, or a collection whose feature group is not compiled, is
    /// [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
    /// let cis = client.entities().get_entity("InstalledProducts")?;
    /// assert_eq!(cis.meta().name, "ConfigurationItems");
    /// assert_eq!(cis.alias().map(|a| a.name), Some("InstalledProducts"));
    /// assert!(matches!(
    ///     client.entities().get_entity("Workflows"),
    ///     Err(autotask::Error::NotAnEntity { .. })
    /// ));
    /// # Ok(()) }
    /// ```
    pub fn get_entity(&self, name: &str) -> Result<DynamicEntity> {
        if let Some(meta) = entity_meta(name) {
            return Ok(DynamicEntity {
                client: self.client.clone(),
                meta,
                alias: None,
            });
        }
        let Some(reference) = aliases::lookup(name) else {
            return Err(Error::InvalidInput(format!(
                "{name:?} is not an Autotask REST entity known to this build"
            )));
        };
        let Some(target) = reference.entity() else {
            return Err(Error::NotAnEntity {
                name: reference.name.to_string(),
                explanation: reference.explanation(),
            });
        };
        match entity_meta(target) {
            Some(meta) => Ok(DynamicEntity {
                client: self.client.clone(),
                meta,
                alias: Some(reference),
            }),
            None => Err(Error::InvalidInput(format!(
                "{name:?} is the REST collection {target}, whose feature group is not compiled into this build"
            ))),
        }
    }
}

/// Operations on one entity over JSON values.
#[derive(Clone)]
pub struct DynamicEntity {
    client: Client,
    meta: &'static EntityMeta,
    /// The py-autotask name used to reach this collection, when it was an alias.
    alias: Option<&'static ReferenceName>,
}

impl std::fmt::Debug for DynamicEntity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicEntity")
            .field("entity", &self.meta.name)
            .field("alias", &self.alias.map(|a| a.name))
            .finish()
    }
}

impl DynamicEntity {
    /// The entity's metadata.
    pub fn meta(&self) -> &'static EntityMeta {
        self.meta
    }

    /// The alias [`Entities::get_entity`] resolved to reach this collection (`InstalledProducts` for
    /// `ConfigurationItems`), or `None` when it was asked for by its real name.
    pub fn alias(&self) -> Option<&'static ReferenceName> {
        self.alias
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn route(&self) -> Route {
        Route::root(self.meta)
    }

    /// The field called `name` (matched case-insensitively, as the API does), for filters built by
    /// name: `tickets.field("status")?.noteq(5)`. An unknown name is an [`Error::InvalidInput`] that
    /// lists the entity's fields.
    pub fn field(&self, name: &str) -> Result<DynamicField> {
        match self.meta.field(name) {
            Some(field) => Ok(DynamicField {
                entity: self.meta,
                field,
            }),
            None => Err(Error::InvalidInput(format!(
                "{} has no field {name:?}; its fields are: {}",
                self.meta.name,
                self.meta
                    .fields
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// `GET /{E}/{id}`; no request when the record cache holds it ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<Value>> {
        core::get(&self.client, self.route(), id, Read::Cached).await
    }

    /// `POST /{E}`; the new id.
    pub async fn create(&self, record: &Value) -> Result<i64> {
        core::create(&self.client, self.route(), record.clone()).await
    }

    /// `PATCH /{E}`; `patch` must carry `id` and only the fields to change.
    pub async fn update(&self, patch: &Value) -> Result<i64> {
        core::update(&self.client, self.route(), patch.clone()).await
    }

    /// `PUT /{E}`: replaces the whole record. `record` must hold every writable field (`null` to clear
    /// one), as a record read with [`get`](Self::get) does: a partial record (read with
    /// `IncludeFields`) is refused, since the PUT would clear every field it lacks. Fields the metadata
    /// does not know are sent as given.
    pub async fn replace(&self, record: &Value) -> Result<i64> {
        core::replace(&self.client, self.route(), record.clone(), Whole::Check).await
    }

    /// `DELETE /{E}/{id}`; done also when a retry finds the record gone after an attempt whose answer
    /// was lost.
    pub async fn delete(&self, id: i64) -> Result<()> {
        core::delete(&self.client, self.route(), id).await
    }

    /// A query over JSON records, the same builder as the typed API's: add filters (by name with
    /// [`field`](Self::field), or any [`Filter`](crate::Filter)), then `.count()`, `.stream()`,
    /// `.all()` or `.page()`. An entity that cannot be queried at its root fails there, without a
    /// request.
    pub fn query(&self) -> QueryBuilder<Value> {
        QueryBuilder::new(self.client.clone(), self.meta)
    }

    /// The children under `parent_id`, for entities reached through a parent path.
    pub fn children(&self, parent_id: i64) -> Result<DynamicChildren> {
        Ok(DynamicChildren {
            client: self.client.clone(),
            route: Route::child(self.meta, parent_id)?,
        })
    }
}

/// A field of a [`DynamicEntity`], found by name: build filters with the [`Where`] methods.
#[derive(Debug, Clone, Copy)]
pub struct DynamicField {
    entity: &'static EntityMeta,
    field: &'static FieldMeta,
}

impl DynamicField {
    /// The field's metadata.
    pub fn meta(&self) -> &'static FieldMeta {
        self.field
    }

    /// The entity the field belongs to.
    pub fn entity(&self) -> &'static EntityMeta {
        self.entity
    }
}

impl Where for DynamicField {
    fn field_name(&self) -> &'static str {
        self.field.name
    }
}

/// Children of one parent over JSON values.
#[derive(Clone)]
pub struct DynamicChildren {
    client: Client,
    route: Route,
}

impl std::fmt::Debug for DynamicChildren {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicChildren")
            .field("path", &self.route.collection())
            .finish()
    }
}

impl DynamicChildren {
    /// The entity's metadata.
    pub fn meta(&self) -> &'static EntityMeta {
        self.route.meta
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Every child, paging to the end.
    pub fn list(&self) -> BoxStream<'static, Result<Value>> {
        core::list(&self.client, self.route, None)
    }

    /// One child: `GET /{Parent}/{parentId}/{Seg}/{id}`; no request when the record cache holds it
    /// ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<Value>> {
        core::get(&self.client, self.route, id, Read::Cached).await
    }

    /// Creates a child; the new id.
    pub async fn create(&self, record: &Value) -> Result<i64> {
        core::create(&self.client, self.route, record.clone()).await
    }

    /// PATCHes a child (`id` in the body).
    pub async fn update(&self, patch: &Value) -> Result<i64> {
        core::update(&self.client, self.route, patch.clone()).await
    }

    /// PUTs a whole child record; like [`DynamicEntity::replace`], a record lacking writable fields is
    /// refused.
    pub async fn replace(&self, record: &Value) -> Result<i64> {
        core::replace(&self.client, self.route, record.clone(), Whole::Check).await
    }

    /// Deletes a child.
    pub async fn delete(&self, id: i64) -> Result<()> {
        core::delete(&self.client, self.route, id).await
    }
}

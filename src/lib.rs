//! # autotask
//!
//! A typed Rust SDK for the Autotask PSA REST API. Every one of the API's REST entities is a Rust type,
//! generated at compile time from the checked-in schema (`schema/`), with a field enum for filters,
//! picklist newtypes, create and patch bodies, and capability markers that make operations the API does not
//! allow fail to compile.
//!
//! ```no_run
//! # #[cfg(feature = "service_desk")]
//! # async fn run() -> autotask::Result<()> {
//! use autotask::prelude::*;
//! use autotask::entities::{NewTicket, TicketField, TicketPatch, TicketPriority, TicketStatus};
//!
//! let client = Client::from_env()?;
//! let id = client
//!     .tickets()
//!     .create(&NewTicket::new(42, TicketPriority::MEDIUM, TicketStatus::NEW, "Printer on fire"))
//!     .await?;
//! let mut patch = TicketPatch::new(id);
//! patch.status = TicketStatus::COMPLETE.into();
//! client.tickets().update(&patch).await?;
//!
//! let open = client.tickets().query().filter(TicketField::Status.noteq(TicketStatus::COMPLETE));
//! println!("{} open tickets", open.count().await?);
//! # Ok(()) }
//! ```
//!
//! ## Layout
//!
//! The crate is arranged in layers; each imports only the layers listed before it.
//!
//! | layer | owns |
//! |---|---|
//! | [`model`] | entity traits and capability markers, metadata tables, wire types, typed values, the generated code ([`entities`]) |
//! | [`error`] | [`Error`], with the report of a failed transaction |
//! | [`query`] | filters ([`Where`], [`Filter`]), [`QuerySpec`], splitting long `in` lists, client-side ordering |
//! | [`client`] | configuration, zone detection, the one request path, retries, limits, cache storage, statistics, the write journal |
//! | [`metadata`] | the tenant's live metadata: picklists, UDF definitions, entity information, py-autotask aliases |
//! | [`ops`] | the one operations layer (capability checks, paging, splitting, cache invalidation, journaling) and the typed, dynamic and batch handles on it |
//! | [`transaction`] | best-effort compensating transactions |
//! | [`helpers`] | py-autotask style helper methods per area |
//! | [`services`] | the py-autotask names that are not entities (analytics, usage, audit, health, export, performance) |
//! | [`webhooks`] | callout verification and webhook management |

#![warn(missing_docs)]

pub mod model;

pub mod error;

pub mod query;

pub mod client;

pub mod metadata;

pub mod ops;

pub mod transaction;

pub mod helpers;

pub mod services;

pub mod webhooks;

#[cfg(feature = "testing")]
pub mod testing;

pub use model::entities;

#[cfg(feature = "redis")]
pub use client::shared_limits;

pub use client::{
    CacheStats, Client, ClientBuilder, EndpointStats, RetryPolicy, DEFAULT_MAX_PAGES_PER_STREAM,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_ZONE_LOOKUP_URL,
};
pub use error::{Error, Result, ResumePoint};
pub use metadata::{
    EntityInformation, Picklist, PicklistValue, Picklists, UdfDefinition, UdfDefinitions, UdfType,
    UserAccess,
};
pub use model::entity::{
    Child, Creatable, CreateAtRoot, CreateUnderParent, DeleteAtRoot, DeleteUnderParent, Entity,
    FieldName, GetById, GetUnderParent, ListUnderParent, PatchBody, Query, ReplaceAtRoot,
    ReplaceUnderParent, UnknownField, Updatable, UpdateAtRoot, UpdateUnderParent,
};
pub use model::meta::{all_entities, entity_meta, EntityMeta, FieldMeta};
pub use model::value::{FieldValue, PicklistType};
pub use model::wire::{
    Base64Data, DateTime, Decimal, HasUserDefinedFields, Patch, Payload, Secret, UserDefinedField,
};
pub use ops::{
    Batch, BatchProgress, BatchResults, ChildHandle, DynamicChildren, DynamicEntity, DynamicField,
    Entities, EntityHandle, FullRecord, Page, QueryBuilder,
};
pub use query::{Filter, Op, QuerySpec, Where};
pub use transaction::{Transaction, TransactionError};

/// What everyday code needs, in one import: `use autotask::prelude::*;`.
///
/// The client, the filter trait [`Where`] and [`Filter`], the entity and capability traits users name
/// in their own generic code, the value traits, the helper extension traits of every compiled area, and
/// the stream extensions (`try_next`, `try_collect`, `next`) that the query streams are used with.
pub mod prelude {
    // Empty when no feature group with helpers is enabled.
    #[allow(unused_imports)]
    pub use crate::helpers::prelude::*;
    pub use crate::model::entity::{
        Child, CreateAtRoot, CreateUnderParent, DeleteAtRoot, DeleteUnderParent, Entity, FieldName,
        GetById, GetUnderParent, ListUnderParent, Query, ReplaceAtRoot, ReplaceUnderParent,
        UpdateAtRoot, UpdateUnderParent,
    };
    pub use crate::model::value::{FieldValue, PicklistType};
    pub use crate::model::wire::HasUserDefinedFields;
    pub use crate::query::{Filter, Op, Where};
    pub use crate::{Client, Error, Result};
    pub use futures::{StreamExt, TryStreamExt};
}

/// The README's examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

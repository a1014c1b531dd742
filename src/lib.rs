//! # autotask
//!
//! A typed Rust SDK for the Autotask PSA REST API. Every one of the API's REST entities is a Rust type,
//! generated at compile time from the checked-in schema (`schema/`), with a field enum for filters,
//! picklist newtypes, create and patch bodies, and capability markers that make operations the API does not
//! allow fail to compile.
//!
//! The example uses the `service_desk` feature group (enabled by default).
//!
//! ```
//! # #[cfg(feature = "service_desk")]
//! # fn main() {
//! use autotask::entities::{NewTicket, Ticket, TicketField, TicketPatch, TicketPriority, TicketStatus};
//! use autotask::{Entity, Patch};
//!
//! // A create body takes the fields the API requires.
//! let new = NewTicket::new(42, TicketPriority::MEDIUM, TicketStatus::NEW, "Printer on fire");
//! assert_eq!(serde_json::to_value(&new).unwrap()["companyID"], 42);
//!
//! // A patch sends only what changes.
//! let mut patch = TicketPatch::new(7);
//! patch.title = "Printer fixed".into();
//! patch.due_date_time = Patch::Null;
//! assert_eq!(
//!     serde_json::to_string(&patch).unwrap(),
//!     r#"{"id":7,"dueDateTime":null,"title":"Printer fixed"}"#
//! );
//!
//! assert_eq!(Ticket::NAME, "Tickets");
//! assert_eq!("RMMALERTID".parse::<TicketField>().unwrap().as_str(), "rmmAlertID");
//! # }
//! # #[cfg(not(feature = "service_desk"))]
//! # fn main() {}
//! ```

#![warn(missing_docs)]

// Only some feature groups have picklists; with none enabled, neither macro is used.
#[macro_use]
#[allow(unused_macros)]
mod macros;

pub mod aliases;
pub mod batch;
pub mod builder;
pub mod cache;
mod client;
mod dynamic;
pub mod entity;
pub mod entity_info;
pub mod error;
mod handle;
pub mod helpers;
pub mod journal;
pub mod meta;
mod paging;
pub mod picklists;
pub mod query;
mod send;
pub mod services;
#[cfg(feature = "redis")]
pub mod shared_limits;
mod stats;
mod sync;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transaction;
pub mod udf;
pub mod webhooks;
pub mod wire;

/// Generated `client.tickets()`-style accessors.
// With no feature group enabled there are no accessors, so the imports go unused.
#[allow(unused_imports)]
mod accessors {
    use crate::entities::*;
    use crate::{ChildHandle, Client, EntityHandle};

    include!(concat!(env!("OUT_DIR"), "/accessors.rs"));
}

pub use batch::{Batch, BatchProgress, BatchResults};
pub use cache::CacheStats;
pub use client::{
    Client, ClientBuilder, RetryPolicy, DEFAULT_MAX_PAGES_PER_STREAM, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_ZONE_LOOKUP_URL,
};
pub use dynamic::{DynamicChildren, DynamicEntity, Entities};
pub use entity_info::{EntityInformation, UserAccess};
pub use error::{Error, Payload, Result, ResumePoint};
pub use handle::{ChildHandle, EntityHandle, FullRecord, Page, QueryBuilder};
pub use picklists::{Picklist, PicklistValue, Picklists};
pub use query::{Filter, Op, QuerySpec, Where};
pub use stats::EndpointStats;
pub use transaction::{Transaction, TransactionError};
pub use udf::{UdfDefinition, UdfDefinitions, UdfType};

/// The generated entity types, one set per REST collection (`Ticket`, `TicketField`, `NewTicket`,
/// `TicketPatch`, `TICKETS` metadata, ...). Only the enabled feature groups are compiled.
// Which imports and macros the generated code uses depends on the enabled feature groups.
#[allow(clippy::all, missing_docs, unused_imports)]
pub mod entities {
    use crate::entity::*;
    use crate::meta::{ChildRoute, DataType, EntityMeta, FieldMeta, PicklistEntry, Verbs};
    use crate::meta::{QUERYABLE, READ_ONLY, REQUIRED, WEBHOOK};
    use crate::wire::{
        Base64Data, DateTime, Decimal, HasUserDefinedFields, Patch, Secret, UserDefinedField,
    };
    use serde::{Deserialize, Serialize};

    include!(concat!(env!("OUT_DIR"), "/entities.rs"));
}

pub use entity::{
    Child, Creatable, CreateAtRoot, CreateUnderParent, DeleteAtRoot, DeleteUnderParent, Entity,
    FieldName, GetById, GetUnderParent, ListUnderParent, PatchBody, Query, ReplaceAtRoot,
    ReplaceUnderParent, Updatable, UpdateAtRoot, UpdateUnderParent,
};
pub use meta::{all_entities, entity_meta, EntityMeta, FieldMeta};
pub use wire::{
    Base64Data, DateTime, Decimal, HasUserDefinedFields, Patch, Secret, UserDefinedField,
};

/// A field name that the entity does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entity} has no field named {field:?}")]
pub struct UnknownField {
    /// The field enum's name.
    pub entity: &'static str,
    /// The name that did not match.
    pub field: String,
}

/// The README's examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

//! The model layer: what an Autotask entity *is*, with no behaviour that talks to the API.
//!
//! * [`entity`]: the [`Entity`](entity::Entity) trait, field-name enums and the capability markers that
//!   make operations the API does not offer fail to compile;
//! * [`meta`]: the static metadata tables generated from `schema/` (fields, data types, picklists, routes);
//! * [`wire`]: wire value types and their serde forms ([`DateTime`](wire::DateTime),
//!   [`Decimal`](wire::Decimal), [`Patch`](wire::Patch), [`Secret`](wire::Secret), UDF values,
//!   [`Payload`](wire::Payload));
//! * `read`: how the generated read models decode (one pass, unknown fields kept in `extra`);
//! * [`value`]: typed values for filters and bodies ([`FieldValue`](value::FieldValue)) and the trait of
//!   generated picklist newtypes ([`PicklistType`](value::PicklistType));
//! * [`entities`]: the generated code itself (re-exported as [`crate::entities`]).
//!
//! Everything else in the crate builds on this layer; it imports nothing from the layers above.

// Only some feature groups have picklists; with none enabled, neither macro is used.
#[macro_use]
#[allow(unused_macros)]
mod macros;

pub mod entity;
pub mod meta;
// With no feature group enabled no read model is generated, so nothing calls the decoder.
#[cfg_attr(
    not(any(
        feature = "service_desk",
        feature = "crm",
        feature = "configuration_items",
        feature = "contracts",
        feature = "projects",
        feature = "finance",
        feature = "inventory",
        feature = "knowledge",
        feature = "administration",
        feature = "webhooks"
    )),
    allow(dead_code)
)]
pub(crate) mod read;
pub mod value;
pub mod wire;

/// The generated entity types, one set per REST collection (`Ticket`, `TicketField`, `NewTicket`,
/// `TicketPatch`, `TICKETS` metadata, ...). Only the enabled feature groups are compiled.
// Which imports and macros the generated code uses depends on the enabled feature groups.
#[allow(clippy::all, missing_docs, unused_imports)]
pub mod entities {
    use super::entity::*;
    use super::meta::{ChildRoute, DataType, EntityMeta, FieldMeta, PicklistEntry, Verbs};
    use super::meta::{QUERYABLE, READ_ONLY, REQUIRED, WEBHOOK};
    use super::read;
    use super::wire::{
        Base64Data, DateTime, Decimal, HasUserDefinedFields, Patch, Secret, UserDefinedField,
    };
    use serde::{Deserialize, Serialize};

    include!(concat!(env!("OUT_DIR"), "/entities.rs"));
}

//! The metadata layer: what the tenant says about its entities, read live and cached by the client.
//!
//! * [`Picklists`] (`client.picklists()`): picklist labels and values, typed through the generated
//!   picklist newtypes (`picklists.of::<Ticket>(TicketField::Status).await?.get::<TicketStatus>("Waiting
//!   Customer")?`, `client.picklists().label(ticket.status)`);
//! * [`UdfDefinitions`] (`client.udf_definitions(..)`): user-defined field definitions and checked UDF
//!   values;
//! * [`EntityInformation`] (`client.entity_information(..)`): what the API user may do with an entity;
//! * [`aliases`]: the py-autotask names that are not REST collections, and what each really is.
//!
//! It builds on the client (requests, the metadata cache) and the model (the compiled-in metadata), not
//! on the operations layer.

pub mod aliases;
mod entity_info;
mod fetch;
mod picklists;
mod udf;

pub use entity_info::{EntityInformation, UserAccess};
pub use picklists::{Picklist, PicklistArg, PicklistValue, Picklists};
pub use udf::{FromUdf, UdfDefinition, UdfDefinitions, UdfInput, UdfType};

//! Hand-written helper methods in the style of py-autotask, as extension traits on the typed handles:
//! `client.tickets().get_open_tickets()`, `client.contracts().renew_contract(id)`, ...
//!
//! Bring them into scope with `use autotask::prelude::*;` (or only the helper traits with
//! `use autotask::helpers::prelude::*;`). Helpers for a child entity are also methods of the parent's
//! child handle: `client.tickets().notes(ticket_id).create_ticket_note(..)`,
//! `client.tickets().attachments(ticket_id).upload_attachment(..)`,
//! `client.companies().contacts(company_id).create_contact(..)`.
//!
//! Arguments follow one order everywhere, the generated constructors' (`NewTicket::new`): the parent's
//! id first, then the other ids (all `i64`), then the other required values, then what the helper adds.
//!
//! ```no_run
//! # #[cfg(feature = "service_desk")]
//! # async fn demo() -> autotask::Result<()> {
//! use autotask::entities::{TicketPriority, TicketStatus};
//! use autotask::prelude::*;
//!
//! let client = Client::from_env()?;
//!
//! // POST /Tickets, then GET /Tickets/{id}.
//! let ticket = client
//!     .tickets()
//!     .create_ticket(42, "Printer on fire", "Third floor, by the window")
//!     .priority(TicketPriority::HIGH)
//!     .send()
//!     .await?;
//!
//! // One POST /Tickets/query per 500 open tickets, to the end.
//! let open = client.tickets().get_open_tickets().await?;
//!
//! // One PATCH /Tickets per id, three at a time; one result per id, in input order.
//! let ids: Vec<i64> = open.iter().map(|t| t.id).collect();
//! for (id, result) in client.tickets().bulk_update_status(&ids, TicketStatus::COMPLETE).await {
//!     if let Err(e) = result {
//!         eprintln!("ticket {id}: {e}");
//!     }
//! }
//! # let _ = ticket;
//! # Ok(())
//! # }
//! ```
//!
//! Every helper is built on the generic handles ([`EntityHandle`](crate::EntityHandle),
//! [`ChildHandle`](crate::ChildHandle), [`QueryBuilder`](crate::QueryBuilder)), so it inherits their
//! guarantees: filters and write bodies are checked against the entity's metadata before sending, and
//! requests go through the client's retry and per-endpoint concurrency rules. Each helper's documentation
//! lists the exact requests it makes.
//!
//! # Paging
//!
//! A helper documented as making "one `POST /{Entity}/query` per 500 records, to the end" returns every
//! matching record, never a silent first page: it sends `POST /{Entity}/query` for the first 500, then
//! POSTs each `nextPageUrl` (`/{Entity}/query/next?paging=…`, same body) until there is none, so `n`
//! matching records take ⌈n/500⌉ requests (one when nothing matches). The one condition applied to the
//! answer instead of on the server, the date cut-off of `get_recent_changes`, is documented there.
//!
//! Where the Autotask REST API cannot do literally what a py-autotask name suggests (there is no
//! "percent complete" on a task, no "paid" flag on an invoice, statuses are per-tenant picklists), the helper
//! says how it is defined on the real fields instead. Picklist values with no system meaning (note types,
//! project types, ...) are arguments: the SDK never guesses a tenant's values.
//!
//! Creation helpers return a [`Create`] or [`CreateChild`] builder: required values are the helper's
//! arguments, common optional fields have setters, and [`Create::with`] edits any other field of the
//! generated create body. Nothing is sent until `send()` (create, then read back) or `send_id()` (create only).

mod create;
pub use create::{Create, CreateChild};

#[cfg(feature = "service_desk")]
pub mod tickets;

#[cfg(feature = "crm")]
pub mod companies;

#[cfg(feature = "crm")]
pub mod contacts;

#[cfg(feature = "configuration_items")]
pub mod configuration_items;

#[cfg(feature = "contracts")]
pub mod contracts;

#[cfg(feature = "projects")]
pub mod projects;

#[cfg(any(feature = "finance", feature = "crm"))]
pub mod finance;

/// All helper traits, for `use autotask::helpers::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "crm")]
    pub use super::companies::{CompanyHelpers, CompanyNoteHelpers};
    #[cfg(feature = "configuration_items")]
    pub use super::configuration_items::{ConfigurationItemHelpers, ConfigurationItemTypeHelpers};
    #[cfg(feature = "crm")]
    pub use super::contacts::ContactHelpers;
    #[cfg(feature = "contracts")]
    pub use super::contracts::{ContractHelpers, ContractServiceHelpers};
    #[cfg(feature = "finance")]
    pub use super::finance::InvoiceHelpers;
    #[cfg(feature = "crm")]
    pub use super::finance::QuoteHelpers;
    #[cfg(feature = "projects")]
    pub use super::projects::{ProjectHelpers, TaskHelpers};
    #[cfg(feature = "service_desk")]
    pub use super::tickets::{
        TicketAttachmentHelpers, TicketHelpers, TicketHistoryHelpers, TicketNoteHelpers,
    };
}

/// Midnight UTC of the day `at` falls on: the API stores date-only fields (contract dates) this way.
#[cfg(any(feature = "contracts", feature = "crm"))]
pub(crate) fn start_of_day(at: crate::DateTime) -> crate::DateTime {
    at.date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|naive| naive.and_utc())
        .unwrap_or(at)
}

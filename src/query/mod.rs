//! The query layer: filters over an entity's fields (typed through its field enum, or by name), checked
//! against its metadata before anything is sent.
//!
//! ```
//! use autotask::query::{Filter, Where};
//! # #[cfg(feature = "service_desk")] {
//! use autotask::entities::TicketField;
//!
//! let open_urgent = Filter::and([
//!     TicketField::Status.noteq(5),
//!     Filter::or([TicketField::Priority.eq(1), TicketField::Priority.eq(4)]),
//! ]);
//! assert_eq!(
//!     serde_json::to_value(&open_urgent).unwrap()["items"][1]["op"],
//!     "or"
//! );
//! # }
//! ```
//!
//! This layer is data only: it builds and checks what a query asks for (filters, [`QuerySpec`], the
//! splitting of long `in` lists, the client-side ordering of the py-style builder) and sends nothing. The
//! operations layer ([`crate::ops`]) runs queries.

mod condition;
mod filter;
mod order;
mod spec;

pub use condition::Where;
pub(crate) use filter::check_range;
pub use filter::{Filter, Op};
pub(crate) use order::compare;
pub use order::Direction;
pub use spec::{QuerySpec, MAX_LIST_VALUES, MAX_OR_CONDITIONS, MAX_PAGE_SIZE};

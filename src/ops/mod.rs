//! The operations layer: every operation on an entity goes through one untyped core (`core.rs`), which
//! takes (entity metadata, route, verb, JSON) and owns what every operation needs once:
//!
//! * capability checks (the verb must be offered on the root or parent path, `route.rs`);
//! * input checks against the metadata (ids, write bodies, whole records for a replace, `checks.rs`);
//! * paging that follows `nextPageUrl` to the end, bounded, resumable, and the splitting of long `in`
//!   lists into several queries (`paging.rs`);
//! * the record cache for reads, and for writes the cache invalidation and the write journal, applied
//!   also when a call is cancelled or panics.
//!
//! Around it, only encoding and decoding: the typed handles ([`EntityHandle`], [`ChildHandle`], built
//! by the generated accessors `client.tickets()`, `client.tickets().notes(id)`), the dynamic handles
//! ([`Entities`], [`DynamicEntity`], [`DynamicChildren`]), the one query builder ([`QueryBuilder`],
//! typed or over JSON), the py-style builder ([`PyQueryBuilder`]) and batches ([`Batch`]). The
//! transaction layer, the helpers, the services and the webhooks build on the same core.

mod accessors;
mod batch;
mod checks;
mod codec;
pub(crate) mod core;
mod dynamic;
mod json_reader;
mod paging;
mod py_builder;
mod query_builder;
pub(crate) mod route;
mod typed;

pub use batch::{Batch, BatchProgress, BatchResults};
pub(crate) use codec::encode;
pub use dynamic::{DynamicChildren, DynamicEntity, DynamicField, Entities};
pub use py_builder::PyQueryBuilder;
pub use query_builder::{Page, QueryBuilder, Record, DEFAULT_PARALLEL_PAGES};
pub use typed::{ChildHandle, EntityHandle, FullRecord};

//! The autotask SDK's generator, as a library used by both the root crate's `build.rs` and the
//! `codegen` binary.
//!
//! * [`schema`]: the checked-in schema format (`schema/entities/*.json`);
//! * [`import`]: builds the schema from the published swagger and the derived reference tables;
//! * [`refresh`]: rewrites it from a live tenant's `entityInformation` endpoints;
//! * [`emit`]: turns it into Rust.

#![warn(missing_docs)]

pub mod curated;
pub mod emit;
pub mod import;
pub mod refresh;
pub mod schema;

pub use schema::{load_dir, EntitySchema, SchemaError};

/// Entities of the enabled feature groups only.
pub fn select_groups(entities: Vec<EntitySchema>, groups: &[String]) -> Vec<EntitySchema> {
    entities
        .into_iter()
        .filter(|e| groups.iter().any(|g| g == &e.group))
        .collect()
}

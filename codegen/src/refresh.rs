//! `codegen refresh`: rewrites the schema's metadata from a live tenant.
//!
//! For each entity already in the schema it asks `GET /V1.0/{E}/entityInformation` and
//! `GET /V1.0/{E}/entityInformation/fields`, keeps the routes (the API does not describe them) and drops
//! everything tenant-specific: picklist values that are not `isSystem`, and UDF definitions (never fetched).
//! The HTTP transport is abstracted by [`Fetch`] so this logic has no network dependency.

use crate::schema::{EntityInfo, EntitySchema, FieldInfo, SchemaError};
use serde::Deserialize;

/// Answers `GET {path}` (path relative to the API base, e.g. `Tickets/entityInformation`) with its JSON body.
pub trait Fetch {
    /// The parsed JSON body of `GET {path}`, or why it could not be had (HTTP status, transport, bad JSON).
    fn get_json(&self, path: &str) -> Result<serde_json::Value, SchemaError>;
}

#[derive(Deserialize)]
struct InfoAnswer {
    info: EntityInfo,
}

#[derive(Deserialize)]
struct FieldsAnswer {
    fields: Vec<FieldInfo>,
}

/// The refreshed schema: same entities and routes, metadata from the tenant.
pub fn refresh(
    current: &[EntitySchema],
    fetch: &dyn Fetch,
) -> Result<Vec<EntitySchema>, SchemaError> {
    let mut out = Vec::with_capacity(current.len());
    for entity in current {
        let info: InfoAnswer = decode(
            &entity.name,
            "entityInformation",
            fetch.get_json(&format!("{}/entityInformation", entity.name))?,
        )?;
        let fields: FieldsAnswer = decode(
            &entity.name,
            "entityInformation/fields",
            fetch.get_json(&format!("{}/entityInformation/fields", entity.name))?,
        )?;
        let mut fields = fields.fields;
        for field in &mut fields {
            // Tenant-added picklist values (queues, issue types...) never land in the repository.
            if let Some(values) = &mut field.picklist_values {
                values.retain(|v| v.is_system);
            }
        }
        crate::schema::canonical_order(&mut fields);
        out.push(EntitySchema {
            name: entity.name.clone(),
            model: entity.model.clone(),
            group: entity.group.clone(),
            source:
                "refresh: info and fields from a live tenant's entityInformation endpoints (system \
                     picklist values only); routes kept from the import"
                    .to_string(),
            info: info.info,
            fields,
            routes: entity.routes.clone(),
        });
    }
    Ok(out)
}

fn decode<T: for<'de> Deserialize<'de>>(
    entity: &str,
    what: &str,
    body: serde_json::Value,
) -> Result<T, SchemaError> {
    serde_json::from_value(body)
        .map_err(|e| SchemaError(format!("{entity}/{what}: unexpected answer: {e}")))
}

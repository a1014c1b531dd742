//! Stored records as wire JSON: every schema field present (null when empty), `userDefinedFields` on
//! entities that have UDFs, attachment `data` only where the API sends it (PROTOCOL.md §4.4, §6.5).

use super::catalog::Catalog;
use super::Record;
use crate::schema::{DataType, Entity};
use serde_json::{json, Map, Value};

/// Which fields of a record to send.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// `IncludeFields`: only these (plus `id` and `userDefinedFields`).
    pub include: Option<&'a [&'static str]>,
    /// Send attachment `data` (only the child GET of one attachment does).
    pub with_data: bool,
}

impl RenderOptions<'_> {
    /// All fields, no attachment data.
    pub const FULL: RenderOptions<'static> = RenderOptions {
        include: None,
        with_data: false,
    };

    /// All fields, attachment data included.
    pub const WITH_DATA: RenderOptions<'static> = RenderOptions {
        include: None,
        with_data: true,
    };
}

/// The wire JSON of `record`.
pub fn render(
    entity: &Entity,
    catalog: &Catalog,
    record: &Record,
    options: RenderOptions,
) -> Value {
    let mut out = Map::new();
    for field in &entity.fields {
        if let Some(include) = options.include {
            if field.name != "id" && !include.contains(&field.name.as_str()) {
                continue;
            }
        }
        let value = if field.data_type() == DataType::Bytes && !options.with_data {
            Value::Null
        } else {
            record.get(&field.name).cloned().unwrap_or(Value::Null)
        };
        out.insert(field.name.clone(), value);
    }
    if entity.info.has_user_defined_fields() {
        out.insert(
            "userDefinedFields".into(),
            render_udfs(entity, catalog, record),
        );
    }
    Value::Object(out)
}

/// `[{"name":..,"value":..}]` for every UDF the tenant defines on the entity.
fn render_udfs(entity: &Entity, catalog: &Catalog, record: &Record) -> Value {
    let stored = record.get("userDefinedFields").and_then(Value::as_object);
    let list: Vec<Value> = catalog
        .udfs(entity)
        .iter()
        .map(|udf| {
            let value = stored
                .and_then(|s| s.get(&udf.name))
                .cloned()
                .unwrap_or(Value::Null);
            json!({ "name": udf.name, "value": value })
        })
        .collect();
    Value::Array(list)
}

/// The stored value of UDF `name`.
pub fn udf_value<'r>(record: &'r Record, name: &str) -> Option<&'r str> {
    record
        .get("userDefinedFields")?
        .as_object()?
        .get(name)?
        .as_str()
}

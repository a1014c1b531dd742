//! Write validation, as strict as the real API: unknown fields, required fields, string lengths,
//! picklist values, type conversion, reference existence and UDF names.
//!
//! Read-only fields in a body are **ignored** (the API does not reject them either), except that fields
//! the metadata marks both required and read-only (attachment `title`, `fullPath`, ...) are accepted on
//! create. `id` is only the record key.

use super::catalog::Catalog;
use super::{Record, Store};
use crate::config::UdfType;
use crate::error::ApiError;
use crate::schema::{DataType, Entity, Field};
use crate::wire::datetime;
use base64::Engine;
use serde_json::{json, Map, Value};

/// What kind of write a body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// `POST`: required fields must be present.
    Create,
    /// `PATCH`: only the sent fields change.
    Update,
    /// `PUT`: the sent fields replace the record; required fields must be present.
    Replace,
}

/// A validated body: normalized field values and UDF values to store.
#[derive(Debug, Default)]
pub struct WriteSet {
    /// Writable fields that were sent, under their exact wire names (null clears).
    pub fields: Record,
    /// UDF name → value (string or null).
    pub udfs: Map<String, Value>,
}

/// Validates `body` for a write of `meta`, collecting every problem into one 500 answer.
pub fn validate_write(
    meta: &Entity,
    catalog: &Catalog,
    store: &Store,
    body: &Map<String, Value>,
    mode: WriteMode,
) -> Result<WriteSet, ApiError> {
    let mut errors = Vec::new();
    let mut set = WriteSet::default();
    for (key, value) in body {
        if key.eq_ignore_ascii_case("id") {
            continue;
        }
        if key.eq_ignore_ascii_case("userDefinedFields") {
            read_udfs(meta, catalog, value, &mut set, &mut errors);
            continue;
        }
        let Some(field) = meta.field(key) else {
            errors.push(format!(
                "Unable to find {key} in the {} Entity.",
                meta.model
            ));
            continue;
        };
        let writable = !field.is_read_only || (field.is_required && mode == WriteMode::Create);
        if !writable {
            continue;
        }
        match normalize(meta, catalog, store, field, value) {
            Ok(normalized) => {
                set.fields.insert(field.name.clone(), normalized);
            }
            Err(message) => errors.push(message),
        }
    }
    if mode != WriteMode::Update {
        for field in meta
            .fields
            .iter()
            .filter(|f| f.is_required && f.name != "id")
        {
            let present = set.fields.get(&field.name).is_some_and(|v| !v.is_null());
            if !present && (mode == WriteMode::Create || !field.is_read_only) {
                errors.push(format!(
                    "Missing Required Field: {}. The {} could not be saved.",
                    field.name, meta.model
                ));
            }
        }
        for udf in catalog.udfs(meta).iter().filter(|u| u.is_required) {
            if set.udfs.get(&udf.name).is_none_or(Value::is_null) {
                errors.push(format!(
                    "Missing Required User-Defined Field: {}.",
                    udf.name
                ));
            }
        }
    }
    if mode == WriteMode::Create {
        if let Some(missing) = missing_attachment_data(meta, &set.fields) {
            errors.push(missing);
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(ApiError::Business(errors))
    }
}

/// PROTOCOL.md §6.5: "`data` is required for FILE_ATTACHMENT".
fn missing_attachment_data(meta: &Entity, fields: &Record) -> Option<String> {
    let data = meta.data_field()?;
    let kind = fields.get("attachmentType").and_then(Value::as_str)?;
    let has_data = fields.get(&data.name).is_some_and(|v| !v.is_null());
    (kind.eq_ignore_ascii_case("FILE_ATTACHMENT") && !has_data).then(|| {
        format!(
            "Missing Required Field: {}. A FILE_ATTACHMENT needs its data; the {} could not be saved.",
            data.name, meta.model
        )
    })
}

fn read_udfs(
    meta: &Entity,
    catalog: &Catalog,
    value: &Value,
    set: &mut WriteSet,
    errors: &mut Vec<String>,
) {
    let Some(items) = value.as_array() else {
        errors.push("userDefinedFields must be an array of {name, value}.".into());
        return;
    };
    for item in items {
        let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
        let Some(udf) = catalog.udf(meta, name) else {
            errors.push(format!(
                "Unable to find user-defined field {name} in the {} Entity.",
                meta.model
            ));
            continue;
        };
        let raw = item.get("value").cloned().unwrap_or(Value::Null);
        let text = match &raw {
            Value::Null => {
                set.udfs.insert(udf.name.clone(), Value::Null);
                continue;
            }
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let ok = match udf.udf_type {
            UdfType::String => udf.length == 0 || text.chars().count() <= udf.length as usize,
            UdfType::Number => text.parse::<f64>().is_ok(),
            UdfType::DateTime => datetime::parse(&text).is_some(),
            UdfType::Boolean => matches!(text.as_str(), "true" | "false" | "1" | "0"),
            UdfType::List => text
                .parse::<i64>()
                .is_ok_and(|v| udf.picklist.iter().any(|p| p.value == v)),
        };
        if ok {
            set.udfs.insert(udf.name.clone(), Value::String(text));
        } else {
            errors.push(format!(
                "Value {text} is not valid for user-defined field {}.",
                udf.name
            ));
        }
    }
}

/// Converts one sent value to its stored form, or explains why it is rejected.
fn normalize(
    meta: &Entity,
    catalog: &Catalog,
    store: &Store,
    field: &Field,
    value: &Value,
) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let conversion = || {
        format!(
            "Unable to convert value {value} of field {} to {}.",
            field.name,
            field.data_type_name()
        )
    };
    let normalized = match field.data_type() {
        t if t.is_integer() => {
            let number = match value {
                Value::Number(n) => n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(conversion)?;
            json!(number)
        }
        DataType::Double | DataType::Decimal => {
            let number = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .ok_or_else(conversion)?;
            json!(number)
        }
        DataType::Boolean => Value::Bool(value.as_bool().ok_or_else(conversion)?),
        DataType::DateTime => {
            let text = value.as_str().ok_or_else(conversion)?;
            Value::String(datetime::normalize(text).ok_or_else(conversion)?)
        }
        DataType::String => {
            let text = value.as_str().ok_or_else(conversion)?;
            if field.length > 0 && text.chars().count() > field.length as usize {
                return Err(format!(
                    "The value of {} exceeds the maximum length of {} characters.",
                    field.name, field.length
                ));
            }
            value.clone()
        }
        DataType::Bytes => {
            let text = value.as_str().ok_or_else(conversion)?;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| format!("The value of {} is not valid base64 data.", field.name))?;
            value.clone()
        }
        _ => value.clone(),
    };
    if let Some(id) = normalized.as_i64() {
        if catalog.picklist(meta, field).is_some() {
            if !catalog.picklist_allows(meta, field, id) {
                return Err(format!(
                    "Invalid value {id} for picklist field {} of the {} Entity.",
                    field.name, meta.model
                ));
            }
        } else if !field.reference.is_empty() {
            if let Some(target) = catalog.by_model(&field.reference) {
                if store.has_rows(&target.name) && !store.exists(&target.name, id) {
                    return Err(format!(
                        "Invalid {}: the referenced {} with id {id} does not exist.",
                        field.name, field.reference
                    ));
                }
            }
        }
    }
    Ok(normalized)
}

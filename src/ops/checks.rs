//! Checks of ids and write bodies against the entity's metadata, made before anything is sent.

use crate::error::{Error, Result};
use crate::model::meta::{DataType, EntityMeta};
use serde_json::Value;

/// Ids the API can hold: positive, or 0 for the root company (PROTOCOL.md 6.4); anything else is refused
/// before sending.
pub(crate) fn check_id(entity: &str, id: i64) -> Result<()> {
    if id > 0 || (id == 0 && entity.eq_ignore_ascii_case("Companies")) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{entity}: {id} is not a record id (ids are positive; only the root company has id 0)"
        )))
    }
}

/// What a write body may hold besides the entity's known fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Refuse fields the metadata does not know (creates, patches).
    Refuse,
    /// Keep them: a whole record read from the server sends back fields this SDK does not know.
    Keep,
}

/// Checks a write body against the metadata before sending: known fields, no read-only fields (except
/// `id`), strings within their length, integers within their field's width, dates within the years
/// Autotask stores.
pub(crate) fn check_write_body(meta: &EntityMeta, body: &Value, unknown: Unknown) -> Result<()> {
    let Some(object) = body.as_object() else {
        return Err(Error::InvalidInput(format!(
            "{}: a write body must be a JSON object",
            meta.name
        )));
    };
    for (name, value) in object {
        if name == "userDefinedFields" {
            continue;
        }
        if name == "id" {
            // A create may carry `id: 0` (PROTOCOL.md 2.1); updates check their id themselves.
            if !(value.is_null() || value.as_i64().is_some_and(|id| id >= 0)) {
                return Err(Error::InvalidInput(format!(
                    "{}: `id` must be a record id, not {value}",
                    meta.name
                )));
            }
            continue;
        }
        let Some(field) = meta.field(name) else {
            if unknown == Unknown::Keep {
                continue;
            }
            return Err(Error::InvalidInput(format!(
                "{} has no field {name:?}",
                meta.name
            )));
        };
        if field.is_read_only() && !value.is_null() {
            return Err(Error::InvalidInput(format!(
                "{}.{} is read-only",
                meta.name, field.name
            )));
        }
        if let (DataType::String, Some(text)) = (field.data_type, value.as_str()) {
            let chars = text.chars().count();
            if field.length > 0 && chars > field.length as usize {
                return Err(Error::InvalidInput(format!(
                    "{}.{} is {chars} characters long; the limit is {}",
                    meta.name, field.name, field.length
                )));
            }
        }
        crate::query::check_range(field.data_type, value)
            .map_err(|why| Error::InvalidInput(format!("{}.{}: {why}", meta.name, field.name)))?;
    }
    Ok(())
}

/// The record id an update or replace body carries in `id`.
pub(crate) fn body_id(meta: &EntityMeta, body: &Value) -> Result<i64> {
    match body.get("id").and_then(Value::as_i64) {
        Some(id) => check_id(meta.name, id).map(|()| id),
        None => Err(Error::InvalidInput(format!(
            "{}: an update body needs the record's `id`",
            meta.name
        ))),
    }
}

/// A whole-record body must hold every writable field: what it lacks, a PUT would clear.
pub(crate) fn require_whole(meta: &EntityMeta, record: &Value) -> Result<()> {
    let Some(object) = record.as_object() else {
        return Err(Error::InvalidInput(format!(
            "{}: a write body must be a JSON object",
            meta.name
        )));
    };
    let missing: Vec<&str> = meta
        .fields
        .iter()
        .filter(|f| !f.is_read_only() && f.name != "id" && !object.contains_key(f.name))
        .map(|f| f.name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "{}: a replace (PUT) needs the whole record, and this one lacks {} writable field(s) ({}{}), \
         which the PUT would clear; read the record without IncludeFields, set the fields to null to \
         clear them, or use update (PATCH) to change only some",
        meta.name,
        missing.len(),
        missing[..missing.len().min(5)].join(", "),
        if missing.len() > 5 { ", …" } else { "" }
    )))
}

/// A PUT body: every writable field (null when unset), no read-only ones, and every field the metadata
/// does not know (read from a newer server: sent back as it came).
pub(crate) fn replace_body(meta: &EntityMeta, record: Value) -> Value {
    let mut record = record;
    if let Some(object) = record.as_object_mut() {
        object.retain(|name, _| {
            name == "id"
                || name == "userDefinedFields"
                || meta.field(name).is_none_or(|f| !f.is_read_only())
        });
        for field in meta
            .fields
            .iter()
            .filter(|f| !f.is_read_only() && f.name != "id")
        {
            object.entry(field.name).or_insert(Value::Null);
        }
    }
    record
}

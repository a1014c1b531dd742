//! `entities`, `fields`, `picklist`, `udfs`: what the schema and the tenant's metadata say.

use super::connect;
use crate::args::Global;
use crate::error::{CliError, Result};
use crate::output::{Format, RecordWriter};
use crate::sdk::{self, UdfType};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn print_rows(global: &Global, columns: &[&str], rows: &[Value]) -> Result<()> {
    let format = Format::choose(global.format);
    let columns = columns.iter().map(|c| c.to_string()).collect();
    let mut writer = RecordWriter::stdout(format, columns, BTreeMap::new())?;
    for row in rows {
        writer.write(row)?;
    }
    writer.finish()
}

/// Every entity (offline: from the schema compiled in).
pub fn entities(global: &Global, contains: Option<&str>) -> Result<()> {
    let wanted = contains.map(str::to_ascii_lowercase);
    let rows: Vec<Value> = sdk::all_entities()
        .iter()
        .filter(|m| {
            wanted
                .as_deref()
                .is_none_or(|w| m.name.to_ascii_lowercase().contains(w))
        })
        .map(|m| {
            let (parent, parent_verbs) = match m.child {
                Some(child) => (
                    json!(format!("{}/{{id}}/{}", child.parent, child.segment)),
                    json!(sdk::verb_names(child.verbs)),
                ),
                None => (Value::Null, json!([])),
            };
            json!({
                "name": m.name,
                "verbs": sdk::verb_names(m.root_verbs),
                "parent": parent,
                "parentVerbs": parent_verbs,
                "udfs": m.has_user_defined_fields,
            })
        })
        .collect();
    if rows.is_empty() {
        return Err(CliError::usage(format!(
            "no entity name contains {:?}",
            contains.unwrap_or_default()
        ))
        .hint("run `autotask entities` to list them all"));
    }
    print_rows(
        global,
        &["name", "verbs", "parent", "parentVerbs", "udfs"],
        &rows,
    )
}

/// An entity's fields (offline: from the schema compiled in).
pub fn fields(global: &Global, entity: &str) -> Result<()> {
    let meta = sdk::entity(entity)?;
    let rows: Vec<Value> = meta
        .fields
        .iter()
        .map(|f| {
            let picklist = match (f.is_picklist(), f.picklist_parent) {
                (false, _) => Value::Null,
                (true, "") => json!("yes"),
                (true, parent) => json!(format!("depends on {parent}")),
            };
            json!({
                "name": f.name,
                "type": f.data_type.as_str(),
                "length": (f.length > 0).then_some(f.length),
                "required": f.is_required(),
                "readOnly": f.is_read_only(),
                "queryable": f.is_queryable(),
                "picklist": picklist,
                "reference": (!f.reference.is_empty()).then_some(f.reference),
            })
        })
        .collect();
    print_rows(
        global,
        &[
            "name",
            "type",
            "length",
            "required",
            "readOnly",
            "queryable",
            "picklist",
            "reference",
        ],
        &rows,
    )
}

/// A picklist's values from the tenant.
pub async fn picklist(
    global: &Global,
    entity: &str,
    field: &str,
    parent_value: Option<&str>,
) -> Result<()> {
    let meta = sdk::entity(entity)?;
    let sdk = connect(global)?;
    let mut picklist = sdk.picklist(meta, field).await?;
    if let Some(parent) = parent_value {
        // A label of the parent picklist is accepted too.
        let parent_value = match (parent.trim().parse::<i64>(), picklist.parent_field()) {
            (Err(_), Some(parent_field)) => {
                let parents = sdk.picklist(meta, parent_field).await?;
                crate::values::label_value(&parents, parent).map_err(CliError::usage)?
            }
            _ => Value::String(parent.trim().to_string()),
        };
        picklist = picklist
            .children_of(crate::output::text(&parent_value))
            .map_err(sdk::map_error)?;
    }
    let dependent = picklist.parent_field().is_some();
    let rows: Vec<Value> = picklist
        .entries()
        .iter()
        .map(|v| {
            json!({
                "value": v.as_i64().map_or_else(|| json!(v.value), Value::from),
                "label": v.label,
                "active": v.is_active,
                "default": v.is_default,
                "parentValue": v.parent_value.as_deref().map(|p| p.parse::<i64>().map_or_else(|_| json!(p), Value::from)),
                "sortOrder": v.sort_order,
            })
        })
        .collect();
    let mut columns = vec!["value", "label", "active", "default"];
    if dependent {
        columns.push("parentValue");
    }
    print_rows(global, &columns, &rows)
}

/// An entity's user-defined fields from the tenant.
pub async fn udfs(global: &Global, entity: &str) -> Result<()> {
    let meta = sdk::entity(entity)?;
    if !meta.has_user_defined_fields {
        return Err(
            CliError::usage(format!("{} has no user-defined fields", meta.name))
                .hint("`autotask entities` shows which entities have them (udfs column)"),
        );
    }
    let sdk = connect(global)?;
    let definitions = sdk.udfs(meta).await?;
    let rows: Vec<Value> = definitions
        .iter()
        .map(|d| {
            let kind = match &d.udf_type {
                UdfType::String => "string".to_string(),
                UdfType::Number => "number".to_string(),
                UdfType::Date => "date".to_string(),
                UdfType::DateTime => "datetime".to_string(),
                UdfType::Boolean => "boolean".to_string(),
                UdfType::List => "list".to_string(),
                UdfType::Other(name) => name.clone(),
                other => format!("{other:?}").to_lowercase(),
            };
            let values: Vec<&str> = d.picklist.iter().map(|v| v.label.as_str()).collect();
            json!({
                "name": d.name,
                "label": d.label,
                "type": kind,
                "required": d.is_required,
                "readOnly": d.is_read_only,
                "queryable": d.is_queryable,
                "values": values,
                "description": d.description,
            })
        })
        .collect();
    print_rows(
        global,
        &[
            "name",
            "type",
            "required",
            "readOnly",
            "queryable",
            "values",
            "description",
        ],
        &rows,
    )
}

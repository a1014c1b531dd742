//! Answers of the metadata endpoints: `entityInformation`, `/fields`, `/userDefinedFields`,
//! the global `EntityInformation` and `Modules`.

use crate::callouts;
use crate::config::PicklistValue;
use crate::schema::{self, Entity};
use crate::store::catalog::Catalog;
use serde_json::{json, Value};

/// The `info` object of an entity, as the schema holds it (PROTOCOL.md §4.1).
pub fn entity_info(meta: &Entity) -> Value {
    meta.info.json().clone()
}

fn picklist_json(values: &[PicklistValue]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|v| {
                json!({
                    "value": v.value.to_string(),
                    "label": v.label,
                    "isDefaultValue": v.is_default,
                    "sortOrder": v.sort_order,
                    "parentValue": v.parent_value.map(|p| p.to_string()).unwrap_or_default(),
                    "isActive": v.is_active,
                    "isSystem": v.is_system,
                })
            })
            .collect(),
    )
}

/// `{"fields":[...]}` for an entity, with the tenant's picklist values.
pub fn fields(meta: &Entity, catalog: &Catalog) -> Value {
    let fields: Vec<Value> = meta
        .fields
        .iter()
        .map(|f| {
            let picklist = catalog.picklist(meta, f);
            json!({
                "name": f.name,
                "dataType": f.data_type_name(),
                "length": f.length,
                "isRequired": f.is_required,
                "isReadOnly": f.is_read_only,
                "isQueryable": f.is_queryable,
                "isReference": !f.reference.is_empty(),
                "referenceEntityType": f.reference,
                "isPickList": picklist.is_some(),
                "picklistValues": picklist.as_deref().map(picklist_json),
                "picklistParentValueField": f.picklist_parent_value_field,
                "isSupportedWebhookField": f.is_supported_webhook_field || callouts::is_supported_field(meta, f),
            })
        })
        .collect();
    json!({ "fields": fields })
}

/// `{"fields":[...]}` describing the entity's UDFs.
pub fn user_defined_fields(meta: &Entity, catalog: &Catalog) -> Value {
    let fields: Vec<Value> = catalog
        .udfs(meta)
        .iter()
        .map(|u| {
            let is_list = !u.picklist.is_empty();
            json!({
                "name": u.name,
                "label": u.label,
                "type": u.udf_type.wire_name(),
                "length": u.length,
                "description": u.description,
                "isRequired": u.is_required,
                "isReadOnly": false,
                "isQueryable": true,
                "isReference": false,
                "referenceEntityType": "",
                "isPickList": is_list,
                "picklistValues": if is_list { picklist_json(&u.picklist) } else { Value::Null },
                "picklistParentValueField": "",
                "defaultValue": Value::Null,
                "isSupportedWebhookField": meta.info.supports_webhook_callouts(),
            })
        })
        .collect();
    json!({ "fields": fields })
}

/// `{"entityDescriptions":[{"info":...},...]}` for every entity.
pub fn global_entity_information() -> Value {
    let descriptions: Vec<Value> = schema::all()
        .iter()
        .map(|m| json!({ "info": entity_info(m) }))
        .collect();
    json!({ "entityDescriptions": descriptions })
}

/// `{"modules":[{"key":n,"value":bool}]}`: the demo tenant's licensed modules.
pub fn modules() -> Value {
    let active = [
        (1, true),
        (2, true),
        (3, true),
        (4, true),
        (5, false),
        (24, true),
        (25, false),
    ];
    json!({
        "modules": active
            .iter()
            .map(|(key, value)| json!({ "key": key, "value": value }))
            .collect::<Vec<_>>()
    })
}

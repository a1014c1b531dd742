//! `codegen import <reference dir>`: builds `schema/` from the published swagger and the derived tables.
//!
//! Inputs (all in the reference directory):
//! * `swagger-newest.json`: models (field names, types, read-only flags) and the paths that use them;
//! * `entity-catalog.derived.json`: each collection's verbs and parent-scoped paths;
//! * `required-fields.derived.json`: `isRequired` as live `entityInformation/fields` reported it (2023);
//! * `models-newest.json`: only its `collection` key, to tie a model to its collection where no path names it.

use crate::curated;
use crate::schema::{
    ChildRoute, EntityInfo, EntitySchema, FieldInfo, PicklistValue, RootRoute, Routes, SchemaError,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn read_json(dir: &Path, file: &str) -> Result<Value, SchemaError> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| SchemaError(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| SchemaError(format!("{}: {e}", path.display())))
}

/// Builds the schema of every entity in the catalog.
pub fn import(reference: &Path) -> Result<Vec<EntitySchema>, SchemaError> {
    let swagger = read_json(reference, "swagger-newest.json")?;
    let catalog = read_json(reference, "entity-catalog.derived.json")?;
    let required = read_json(reference, "required-fields.derived.json")?;
    let models = read_json(reference, "models-newest.json")?;

    let definitions = swagger["definitions"]
        .as_object()
        .ok_or_else(|| SchemaError("swagger has no definitions".into()))?;
    let paths = swagger["paths"]
        .as_object()
        .ok_or_else(|| SchemaError("swagger has no paths".into()))?;
    let entities = catalog["entities"]
        .as_object()
        .ok_or_else(|| SchemaError("catalog has no entities".into()))?;

    let mut model_of_collection: BTreeMap<String, String> = BTreeMap::new();
    if let Some(models) = models["models"].as_object() {
        for (model, entry) in models {
            if let Some(collection) = entry["collection"].as_str() {
                model_of_collection.insert(collection.to_string(), model.clone());
            }
        }
    }

    let mut out = Vec::with_capacity(entities.len());
    for (name, entry) in entities {
        let model =
            model_from_paths(name, entry, paths).or_else(|| model_of_collection.get(name).cloned());
        let required_entry = &required["entities"][name.as_str()];
        out.push(build_entity(
            name,
            entry,
            model.as_deref(),
            definitions,
            required_entry,
        )?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    mark_parent_references(&mut out);
    Ok(out)
}

/// Parent URL segments that are not a collection name, with the model they stand for.
const PARENT_SEGMENT_MODELS: [(&str, &str); 2] = [
    ("Expenses", "ExpenseReport"),
    ("UserDefinedFields", "UserDefinedFieldDefinition"),
];

/// Fields that hold the parent's id under a name not derived from the parent's model.
const IRREGULAR_PARENT_FIELDS: [(&str, &str); 8] = [
    ("Expenses", "expenseReportID"),
    ("UserDefinedFields", "udfFieldId"),
    ("ConfigurationItems", "installedProductID"),
    ("ContactGroups", "contactGroupId"),
    ("KnowledgeBaseArticles", "articleID"),
    ("PurchaseOrders", "orderID"),
    ("KnowledgeBaseCategories", "articleCategoryID"),
    // `/Tasks/{id}/Predecessors`: the task in the path is the successor.
    ("Tasks", "successorTaskID"),
];

/// The swagger marks no references, and [`reference_of`] knows only the common ones, so a child's
/// parent-id field (`articleID` of `ArticleNotes`, `webhookID` of `TicketWebhookFields`) would look like a
/// plain integer. Every parent route names the parent, so mark that field as a reference to the parent's
/// model: the field named after the parent model (`{Model}ID`, or `{LastWord}ID` such as `webhookID`), or
/// a known irregular name.
fn mark_parent_references(entities: &mut [EntitySchema]) {
    let model_of_collection: BTreeMap<String, String> = entities
        .iter()
        .map(|e| (e.name.to_ascii_lowercase(), e.model.clone()))
        .collect();
    for entity in entities.iter_mut() {
        for route in entity.routes.children.clone() {
            let parent_model = model_of_collection
                .get(&route.parent.to_ascii_lowercase())
                .cloned()
                .or_else(|| {
                    PARENT_SEGMENT_MODELS
                        .iter()
                        .find(|(segment, _)| segment.eq_ignore_ascii_case(&route.parent))
                        .map(|(_, model)| model.to_string())
                });
            let Some(parent_model) = parent_model else {
                continue;
            };
            let already = entity
                .fields
                .iter()
                .any(|f| f.reference_entity_type.eq_ignore_ascii_case(&parent_model));
            if already {
                continue;
            }
            let last_word = parent_model
                .rfind(|c: char| c.is_ascii_uppercase())
                .map(|i| &parent_model[i..])
                .unwrap_or(&parent_model);
            let mut candidates = vec![format!("{parent_model}ID")];
            // `ItemID` would be too vague (ExpenseItem, InventoryItem, PurchaseOrderItem).
            if last_word != "Item" {
                candidates.push(format!("{last_word}ID"));
            }
            candidates.extend(
                IRREGULAR_PARENT_FIELDS
                    .iter()
                    .filter(|(segment, _)| segment.eq_ignore_ascii_case(&route.parent))
                    .map(|(_, field)| field.to_string()),
            );
            let field = candidates.iter().find_map(|candidate| {
                entity
                    .fields
                    .iter()
                    .position(|f| f.name.eq_ignore_ascii_case(candidate))
            });
            if let Some(index) = field {
                let field = &mut entity.fields[index];
                if !field.is_pick_list && field.reference_entity_type.is_empty() {
                    field.is_reference = true;
                    field.reference_entity_type = parent_model;
                }
            }
        }
    }
}

/// The model a collection's own operations return or accept, e.g. `TicketModel` for `Tickets`.
fn model_from_paths(name: &str, entry: &Value, paths: &Map<String, Value>) -> Option<String> {
    let mut candidates = vec![
        format!("/V1.0/{name}/query"),
        format!("/V1.0/{name}/{{id}}"),
        format!("/V1.0/{name}"),
    ];
    for child in entry["childAccess"].as_array().into_iter().flatten() {
        if let Some(path) = child["path"].as_str() {
            candidates.push(path.to_string());
            candidates.push(format!("{path}/{{id}}"));
        }
    }
    for path in candidates {
        let Some(ops) = paths.get(&path).and_then(Value::as_object) else {
            continue;
        };
        for op in ops.values() {
            let mut refs: Vec<&str> = Vec::new();
            if let Some(responses) = op["responses"].as_object() {
                refs.extend(
                    responses
                        .values()
                        .filter_map(|r| r["schema"]["$ref"].as_str()),
                );
            }
            if let Some(params) = op["parameters"].as_array() {
                refs.extend(params.iter().filter_map(|p| p["schema"]["$ref"].as_str()));
            }
            for reference in refs {
                if let Some(model) = model_in_ref(reference) {
                    return Some(model);
                }
            }
        }
    }
    None
}

/// `#/definitions/QueryActionResult[TicketModel,Ticket]` or `#/definitions/TicketModel` → `TicketModel`.
fn model_in_ref(reference: &str) -> Option<String> {
    let name = reference.strip_prefix("#/definitions/")?;
    let inner = match name.find('[') {
        Some(start) => name[start + 1..].split(',').next()?,
        None => name,
    };
    let generic_wrappers = [
        "QueryModel",
        "OperationResultModel",
        "QueryCountResultModel",
    ];
    (inner.ends_with("Model") && !generic_wrappers.contains(&inner) && !inner.contains("Result"))
        .then(|| inner.to_string())
}

fn verbs_of_root(entry: &Value) -> Vec<String> {
    let flags = [
        ("query", "query"),
        ("count", "count"),
        ("getById", "get"),
        ("createAtRoot", "create"),
        ("patchAtRoot", "patch"),
        ("putAtRoot", "put"),
        ("deleteAtRoot", "delete"),
        ("entityInformation", "entityInformation"),
        ("fieldsInfo", "fields"),
        ("udfInfo", "userDefinedFields"),
    ];
    flags
        .iter()
        .filter(|(flag, _)| entry[*flag].as_bool().unwrap_or(false))
        .map(|(_, verb)| verb.to_string())
        .collect()
}

fn verb_of_child(catalog_verb: &str) -> Option<&'static str> {
    Some(match catalog_verb {
        "GET (list children)" => "list",
        "GET /{id}" | "GET /{year}" => "get",
        "POST" => "create",
        "PATCH" => "patch",
        "PUT" => "put",
        "DELETE /{id}" => "delete",
        _ => return None,
    })
}

fn data_type(property: &Value) -> Option<&'static str> {
    Some(
        match (property["type"].as_str(), property["format"].as_str()) {
            (Some("integer"), Some("int64")) => "long",
            (Some("integer"), _) => "integer",
            (Some("number"), _) => "double",
            (Some("string"), Some("date-time")) => "datetime",
            (Some("string"), Some("byte")) => "byte[]",
            (Some("string"), _) => "string",
            (Some("boolean"), _) => "boolean",
            (Some("object"), _) => "object",
            _ => return None,
        },
    )
}

fn build_entity(
    name: &str,
    entry: &Value,
    model: Option<&str>,
    definitions: &Map<String, Value>,
    required: &Value,
) -> Result<EntitySchema, SchemaError> {
    let flag = |key: &str| entry[key].as_bool().unwrap_or(false);
    let properties = model
        .and_then(|m| definitions.get(m))
        .and_then(|d| d["properties"].as_object());
    let required_names: Vec<&str> = required["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();

    let mut fields = Vec::new();
    let mut has_udfs = false;
    match properties {
        Some(props) => {
            for (field, property) in props {
                if field == "userDefinedFields" {
                    has_udfs = true;
                    continue;
                }
                // `soapParentPropertyId` is a SOAP relic with no wire meaning.
                if field.eq_ignore_ascii_case("soapParentPropertyId") {
                    continue;
                }
                let Some(data_type) = data_type(property) else {
                    continue;
                };
                fields.push(field_info(
                    name,
                    field,
                    data_type,
                    property,
                    &required_names,
                ));
            }
        }
        // Action-only collections with no published model still carry an id.
        None => fields.push(field_info(name, "id", "long", &Value::Null, &[])),
    }

    crate::schema::canonical_order(&mut fields);
    let model_name = model
        .map(|m| m.trim_end_matches("Model").to_string())
        .unwrap_or_else(|| singular(name));

    let children: Vec<ChildRoute> = entry["childAccess"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|child| ChildRoute {
            parent: child["parent"].as_str().unwrap_or_default().to_string(),
            segment: child["segment"].as_str().unwrap_or_default().to_string(),
            path: child["path"].as_str().unwrap_or_default().to_string(),
            verbs: child["verbs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().and_then(verb_of_child))
                .map(str::to_string)
                .collect(),
        })
        .collect();

    let access = |allowed: bool| if allowed { "All" } else { "None" }.to_string();
    let info = EntityInfo {
        name: model_name.clone(),
        can_create: flag("canCreate"),
        can_delete: flag("canDelete"),
        can_query: flag("canQuery"),
        can_update: flag("canUpdate"),
        user_access_for_create: access(flag("canCreate")),
        user_access_for_delete: access(flag("canDelete")),
        user_access_for_query: access(flag("canQuery")),
        user_access_for_update: access(flag("canUpdate")),
        has_user_defined_fields: has_udfs,
        supports_webhook_callouts: matches!(
            name,
            "Companies" | "Contacts" | "ConfigurationItems" | "Tickets" | "TicketNotes"
        ),
    };

    let required_source = if required.is_null() {
        "isRequired unknown (entity newer than required-fields.derived.json)"
    } else {
        "isRequired from required-fields.derived.json (live entityInformation/fields, 2023)"
    };
    let source = format!(
        "import: fields and types from swagger-newest.json {}; routes from entity-catalog.derived.json; {}; \
         isReadOnly from swagger readOnly plus audit fields; picklists and lengths curated (codegen/src/curated.rs); \
         a refresh from a tenant replaces field metadata",
        model.unwrap_or("(no model published; id only)"),
        required_source
    );

    Ok(EntitySchema {
        name: name.to_string(),
        model: model_name,
        group: curated::group_for(name).to_string(),
        source,
        info,
        fields,
        routes: Routes {
            root: RootRoute {
                path: entry["rootPath"].as_str().unwrap_or_default().to_string(),
                verbs: verbs_of_root(entry),
            },
            children,
        },
    })
}

fn field_info(
    entity: &str,
    field: &str,
    data_type: &str,
    property: &Value,
    required: &[&str],
) -> FieldInfo {
    let picklist = curated::PICKLISTS
        .iter()
        .find(|p| p.entity == entity && p.field == field);
    let picklist_values = picklist.map(|p| {
        p.values
            .iter()
            .enumerate()
            .map(|(i, known)| PicklistValue {
                value: known.value.to_string(),
                label: known.label.to_string(),
                is_default_value: false,
                sort_order: i as i32,
                parent_value: String::new(),
                is_active: true,
                is_system: true,
            })
            .collect()
    });
    let reference = reference_of(field);
    FieldInfo {
        name: field.to_string(),
        data_type: data_type.to_string(),
        length: curated::known_length(entity, field).unwrap_or(0),
        // Live metadata spells a few names differently (`displayColorRgb`), so match case-insensitively.
        is_required: required.iter().any(|r| r.eq_ignore_ascii_case(field)),
        is_read_only: property["readOnly"].as_bool().unwrap_or(false)
            || curated::is_read_only(entity, field),
        is_queryable: data_type != "byte[]",
        is_reference: reference.is_some() && picklist.is_none(),
        reference_entity_type: if picklist.is_none() {
            reference.unwrap_or_default()
        } else {
            String::new()
        },
        is_pick_list: picklist.is_some(),
        picklist_values,
        picklist_parent_value_field: picklist.map(|p| p.parent.to_string()).unwrap_or_default(),
        is_supported_webhook_field: false,
    }
}

/// Singular entity named by a `...ID` field, for the common references only.
fn reference_of(field: &str) -> Option<String> {
    let known = [
        ("companyID", "Company"),
        ("contactID", "Contact"),
        ("ticketID", "Ticket"),
        ("projectID", "Project"),
        ("taskID", "Task"),
        ("contractID", "Contract"),
        ("resourceID", "Resource"),
        ("assignedResourceID", "Resource"),
        ("configurationItemID", "ConfigurationItem"),
        ("opportunityID", "Opportunity"),
        ("quoteID", "Quote"),
        ("invoiceID", "Invoice"),
        ("productID", "Product"),
        ("roleID", "Role"),
        ("companyLocationID", "CompanyLocation"),
    ];
    known
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, e)| e.to_string())
}

/// `TimeOffRequestsApprove` → `TimeOffRequestApprove`: the collection name with its plural `s` removed.
fn singular(collection: &str) -> String {
    if let Some(pos) = collection.find("sA").or_else(|| collection.find("sR")) {
        let mut s = collection.to_string();
        s.remove(pos);
        return s;
    }
    collection
        .strip_suffix('s')
        .unwrap_or(collection)
        .to_string()
}

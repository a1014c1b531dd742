//! The checked-in schema format: one JSON file per REST collection.
//!
//! `info` and `fields` have exactly the shape of the API's `GET /{E}/entityInformation` (`info`) and
//! `GET /{E}/entityInformation/fields` (`fields[]`) answers, so a live refresh is a plain copy. Everything
//! else (`model`, `group`, `source`, `routes`) is ours: the API does not describe its own routes.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// One entity (REST collection) of the Autotask API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitySchema {
    /// REST collection name, e.g. `Tickets`.
    pub name: String,
    /// Singular model name from the swagger (`TicketModel` without `Model`), e.g. `Ticket`.
    pub model: String,
    /// Cargo feature group the entity belongs to (`service_desk`, `crm`, ...).
    pub group: String,
    /// Where this file's metadata came from.
    pub source: String,
    /// `GET /{E}/entityInformation` → `info`.
    pub info: EntityInfo,
    /// `GET /{E}/entityInformation/fields` → `fields`.
    pub fields: Vec<FieldInfo>,
    /// The URL paths that reach the entity and the verbs each allows.
    pub routes: Routes,
}

/// Shape of `entityInformation` → `info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityInfo {
    /// `name`: the entity name as `entityInformation` reports it.
    pub name: String,
    /// `canCreate`: the entity can be created (at the root or under its parent).
    pub can_create: bool,
    /// `canDelete`: the entity can be deleted.
    pub can_delete: bool,
    /// `canQuery`: the entity can be queried.
    pub can_query: bool,
    /// `canUpdate`: the entity can be updated.
    pub can_update: bool,
    /// `None` | `All` | `Restricted` (strings on the wire).
    pub user_access_for_create: String,
    /// `userAccessForDelete`, as `user_access_for_create`.
    pub user_access_for_delete: String,
    /// `userAccessForQuery`, as `user_access_for_create`.
    pub user_access_for_query: String,
    /// `userAccessForUpdate`, as `user_access_for_create`.
    pub user_access_for_update: String,
    /// `hasUserDefinedFields`: records carry a `userDefinedFields` list (the generated type gets one).
    pub has_user_defined_fields: bool,
    /// `supportsWebhookCallouts`: a `{Model}Webhooks` collection can watch the entity.
    pub supports_webhook_callouts: bool,
}

/// Shape of one `entityInformation/fields` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    /// Exact wire name (`rmmAlertID`).
    pub name: String,
    /// `integer`, `short`, `long`, `string`, `datetime`, `boolean`, `double`, `decimal`, `byte[]`, `object`.
    pub data_type: String,
    /// Maximum length of a string value; 0 when unknown or not a string.
    pub length: u32,
    /// `isRequired`: creates must set it (the generated `New{Model}::new` takes it).
    pub is_required: bool,
    /// `isReadOnly`: server-set; left out of create and patch bodies.
    pub is_read_only: bool,
    /// `isQueryable`: usable in query filters.
    pub is_queryable: bool,
    /// `isReference`: the value is the id of a `reference_entity_type` record.
    pub is_reference: bool,
    /// Singular entity name (`Company`), `""` when not a reference.
    pub reference_entity_type: String,
    /// `isPickList`: the value is one of a picklist's values (a picklist newtype is generated).
    pub is_pick_list: bool,
    /// `null` for non-picklist fields.
    pub picklist_values: Option<Vec<PicklistValue>>,
    /// Name of the parent picklist field for dependent picklists, `""` otherwise.
    pub picklist_parent_value_field: String,
    /// `isSupportedWebhookField`: webhooks may watch the field.
    pub is_supported_webhook_field: bool,
}

/// One picklist value, as `entityInformation/fields` reports it (`value` is a string on the wire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    /// The stored value (`"1"`), which the field carries as a number.
    pub value: String,
    /// The text shown in Autotask (`Customer`).
    pub label: String,
    /// `isDefaultValue`: the picklist's default (what Autotask preselects).
    pub is_default_value: bool,
    /// Position in the display order.
    pub sort_order: i32,
    /// For a dependent picklist, the parent field's value this one belongs to; `""` otherwise.
    pub parent_value: String,
    /// False for retired values.
    pub is_active: bool,
    /// True for values Autotask ships; false for tenant-added ones.
    pub is_system: bool,
}

/// Every URL path that reaches an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Routes {
    /// The flat `/V1.0/{E}` path.
    pub root: RootRoute,
    /// Parent-scoped paths such as `/V1.0/Tickets/{parentId}/Notes`.
    pub children: Vec<ChildRoute>,
}

/// The flat collection path `/V1.0/{E}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootRoute {
    /// `/V1.0/{E}`.
    pub path: String,
    /// Subset of `query`, `count`, `get`, `create`, `patch`, `put`, `delete`, `entityInformation`,
    /// `fields`, `userDefinedFields`.
    pub verbs: Vec<String>,
}

/// A parent-scoped path `/V1.0/{parent}/{parentId}/{segment}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRoute {
    /// Parent URL segment (`Tickets`, or `Expenses` for ExpenseReports).
    pub parent: String,
    /// The child collection's segment after the parent id (`Notes`).
    pub segment: String,
    /// The full template, `/V1.0/{parent}/{parentId}/{segment}`.
    pub path: String,
    /// Subset of `list`, `get`, `create`, `patch`, `put`, `delete`.
    pub verbs: Vec<String>,
}

impl RootRoute {
    /// True when `verb` (one of the names in [`RootRoute::verbs`]) is allowed.
    pub fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

impl ChildRoute {
    /// True when `verb` (one of the names in [`ChildRoute::verbs`]) is allowed.
    pub fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

impl EntitySchema {
    /// The field called `name`, matched case-insensitively as the API does.
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Pretty JSON with a trailing newline: the exact bytes written to `schema/entities/{name}.json`.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("schema serialises");
        text.push('\n');
        text
    }
}

/// Sorts fields canonically (`id` first, then case-insensitively by name) so that imports and refreshes
/// produce the same order and a diff shows only real changes.
pub fn canonical_order(fields: &mut [FieldInfo]) {
    fields.sort_by_key(|f| (f.name != "id", f.name.to_ascii_lowercase()));
}

/// Errors reading or writing the schema directory.
#[derive(Debug)]
pub struct SchemaError(pub String);

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

/// Reads every `*.json` under `dir/entities`, sorted by entity name.
pub fn load_dir(dir: &Path) -> Result<Vec<EntitySchema>, SchemaError> {
    let entities = dir.join("entities");
    let read = std::fs::read_dir(&entities)
        .map_err(|e| SchemaError(format!("cannot read {}: {e}", entities.display())))?;
    let mut paths: Vec<_> = read
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| SchemaError(format!("cannot read {}: {e}", path.display())))?;
        let schema: EntitySchema = serde_json::from_str(&text)
            .map_err(|e| SchemaError(format!("{}: {e}", path.display())))?;
        out.push(schema);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Writes one file per entity and removes files of entities that are gone.
/// Returns the names of files whose content changed (added, modified or removed).
pub fn write_dir(dir: &Path, schemas: &[EntitySchema]) -> Result<Vec<String>, SchemaError> {
    let entities = dir.join("entities");
    std::fs::create_dir_all(&entities)
        .map_err(|e| SchemaError(format!("cannot create {}: {e}", entities.display())))?;
    let changed = diff_dir(dir, schemas)?;
    for schema in schemas {
        let path = entities.join(format!("{}.json", schema.name));
        let text = schema.to_json();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)
                .map_err(|e| SchemaError(format!("cannot write {}: {e}", path.display())))?;
        }
    }
    for name in &changed {
        if !schemas.iter().any(|s| &s.name == name) {
            let _ = std::fs::remove_file(entities.join(format!("{name}.json")));
        }
    }
    Ok(changed)
}

/// Names of entity files that would change if `schemas` were written to `dir`.
pub fn diff_dir(dir: &Path, schemas: &[EntitySchema]) -> Result<Vec<String>, SchemaError> {
    let entities = dir.join("entities");
    let mut changed = Vec::new();
    for schema in schemas {
        let path = entities.join(format!("{}.json", schema.name));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(schema.to_json().as_str()) {
            changed.push(schema.name.clone());
        }
    }
    if let Ok(read) = std::fs::read_dir(&entities) {
        for entry in read.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                let stem = path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string();
                if !schemas.iter().any(|s| s.name == stem) {
                    changed.push(stem);
                }
            }
        }
    }
    changed.sort();
    Ok(changed)
}

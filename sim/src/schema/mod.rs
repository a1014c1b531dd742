//! The entity catalog the simulator serves: every REST entity with its fields and routes.
//!
//! The data is the repository's checked-in schema (`schema/entities/*.json`, the shape of the API's own
//! `entityInformation` and `entityInformation/fields` answers plus each entity's routes). `build.rs`
//! reads it through the generator library and writes it to `OUT_DIR/schema.json`; this module includes
//! that file and parses it on first use. This is the only place the schema reaches the simulator.
//!
//! Where PROTOCOL.md contradicts the schema, the simulator follows PROTOCOL.md ([`corrections`]).

mod corrections;

use crate::config::PicklistValue;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The schema as JSON, embedded at build time.
const SCHEMA_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/schema.json"));

/// A field's `dataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// `integer`.
    Integer,
    /// `short`.
    Short,
    /// `long`.
    Long,
    /// `double`.
    Double,
    /// `decimal`.
    Decimal,
    /// `datetime`.
    DateTime,
    /// `boolean`.
    Boolean,
    /// `string`.
    String,
    /// `byte[]`: base64 attachment data.
    Bytes,
    /// `object`: free-form JSON.
    Object,
}

impl DataType {
    fn parse(text: &str) -> DataType {
        match text {
            "integer" => DataType::Integer,
            "short" => DataType::Short,
            "long" => DataType::Long,
            "double" => DataType::Double,
            "decimal" => DataType::Decimal,
            "datetime" => DataType::DateTime,
            "boolean" => DataType::Boolean,
            "byte[]" => DataType::Bytes,
            "object" => DataType::Object,
            // build.rs refuses any other value.
            _ => DataType::String,
        }
    }

    /// True for `integer`, `short` and `long`.
    pub fn is_integer(self) -> bool {
        matches!(self, DataType::Integer | DataType::Short | DataType::Long)
    }

    /// True for `double` and `decimal`.
    pub fn is_number(self) -> bool {
        matches!(self, DataType::Double | DataType::Decimal)
    }
}

/// Reads `picklistValues` (`value` and `parentValue` are strings on the wire) into the simulator's own
/// picklist type; entries whose value is not an integer are skipped.
fn picklist_values<'de, D>(deserializer: D) -> Result<Option<Vec<PicklistValue>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: Option<Vec<serde_json::Value>> = Option::deserialize(deserializer)?;
    Ok(raw.map(|entries| {
        entries
            .iter()
            .filter_map(|entry| {
                let text = |name: &str| entry.get(name).and_then(serde_json::Value::as_str);
                let flag = |name: &str| entry.get(name).and_then(serde_json::Value::as_bool);
                Some(PicklistValue {
                    value: text("value")?.parse().ok()?,
                    label: text("label").unwrap_or_default().to_string(),
                    is_default: flag("isDefaultValue").unwrap_or(false),
                    sort_order: entry
                        .get("sortOrder")
                        .and_then(serde_json::Value::as_i64)
                        .and_then(|n| i32::try_from(n).ok())
                        .unwrap_or(0),
                    parent_value: text("parentValue").and_then(|p| p.parse().ok()),
                    is_active: flag("isActive").unwrap_or(true),
                    is_system: flag("isSystem").unwrap_or(false),
                })
            })
            .collect()
    }))
}

/// One field, as `entityInformation/fields` describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Exact wire name.
    pub name: String,
    #[serde(rename = "dataType")]
    data_type_text: String,
    #[serde(skip, default = "default_type")]
    data_type: DataType,
    /// Maximum string length; 0 when unknown.
    pub length: u32,
    /// `isRequired`.
    pub is_required: bool,
    /// `isReadOnly`.
    pub is_read_only: bool,
    /// `isQueryable`.
    pub is_queryable: bool,
    /// Singular name of the referenced entity, `""` when not a reference.
    #[serde(rename = "referenceEntityType")]
    pub reference: String,
    /// `isPickList`.
    pub is_pick_list: bool,
    /// The schema's picklist values (tenants add their own, see the store's catalog).
    #[serde(deserialize_with = "picklist_values")]
    pub picklist_values: Option<Vec<PicklistValue>>,
    /// `picklistParentValueField`.
    pub picklist_parent_value_field: String,
    /// `isSupportedWebhookField`.
    pub is_supported_webhook_field: bool,
}

fn default_type() -> DataType {
    DataType::String
}

impl Field {
    /// The field's data type.
    pub fn data_type(&self) -> DataType {
        self.data_type
    }

    /// The `dataType` text.
    pub fn data_type_name(&self) -> &str {
        &self.data_type_text
    }
}

/// `entityInformation` → `info`, served as the schema holds it (PROTOCOL.md §4.1).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Info(serde_json::Value);

impl Info {
    /// The `info` object.
    pub fn json(&self) -> &serde_json::Value {
        &self.0
    }

    fn flag(&self, name: &str) -> bool {
        self.0.get(name).and_then(serde_json::Value::as_bool) == Some(true)
    }

    /// `hasUserDefinedFields`: records carry `userDefinedFields`.
    pub fn has_user_defined_fields(&self) -> bool {
        self.flag("hasUserDefinedFields")
    }

    /// `supportsWebhookCallouts`.
    pub fn supports_webhook_callouts(&self) -> bool {
        self.flag("supportsWebhookCallouts")
    }
}

/// A set of route verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verbs(u16);

impl Verbs {
    /// `POST|GET /query`.
    pub const QUERY: Verbs = Verbs(1);
    /// `POST|GET /query/count`.
    pub const COUNT: Verbs = Verbs(1 << 1);
    /// `GET /{id}`.
    pub const GET: Verbs = Verbs(1 << 2);
    /// `GET` the child collection.
    pub const LIST: Verbs = Verbs(1 << 3);
    /// `POST` the collection.
    pub const CREATE: Verbs = Verbs(1 << 4);
    /// `PATCH` the collection.
    pub const PATCH: Verbs = Verbs(1 << 5);
    /// `PUT` the collection.
    pub const PUT: Verbs = Verbs(1 << 6);
    /// `DELETE /{id}`.
    pub const DELETE: Verbs = Verbs(1 << 7);
    /// `GET /entityInformation`.
    pub const INFO: Verbs = Verbs(1 << 8);
    /// `GET /entityInformation/fields`.
    pub const FIELDS: Verbs = Verbs(1 << 9);
    /// `GET /entityInformation/userDefinedFields`.
    pub const UDF_INFO: Verbs = Verbs(1 << 10);

    fn parse(names: &[String]) -> Verbs {
        let bits = names.iter().fold(0, |bits, name| {
            bits | match name.as_str() {
                "query" => Verbs::QUERY.0,
                "count" => Verbs::COUNT.0,
                "get" => Verbs::GET.0,
                "list" => Verbs::LIST.0,
                "create" => Verbs::CREATE.0,
                "patch" => Verbs::PATCH.0,
                "put" => Verbs::PUT.0,
                "delete" => Verbs::DELETE.0,
                "entityInformation" => Verbs::INFO.0,
                "fields" => Verbs::FIELDS.0,
                "userDefinedFields" => Verbs::UDF_INFO.0,
                // build.rs refuses any other verb.
                _ => 0,
            }
        });
        Verbs(bits)
    }

    /// True when every verb of `other` is in the set.
    pub fn contains(self, other: Verbs) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A parent-scoped path `/V1.0/{parent}/{parentId}/{segment}`.
#[derive(Debug, Clone)]
pub struct ChildRoute {
    /// Parent URL segment (`Tickets`).
    pub parent: String,
    /// The segment after the parent id (`Notes`).
    pub segment: String,
    /// What the path allows.
    pub verbs: Verbs,
}

/// One REST entity.
#[derive(Debug)]
pub struct Entity {
    /// REST collection name (`Tickets`).
    pub name: String,
    /// Singular model name (`Ticket`).
    pub model: String,
    /// `entityInformation` → `info`.
    pub info: Info,
    /// Every field, in schema order.
    pub fields: Vec<Field>,
    /// What `/V1.0/{name}...` allows.
    pub root_verbs: Verbs,
    /// Parent-scoped paths.
    pub children: Vec<ChildRoute>,
}

impl Entity {
    /// The field called `name`, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The first binary (`byte[]`) field: attachment `data`.
    pub fn data_field(&self) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.data_type() == DataType::Bytes)
    }
}

/// Raw shapes of the embedded file (the checked-in schema format).
#[derive(Deserialize)]
struct RawEntity {
    name: String,
    model: String,
    info: Info,
    fields: Vec<Field>,
    routes: RawRoutes,
}

#[derive(Deserialize)]
struct RawRoutes {
    root: RawRoot,
    children: Vec<RawChild>,
}

#[derive(Deserialize)]
struct RawRoot {
    verbs: Vec<String>,
}

#[derive(Deserialize)]
struct RawChild {
    parent: String,
    segment: String,
    verbs: Vec<String>,
}

/// Every entity, plus a case-insensitive index by collection and model name.
struct Schema {
    entities: Vec<Entity>,
    by_name: HashMap<String, usize>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let raw: Vec<RawEntity> =
            serde_json::from_str(SCHEMA_JSON).expect("build.rs wrote a valid schema");
        let mut entities: Vec<Entity> = raw
            .into_iter()
            .map(|e| Entity {
                root_verbs: Verbs::parse(&e.routes.root.verbs),
                children: e
                    .routes
                    .children
                    .into_iter()
                    .map(|c| ChildRoute {
                        verbs: Verbs::parse(&c.verbs),
                        parent: c.parent,
                        segment: c.segment,
                    })
                    .collect(),
                name: e.name,
                model: e.model,
                info: e.info,
                fields: e
                    .fields
                    .into_iter()
                    .map(|mut f| {
                        f.data_type = DataType::parse(&f.data_type_text);
                        f
                    })
                    .collect(),
            })
            .collect();
        corrections::apply(&mut entities);
        let mut by_name = HashMap::new();
        for (index, entity) in entities.iter().enumerate() {
            by_name.insert(entity.model.to_ascii_lowercase(), index);
        }
        // Collection names win over a model name that happens to be spelled the same.
        for (index, entity) in entities.iter().enumerate() {
            by_name.insert(entity.name.to_ascii_lowercase(), index);
        }
        Schema { entities, by_name }
    })
}

/// Every entity, sorted by collection name.
pub fn all() -> &'static [Entity] {
    &schema().entities
}

/// The entity whose collection or model name is `name`, case-insensitively.
pub fn entity(name: &str) -> Option<&'static Entity> {
    let schema = schema();
    schema
        .by_name
        .get(&name.to_ascii_lowercase())
        .map(|&index| &schema.entities[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_has_every_entity_with_routes() {
        assert_eq!(all().len(), 232);
        let notes = entity("TicketNotes").unwrap();
        assert_eq!(entity("ticketnote").unwrap().name, "TicketNotes");
        assert!(notes.root_verbs.contains(Verbs::QUERY));
        assert!(!notes.root_verbs.contains(Verbs::CREATE));
        let child = &notes.children[0];
        assert_eq!(
            (child.parent.as_str(), child.segment.as_str()),
            ("Tickets", "Notes")
        );
        assert!(child.verbs.contains(Verbs::CREATE) && !child.verbs.contains(Verbs::DELETE));
        let data = entity("TicketAttachments").unwrap().data_field().unwrap();
        assert_eq!(data.name, "data");
    }
}

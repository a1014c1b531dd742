//! Static metadata tables generated from `schema/`: what `entityInformation` and
//! `entityInformation/fields` say about each entity, plus its routes.

/// A field's `dataType` as `entityInformation/fields` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataType {
    /// `integer`: a 32-bit number. Generated as `i64` for ids and references (one id type everywhere;
    /// values beyond 32 bits are refused before sending), as an `i32` picklist newtype for picklists,
    /// and as `i32` otherwise.
    Integer,
    /// `short`: a small integer, generated like `integer`.
    Short,
    /// `long`: a 64-bit number (`i64`), used for record ids.
    Long,
    /// `double`: a number with a fraction, generated as [`Decimal`](crate::Decimal).
    Double,
    /// `decimal`: money and quantities, generated as [`Decimal`](crate::Decimal).
    Decimal,
    /// `datetime`: an ISO 8601 UTC timestamp (`2024-05-01T13:00:00Z`), generated as [`DateTime`](crate::DateTime).
    DateTime,
    /// `boolean`: JSON `true`/`false`.
    Boolean,
    /// `string`: text, at most [`FieldMeta::length`] characters when that is known.
    String,
    /// Base64 binary data (attachment `data`).
    Bytes,
    /// Free-form JSON (`defaultValue` of UDF definitions).
    Object,
}

impl DataType {
    /// The wire name (`integer`, `datetime`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            DataType::Integer => "integer",
            DataType::Short => "short",
            DataType::Long => "long",
            DataType::Double => "double",
            DataType::Decimal => "decimal",
            DataType::DateTime => "datetime",
            DataType::Boolean => "boolean",
            DataType::String => "string",
            DataType::Bytes => "byte[]",
            DataType::Object => "object",
        }
    }

    /// True for the integer types (ids, references, picklists).
    pub const fn is_integer(self) -> bool {
        matches!(self, DataType::Integer | DataType::Short | DataType::Long)
    }

    /// True for `double` and `decimal`.
    pub const fn is_number(self) -> bool {
        matches!(self, DataType::Double | DataType::Decimal)
    }
}

/// One picklist value (`value` is a string on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PicklistEntry {
    /// The stored value, as the wire's string (`"1"`); the field itself carries it as a number.
    pub value: &'static str,
    /// The text shown in Autotask (`Customer`).
    pub label: &'static str,
    /// Position in the picklist's display order.
    pub sort_order: i32,
    /// For a dependent picklist, the parent field's value this entry belongs to; `""` otherwise.
    pub parent_value: &'static str,
    /// False for retired values, which records may still carry but new writes may not choose.
    pub is_active: bool,
    /// True for values Autotask ships; false for ones a tenant added.
    pub is_system: bool,
    /// `isDefaultValue`: the picklist's default (what Autotask preselects).
    pub is_default: bool,
}

impl PicklistEntry {
    /// An active system value that is not the default and has no parent value; the builder methods
    /// below change that.
    pub const fn new(value: &'static str, label: &'static str, sort_order: i32) -> Self {
        Self {
            value,
            label,
            sort_order,
            parent_value: "",
            is_active: true,
            is_system: true,
            is_default: false,
        }
    }

    /// A value of a dependent picklist that belongs to `parent_value` of the parent field.
    pub const fn with_parent_value(mut self, parent_value: &'static str) -> Self {
        self.parent_value = parent_value;
        self
    }

    /// The picklist's default value.
    pub const fn marked_default(mut self) -> Self {
        self.is_default = true;
        self
    }

    /// A value that can no longer be chosen.
    pub const fn marked_inactive(mut self) -> Self {
        self.is_active = false;
        self
    }

    /// A value a tenant added.
    pub const fn marked_non_system(mut self) -> Self {
        self.is_system = false;
        self
    }
}

/// `isRequired`.
pub const REQUIRED: u8 = 1;
/// `isReadOnly`.
pub const READ_ONLY: u8 = 2;
/// `isQueryable`.
pub const QUERYABLE: u8 = 4;
/// `isSupportedWebhookField`.
pub const WEBHOOK: u8 = 8;

/// Metadata of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMeta {
    /// Exact wire name.
    pub name: &'static str,
    /// The `dataType` the API reports, which decides the field's Rust type.
    pub data_type: DataType,
    /// Maximum string length; 0 when not known.
    pub length: u32,
    flags: u8,
    /// Singular name of the referenced entity, `""` when not a reference.
    pub reference: &'static str,
    /// `Some` for picklist fields (possibly empty: values are per tenant).
    pub picklist: Option<&'static [PicklistEntry]>,
    /// Parent field of a dependent picklist, `""` otherwise.
    pub picklist_parent: &'static str,
}

impl FieldMeta {
    /// A field with `flags` made of [`REQUIRED`], [`READ_ONLY`], [`QUERYABLE`], [`WEBHOOK`].
    pub const fn new(name: &'static str, data_type: DataType, length: u32, flags: u8) -> Self {
        Self {
            name,
            data_type,
            length,
            flags,
            reference: "",
            picklist: None,
            picklist_parent: "",
        }
    }

    /// Marks the field a reference to `entity` (singular name).
    pub const fn references(mut self, entity: &'static str) -> Self {
        self.reference = entity;
        self
    }

    /// Marks the field a picklist with these known values.
    pub const fn picklist(mut self, values: &'static [PicklistEntry]) -> Self {
        self.picklist = Some(values);
        self
    }

    /// Marks the picklist dependent on the picklist field `parent` (`subIssueType` on `issueType`).
    pub const fn depends_on(mut self, parent: &'static str) -> Self {
        self.picklist_parent = parent;
        self
    }

    /// `isRequired`: a create must set this field.
    pub const fn is_required(&self) -> bool {
        self.flags & REQUIRED != 0
    }

    /// `isReadOnly`: set by the server; the generated create and patch bodies leave it out.
    pub const fn is_read_only(&self) -> bool {
        self.flags & READ_ONLY != 0
    }

    /// `isQueryable`: the field may appear in a query filter.
    pub const fn is_queryable(&self) -> bool {
        self.flags & QUERYABLE != 0
    }

    /// `isSupportedWebhookField`: a webhook may watch this field and send it in callouts.
    pub const fn is_webhook_field(&self) -> bool {
        self.flags & WEBHOOK != 0
    }

    /// True when the field's values come from a picklist ([`FieldMeta::picklist`] is `Some`).
    pub const fn is_picklist(&self) -> bool {
        self.picklist.is_some()
    }
}

/// A set of route verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Verbs(u16);

impl Verbs {
    /// The empty set.
    pub const NONE: Verbs = Verbs(0);
    /// `POST|GET /query`.
    pub const QUERY: Verbs = Verbs(1);
    /// `POST|GET /query/count`.
    pub const COUNT: Verbs = Verbs(1 << 1);
    /// `GET /{id}`.
    pub const GET: Verbs = Verbs(1 << 2);
    /// `GET` the collection (children of a parent).
    pub const LIST: Verbs = Verbs(1 << 3);
    /// `POST` the collection.
    pub const CREATE: Verbs = Verbs(1 << 4);
    /// `PATCH` the collection, id in the body.
    pub const PATCH: Verbs = Verbs(1 << 5);
    /// `PUT` the collection, id in the body.
    pub const PUT: Verbs = Verbs(1 << 6);
    /// `DELETE /{id}`.
    pub const DELETE: Verbs = Verbs(1 << 7);
    /// `GET /entityInformation`.
    pub const INFO: Verbs = Verbs(1 << 8);
    /// `GET /entityInformation/fields`.
    pub const FIELDS: Verbs = Verbs(1 << 9);
    /// `GET /entityInformation/userDefinedFields`.
    pub const UDF_INFO: Verbs = Verbs(1 << 10);

    /// The union of `verbs`.
    pub const fn of(verbs: &[Verbs]) -> Verbs {
        let mut bits = 0;
        let mut i = 0;
        while i < verbs.len() {
            bits |= verbs[i].0;
            i += 1;
        }
        Verbs(bits)
    }

    /// This set plus `other`.
    pub const fn with(self, other: Verbs) -> Verbs {
        Verbs(self.0 | other.0)
    }

    /// True when every verb of `other` is in this set.
    pub const fn contains(self, other: Verbs) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A parent-scoped path, `/V1.0/{parent}/{parentId}/{segment}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildRoute {
    /// Parent URL segment (`Tickets`; `Expenses` for expense reports).
    pub parent: &'static str,
    /// The child collection's URL segment after the parent id (`Notes`, `Attachments`).
    pub segment: &'static str,
    /// The full path template, `/V1.0/{parent}/{parentId}/{segment}`.
    pub path: &'static str,
    /// What the parent-scoped path supports.
    pub verbs: Verbs,
}

/// Metadata of one entity.
#[derive(Debug)]
pub struct EntityMeta {
    /// REST collection name (`Tickets`).
    pub name: &'static str,
    /// Singular model name (`Ticket`).
    pub model: &'static str,
    /// Cargo feature group.
    pub group: &'static str,
    /// `canCreate` from `entityInformation`.
    pub can_create: bool,
    /// `canDelete` from `entityInformation`.
    pub can_delete: bool,
    /// `canQuery` from `entityInformation`.
    pub can_query: bool,
    /// `canUpdate` from `entityInformation`.
    pub can_update: bool,
    /// `hasUserDefinedFields`: records carry a `userDefinedFields` list.
    pub has_user_defined_fields: bool,
    /// `supportsWebhookCallouts`: a `{Model}Webhooks` collection can watch this entity.
    pub supports_webhook_callouts: bool,
    /// Every field `entityInformation/fields` lists, in schema order.
    pub fields: &'static [FieldMeta],
    /// `/V1.0/{name}`.
    pub root_path: &'static str,
    /// What the root path supports (some entities allow only the `entityInformation` routes there).
    pub root_verbs: Verbs,
    /// The parent-scoped path, for entities that have one.
    pub child: Option<ChildRoute>,
}

impl EntityMeta {
    /// The field called `name`, matched case-insensitively as the API does.
    pub fn field(&self, name: &str) -> Option<&'static FieldMeta> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Names of required fields.
    pub fn required_fields(&self) -> impl Iterator<Item = &'static str> {
        self.fields
            .iter()
            .filter(|f| f.is_required())
            .map(|f| f.name)
    }
}

/// The metadata of the entity whose REST collection (or model) is `name`, case-insensitively.
pub fn entity_meta(name: &str) -> Option<&'static EntityMeta> {
    super::entities::ALL_ENTITIES
        .iter()
        .copied()
        .find(|m| m.name.eq_ignore_ascii_case(name) || m.model.eq_ignore_ascii_case(name))
}

/// Metadata of every entity compiled into this build.
pub fn all_entities() -> &'static [&'static EntityMeta] {
    &super::entities::ALL_ENTITIES
}

//! Picklist labels and values, read from the tenant's live metadata (`GET /{E}/entityInformation/fields`).
//!
//! Records hold picklist **values** (`"status": 5`); labels exist only in the metadata, and both differ per
//! tenant (PROTOCOL.md 6.6). [`Client::picklists`] fetches the fields answer once per entity and reuses it
//! through the client's metadata cache (one hour by default, see
//! [`ClientBuilder::metadata_cache`](crate::ClientBuilder::metadata_cache)).
//!
//! The generated picklist newtypes ([`PicklistType`]) connect the two: a label gives a typed value, and a
//! record's typed value gives its label.
//!
//! ```no_run
//! # #[cfg(feature = "service_desk")]
//! # async fn run(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::entities::{Ticket, TicketField, TicketStatus};
//!
//! let statuses = client.picklists().of::<Ticket>(TicketField::Status).await?;
//! let waiting: TicketStatus = statuses.get("Waiting Customer")?;
//! assert_eq!(statuses.label_of(TicketStatus::COMPLETE)?, "Complete");
//!
//! if let Some(ticket) = client.tickets().get(42).await? {
//!     // One call from a record's value to its label (the picklist is cached).
//!     println!("{:?}", client.picklists().label(ticket.status).await?);
//! }
//!
//! // Dependent picklists: the sub-issue types of issue type 4.
//! let sub = client.picklists().field("Tickets", "subIssueType").await?;
//! let hardware = sub.children_of(4)?;
//! let printer = hardware.value_of("Printer")?.as_i64();
//! # let _ = (waiting, printer);
//! # Ok(()) }
//! ```

use super::fetch::{fetch_fields, metadata_entity, metadata_path, value_text};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::entity::{Entity, FieldName};
use crate::model::meta::Verbs;
use crate::model::value::PicklistType;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// One value of a picklist, as `picklistValues[]` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicklistValue {
    /// The value stored on records, as the wire's string (`"5"`, `"29682776"`).
    pub value: String,
    /// The tenant's label.
    pub label: String,
    /// Still selectable. Inactive values stay listed: old records may hold them.
    pub is_active: bool,
    /// A built-in value rather than one the tenant added.
    pub is_system: bool,
    /// The picklist's default.
    pub is_default: bool,
    /// Display order the tenant chose.
    pub sort_order: i32,
    /// The parent picklist's value this one belongs to (dependent picklists only).
    pub parent_value: Option<String>,
}

impl PicklistValue {
    /// The value as an integer, the form records hold; `None` if the tenant's value is not numeric.
    pub fn as_i64(&self) -> Option<i64> {
        self.value.trim().parse().ok()
    }

    /// The value as the picklist newtype `P` (`TicketStatus`); an error when the value is not a number
    /// `P` can hold.
    pub fn to<P: PicklistType>(&self) -> Result<P> {
        self.as_i64().and_then(P::from_value).ok_or_else(|| {
            Error::InvalidInput(format!(
                "the picklist value {:?} ({:?}) is not a {}",
                self.value,
                self.label,
                std::any::type_name::<P>()
            ))
        })
    }
}

impl fmt::Display for PicklistValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:?}", self.value, self.label)?;
        if let Some(parent) = &self.parent_value {
            write!(f, ", under {parent}")?;
        }
        if !self.is_active {
            f.write_str(", inactive")?;
        }
        f.write_str(")")
    }
}

/// The values of one picklist field, with exact label ↔ value lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picklist {
    pub(super) entity: String,
    pub(super) field: String,
    pub(super) parent_field: Option<String>,
    /// `Some(parent value)` for a picklist narrowed by [`children_of`](Self::children_of).
    pub(super) under: Option<String>,
    pub(super) values: Vec<PicklistValue>,
}

impl Picklist {
    /// The parent value this picklist was narrowed to by [`children_of`](Self::children_of).
    pub fn narrowed_to(&self) -> Option<&str> {
        self.under.as_deref()
    }

    /// The REST collection (`Tickets`).
    pub fn entity(&self) -> &str {
        &self.entity
    }

    /// The field's wire name (`status`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The field this picklist depends on (`picklistParentValueField`, e.g. `issueType` for
    /// `subIssueType`), as the server names it.
    pub fn parent_field(&self) -> Option<&str> {
        self.parent_field.as_deref()
    }

    /// Every value in the server's order, inactive ones included (check
    /// [`PicklistValue::is_active`]).
    pub fn entries(&self) -> &[PicklistValue] {
        &self.values
    }

    /// The default value, if the tenant set one.
    pub fn default_value(&self) -> Option<&PicklistValue> {
        self.values.iter().find(|v| v.is_default)
    }

    /// The entry whose value is `value` (`5`, `"5"`, `TicketStatus::COMPLETE`), if any.
    pub fn entry(&self, value: impl fmt::Display) -> Option<&PicklistValue> {
        let wanted = value.to_string();
        self.values.iter().find(|v| same_value(&v.value, &wanted))
    }

    /// The label of `value` (`5`, `TicketStatus::COMPLETE`). An unknown value is an
    /// [`Error::InvalidInput`] that lists the known ones.
    pub fn label_of(&self, value: impl fmt::Display) -> Result<&str> {
        let wanted = value.to_string();
        self.entry(&wanted)
            .map(|v| v.label.as_str())
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{} has no value {wanted:?}; its values are: {}",
                    self.describe(),
                    self.listing()
                ))
            })
    }

    /// The entry labelled exactly `label` (case and spaces matter). Inactive entries are found too and
    /// carry `is_active: false`. An unknown label, or one that several values share (in dependent
    /// picklists narrow first with [`children_of`](Self::children_of)), is an [`Error::InvalidInput`]
    /// listing the candidates.
    pub fn value_of(&self, label: &str) -> Result<&PicklistValue> {
        let matches: Vec<&PicklistValue> =
            self.values.iter().filter(|v| v.label == label).collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => {
                let near: Vec<String> = self
                    .values
                    .iter()
                    .filter(|v| v.label.trim().eq_ignore_ascii_case(label.trim()))
                    .map(|v| format!("{:?}", v.label))
                    .collect();
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (labels match exactly; did you mean {}?)",
                        near.join(" or ")
                    )
                };
                Err(Error::InvalidInput(format!(
                    "{} has no value labelled {label:?}{hint}; its values are: {}",
                    self.describe(),
                    self.listing()
                )))
            }
            several => Err(Error::InvalidInput(format!(
                "{}: the label {label:?} is ambiguous, it is carried by {}{}",
                self.describe(),
                several
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                if self.parent_field.is_some() && self.under.is_none() {
                    "; pick the parent value first with children_of(parent)"
                } else {
                    ""
                }
            ))),
        }
    }

    /// The entry labelled `label`: exactly, else the one entry whose label matches ignoring case and
    /// surrounding spaces (what a person typing a label means). Several entries matching that way, or
    /// none, is an [`Error::InvalidInput`] listing the candidates. [`value_of`](Self::value_of) is the
    /// exact-only lookup.
    pub fn resolve(&self, label: &str) -> Result<&PicklistValue> {
        let exact = match self.value_of(label) {
            Ok(entry) => return Ok(entry),
            Err(error) => error,
        };
        let wanted = label.trim();
        let loose: Vec<&PicklistValue> = self
            .values
            .iter()
            .filter(|v| v.label.trim().eq_ignore_ascii_case(wanted))
            .collect();
        match loose.as_slice() {
            [one] => Ok(one),
            [] => Err(exact),
            several => Err(Error::InvalidInput(format!(
                "{}: the label {label:?} matches several values ignoring case: {}",
                self.describe(),
                several
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The typed value labelled `label` ([`resolve`](Self::resolve)'s matching):
    /// `statuses.get::<TicketStatus>("Waiting Customer")?`. An error when `P` is the newtype of another
    /// field than this picklist's, or the label does not resolve to one value.
    pub fn get<P: PicklistType>(&self, label: &str) -> Result<P> {
        if !(P::ENTITY.eq_ignore_ascii_case(&self.entity)
            && P::FIELD.eq_ignore_ascii_case(&self.field))
        {
            return Err(Error::InvalidInput(format!(
                "{} holds values of {}.{}, not of {}",
                std::any::type_name::<P>(),
                P::ENTITY,
                P::FIELD,
                self.describe()
            )));
        }
        self.resolve(label)?.to::<P>()
    }

    /// The values that belong to `parent_value` of the parent field (a dependent picklist such as Tickets
    /// `subIssueType` under `issueType`), as a picklist of their own. An error when this picklist does not
    /// depend on another; an empty picklist when the parent value has no children.
    pub fn children_of(&self, parent_value: impl fmt::Display) -> Result<Picklist> {
        let Some(parent_field) = &self.parent_field else {
            return Err(Error::InvalidInput(format!(
                "{}.{} is not a dependent picklist (it has no picklistParentValueField)",
                self.entity, self.field
            )));
        };
        let parent = parent_value.to_string();
        let values = self
            .values
            .iter()
            .filter(|v| {
                v.parent_value
                    .as_deref()
                    .is_some_and(|p| same_value(p, &parent))
            })
            .cloned()
            .collect();
        Ok(Picklist {
            entity: self.entity.clone(),
            field: self.field.clone(),
            parent_field: Some(parent_field.clone()),
            under: Some(parent),
            values,
        })
    }

    /// `Tickets.subIssueType` (`Tickets.subIssueType under issueType 4` once narrowed), for messages.
    fn describe(&self) -> String {
        match (&self.under, &self.parent_field) {
            (Some(under), Some(parent)) => {
                format!("{}.{} under {parent} {under}", self.entity, self.field)
            }
            _ => format!("{}.{}", self.entity, self.field),
        }
    }

    fn listing(&self) -> String {
        if self.values.is_empty() {
            return "none".into();
        }
        self.values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Values are strings on the metadata wire and integers on records: compare as integers when both are.
fn same_value(a: &str, b: &str) -> bool {
    match (a.trim().parse::<i64>(), b.trim().parse::<i64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// Picklist lookups for any entity: `client.picklists()`.
#[derive(Debug, Clone)]
pub struct Picklists {
    client: Client,
}

impl Client {
    /// Picklist labels and values from the tenant's metadata; see [`Picklists`].
    pub fn picklists(&self) -> Picklists {
        Picklists {
            client: self.clone(),
        }
    }
}

impl Picklists {
    /// The picklist of `entity`'s `field` (names matched case-insensitively, as the API does).
    ///
    /// Makes `GET /{entity}/entityInformation/fields` unless the client's metadata cache holds it (so
    /// every picklist of an entity costs one request per cache lifetime). Errors: an unknown entity or
    /// field, or a field that is not a picklist ([`Error::InvalidInput`], listing the entity's picklist
    /// fields); request failures as usual.
    pub async fn field(&self, entity: &str, field: &str) -> Result<Picklist> {
        let meta = metadata_entity(entity, Verbs::FIELDS, "entityInformation/fields")?;
        let fields = fetch_fields(&self.client, meta, "fields").await?;
        let Some(found) = fields.iter().find(|f| f.name.eq_ignore_ascii_case(field)) else {
            return Err(Error::InvalidInput(format!(
                "{} has no field {field:?}",
                meta.name
            )));
        };
        if !found.is_pick_list {
            let picklists: Vec<&str> = fields
                .iter()
                .filter(|f| f.is_pick_list)
                .map(|f| f.name.as_str())
                .collect();
            return Err(Error::InvalidInput(format!(
                "{}.{} is not a picklist field; the picklist fields of {} are: {}",
                meta.name,
                found.name,
                meta.name,
                picklists.join(", ")
            )));
        }
        found.picklist(meta.name)
    }

    /// [`field`](Self::field) with the typed field enum: `of::<Ticket>(TicketField::Status)`.
    pub async fn of<E: Entity>(&self, field: E::Field) -> Result<Picklist> {
        self.field(E::NAME, field.as_str()).await
    }

    /// The picklist the newtype `P` holds values of (`for_type::<TicketStatus>()`).
    pub async fn for_type<P: PicklistType>(&self) -> Result<Picklist> {
        self.field(P::ENTITY, P::FIELD).await
    }

    /// The tenant's label of a record's picklist value, in one call: `label(ticket.status)` takes the
    /// record's `Option<TicketStatus>` (or a `TicketStatus`). `Ok(None)` when the record has no value;
    /// an error when the tenant's picklist does not have it (a value deleted since). Same request and
    /// cache as [`field`](Self::field).
    pub async fn label<A: PicklistArg>(&self, value: A) -> Result<Option<String>> {
        let Some(value) = value.into_picklist_value() else {
            return Ok(None);
        };
        let picklist = self.for_type::<A::Value>().await?;
        picklist
            .label_of(value.value())
            .map(|l| Some(l.to_string()))
    }

    /// Every picklist field of `entity`, in the server's field order (same request and cache as
    /// [`field`](Self::field)).
    pub async fn all(&self, entity: &str) -> Result<Vec<Picklist>> {
        let meta = metadata_entity(entity, Verbs::FIELDS, "entityInformation/fields")?;
        fetch_fields(&self.client, meta, "fields")
            .await?
            .iter()
            .filter(|f| f.is_pick_list)
            .map(|f| f.picklist(meta.name))
            .collect()
    }

    /// Forgets `entity`'s cached fields answer (for every impersonation) and fetches it again: one
    /// `GET /{entity}/entityInformation/fields`, even when the cache still held it.
    pub async fn refresh(&self, entity: &str) -> Result<()> {
        let meta = metadata_entity(entity, Verbs::FIELDS, "entityInformation/fields")?;
        self.client
            .inner
            .cache
            .forget_metadata(&metadata_path(meta, "fields"));
        fetch_fields(&self.client, meta, "fields").await.map(drop)
    }

    /// The labels of the picklist fields set on `record` (a JSON record of `entity`, as queries and
    /// dynamic reads return): field wire name → label, or `None` when the record's value is not among
    /// the picklist's values (e.g. one the tenant deleted). Null and absent fields are left out.
    /// Same request and cache as [`field`](Self::field).
    pub async fn labels(
        &self,
        entity: &str,
        record: &Value,
    ) -> Result<BTreeMap<String, Option<String>>> {
        let object = record.as_object().ok_or_else(|| {
            Error::InvalidInput(format!("a {entity} record must be a JSON object"))
        })?;
        let mut labels = BTreeMap::new();
        for picklist in self.all(entity).await? {
            let value = object
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&picklist.field))
                .and_then(|(_, v)| value_text(v));
            if let Some(value) = value {
                let label = picklist.entry(&value).map(|v| v.label.clone());
                labels.insert(picklist.field.clone(), label);
            }
        }
        Ok(labels)
    }
}

/// What [`Picklists::label`] takes: a picklist newtype, or a record's `Option` of one.
pub trait PicklistArg {
    /// The picklist newtype.
    type Value: PicklistType;
    /// The value, if there is one.
    fn into_picklist_value(self) -> Option<Self::Value>;
}

impl<P: PicklistType> PicklistArg for P {
    type Value = P;
    fn into_picklist_value(self) -> Option<P> {
        Some(self)
    }
}

impl<P: PicklistType> PicklistArg for Option<P> {
    type Value = P;
    fn into_picklist_value(self) -> Option<P> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::fetch::RawField;
    use serde_json::json;

    fn sub_issue_types() -> Picklist {
        let raw: RawField = serde_json::from_value(json!({
            "name": "subIssueType", "isPickList": true, "picklistParentValueField": "IssueType",
            "picklistValues": [
                {"value": "101", "label": "Other", "parentValue": "4", "isActive": true},
                {"value": "201", "label": "Other", "parentValue": "5", "isActive": true},
                {"value": "202", "label": "Legacy", "parentValue": "5", "isActive": false},
            ]
        }))
        .unwrap();
        raw.picklist("Tickets").unwrap()
    }

    #[test]
    fn ambiguous_labels_list_the_candidates_and_children_disambiguate() {
        let list = sub_issue_types();
        let err = list.value_of("Other").unwrap_err().to_string();
        assert!(err.contains("101") && err.contains("201"), "{err}");
        let under_five = list.children_of(5).unwrap();
        assert_eq!(under_five.value_of("Other").unwrap().as_i64(), Some(201));
        let legacy = under_five.value_of("Legacy").unwrap();
        assert!(!legacy.is_active, "inactive values are flagged, not hidden");
    }

    #[test]
    fn unknown_labels_and_values_are_errors_with_hints() {
        let list = sub_issue_types();
        let err = list.value_of("legacy").unwrap_err().to_string();
        assert!(err.contains("did you mean \"Legacy\""), "{err}");
        assert!(list.label_of(999).is_err());
        assert_eq!(list.label_of("0202").unwrap(), "Legacy");
    }
}

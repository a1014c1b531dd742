//! User-defined field definitions (`GET /{E}/entityInformation/userDefinedFields`) and values checked
//! against them.
//!
//! UDF values travel as strings (`"userDefinedFields": [{"name": ..., "value": ...}]`, PROTOCOL.md 6.7).
//! [`UdfDefinitions::value`] turns a Rust value into the string the definition expects, refusing what the
//! API would refuse; [`UdfDefinitions::read`] parses a record's value back into a Rust type.
//!
//! ```no_run
//! # #[cfg(feature = "service_desk")]
//! # async fn run(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::entities::{NewTicket, Ticket, TicketPriority, TicketStatus};
//! use autotask::{Decimal, HasUserDefinedFields};
//!
//! let udfs = client.udf_definitions_for::<Ticket>().await?;
//! let mut new = NewTicket::new(0, TicketPriority::MEDIUM, TicketStatus::NEW, "Printer on fire");
//! new.set_udf(udfs.value("Customer Reference", "PO-1234")?);
//! let id = client.tickets().create(&new).await?;
//!
//! let ticket = client.tickets().get(id).await?.expect("just created");
//! let reference: Option<String> = udfs.read(&ticket, "Customer Reference")?;
//! # let _ = reference; Ok(()) }
//! ```

use super::fetch::{fetch_fields, metadata_entity, RawField};
use super::picklists::PicklistValue;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::entity::Entity;
use crate::model::meta::Verbs;
use crate::model::wire::{datetime, DateTime, Decimal, HasUserDefinedFields, UserDefinedField};
use std::fmt;
use std::str::FromStr;

/// The type of a UDF, from the definition's `type` (and `isPickList`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UdfType {
    /// Free text, up to the definition's length.
    String,
    /// A number (`decimal`, `double`, `number`, `integer`).
    Number,
    /// A date without time (`date`).
    Date,
    /// A date-time (`datetime`).
    DateTime,
    /// `true`/`false`.
    Boolean,
    /// A picklist UDF: the value is one of the definition's picklist values.
    List,
    /// A type this SDK does not know, as the server named it; values are passed through unchecked.
    Other(String),
}

impl UdfType {
    fn parse(wire: Option<&str>, is_pick_list: bool) -> UdfType {
        if is_pick_list {
            return UdfType::List;
        }
        let wire = wire.unwrap_or("").trim();
        match wire.to_ascii_lowercase().as_str() {
            "string" | "text" => UdfType::String,
            "number" | "decimal" | "double" | "float" | "integer" | "long" | "short" => {
                UdfType::Number
            }
            "date" => UdfType::Date,
            "datetime" => UdfType::DateTime,
            "boolean" | "bool" => UdfType::Boolean,
            "list" | "picklist" => UdfType::List,
            _ => UdfType::Other(wire.to_string()),
        }
    }
}

/// One UDF definition.
#[derive(Debug, Clone, PartialEq)]
pub struct UdfDefinition {
    /// The name used in `userDefinedFields[].name` and in UDF filters.
    pub name: String,
    /// The label users see.
    pub label: String,
    /// What kind of value the UDF holds, which decides how [`UdfDefinitions::value`] checks input.
    pub udf_type: UdfType,
    /// Longest text value in characters; 0 when the server gives no limit.
    pub length: u32,
    /// The definition's description; empty when it has none.
    pub description: String,
    /// `isRequired`: creates must give a value, and the UDF cannot be cleared.
    pub is_required: bool,
    /// `isReadOnly`: the API does not accept values for it; [`UdfDefinitions::value`] refuses it.
    pub is_read_only: bool,
    /// `isQueryable`: the UDF may be used in a query filter ([`Filter::udf`](crate::Filter::udf)).
    pub is_queryable: bool,
    /// The allowed values of a [`UdfType::List`] UDF (inactive ones flagged), empty otherwise.
    pub picklist: Vec<PicklistValue>,
    /// The default value the server reports, if any.
    pub default_value: Option<serde_json::Value>,
}

/// A value to give a UDF, before it is checked against the definition.
#[derive(Debug, Clone, PartialEq)]
pub enum UdfInput {
    /// Text: parsed as the definition's type (a list UDF takes a value or an exact label).
    Text(String),
    /// A number, for number UDFs and list values (from `Decimal`, `i64`, `i32`).
    Number(Decimal),
    /// A flag, for boolean UDFs.
    Boolean(bool),
    /// A UTC date-time, for date and date-time UDFs (a `NaiveDate` becomes midnight UTC).
    DateTime(DateTime),
}

impl From<&str> for UdfInput {
    fn from(value: &str) -> Self {
        UdfInput::Text(value.to_string())
    }
}

impl From<String> for UdfInput {
    fn from(value: String) -> Self {
        UdfInput::Text(value)
    }
}

impl From<Decimal> for UdfInput {
    fn from(value: Decimal) -> Self {
        UdfInput::Number(value)
    }
}

impl From<i64> for UdfInput {
    fn from(value: i64) -> Self {
        UdfInput::Number(Decimal::from(value))
    }
}

impl From<i32> for UdfInput {
    fn from(value: i32) -> Self {
        UdfInput::Number(Decimal::from(value))
    }
}

impl From<bool> for UdfInput {
    fn from(value: bool) -> Self {
        UdfInput::Boolean(value)
    }
}

impl From<DateTime> for UdfInput {
    fn from(value: DateTime) -> Self {
        UdfInput::DateTime(value)
    }
}

impl From<chrono::NaiveDate> for UdfInput {
    fn from(value: chrono::NaiveDate) -> Self {
        UdfInput::DateTime(value.and_time(chrono::NaiveTime::MIN).and_utc())
    }
}

impl fmt::Display for UdfInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UdfInput::Text(t) => write!(f, "{t:?}"),
            UdfInput::Number(n) => write!(f, "{n}"),
            UdfInput::Boolean(b) => write!(f, "{b}"),
            UdfInput::DateTime(d) => f.write_str(&datetime::format(d)),
        }
    }
}

/// The UDF definitions of one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct UdfDefinitions {
    entity: String,
    definitions: Vec<UdfDefinition>,
}

impl Client {
    /// The UDF definitions of `entity` (collection or model name, any case): one
    /// `GET /{entity}/entityInformation/userDefinedFields`, reused through the client's metadata cache
    /// (one hour by default). Entities without UDFs give an empty set.
    pub async fn udf_definitions(&self, entity: &str) -> Result<UdfDefinitions> {
        let meta = metadata_entity(
            entity,
            Verbs::UDF_INFO,
            "entityInformation/userDefinedFields",
        )?;
        let raw = fetch_fields(self, meta, "userDefinedFields").await?;
        let definitions = raw
            .iter()
            .map(|f| definition(meta.name, f))
            .collect::<Result<_>>()?;
        Ok(UdfDefinitions {
            entity: meta.name.to_string(),
            definitions,
        })
    }

    /// [`udf_definitions`](Self::udf_definitions) of a typed entity: `udf_definitions_for::<Ticket>()`.
    pub async fn udf_definitions_for<E: Entity>(&self) -> Result<UdfDefinitions> {
        self.udf_definitions(E::NAME).await
    }
}

fn definition(entity: &str, raw: &RawField) -> Result<UdfDefinition> {
    Ok(UdfDefinition {
        name: raw.name.clone(),
        label: raw.label.clone().unwrap_or_else(|| raw.name.clone()),
        udf_type: UdfType::parse(raw.udf_type.as_deref(), raw.is_pick_list),
        length: raw.length.unwrap_or(0),
        description: raw.description.clone().unwrap_or_default(),
        is_required: raw.is_required,
        is_read_only: raw.is_read_only,
        is_queryable: raw.is_queryable,
        picklist: raw.values(entity)?,
        default_value: raw.default_value.clone().filter(|v| !v.is_null()),
    })
}

impl UdfDefinitions {
    /// The REST collection these UDFs belong to.
    pub fn entity(&self) -> &str {
        &self.entity
    }

    /// Every definition, in the server's order.
    pub fn iter(&self) -> std::slice::Iter<'_, UdfDefinition> {
        self.definitions.iter()
    }

    /// The definition named `name` (case-insensitive, as the API matches UDF names).
    pub fn get(&self, name: &str) -> Option<&UdfDefinition> {
        self.definitions
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Like [`get`](Self::get), but an unknown name is an [`Error::InvalidInput`] listing the known ones.
    pub fn definition(&self, name: &str) -> Result<&UdfDefinition> {
        self.get(name).ok_or_else(|| {
            let known: Vec<String> = self
                .definitions
                .iter()
                .map(|d| format!("{:?}", d.name))
                .collect();
            Error::InvalidInput(format!(
                "{} has no user-defined field {name:?}; its UDFs are: {}",
                self.entity,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
    }

    /// A checked value for the UDF `name`, ready for a create or patch body (`set_udf`).
    ///
    /// * text: at most `length` characters;
    /// * number: parsed as an exact decimal (text like `"12.50"` too), sent in plain notation;
    /// * date / date-time: any form [`wire::datetime`](crate::model::wire::datetime) accepts, sent as
    ///   `YYYY-MM-DD` / ISO 8601 UTC;
    /// * boolean: `true`/`false` (text `"true"`, `"false"`, `"1"`, `"0"` too);
    /// * list: a known value (`2`, `"2"`) or a label matching exactly; the **value** is stored.
    ///   Inactive values are refused (the API no longer accepts them);
    /// * [`UdfType::Other`]: the text is passed through unchecked.
    ///
    /// Errors ([`Error::InvalidInput`]): an unknown name (listing the known ones), a read-only UDF, or an
    /// input the type does not accept. Makes no request.
    pub fn value(&self, name: &str, input: impl Into<UdfInput>) -> Result<UserDefinedField> {
        let definition = self.definition(name)?;
        let input = input.into();
        if definition.is_read_only {
            return Err(Error::InvalidInput(format!(
                "{} UDF {:?} is read-only",
                self.entity, definition.name
            )));
        }
        let text = self.convert(definition, &input)?;
        Ok(UserDefinedField::new(definition.name.clone(), text))
    }

    /// The wire text of `input` for `definition`, or why it does not fit.
    fn convert(&self, definition: &UdfDefinition, input: &UdfInput) -> Result<String> {
        let invalid = |why: String| {
            Error::InvalidInput(format!(
                "{} UDF {:?}: {input} is not accepted: {why}",
                self.entity, definition.name
            ))
        };
        let text = match (&definition.udf_type, input) {
            (UdfType::String, _) => {
                let text = input_text(input);
                let chars = text.chars().count();
                if definition.length > 0 && chars > definition.length as usize {
                    return Err(invalid(format!(
                        "{chars} characters, the limit is {}",
                        definition.length
                    )));
                }
                text
            }
            (UdfType::Number, UdfInput::Number(n)) => n.normalize().to_string(),
            (UdfType::Number, UdfInput::Text(t)) => parse_decimal(t)
                .ok_or_else(|| invalid("not a number".into()))?
                .normalize()
                .to_string(),
            (UdfType::Date | UdfType::DateTime, UdfInput::DateTime(d)) => {
                date_text(&definition.udf_type, d)
            }
            (UdfType::Date | UdfType::DateTime, UdfInput::Text(t)) => {
                let parsed =
                    datetime::parse(t).ok_or_else(|| invalid("not a date or date-time".into()))?;
                date_text(&definition.udf_type, &parsed)
            }
            (UdfType::Boolean, UdfInput::Boolean(b)) => b.to_string(),
            (UdfType::Boolean, UdfInput::Text(t)) => parse_bool(t)
                .ok_or_else(|| invalid("not true or false".into()))?
                .to_string(),
            (UdfType::List, UdfInput::Number(_) | UdfInput::Text(_)) => {
                let entry = list_entry(definition, &input_text(input)).map_err(&invalid)?;
                if !entry.is_active {
                    return Err(invalid(format!("{entry} is inactive")));
                }
                entry.value.clone()
            }
            (UdfType::Other(_), _) => input_text(input),
            (udf_type, _) => return Err(invalid(format!("the UDF's type is {udf_type:?}"))),
        };
        Ok(text)
    }

    /// A value that clears the UDF `name` (sent as `null`). Refused for unknown, read-only and required
    /// UDFs. Makes no request.
    pub fn cleared(&self, name: &str) -> Result<UserDefinedField> {
        let definition = self.definition(name)?;
        if definition.is_read_only || definition.is_required {
            return Err(Error::InvalidInput(format!(
                "{} UDF {:?} is {} and cannot be cleared",
                self.entity,
                definition.name,
                if definition.is_read_only {
                    "read-only"
                } else {
                    "required"
                }
            )));
        }
        Ok(UserDefinedField::cleared(definition.name.clone()))
    }

    /// The UDF `name` of `record`, parsed as `T` ([`String`], [`Decimal`], `i64`, `f64`, `bool`,
    /// [`DateTime`]); `Ok(None)` when the record has no value. Errors: an unknown UDF name (listing the
    /// known ones), or a stored value that does not parse as `T`.
    pub fn read<T: FromUdf>(
        &self,
        record: &impl HasUserDefinedFields,
        name: &str,
    ) -> Result<Option<T>> {
        let definition = self.definition(name)?;
        let Some(text) = record.udf(&definition.name) else {
            return Ok(None);
        };
        T::from_udf(text).map(Some).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{} UDF {:?}: the stored value {text:?} is not a {}",
                self.entity,
                definition.name,
                std::any::type_name::<T>()
            ))
        })
    }

    /// The label of a list UDF's value on `record`; `Ok(None)` when unset. An error for an unknown
    /// name, a UDF that is not a list, or a stored value that is not among the list's values.
    pub fn read_label<'a>(
        &'a self,
        record: &impl HasUserDefinedFields,
        name: &str,
    ) -> Result<Option<&'a str>> {
        let definition = self.definition(name)?;
        if definition.udf_type != UdfType::List {
            return Err(Error::InvalidInput(format!(
                "{} UDF {:?} is not a list UDF",
                self.entity, definition.name
            )));
        }
        let Some(text) = record.udf(&definition.name) else {
            return Ok(None);
        };
        list_entry(definition, text)
            .map(|entry| Some(entry.label.as_str()))
            .map_err(|why| {
                Error::InvalidInput(format!("{} UDF {:?}: {why}", self.entity, definition.name))
            })
    }

    /// A UDF filter condition with its value checked and converted like [`value`](Self::value) (a list
    /// label becomes its value). `exist`/`notExist` take no value (pass `""`). The API allows one UDF
    /// condition per query; queries with more are refused before sending.
    pub fn filter(
        &self,
        name: &str,
        op: crate::query::Op,
        input: impl Into<UdfInput>,
    ) -> Result<crate::query::Filter> {
        use crate::query::{Filter, Op};
        let definition = self.definition(name)?;
        if !definition.is_queryable {
            return Err(Error::InvalidInput(format!(
                "{} UDF {:?} cannot be queried",
                self.entity, definition.name
            )));
        }
        if matches!(op, Op::Exist | Op::NotExist) {
            return Ok(Filter::udf(
                definition.name.clone(),
                op,
                serde_json::Value::Null,
            ));
        }
        // Read-only UDFs can still be filtered on: only the value is checked.
        let value = self.convert(definition, &input.into())?;
        Ok(Filter::udf(definition.name.clone(), op, value))
    }
}

impl<'a> IntoIterator for &'a UdfDefinitions {
    type Item = &'a UdfDefinition;
    type IntoIter = std::slice::Iter<'a, UdfDefinition>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The entry of a list UDF whose value is `wanted`, or else whose label is exactly `wanted`.
fn list_entry<'a>(
    definition: &'a UdfDefinition,
    wanted: &str,
) -> std::result::Result<&'a PicklistValue, String> {
    let by_value = |v: &&PicklistValue| match (v.as_i64(), wanted.trim().parse::<i64>()) {
        (Some(a), Ok(b)) => a == b,
        _ => v.value == wanted.trim(),
    };
    if let Some(entry) = definition.picklist.iter().find(by_value) {
        return Ok(entry);
    }
    let labelled: Vec<&PicklistValue> = definition
        .picklist
        .iter()
        .filter(|v| v.label == wanted)
        .collect();
    let listing = || {
        definition
            .picklist
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match labelled.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "not a value or exact label of the list; its values are: {}",
            listing()
        )),
        several => Err(format!(
            "the label is ambiguous, it is carried by {}",
            several
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn input_text(input: &UdfInput) -> String {
    match input {
        UdfInput::Text(t) => t.clone(),
        UdfInput::Number(n) => n.normalize().to_string(),
        UdfInput::Boolean(b) => b.to_string(),
        UdfInput::DateTime(d) => datetime::format(d),
    }
}

fn date_text(udf_type: &UdfType, value: &DateTime) -> String {
    if *udf_type == UdfType::Date {
        value.format("%Y-%m-%d").to_string()
    } else {
        datetime::format(value)
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Rust types a stored UDF value can be read as (see [`UdfDefinitions::read`]).
pub trait FromUdf: Sized {
    /// Parses the API's text form; `None` if it does not fit.
    fn from_udf(text: &str) -> Option<Self>;
}

impl FromUdf for String {
    fn from_udf(text: &str) -> Option<Self> {
        Some(text.to_string())
    }
}

impl FromUdf for Decimal {
    fn from_udf(text: &str) -> Option<Self> {
        parse_decimal(text)
    }
}

impl FromUdf for i64 {
    fn from_udf(text: &str) -> Option<Self> {
        let number = parse_decimal(text)?;
        // "12.0" is an integer; "12.5" is not.
        if number.fract().is_zero() {
            i64::try_from(number).ok()
        } else {
            None
        }
    }
}

impl FromUdf for f64 {
    fn from_udf(text: &str) -> Option<Self> {
        text.trim().parse().ok().filter(|v: &f64| v.is_finite())
    }
}

impl FromUdf for bool {
    fn from_udf(text: &str) -> Option<Self> {
        parse_bool(text)
    }
}

impl FromUdf for DateTime {
    fn from_udf(text: &str) -> Option<Self> {
        datetime::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_the_wire() {
        assert_eq!(UdfType::parse(Some("decimal"), false), UdfType::Number);
        assert_eq!(UdfType::parse(Some("string"), true), UdfType::List);
        assert_eq!(UdfType::parse(Some("date"), false), UdfType::Date);
        assert_eq!(
            UdfType::parse(Some("Encrypted"), false),
            UdfType::Other("Encrypted".into())
        );
    }

    #[test]
    fn integers_read_only_from_whole_numbers() {
        assert_eq!(i64::from_udf("12.0"), Some(12));
        assert_eq!(i64::from_udf("12.5"), None);
        assert_eq!(bool::from_udf("1"), Some(true));
    }
}

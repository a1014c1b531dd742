//! Typed values: what a filter compares a field with ([`FieldValue`]), and the trait of the generated
//! picklist newtypes ([`PicklistType`]).
//!
//! A value keeps its kind ([`ValueKind`]) next to its JSON, so that a value that does not fit the field
//! is refused before anything is sent, with the reason: a date-time on a number field, or a picklist
//! value of another field (`TicketField::Priority.eq(TicketStatus::COMPLETE)`). Things that are not values
//! at all (a `Vec`, an `Option`, a JSON document) do not compile.
//!
//! ```
//! # #[cfg(feature = "service_desk")] {
//! use autotask::entities::{TicketField, TicketStatus};
//! use autotask::Where;
//!
//! let open = TicketField::Status.noteq(TicketStatus::COMPLETE);
//! let recent = TicketField::CreateDate.gte(chrono::Utc::now() - chrono::Duration::days(7));
//! # let _ = (open, recent);
//! # }
//! ```

use super::wire::{datetime, DateTime, Decimal};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt::Debug;

/// What kind of value a [`FieldValue`] is; checked against the field's data type before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// A whole number (an id, a count, a raw picklist value).
    Integer,
    /// A number with a fraction ([`Decimal`], a float).
    Number,
    /// `true` or `false`.
    Boolean,
    /// Text.
    Text,
    /// A UTC date-time.
    DateTime,
    /// A date (midnight UTC).
    Date,
    /// A value of the picklist of `entity`'s `field`, as the generated newtype `type_name` carries it.
    Picklist {
        /// The entity (`Tickets`).
        entity: &'static str,
        /// The picklist field (`status`).
        field: &'static str,
        /// The newtype (`TicketStatus`).
        type_name: &'static str,
    },
}

impl ValueKind {
    /// How the kind is named in messages (`a date-time`, `a TicketStatus (Tickets.status)`).
    pub fn describe(&self) -> String {
        match self {
            ValueKind::Integer => "an integer".into(),
            ValueKind::Number => "a number".into(),
            ValueKind::Boolean => "a boolean".into(),
            ValueKind::Text => "text".into(),
            ValueKind::DateTime => "a date-time".into(),
            ValueKind::Date => "a date".into(),
            ValueKind::Picklist {
                entity,
                field,
                type_name,
            } => format!("a {type_name} (a value of {entity}.{field})"),
        }
    }
}

/// A value with its kind: what [`FieldValue::into_typed`] gives.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedValue {
    /// The value as the API receives it.
    pub json: Value,
    /// What kind of value it is.
    pub kind: ValueKind,
}

impl TypedValue {
    /// A value of `kind` whose wire form is `json`.
    pub fn new(json: Value, kind: ValueKind) -> Self {
        Self { json, kind }
    }
}

/// A value a field can hold: what filters ([`Where`](crate::Where)) compare fields with.
///
/// Implemented for the integers, finite floats, `bool`, strings, [`DateTime`] (`chrono::DateTime<Utc>`),
/// `chrono::NaiveDate`, [`Decimal`], the generated picklist newtypes, and references to any of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value an Autotask field can hold",
    label = "not a field value",
    note = "fields take integers (ids are `i64`), finite floats, `bool`, strings, `autotask::DateTime` \
            (`chrono::DateTime<Utc>`), `chrono::NaiveDate`, `autotask::Decimal` and the generated picklist \
            types (`TicketStatus::COMPLETE`); for a list of values use `in_list`/`not_in`; an untyped JSON \
            condition is `Filter::condition(name, op, json)`"
)]
pub trait FieldValue {
    /// The value and its kind.
    fn into_typed(self) -> TypedValue;
}

macro_rules! integer_values {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn into_typed(self) -> TypedValue {
                TypedValue::new(Value::from(self), ValueKind::Integer)
            }
        }
    )*};
}

integer_values!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_values {
    ($($t:ty),*) => {$(
        /// Finite values only: NaN and infinity have no JSON form, arrive as `null` and are refused
        /// before sending.
        impl FieldValue for $t {
            fn into_typed(self) -> TypedValue {
                TypedValue::new(Value::from(self), ValueKind::Number)
            }
        }
    )*};
}

float_values!(f32, f64);

impl FieldValue for bool {
    fn into_typed(self) -> TypedValue {
        TypedValue::new(Value::Bool(self), ValueKind::Boolean)
    }
}

impl FieldValue for &str {
    fn into_typed(self) -> TypedValue {
        TypedValue::new(Value::from(self), ValueKind::Text)
    }
}

impl FieldValue for String {
    fn into_typed(self) -> TypedValue {
        TypedValue::new(Value::String(self), ValueKind::Text)
    }
}

impl FieldValue for Cow<'_, str> {
    fn into_typed(self) -> TypedValue {
        TypedValue::new(Value::String(self.into_owned()), ValueKind::Text)
    }
}

impl FieldValue for DateTime {
    fn into_typed(self) -> TypedValue {
        TypedValue::new(Value::String(datetime::format(&self)), ValueKind::DateTime)
    }
}

impl FieldValue for chrono::NaiveDate {
    /// Midnight UTC of the day, as the API stores date-only fields.
    fn into_typed(self) -> TypedValue {
        let midnight = self.and_time(chrono::NaiveTime::MIN).and_utc();
        TypedValue::new(Value::String(datetime::format(&midnight)), ValueKind::Date)
    }
}

impl FieldValue for Decimal {
    /// A JSON number when it carries the decimal exactly, else its exact text (which number fields
    /// accept).
    fn into_typed(self) -> TypedValue {
        let text = self.normalize().to_string();
        let exact = text
            .parse::<f64>()
            .ok()
            .filter(|f| f.to_string().parse::<Decimal>().ok() == Some(self.normalize()))
            .and_then(serde_json::Number::from_f64);
        let json = match (text.parse::<i64>(), exact) {
            (Ok(whole), _) => Value::from(whole),
            (Err(_), Some(number)) => Value::Number(number),
            (Err(_), None) => Value::String(text),
        };
        TypedValue::new(json, ValueKind::Number)
    }
}

impl<T: FieldValue + Clone> FieldValue for &T {
    fn into_typed(self) -> TypedValue {
        self.clone().into_typed()
    }
}

/// A generated picklist newtype (`TicketStatus`): the values of one entity's picklist field. Tenants
/// add their own values and rename labels, so the type holds any integer; its constants are Autotask's
/// system values, and `client.picklists()` has the tenant's labels
/// ([`Picklist::get`](crate::metadata::Picklist::get), [`Picklists::label`](crate::metadata::Picklists::label)).
pub trait PicklistType: FieldValue + Copy + Eq + Debug + Send + Sync + 'static {
    /// The entity whose field this is (`Tickets`).
    const ENTITY: &'static str;
    /// The picklist field's wire name (`status`).
    const FIELD: &'static str;
    /// The value `value`, when the newtype can hold it.
    fn from_value(value: i64) -> Option<Self>;
    /// The stored value.
    fn value(self) -> i64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_numbers_when_exact_and_text_otherwise() {
        let exact: Decimal = "12.50".parse().unwrap();
        assert_eq!(exact.into_typed().json, serde_json::json!(12.5));
        let whole: Decimal = "7".parse().unwrap();
        assert_eq!(whole.into_typed().json, serde_json::json!(7));
        let long: Decimal = "1234567890.123456789012345678".parse().unwrap();
        assert_eq!(
            long.into_typed().json,
            serde_json::json!("1234567890.123456789012345678")
        );
    }

    #[test]
    fn dates_are_midnight_utc_and_non_finite_floats_are_null() {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            day.into_typed(),
            TypedValue::new(serde_json::json!("2024-02-29T00:00:00Z"), ValueKind::Date)
        );
        assert!(f64::NAN.into_typed().json.is_null());
        assert_eq!((&5_i64).into_typed().kind, ValueKind::Integer);
    }
}

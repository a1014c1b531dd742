//! Filters: comparison operators, conditions and and/or groups, and their checks against an entity's
//! metadata.

use crate::error::{Error, Result};
use crate::model::meta::{DataType, EntityMeta, FieldMeta};
use crate::model::value::{TypedValue, ValueKind};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `eq`: equal to the value.
    Eq,
    /// `noteq`: not equal to the value.
    NotEq,
    /// `gt`: greater than (numbers, date-times).
    Gt,
    /// `gte`: greater than or equal.
    Gte,
    /// `lt`: less than.
    Lt,
    /// `lte`: less than or equal.
    Lte,
    /// `beginsWith`: text starts with the value (string fields only).
    BeginsWith,
    /// `endsWith`: text ends with the value (string fields only).
    EndsWith,
    /// `contains`: text contains the value (string fields only).
    Contains,
    /// The field is not null.
    Exist,
    /// The field is null.
    NotExist,
    /// `in`: equal to one of a non-empty list of values.
    In,
    /// `notIn`: equal to none of a non-empty list of values.
    NotIn,
}

impl Op {
    /// Every operator, in the order the API documents them.
    pub const ALL: [Op; 13] = [
        Op::Eq,
        Op::NotEq,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::BeginsWith,
        Op::EndsWith,
        Op::Contains,
        Op::Exist,
        Op::NotExist,
        Op::In,
        Op::NotIn,
    ];

    /// The wire name (`noteq`, `beginsWith`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::NotEq => "noteq",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::BeginsWith => "beginsWith",
            Op::EndsWith => "endsWith",
            Op::Contains => "contains",
            Op::Exist => "exist",
            Op::NotExist => "notExist",
            Op::In => "in",
            Op::NotIn => "notIn",
        }
    }

    fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::NotIn)
    }

    fn takes_value(self) -> bool {
        !matches!(self, Op::Exist | Op::NotExist)
    }

    fn is_text(self) -> bool {
        matches!(self, Op::BeginsWith | Op::EndsWith | Op::Contains)
    }
}

impl std::str::FromStr for Op {
    type Err = Error;

    /// Accepts the wire names case-insensitively (`eq`, `noteq`, `beginsWith`, ...).
    fn from_str(s: &str) -> Result<Op> {
        Op::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::InvalidInput(format!("unknown filter operator {s:?}")))
    }
}

/// One filter: a condition on a field (or a UDF), or an and/or group.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `{"op", "field", "value", "udf"}`.
    Condition {
        /// The field's wire name, or the UDF's name when `udf` is set.
        field: String,
        /// The comparison.
        op: Op,
        /// The value (an array for `in`/`notIn`); `None` for `exist`/`notExist`.
        value: Option<Value>,
        /// True when `field` names a user-defined field (sent as `"udf": true`).
        udf: bool,
        /// The kind of a typed value ([`Where`](super::Where)), checked against the field's data type
        /// before sending; `None` for untyped JSON values (checked as JSON only).
        kind: Option<ValueKind>,
    },
    /// `{"op":"and","items":[...]}`.
    And(Vec<Filter>),
    /// `{"op":"or","items":[...]}`.
    Or(Vec<Filter>),
}

impl Filter {
    /// A condition on a field by wire name with an untyped JSON value (an array for `in`/`notIn`),
    /// checked against the field's data type as JSON before sending. Prefer the typed [`Where`](super::Where)
    /// methods, which also check the value's kind.
    pub fn condition(field: impl Into<String>, op: Op, value: impl Into<Value>) -> Filter {
        let value = op.takes_value().then(|| value.into());
        Filter::Condition {
            field: field.into(),
            op,
            value,
            udf: false,
            kind: None,
        }
    }

    /// A condition on a user-defined field by its name. The API allows one UDF condition per query.
    pub fn udf(name: impl Into<String>, op: Op, value: impl Into<Value>) -> Filter {
        let value = op.takes_value().then(|| value.into());
        Filter::Condition {
            field: name.into(),
            op,
            value,
            udf: true,
            kind: None,
        }
    }

    /// A condition with typed values: one for the comparisons, a list for `in`/`notIn`, none for
    /// `exist`/`notExist`. The kind is kept when all values share it.
    pub(crate) fn typed_list(field: &str, op: Op, values: Vec<TypedValue>) -> Filter {
        let kind = match values.split_first() {
            Some((first, rest)) if rest.iter().all(|v| v.kind == first.kind) => Some(first.kind),
            _ => None,
        };
        let mut jsons = values.into_iter().map(|v| v.json);
        let value = if !op.takes_value() {
            None
        } else if op.takes_list() {
            Some(Value::Array(jsons.collect()))
        } else {
            Some(jsons.next().unwrap_or(Value::Null))
        };
        Filter::Condition {
            field: field.to_string(),
            op,
            value,
            udf: false,
            kind,
        }
    }

    /// All of `filters`.
    pub fn and(filters: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::And(filters.into_iter().collect())
    }

    /// Any of `filters`.
    pub fn or(filters: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::Or(filters.into_iter().collect())
    }

    /// The "everything" filter the API needs when there is no other (`id gte 0`).
    pub fn everything() -> Filter {
        Filter::condition("id", Op::Gte, 0)
    }

    pub(super) fn udf_count(&self) -> usize {
        match self {
            Filter::Condition { udf, .. } => usize::from(*udf),
            Filter::And(items) | Filter::Or(items) => items.iter().map(Filter::udf_count).sum(),
        }
    }

    /// The OR conditions this filter holds: the members of every `or` group, nested ones included.
    pub(super) fn or_count(&self) -> usize {
        match self {
            Filter::Condition { .. } => 0,
            Filter::And(items) => items.iter().map(Filter::or_count).sum(),
            Filter::Or(items) => items.len() + items.iter().map(Filter::or_count).sum::<usize>(),
        }
    }

    /// Checks the filter against the entity's fields: known and queryable fields, values of the field's
    /// type, lists for `in`/`notIn`, no value for `exist`/`notExist`.
    pub fn validate(&self, meta: &EntityMeta) -> Result<()> {
        match self {
            Filter::And(items) | Filter::Or(items) => {
                if items.is_empty() {
                    return Err(Error::InvalidInput(
                        "an and/or group needs at least one filter".into(),
                    ));
                }
                items.iter().try_for_each(|f| f.validate(meta))
            }
            Filter::Condition {
                field,
                op,
                value,
                udf,
                kind,
            } => {
                let invalid = |why: String| {
                    Err(Error::InvalidInput(format!(
                        "filter on {}.{field}: {why}",
                        meta.name
                    )))
                };
                match (op.takes_value(), value) {
                    (true, None) | (true, Some(Value::Null)) => {
                        return invalid(format!(
                            "`{}` needs a value (NaN and infinity, which JSON cannot carry, arrive as null)",
                            op.as_str()
                        ));
                    }
                    (false, Some(v)) if !v.is_null() => {
                        return invalid(format!("`{}` takes no value", op.as_str()))
                    }
                    _ => {}
                }
                if let Some(value) = value {
                    if op.takes_list() {
                        match value.as_array() {
                            Some(list) if list.iter().any(Value::is_null) => {
                                return invalid(format!(
                                    "the `{}` list holds a null (NaN and infinity, which JSON cannot \
                                     carry, arrive as null)",
                                    op.as_str()
                                ))
                            }
                            Some(list) if !list.is_empty() => {}
                            _ => {
                                return invalid(format!("`{}` needs a non-empty list", op.as_str()))
                            }
                        }
                    } else if value.is_array() {
                        return invalid(format!("`{}` takes one value, not a list", op.as_str()));
                    }
                }
                if *udf {
                    return Ok(());
                }
                let Some(meta_field) = meta.field(field) else {
                    return invalid("no such field".into());
                };
                if !meta_field.is_queryable() {
                    return invalid("this field cannot be queried".into());
                }
                let Some(value) = value else { return Ok(()) };
                let values: Vec<&Value> = match value.as_array() {
                    Some(list) => list.iter().collect(),
                    None => vec![value],
                };
                let data_type = meta_field.data_type;
                if op.is_text() && data_type != DataType::String {
                    return invalid(format!("`{}` works on text fields only", op.as_str()));
                }
                if let Some(kind) = kind {
                    if let Err(why) = check_kind(meta, meta_field, kind) {
                        return invalid(why);
                    }
                }
                for v in values {
                    if let Err(why) = check_value(data_type, v) {
                        return invalid(why);
                    }
                }
                Ok(())
            }
        }
    }
}

/// `Err` with the reason when a typed value's kind does not fit the field: a picklist value of another
/// field, a date-time on a field that is not one, a flag on a field that is not a boolean, a number with
/// a fraction on an integer field. (Text is checked as JSON: numeric and date texts are accepted where
/// the API accepts them.)
fn check_kind(
    meta: &EntityMeta,
    field: &FieldMeta,
    kind: &ValueKind,
) -> std::result::Result<(), String> {
    let data_type = field.data_type;
    let fits = match kind {
        ValueKind::Picklist {
            entity, field: of, ..
        } => entity.eq_ignore_ascii_case(meta.name) && of.eq_ignore_ascii_case(field.name),
        ValueKind::DateTime | ValueKind::Date => data_type == DataType::DateTime,
        ValueKind::Boolean => data_type == DataType::Boolean,
        ValueKind::Number => data_type.is_number(),
        ValueKind::Integer => data_type.is_integer() || data_type.is_number(),
        ValueKind::Text => true,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "{} does not fit a field of type {}{}",
            kind.describe(),
            data_type.as_str(),
            if field.is_picklist() {
                " (a picklist: give its own picklist type or a raw value)"
            } else {
                ""
            }
        ))
    }
}

/// `Err` with the reason when a filter `value` is not something a field of `data_type` can hold: an
/// integer within the field's width, a finite number, `true`/`false`, a date-time within the years
/// Autotask stores, a string.
fn check_value(data_type: DataType, value: &Value) -> std::result::Result<(), String> {
    check_range(data_type, value)?;
    let fits = match data_type {
        DataType::Integer | DataType::Short | DataType::Long => value.is_i64(),
        DataType::Double | DataType::Decimal => {
            value.is_number()
                || value
                    .as_str()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .is_some_and(f64::is_finite)
        }
        // Booleans must be JSON true/false: anything else is an API error.
        DataType::Boolean => value.is_boolean(),
        DataType::DateTime => value
            .as_str()
            .is_some_and(|s| crate::model::wire::datetime::parse(s).is_some()),
        DataType::String => value.is_string(),
        DataType::Bytes | DataType::Object => true,
    };
    if fits {
        Ok(())
    } else if data_type == DataType::DateTime {
        Err(format!(
            "{value} is not a date-time Autotask stores (ISO 8601, years {}..={})",
            crate::model::wire::DATE_YEARS.start(),
            crate::model::wire::DATE_YEARS.end()
        ))
    } else {
        Err(format!(
            "{value} is not a valid {} value",
            data_type.as_str()
        ))
    }
}

/// `Err` with the reason when `value` is of the field's kind but beyond what it holds: an integer wider
/// than the field (or a fraction), a date-time outside the years Autotask stores. Values of another
/// kind pass (write bodies leave those to the server, as before).
pub(crate) fn check_range(data_type: DataType, value: &Value) -> std::result::Result<(), String> {
    let kind = data_type.as_str();
    match data_type {
        DataType::Integer | DataType::Short | DataType::Long => {
            let range = match data_type {
                DataType::Short => i64::from(i16::MIN)..=i64::from(i16::MAX),
                DataType::Integer => i64::from(i32::MIN)..=i64::from(i32::MAX),
                _ => i64::MIN..=i64::MAX,
            };
            let number = match value {
                Value::Number(n) => Some(n.as_i64().ok_or_else(|| {
                    if n.is_u64() {
                        format!("{n} does not fit a field of type {kind}")
                    } else {
                        format!("{n} is not an integer, as a field of type {kind} needs")
                    }
                })?),
                Value::String(text) => text.trim().parse::<i64>().ok(),
                _ => None,
            };
            match number {
                Some(n) if !range.contains(&n) => Err(format!(
                    "{n} does not fit a field of type {kind} ({}..={})",
                    range.start(),
                    range.end()
                )),
                _ => Ok(()),
            }
        }
        DataType::DateTime => match value.as_str().and_then(crate::model::wire::datetime::parse) {
            Some(when) => crate::model::wire::datetime::check_range(&when),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Filter::Condition {
                field,
                op,
                value,
                udf,
                ..
            } => {
                map.serialize_entry("op", op.as_str())?;
                map.serialize_entry("field", field)?;
                if let Some(value) = value {
                    map.serialize_entry("value", value)?;
                }
                if *udf {
                    map.serialize_entry("udf", &true)?;
                }
            }
            Filter::And(items) => {
                map.serialize_entry("op", "and")?;
                map.serialize_entry("items", items)?;
            }
            Filter::Or(items) => {
                map.serialize_entry("op", "or")?;
                map.serialize_entry("items", items)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_names_round_trip() {
        for name in [
            "eq",
            "noteq",
            "gt",
            "gte",
            "lt",
            "lte",
            "beginsWith",
            "endsWith",
            "contains",
            "exist",
            "notExist",
            "in",
            "notIn",
        ] {
            assert_eq!(name.parse::<Op>().unwrap().as_str(), name);
        }
        assert!("between".parse::<Op>().is_err());
    }
}

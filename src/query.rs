//! Typed queries: filters over an entity's field enum, checked against its metadata before sending, and
//! complete paging that follows `nextPageUrl` to the very end.
//!
//! ```
//! use autotask::query::{Filter, Where};
//! # #[cfg(feature = "service_desk")] {
//! use autotask::entities::TicketField;
//!
//! let open_urgent = Filter::and([
//!     TicketField::Status.noteq(5),
//!     Filter::or([TicketField::Priority.eq(1), TicketField::Priority.eq(4)]),
//! ]);
//! assert_eq!(
//!     serde_json::to_value(&open_urgent).unwrap()["items"][1]["op"],
//!     "or"
//! );
//! # }
//! ```

use crate::entity::FieldName;
use crate::error::{Error, Result};
use crate::meta::{DataType, EntityMeta};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

/// The API's `MaxRecords` bounds.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Longest `in`/`notIn` list sent in one query; longer lists are split (the API documents 500 OR terms).
pub const MAX_LIST_VALUES: usize = 500;

/// Most OR conditions one query may hold, counted over its `or` groups (PROTOCOL.md 3.2: "Queries are
/// limited to 500 or fewer 'OR' conditions").
pub const MAX_OR_CONDITIONS: usize = 500;

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
        const ALL: [Op; 13] = [
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
        ALL.into_iter()
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
    },
    /// `{"op":"and","items":[...]}`.
    And(Vec<Filter>),
    /// `{"op":"or","items":[...]}`.
    Or(Vec<Filter>),
}

impl Filter {
    /// A condition on a field by wire name (prefer the typed [`Where`] methods).
    pub fn condition(field: impl Into<String>, op: Op, value: impl Into<Value>) -> Filter {
        let value = op.takes_value().then(|| value.into());
        Filter::Condition {
            field: field.into(),
            op,
            value,
            udf: false,
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

    fn udf_count(&self) -> usize {
        match self {
            Filter::Condition { udf, .. } => usize::from(*udf),
            Filter::And(items) | Filter::Or(items) => items.iter().map(Filter::udf_count).sum(),
        }
    }

    /// The OR conditions this filter holds: the members of every `or` group, nested ones included.
    fn or_count(&self) -> usize {
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

/// `Err` with the reason when a filter `value` is not something a field of `data_type` can hold: an
/// integer within the field's width, a finite number, `true`/`false`, a date-time within the years
/// Autotask stores, a string.
pub(crate) fn check_value(data_type: DataType, value: &Value) -> std::result::Result<(), String> {
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
            .is_some_and(|s| crate::wire::datetime::parse(s).is_some()),
        DataType::String => value.is_string(),
        DataType::Bytes | DataType::Object => true,
    };
    if fits {
        Ok(())
    } else if data_type == DataType::DateTime {
        Err(format!(
            "{value} is not a date-time Autotask stores (ISO 8601, years {}..={})",
            crate::wire::DATE_YEARS.start(),
            crate::wire::DATE_YEARS.end()
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
        DataType::DateTime => match value.as_str().and_then(crate::wire::datetime::parse) {
            Some(when) => crate::wire::datetime::check_range(&when),
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

/// Typed conditions on an entity's field enum: `TicketField::Status.eq(5)`.
pub trait Where: FieldName {
    /// `eq`.
    fn eq(self, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), Op::Eq, value)
    }
    /// `noteq`.
    fn noteq(self, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), Op::NotEq, value)
    }
    /// `gt`.
    fn gt(self, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), Op::Gt, value)
    }
    /// `gte`.
    fn gte(self, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), Op::Gte, value)
    }
    /// `lt`.
    fn lt(self, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), Op::Lt, value)
    }
    /// `lte`.
    fn lte(self, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), Op::Lte, value)
    }
    /// `beginsWith`.
    fn begins_with(self, text: impl Into<String>) -> Filter {
        Filter::condition(self.as_str(), Op::BeginsWith, text.into())
    }
    /// `endsWith`.
    fn ends_with(self, text: impl Into<String>) -> Filter {
        Filter::condition(self.as_str(), Op::EndsWith, text.into())
    }
    /// `contains`.
    fn contains(self, text: impl Into<String>) -> Filter {
        Filter::condition(self.as_str(), Op::Contains, text.into())
    }
    /// `exist`: the field is not null.
    fn exist(self) -> Filter {
        Filter::condition(self.as_str(), Op::Exist, Value::Null)
    }
    /// `notExist`: the field is null.
    fn not_exist(self) -> Filter {
        Filter::condition(self.as_str(), Op::NotExist, Value::Null)
    }
    /// `in`; lists longer than [`MAX_LIST_VALUES`] are split into several queries and merged.
    fn in_list<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Filter {
        Filter::condition(
            self.as_str(),
            Op::In,
            Value::Array(values.into_iter().map(Into::into).collect()),
        )
    }
    /// `notIn`; lists longer than [`MAX_LIST_VALUES`] are split into several ANDed conditions.
    fn not_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Filter {
        Filter::condition(
            self.as_str(),
            Op::NotIn,
            Value::Array(values.into_iter().map(Into::into).collect()),
        )
    }
    /// A condition with an operator chosen at run time.
    fn op(self, op: Op, value: impl Into<Value>) -> Filter {
        Filter::condition(self.as_str(), op, value)
    }
}

impl<F: FieldName> Where for F {}

/// What one query asks for: filters (ANDed), page size, included fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuerySpec {
    /// Top-level filters, ANDed; empty means everything (sent as `id gte 0`).
    pub filters: Vec<Filter>,
    /// `MaxRecords` (1..=500); `None` means the API default of 500.
    pub max_records: Option<u32>,
    /// `IncludeFields`: wire names of the fields to return (`id` is always added); empty means all.
    pub include_fields: Vec<String>,
}

/// True when `filter` is, or contains, an `in`/`notIn` list longer than [`MAX_LIST_VALUES`].
fn has_long_list(filter: &Filter) -> bool {
    match filter {
        Filter::Condition {
            op: Op::In | Op::NotIn,
            value: Some(Value::Array(list)),
            ..
        } => list.len() > MAX_LIST_VALUES,
        Filter::Condition { .. } => false,
        Filter::And(items) | Filter::Or(items) => items.iter().any(has_long_list),
    }
}

impl QuerySpec {
    /// Checks everything the API would reject, before sending.
    pub fn validate(&self, meta: &EntityMeta) -> Result<()> {
        if let Some(n) = self.max_records {
            if !(1..=MAX_PAGE_SIZE).contains(&n) {
                return Err(Error::InvalidInput(format!(
                    "MaxRecords must be between 1 and {MAX_PAGE_SIZE}, not {n}"
                )));
            }
        }
        let ors: usize = self.filters.iter().map(Filter::or_count).sum();
        if ors > MAX_OR_CONDITIONS {
            return Err(Error::InvalidInput(format!(
                "this query holds {ors} OR conditions; the API accepts at most {MAX_OR_CONDITIONS}"
            )));
        }
        let udfs: usize = self.filters.iter().map(Filter::udf_count).sum();
        if udfs > 1 {
            return Err(Error::InvalidInput(format!(
                "a query may filter on one user-defined field only; this one uses {udfs}"
            )));
        }
        for filter in &self.filters {
            filter.validate(meta)?;
        }
        self.check_long_lists()?;
        for field in &self.include_fields {
            let known =
                meta.field(field).is_some() || field.eq_ignore_ascii_case("userDefinedFields");
            if !known {
                return Err(Error::InvalidInput(format!(
                    "IncludeFields: {} has no field {field:?}",
                    meta.name
                )));
            }
        }
        Ok(())
    }

    /// Lists longer than [`MAX_LIST_VALUES`] are sent in parts by [`split_long_lists`](Self::split_long_lists),
    /// which can do so only for one top-level `in` list and for top-level `notIn` lists on ordinary fields.
    /// Anything else would reach the API as one over-long list (or, for a UDF `notIn`, as several UDF
    /// conditions in one query), so it is refused here, before sending.
    fn check_long_lists(&self) -> Result<()> {
        let mut long_in = 0;
        for filter in &self.filters {
            match filter {
                Filter::Condition {
                    field,
                    op,
                    value: Some(Value::Array(list)),
                    udf,
                } if list.len() > MAX_LIST_VALUES => match op {
                    Op::In => long_in += 1,
                    Op::NotIn if *udf => {
                        return Err(Error::InvalidInput(format!(
                            "the notIn list on user-defined field {field:?} has {} values; more than \
                             {MAX_LIST_VALUES} would need several UDF conditions in one query, which the API \
                             does not allow",
                            list.len()
                        )))
                    }
                    _ => {}
                },
                Filter::And(items) | Filter::Or(items) if items.iter().any(has_long_list) => {
                    return Err(Error::InvalidInput(format!(
                        "an in/notIn list inside an and/or group has more than {MAX_LIST_VALUES} values; \
                         only top-level lists are split into several queries"
                    )))
                }
                _ => {}
            }
        }
        if long_in > 1 {
            return Err(Error::InvalidInput(format!(
                "{long_in} top-level in lists have more than {MAX_LIST_VALUES} values; only one can be \
                 split into several queries (narrow the others, or run one query per part yourself)"
            )));
        }
        Ok(())
    }

    /// The QueryModel JSON body.
    pub fn body(&self) -> Value {
        let filters = if self.filters.is_empty() {
            vec![Filter::everything()]
        } else {
            self.filters.clone()
        };
        let mut body = json!({ "filter": filters });
        if let Some(n) = self.max_records {
            body["MaxRecords"] = json!(n);
        }
        if !self.include_fields.is_empty() {
            let mut fields = self.include_fields.clone();
            // Paging needs ids; the API returns them anyway, ask explicitly as the vendor advises.
            if !fields.iter().any(|f| f.eq_ignore_ascii_case("id")) {
                fields.insert(0, "id".into());
            }
            body["IncludeFields"] = json!(fields);
        }
        body
    }

    /// Splits a top-level `in` list longer than [`MAX_LIST_VALUES`] into several specs whose results,
    /// merged, equal the original's; `notIn` lists are split into several ANDed conditions instead.
    pub fn split_long_lists(&self) -> Vec<QuerySpec> {
        let mut base = self.clone();
        base.filters = Vec::new();
        let mut long_in: Option<(String, bool, Vec<Value>)> = None;
        for filter in &self.filters {
            match filter {
                Filter::Condition {
                    field,
                    op: Op::NotIn,
                    value: Some(Value::Array(list)),
                    udf,
                } if list.len() > MAX_LIST_VALUES => {
                    for chunk in list.chunks(MAX_LIST_VALUES) {
                        base.filters.push(Filter::Condition {
                            field: field.clone(),
                            op: Op::NotIn,
                            value: Some(Value::Array(chunk.to_vec())),
                            udf: *udf,
                        });
                    }
                }
                Filter::Condition {
                    field,
                    op: Op::In,
                    value: Some(Value::Array(list)),
                    udf,
                } if list.len() > MAX_LIST_VALUES && long_in.is_none() => {
                    long_in = Some((field.clone(), *udf, list.clone()));
                }
                other => base.filters.push(other.clone()),
            }
        }
        match long_in {
            None => vec![base],
            Some((field, udf, list)) => {
                // Duplicates would come back twice from different parts; keep the first of each.
                let mut seen = std::collections::HashSet::with_capacity(list.len());
                let unique: Vec<Value> = list
                    .into_iter()
                    .filter(|v| seen.insert(v.to_string()))
                    .collect();
                unique
                    .chunks(MAX_LIST_VALUES)
                    .map(|chunk| {
                        let mut spec = base.clone();
                        spec.filters.push(Filter::Condition {
                            field: field.clone(),
                            op: Op::In,
                            value: Some(Value::Array(chunk.to_vec())),
                            udf,
                        });
                        spec
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_like_the_api_expects() {
        let f = Filter::or([
            Filter::condition("status", Op::Eq, 1),
            Filter::udf("Region", Op::Exist, Value::Null),
        ]);
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"op":"or","items":[{"op":"eq","field":"status","value":1},{"op":"exist","field":"Region","udf":true}]})
        );
        let spec = QuerySpec {
            include_fields: vec!["title".into()],
            max_records: Some(10),
            ..Default::default()
        };
        assert_eq!(
            spec.body(),
            json!({"filter":[{"op":"gte","field":"id","value":0}],"MaxRecords":10,"IncludeFields":["id","title"]})
        );
    }

    #[test]
    fn long_in_lists_split_and_dedupe() {
        let values: Vec<Value> = (0..1200).chain(0..10).map(|i| json!(i)).collect();
        let spec = QuerySpec {
            filters: vec![
                Filter::condition("id", Op::In, Value::Array(values)),
                Filter::condition("status", Op::Eq, 1),
            ],
            ..Default::default()
        };
        let parts = spec.split_long_lists();
        assert_eq!(parts.len(), 3);
        let total: usize = parts
            .iter()
            .map(|p| {
                p.filters
                    .iter()
                    .find_map(|f| match f {
                        Filter::Condition {
                            op: Op::In,
                            value: Some(Value::Array(l)),
                            ..
                        } => Some(l.len()),
                        _ => None,
                    })
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 1200);
        assert!(parts.iter().all(|p| p.filters.len() == 2));
    }

    #[test]
    fn long_lists_that_cannot_be_split_are_refused_before_sending() {
        let long = || Value::Array((0..501).map(|i| json!(i)).collect());
        let spec = |filters: Vec<Filter>| QuerySpec {
            filters,
            ..Default::default()
        };
        // One long top-level `in` and long `notIn`s on ordinary fields are split: fine.
        assert!(spec(vec![
            Filter::condition("id", Op::In, long()),
            Filter::condition("status", Op::NotIn, long()),
        ])
        .check_long_lists()
        .is_ok());
        // A long UDF `notIn` would become several UDF conditions in one query.
        let udf = Filter::Condition {
            field: "Region".into(),
            op: Op::NotIn,
            value: Some(long()),
            udf: true,
        };
        let error = spec(vec![udf]).check_long_lists().unwrap_err();
        assert!(
            error.to_string().contains("several UDF conditions"),
            "{error}"
        );
        // Two long `in` lists cannot both be split.
        let error = spec(vec![
            Filter::condition("id", Op::In, long()),
            Filter::condition("companyID", Op::In, long()),
        ])
        .check_long_lists()
        .unwrap_err();
        assert!(
            error.to_string().contains("2 top-level in lists"),
            "{error}"
        );
        // Nested lists are never split.
        let error = spec(vec![Filter::or([
            Filter::condition("id", Op::In, long()),
            Filter::condition("status", Op::Eq, 1),
        ])])
        .check_long_lists()
        .unwrap_err();
        assert!(
            error.to_string().contains("inside an and/or group"),
            "{error}"
        );
    }

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

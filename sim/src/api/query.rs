//! The query engine: QueryModel parsing (keys case-insensitive), filter compilation against the entity's
//! metadata, and evaluation on stored records with SQL-Server-like semantics (case-insensitive strings,
//! numeric numbers, date-times compared as instants, null matching nothing but `notExist`).

use crate::config::UdfType;
use crate::error::ApiError;
use crate::schema::{DataType, Entity, Field};
use crate::store::catalog::Catalog;
use crate::store::render::udf_value;
use crate::store::Record;
use crate::wire::datetime::{self, Instant};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Largest and default `MaxRecords`.
pub const MAX_RECORDS: usize = 500;

/// A compiled QueryModel.
#[derive(Debug)]
pub struct Query {
    /// The top-level filter (its items are ANDed).
    pub condition: Condition,
    /// Page size (`MaxRecords`).
    pub max_records: usize,
    /// `IncludeFields`, canonical names.
    pub include: Option<Vec<&'static str>>,
}

/// A compiled filter.
#[derive(Debug)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Field {
        field: &'static Field,
        op: Op,
        operand: Operand,
    },
    Udf {
        name: String,
        op: Op,
        operand: Operand,
    },
}

/// A comparison operator of the filter grammar (PROTOCOL.md §3.2); `and`/`or` groups are
/// [`Condition::All`]/[`Condition::Any`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`.
    Eq,
    /// `noteq`.
    NotEq,
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
    /// `lt`.
    Lt,
    /// `lte`.
    Lte,
    /// `beginsWith`.
    BeginsWith,
    /// `endsWith`.
    EndsWith,
    /// `contains`.
    Contains,
    /// `exist`: not null.
    Exist,
    /// `notExist`: null.
    NotExist,
    /// `in`: one of a list.
    In,
    /// `notIn`: none of a list.
    NotIn,
}

impl Op {
    /// The operator named `text` (case-insensitive, as the API's enum parsing is).
    pub fn parse(text: &str) -> Option<Op> {
        const NAMES: [(&str, Op); 13] = [
            ("eq", Op::Eq),
            ("noteq", Op::NotEq),
            ("gt", Op::Gt),
            ("gte", Op::Gte),
            ("lt", Op::Lt),
            ("lte", Op::Lte),
            ("beginsWith", Op::BeginsWith),
            ("endsWith", Op::EndsWith),
            ("contains", Op::Contains),
            ("exist", Op::Exist),
            ("notExist", Op::NotExist),
            ("in", Op::In),
            ("notIn", Op::NotIn),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, op)| *op)
    }
}

/// A filter value converted to the field's type.
#[derive(Debug, Clone)]
pub enum Operand {
    None,
    Number(f64),
    Text(String),
    Bool(bool),
    Instant(Instant),
    List(Vec<Operand>),
}

/// Case-insensitive lookup of a QueryModel or filter key.
fn key<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Parses and compiles a QueryModel for `meta`.
pub fn compile(meta: &'static Entity, catalog: &Catalog, model: &Value) -> Result<Query, ApiError> {
    let object = model
        .as_object()
        .ok_or_else(|| ApiError::business("The query body must be a JSON object (QueryModel)."))?;
    let max_records = match key(object, "MaxRecords") {
        None | Some(Value::Null) => MAX_RECORDS,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_RECORDS as i64).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::business(
                    "maxCountOfRecordsToReturn must be between 1 and 500",
                ))
            }
        },
    };
    let include = match key(object, "IncludeFields") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) if names.is_empty() => None,
        Some(Value::Array(names)) => {
            let mut fields = Vec::new();
            for name in names {
                let name = name.as_str().unwrap_or_default();
                if let Some(field) = meta.field(name) {
                    fields.push(field.name.as_str());
                } else if catalog.udf(meta, name).is_none() {
                    return Err(unknown_field(meta, name));
                }
            }
            Some(fields)
        }
        Some(_) => {
            return Err(ApiError::business(
                "IncludeFields must be an array of field names.",
            ))
        }
    };
    let items = match key(object, "filter") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(ApiError::business("filter must be an array of conditions.")),
    };
    let mut udf_count = 0;
    let condition = Condition::All(
        items
            .iter()
            .map(|item| compile_item(meta, catalog, item, &mut udf_count))
            .collect::<Result<_, _>>()?,
    );
    if udf_count > 1 {
        return Err(ApiError::business(
            "Only one user-defined field can be used in a query filter.",
        ));
    }
    Ok(Query {
        condition,
        max_records,
        include,
    })
}

fn unknown_field(meta: &Entity, name: &str) -> ApiError {
    ApiError::business(format!(
        "Unable to find {name} in the {} Entity.",
        meta.model
    ))
}

fn compile_item(
    meta: &'static Entity,
    catalog: &Catalog,
    item: &Value,
    udf_count: &mut usize,
) -> Result<Condition, ApiError> {
    let object = item
        .as_object()
        .ok_or_else(|| ApiError::business("Each filter item must be an object."))?;
    let op_text = key(object, "op")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let op = match op_text.to_ascii_lowercase().as_str() {
        "and" | "or" => {
            let children = match key(object, "items") {
                Some(Value::Array(items)) if !items.is_empty() => items,
                _ => {
                    return Err(ApiError::business(format!(
                        "The {op_text} group must have items."
                    )))
                }
            };
            let compiled = children
                .iter()
                .map(|c| compile_item(meta, catalog, c, udf_count))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if op_text.eq_ignore_ascii_case("and") {
                Condition::All(compiled)
            } else {
                Condition::Any(compiled)
            });
        }
        _ => Op::parse(op_text)
            .ok_or_else(|| ApiError::business(format!("Invalid filter operator '{op_text}'.")))?,
    };
    let field_name = key(object, "field")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = key(object, "value").unwrap_or(&Value::Null);
    let is_udf = match key(object, "udf") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::business("udf must be true or false.")),
    };
    if is_udf {
        *udf_count += 1;
        let udf = catalog.udf(meta, field_name).ok_or_else(|| {
            ApiError::business(format!(
                "Unable to find user-defined field {field_name} in the {} Entity.",
                meta.model
            ))
        })?;
        let kind = match udf.udf_type {
            UdfType::List => UdfType::Number,
            other => other,
        };
        let operand = operand_for(op, value, |v| convert_udf(kind, v, &udf.name))?;
        return Ok(Condition::Udf {
            name: udf.name.clone(),
            op,
            operand,
        });
    }
    let field = meta
        .field(field_name)
        .ok_or_else(|| unknown_field(meta, field_name))?;
    if !field.is_queryable {
        return Err(ApiError::business(format!(
            "The field {} of the {} Entity cannot be queried.",
            field.name, meta.model
        )));
    }
    let operand = operand_for(op, value, |v| convert(field, v))?;
    Ok(Condition::Field { field, op, operand })
}

fn operand_for(
    op: Op,
    value: &Value,
    convert: impl Fn(&Value) -> Result<Operand, ApiError>,
) -> Result<Operand, ApiError> {
    match op {
        Op::Exist | Op::NotExist => Ok(Operand::None),
        Op::In | Op::NotIn => match value {
            Value::Array(values) => Ok(Operand::List(
                values.iter().map(&convert).collect::<Result<_, _>>()?,
            )),
            _ => Err(ApiError::business(
                "The in and notIn operators need an array value.",
            )),
        },
        _ => convert(value),
    }
}

/// PROTOCOL.md §2.4: `Conversion failed when converting varchar 'material' to data type int`.
fn conversion_error(value: &Value, target: &str) -> ApiError {
    let shown = value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string());
    ApiError::business(format!(
        "Conversion failed when converting varchar '{shown}' to data type {target}"
    ))
}

fn convert(field: &Field, value: &Value) -> Result<Operand, ApiError> {
    match field.data_type() {
        t if t.is_integer() || t.is_number() => match value {
            Value::Number(n) => Ok(Operand::Number(n.as_f64().unwrap_or_default())),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Operand::Number)
                .map_err(|_| conversion_error(value, "int")),
            _ => Err(conversion_error(value, "int")),
        },
        DataType::Boolean => match value {
            Value::Bool(b) => Ok(Operand::Bool(*b)),
            _ => Err(ApiError::business(format!(
                "Filter value for boolean field {} must be true or false.",
                field.name
            ))),
        },
        DataType::DateTime => value
            .as_str()
            .and_then(datetime::parse_stored)
            .map(Operand::Instant)
            .ok_or_else(|| conversion_error(value, "datetime")),
        _ => match value {
            Value::String(s) => Ok(Operand::Text(s.to_lowercase())),
            Value::Number(n) => Ok(Operand::Text(n.to_string())),
            Value::Bool(b) => Ok(Operand::Text(b.to_string())),
            _ => Err(ApiError::business(format!(
                "A value is required to filter on {}.",
                field.name
            ))),
        },
    }
}

fn convert_udf(kind: UdfType, value: &Value, name: &str) -> Result<Operand, ApiError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => {
            return Err(ApiError::business(format!(
                "A value is required to filter on {name}."
            )))
        }
    };
    match kind {
        UdfType::Number | UdfType::List => text
            .parse()
            .map(Operand::Number)
            .map_err(|_| conversion_error(value, "decimal")),
        UdfType::DateTime => datetime::parse_stored(&text)
            .map(Operand::Instant)
            .ok_or_else(|| conversion_error(value, "datetime")),
        UdfType::Boolean => match value {
            Value::Bool(b) => Ok(Operand::Bool(*b)),
            _ => Err(ApiError::business(format!(
                "Filter value for boolean field {name} must be true or false."
            ))),
        },
        UdfType::String => Ok(Operand::Text(text.to_lowercase())),
    }
}

impl Condition {
    /// The id range every matching record lies in, from the ANDed top-level conditions on `id` (a
    /// database would answer them from its primary key): `(lowest, highest)`, inclusive, `None` for
    /// no bound. Records outside it cannot match, so a scan may skip them; the condition is still
    /// checked on every record it visits.
    pub fn id_range(&self) -> (Option<i64>, Option<i64>) {
        let mut range: (Option<i64>, Option<i64>) = (None, None);
        let items = match self {
            Condition::All(items) => items.as_slice(),
            other => std::slice::from_ref(other),
        };
        for item in items {
            let Condition::Field {
                field,
                op,
                operand: Operand::Number(x),
            } = item
            else {
                continue;
            };
            if field.name != "id" || !x.is_finite() {
                continue;
            }
            // Float-to-int casts saturate, so huge operands stay huge.
            let (low, high) = match op {
                Op::Gt => (Some(x.floor() as i64 + 1), None),
                Op::Gte => (Some(x.ceil() as i64), None),
                Op::Lt => (None, Some(x.ceil() as i64 - 1)),
                Op::Lte => (None, Some(x.floor() as i64)),
                Op::Eq => (Some(x.ceil() as i64), Some(x.floor() as i64)),
                _ => (None, None),
            };
            range.0 = range.0.max(low);
            range.1 = match (range.1, high) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        range
    }

    /// True when `record` satisfies the condition.
    pub fn matches(&self, record: &Record) -> bool {
        match self {
            Condition::All(items) => items.iter().all(|c| c.matches(record)),
            Condition::Any(items) => items.iter().any(|c| c.matches(record)),
            Condition::Field { field, op, operand } => {
                let stored = record.get(&field.name).filter(|v| !v.is_null());
                evaluate(*op, operand, stored.map(Stored::Json))
            }
            Condition::Udf {
                name, op, operand, ..
            } => {
                let stored = udf_value(record, name).map(Stored::UdfText);
                evaluate(*op, operand, stored)
            }
        }
    }
}

/// A non-null stored value.
enum Stored<'a> {
    Json(&'a Value),
    UdfText(&'a str),
}

impl Stored<'_> {
    fn as_text(&self) -> String {
        match self {
            Stored::Json(Value::String(s)) => s.to_lowercase(),
            Stored::Json(other) => other.to_string(),
            Stored::UdfText(text) => text.to_lowercase(),
        }
    }

    fn compare(&self, operand: &Operand) -> Option<Ordering> {
        match operand {
            Operand::Number(n) => {
                let mine = match self {
                    Stored::Json(v) => v.as_f64().or_else(|| v.as_str()?.parse().ok()),
                    Stored::UdfText(t) => t.parse().ok(),
                }?;
                mine.partial_cmp(n)
            }
            Operand::Text(t) => Some(self.as_text().as_str().cmp(t.as_str())),
            Operand::Bool(b) => {
                let mine = match self {
                    Stored::Json(v) => v.as_bool(),
                    Stored::UdfText(t) => Some(matches!(*t, "true" | "1")),
                }?;
                Some(mine.cmp(b))
            }
            Operand::Instant(i) => {
                let text = match self {
                    Stored::Json(v) => v.as_str()?,
                    Stored::UdfText(t) => t,
                };
                Some(datetime::parse(text)?.cmp(i))
            }
            Operand::None | Operand::List(_) => None,
        }
    }
}

fn evaluate(op: Op, operand: &Operand, stored: Option<Stored<'_>>) -> bool {
    let Some(stored) = stored else {
        return op == Op::NotExist;
    };
    let text_operand = || match operand {
        Operand::Text(t) => t.clone(),
        Operand::Number(n) => n.to_string(),
        _ => String::new(),
    };
    match op {
        Op::Exist => true,
        Op::NotExist => false,
        Op::Eq => stored.compare(operand) == Some(Ordering::Equal),
        Op::NotEq => matches!(stored.compare(operand), Some(o) if o != Ordering::Equal),
        Op::Gt => stored.compare(operand) == Some(Ordering::Greater),
        Op::Gte => matches!(
            stored.compare(operand),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Op::Lt => stored.compare(operand) == Some(Ordering::Less),
        Op::Lte => matches!(
            stored.compare(operand),
            Some(Ordering::Less | Ordering::Equal)
        ),
        Op::BeginsWith => stored.as_text().starts_with(&text_operand()),
        Op::EndsWith => stored.as_text().ends_with(&text_operand()),
        Op::Contains => stored.as_text().contains(&text_operand()),
        Op::In | Op::NotIn => {
            let Operand::List(values) = operand else {
                return false;
            };
            let found = values
                .iter()
                .any(|v| stored.compare(v) == Some(Ordering::Equal));
            found == (op == Op::In)
        }
    }
}

//! The client-side ordering of the py-style query builder: the Autotask API cannot sort (results come in
//! ascending id order), so `order_by` sorts records after fetching them.

use crate::model::wire::datetime;
use serde_json::Value;
use std::cmp::Ordering;

/// Sort direction for [`PyQueryBuilder::order_by`](crate::ops::PyQueryBuilder::order_by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first; nulls come first.
    Asc,
    /// Largest first; nulls come last.
    Desc,
}

/// Nulls first; numbers numerically; date-times by instant; text case-insensitively.
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => match (datetime::parse(x), datetime::parse(y)) {
            (Some(dx), Some(dy)) => dx.cmp(&dy),
            _ => x.to_lowercase().cmp(&y.to_lowercase()),
        },
        _ => a.to_string().cmp(&b.to_string()),
    }
}

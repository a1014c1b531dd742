//! The py-autotask style query builder: `where_(field, op, value)...order_by(field, desc).limit(n).execute()`.
//!
//! The Autotask API has **no server-side ordering**: results always come in ascending id order. So
//! [`PyQueryBuilder::order_by`] sorts on the client after fetching, which means it fetches **every**
//! matching record before sorting (then applies `limit`). Without `order_by`, `limit` stops fetching as soon
//! as enough records have arrived.

use crate::entity::{FieldName, Query};
use crate::error::Result;
use crate::handle::{decode, QueryBuilder};
use crate::query::{Filter, Op};
use futures::TryStreamExt;
use serde_json::Value;
use std::cmp::Ordering;

/// Sort direction for [`PyQueryBuilder::order_by`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first; nulls come first.
    Asc,
    /// Largest first; nulls come last.
    Desc,
}

/// See the [module docs](self).
pub struct PyQueryBuilder<E: Query> {
    query: QueryBuilder<E>,
    order: Vec<(E::Field, Direction)>,
    limit: Option<u64>,
}

impl<E: Query> PyQueryBuilder<E> {
    pub(crate) fn new(query: QueryBuilder<E>) -> Self {
        Self {
            query,
            order: Vec::new(),
            limit: None,
        }
    }

    /// Adds `field op value` (ANDed with the others).
    pub fn where_(mut self, field: E::Field, op: Op, value: impl Into<Value>) -> Self {
        self.query = self
            .query
            .filter(Filter::condition(field.as_str(), op, value));
        self
    }

    /// Adds any filter, including and/or groups.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.query = self.query.filter(filter);
        self
    }

    /// Sorts the results on the client (the API cannot); later calls break ties of earlier ones.
    pub fn order_by(mut self, field: E::Field, direction: Direction) -> Self {
        self.order.push((field, direction));
        self
    }

    /// At most `n` records.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Only these fields (plus `id`).
    pub fn select(mut self, fields: impl IntoIterator<Item = E::Field>) -> Self {
        self.query = self.query.include_fields(fields);
        self
    }

    /// Runs the query.
    pub async fn execute(self) -> Result<Vec<E>> {
        if self.order.is_empty() {
            let query = match self.limit {
                Some(n) => self.query.max_total_records(n),
                None => self.query,
            };
            return query.all().await;
        }
        let mut records: Vec<Value> = self.query.stream_json().try_collect().await?;
        records.sort_by(|a, b| {
            self.order
                .iter()
                .map(|(field, direction)| {
                    let ordering = compare(&a[field.as_str()], &b[field.as_str()]);
                    if *direction == Direction::Desc {
                        ordering.reverse()
                    } else {
                        ordering
                    }
                })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
        if let Some(n) = self.limit {
            records.truncate(n as usize);
        }
        records.into_iter().map(|v| decode(E::NAME, v)).collect()
    }
}

/// Nulls first; numbers numerically; date-times by instant; text case-insensitively.
fn compare(a: &Value, b: &Value) -> Ordering {
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
        (Value::String(x), Value::String(y)) => {
            match (
                crate::wire::datetime::parse(x),
                crate::wire::datetime::parse(y),
            ) {
                (Some(dx), Some(dy)) => dx.cmp(&dy),
                _ => x.to_lowercase().cmp(&y.to_lowercase()),
            }
        }
        _ => a.to_string().cmp(&b.to_string()),
    }
}

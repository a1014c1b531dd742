//! The py-autotask style query builder: `where_(field, op, value)...order_by(field, desc).limit(n).execute()`.
//!
//! The Autotask API has **no server-side ordering**: results always come in ascending id order. So
//! [`PyQueryBuilder::order_by`] sorts on the client after fetching, which means it fetches **every**
//! matching record before sorting (then applies `limit`). Without `order_by`, `limit` stops fetching as soon
//! as enough records have arrived. The ordering itself ([`Direction`], the comparison of values) is part
//! of the query layer ([`crate::query`]); this builder runs the query, so it lives with the operations.

use super::codec::decode;
use super::query_builder::QueryBuilder;
use crate::error::Result;
use crate::model::entity::{FieldName, Query};
use crate::model::value::FieldValue;
use crate::query::{compare, Direction, Filter, Op, Where};
use futures::TryStreamExt;
use serde_json::Value;
use std::cmp::Ordering;

/// The py-autotask style query builder: `where_(field, op, value)...order_by(field, desc).limit(n).execute()`.
///
/// The Autotask API has **no server-side ordering**: results always come in ascending id order. So
/// [`order_by`](Self::order_by) sorts on the client after fetching, which means it fetches **every**
/// matching record before sorting (then applies `limit`). Without `order_by`, `limit` stops fetching as
/// soon as enough records have arrived.
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
    pub fn where_(mut self, field: E::Field, op: Op, value: impl FieldValue) -> Self {
        self.query = self.query.filter(field.op(op, value));
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

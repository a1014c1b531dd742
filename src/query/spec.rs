//! [`QuerySpec`]: what one query asks for, its checks before sending, its JSON body, and the splitting of
//! long `in` lists into several queries.

use super::filter::{Filter, Op};
use crate::error::{Error, Result};
use crate::model::meta::EntityMeta;
use crate::model::value::ValueKind;
use serde_json::{json, Value};

/// The API's `MaxRecords` bounds.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Longest `in`/`notIn` list sent in one query; longer lists are split (the API documents 500 OR terms).
pub const MAX_LIST_VALUES: usize = 500;

/// Most OR conditions one query may hold, counted over its `or` groups (PROTOCOL.md 3.2: "Queries are
/// limited to 500 or fewer 'OR' conditions").
pub const MAX_OR_CONDITIONS: usize = 500;

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
                    ..
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
        let mut long_in: Option<(String, bool, Option<ValueKind>, Vec<Value>)> = None;
        for filter in &self.filters {
            match filter {
                Filter::Condition {
                    field,
                    op: Op::NotIn,
                    value: Some(Value::Array(list)),
                    udf,
                    kind,
                } if list.len() > MAX_LIST_VALUES => {
                    for chunk in list.chunks(MAX_LIST_VALUES) {
                        base.filters.push(Filter::Condition {
                            field: field.clone(),
                            op: Op::NotIn,
                            value: Some(Value::Array(chunk.to_vec())),
                            udf: *udf,
                            kind: *kind,
                        });
                    }
                }
                Filter::Condition {
                    field,
                    op: Op::In,
                    value: Some(Value::Array(list)),
                    udf,
                    kind,
                } if list.len() > MAX_LIST_VALUES && long_in.is_none() => {
                    long_in = Some((field.clone(), *udf, *kind, list.clone()));
                }
                other => base.filters.push(other.clone()),
            }
        }
        match long_in {
            None => vec![base],
            Some((field, udf, kind, list)) => {
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
                            kind,
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
        let udf = Filter::udf("Region", Op::NotIn, long());
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
}

//! Id-cursor paging: pages are range scans of the id-ordered table from the cursor, so a page costs time
//! proportional to the records it walks, and `nextPageUrl` carries
//! `paging={"pageSize":n,"previousIds":[...],"nextIds":[lastId]}` like the real API.

use super::query::Query;
use crate::store::{Record, Table};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use std::ops::Bound;

/// The decoded `paging` parameter of a `query/next` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingCursor {
    #[serde(rename = "pageSize")]
    pub page_size: usize,
    /// The cursors that started every earlier page (the first page starts after `-1`).
    #[serde(rename = "previousIds")]
    pub previous_ids: Vec<i64>,
    /// The last id of the page just served; the next page starts after it.
    #[serde(rename = "nextIds")]
    pub next_ids: Vec<i64>,
}

/// One page of matches.
#[derive(Debug)]
pub struct Page<'t> {
    pub records: Vec<&'t Record>,
    /// True when at least one more record matches after the last one of this page.
    pub has_more: bool,
}

/// The matches of `query` with ids greater than `after` (all ids when `None`), at most `page_size`.
pub fn scan<'t>(
    table: Option<&'t Table>,
    query: &Query,
    after: Option<i64>,
    page_size: usize,
) -> Page<'t> {
    let Some(table) = table else {
        return Page {
            records: Vec::new(),
            has_more: false,
        };
    };
    let (low, high) = query.condition.id_range();
    let low = match after {
        Some(after) => {
            Some(low.map_or(after.saturating_add(1), |l| l.max(after.saturating_add(1))))
        }
        None => low,
    };
    let mut matches = id_range(table, low, high).filter(|r| query.condition.matches(r));
    let records: Vec<&Record> = matches.by_ref().take(page_size).collect();
    let has_more = records.len() == page_size && matches.next().is_some();
    Page { records, has_more }
}

/// Number of records matching `query`.
pub fn count(table: Option<&Table>, query: &Query) -> usize {
    table.map_or(0, |t| {
        let (low, high) = query.condition.id_range();
        id_range(t, low, high)
            .filter(|r| query.condition.matches(r))
            .count()
    })
}

/// The records with ids in `low..=high` (either end open when `None`), in id order: the only ones a
/// query whose top-level `id` conditions give that range can match, walked through the table's id
/// order as a database walks its primary key.
fn id_range(table: &Table, low: Option<i64>, high: Option<i64>) -> impl Iterator<Item = &Record> {
    let empty = matches!((low, high), (Some(l), Some(h)) if l > h);
    let bounds = (
        low.map_or(Bound::Unbounded, Bound::Included),
        high.map_or(Bound::Unbounded, Bound::Included),
    );
    let rows = (!empty).then(|| table.rows.range(bounds));
    rows.into_iter().flatten().map(|(_, r)| r)
}

/// Percent-encodes a query-string value (every non-alphanumeric byte).
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// Builds `<base>V1.0/{entity}/query/next?paging=...[&search=...]`.
pub fn next_url(base: &str, entity: &str, cursor: &PagingCursor, search: Option<&str>) -> String {
    let paging = serde_json::to_string(cursor).unwrap_or_default();
    let mut url = format!("{base}V1.0/{entity}/query/next?paging={}", encode(&paging));
    if let Some(search) = search {
        url.push_str("&search=");
        url.push_str(&encode(search));
    }
    url
}

//! Complete, bounded paging: follow `nextPageUrl` until the API says there is no more.
//!
//! A POST query's next page is POSTed again with the same body; a link that carries `search=` (from a GET
//! query or a child list) is followed with GET. Only one page is held in memory at a time.
//!
//! Pages come in ascending id order (PROTOCOL.md 3.4), which bounds what a misbehaving server can do: a
//! record at or below the highest id already seen is a repeat and is not delivered again, a page that
//! brings no record beyond it ends the stream (a server alternating links, or minting new links over
//! the same records, would otherwise page forever), and so does the page cap
//! ([`ClientBuilder::max_pages_per_stream`](crate::ClientBuilder::max_pages_per_stream)). A stream that
//! fails after delivering records says how far it got ([`Error::StreamInterrupted`]) and can be resumed
//! from its last id.

use crate::client::{Client, Request};
use crate::error::{Error, Result, ResumePoint};
use crate::query::{Filter, Op, QuerySpec};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::Value;
use std::collections::HashSet;

/// How the first page is asked for.
#[derive(Debug, Clone)]
pub(crate) enum FirstPage {
    /// `POST {E}/query` with this body.
    Query { path: String, body: Value },
    /// `GET {Parent}/{id}/{Seg}`: a child list.
    List { path: String },
}

enum Next {
    First(FirstPage),
    Post {
        url: String,
        body: Value,
    },
    Get {
        url: String,
    },
    /// The server offered another page beyond the cap.
    Capped,
    Done,
}

/// One page of raw records and where the next one is.
pub(crate) struct RawPage {
    pub items: Vec<Value>,
    pub next_page_url: Option<String>,
}

/// Extracts `items` and `pageDetails.nextPageUrl` from a page answer.
pub(crate) fn parse_page(entity: &str, answer: Value) -> Result<RawPage> {
    let mut answer = answer;
    let items = match answer.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(Error::Protocol(format!(
                "{entity} query answer has no `items` list"
            )))
        }
    };
    let next_page_url = answer["pageDetails"]["nextPageUrl"]
        .as_str()
        .filter(|u| !u.trim().is_empty())
        .map(str::to_string);
    Ok(RawPage {
        items,
        next_page_url,
    })
}

fn id_of(record: &Value) -> Option<i64> {
    record.get("id").and_then(Value::as_i64)
}

/// What a page stream has seen so far.
struct Seen {
    pages: usize,
    /// The highest id of every page so far.
    highest_id: Option<i64>,
}

/// The stream of pages of one query or child list; records at or below `after_id` (and repeats) are
/// not delivered.
pub(crate) fn pages(
    client: Client,
    entity: String,
    first: FirstPage,
    after_id: Option<i64>,
) -> BoxStream<'static, Result<Vec<Value>>> {
    let first_body = match &first {
        FirstPage::Query { body, .. } => Some(body.clone()),
        FirstPage::List { .. } => None,
    };
    let max_pages = client.inner.max_pages_per_stream;
    let seen = Seen {
        pages: 0,
        highest_id: None,
    };
    stream::try_unfold((Next::First(first), seen), move |(next, mut seen)| {
        let client = client.clone();
        let entity = entity.clone();
        let first_body = first_body.clone();
        async move {
            let request = match next {
                Next::Done => return Ok(None),
                Next::Capped => {
                    return Err(Error::Protocol(format!(
                        "{entity}: the server still offered a next page after {max_pages} pages, the most \
                         one stream follows (ClientBuilder::max_pages_per_stream)"
                    )))
                }
                Next::First(FirstPage::Query { path, body }) => {
                    Request::new(Method::POST, path, &entity)
                        .body(body)
                        .read_only()
                }
                Next::First(FirstPage::List { path }) => Request::new(Method::GET, path, &entity),
                Next::Post { url, body } => Request::new(Method::POST, url, &entity)
                    .body(body)
                    .read_only(),
                Next::Get { url } => Request::new(Method::GET, url, &entity),
            };
            let page = parse_page(&entity, client.execute(request).await?)?;
            seen.pages += 1;
            let mut items = page.items;
            let page_highest = items.iter().filter_map(id_of).max();
            if let (Some(page_highest), Some(highest)) = (page_highest, seen.highest_id) {
                if page_highest <= highest {
                    return Err(Error::Protocol(format!(
                        "{entity}: page {} brought no record beyond id {highest}, the highest already \
                         seen (pages come in ascending id order); stopping instead of paging in a loop",
                        seen.pages
                    )));
                }
            }
            let fetched_any = !items.is_empty();
            // Ascending order: anything at or below the highest id seen was delivered already (or, in a
            // resumed stream, before the interruption).
            if let Some(threshold) = seen.highest_id.max(after_id) {
                items.retain(|record| id_of(record).is_none_or(|id| id > threshold));
            }
            seen.highest_id = seen.highest_id.max(page_highest);
            let next = match page.next_page_url {
                None => Next::Done,
                Some(url) if !fetched_any => {
                    tracing::debug!(%url, "empty page with a next link; stopping");
                    Next::Done
                }
                Some(_) if seen.pages >= max_pages => Next::Capped,
                Some(url) => match (&first_body, url.to_ascii_lowercase().contains("search=")) {
                    (Some(body), false) => Next::Post {
                        url,
                        body: body.clone(),
                    },
                    _ => Next::Get { url },
                },
            };
            Ok(Some((items, (next, seen))))
        }
    })
    .boxed()
}

/// Records tagged with the query part they came from, or a failure with the part it happened in.
type Tagged = BoxStream<'static, std::result::Result<(usize, Value), (usize, Error)>>;

/// The records of one part's pages, tagged with the part.
fn tagged(part: usize, pages: BoxStream<'static, Result<Vec<Value>>>) -> Tagged {
    pages
        .map_ok(move |items| stream::iter(items.into_iter().map(move |record| Ok((part, record)))))
        .map_err(move |error| (part, error))
        .try_flatten()
        .boxed()
}

/// Counts what was delivered and ends at the first failure, which, once records were delivered (or for a
/// resumed stream), becomes [`Error::StreamInterrupted`] with the point to resume from.
fn tracked(
    entity: String,
    records: Tagged,
    start: Option<ResumePoint>,
) -> BoxStream<'static, Result<Value>> {
    struct Tracking {
        records: Tagged,
        entity: String,
        delivered: u64,
        point: ResumePoint,
        resumed: bool,
        done: bool,
    }
    let state = Tracking {
        records,
        entity,
        delivered: 0,
        point: start.unwrap_or_default(),
        resumed: start.is_some(),
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        match state.records.next().await? {
            Ok((part, record)) => {
                state.delivered += 1;
                let after_id =
                    id_of(&record).or(state.point.after_id.filter(|_| state.point.part == part));
                state.point = ResumePoint { part, after_id };
                Some((Ok(record), state))
            }
            Err((part, error)) => {
                state.done = true;
                if state.point.part != part {
                    state.point = ResumePoint {
                        part,
                        after_id: None,
                    };
                }
                let error = if state.delivered > 0 || state.resumed {
                    Error::StreamInterrupted {
                        entity: state.entity.clone(),
                        delivered: state.delivered,
                        resume: state.point,
                        source: Box::new(error),
                    }
                } else {
                    error
                };
                Some((Err(error), state))
            }
        }
    })
    .boxed()
}

/// Every record matching `spec`, in pages, merged across split `in` lists without duplicates; from
/// `resume` on when given.
pub(crate) fn records(
    client: Client,
    entity: &'static str,
    spec: &QuerySpec,
    max_total: Option<u64>,
    resume: Option<ResumePoint>,
) -> BoxStream<'static, Result<Value>> {
    let parts = spec.split_long_lists();
    let dedupe = parts.len() > 1;
    let path = format!("{entity}/query");
    let first_part = resume.map_or(0, |r| r.part);
    let streams = parts
        .into_iter()
        .enumerate()
        .skip(first_part)
        .map(move |(index, mut part)| {
            let after_id = resume.filter(|r| r.part == index).and_then(|r| r.after_id);
            if let Some(id) = after_id {
                part.filters.push(Filter::condition("id", Op::Gt, id));
            }
            let first = FirstPage::Query {
                path: path.clone(),
                body: part.body(),
            };
            tagged(
                index,
                pages(client.clone(), entity.to_string(), first, after_id),
            )
        });
    let mut seen: HashSet<i64> = HashSet::new();
    let merged = stream::iter(streams)
        .flatten()
        .try_filter(move |(_, record)| {
            let keep = !dedupe || id_of(record).is_none_or(|id| seen.insert(id));
            futures::future::ready(keep)
        })
        .boxed();
    let all = tracked(entity.to_string(), merged, resume);
    match max_total {
        Some(n) => all.take(n as usize).boxed(),
        None => all,
    }
}

/// Every child under a parent path (`GET {Parent}/{id}/{Seg}`), from `resume` on when given (a child
/// list cannot be filtered, so a resumed list skips the records up to the resume id).
pub(crate) fn children(
    client: Client,
    entity: &str,
    path: String,
    resume: Option<ResumePoint>,
) -> BoxStream<'static, Result<Value>> {
    let after_id = resume.and_then(|r| r.after_id);
    let pages = pages(
        client,
        entity.to_string(),
        FirstPage::List { path },
        after_id,
    );
    tracked(entity.to_string(), tagged(0, pages), resume)
}

//! Complete paging: follow `nextPageUrl` until the API says there is no more.
//!
//! A POST query's next page is POSTed again with the same body; a link that carries `search=` (from a GET
//! query or a child list) is followed with GET. Only one page is held in memory at a time.

use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::query::QuerySpec;
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
    Post { url: String, body: Value },
    Get { url: String },
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

/// The stream of pages of one query or child list.
pub(crate) fn pages(
    client: Client,
    entity: String,
    first: FirstPage,
) -> BoxStream<'static, Result<Vec<Value>>> {
    let first_body = match &first {
        FirstPage::Query { body, .. } => Some(body.clone()),
        FirstPage::List { .. } => None,
    };
    stream::try_unfold(
        (Next::First(first), None::<String>),
        move |(next, previous_url)| {
            let client = client.clone();
            let entity = entity.clone();
            let first_body = first_body.clone();
            async move {
                let (request, current_url) = match next {
                    Next::Done => return Ok(None),
                    Next::First(FirstPage::Query { path, body }) => (
                        Request::new(Method::POST, path, &entity)
                            .body(body)
                            .read_only(),
                        None,
                    ),
                    Next::First(FirstPage::List { path }) => {
                        (Request::new(Method::GET, path, &entity), None)
                    }
                    Next::Post { url, body } => (
                        Request::new(Method::POST, url.clone(), &entity)
                            .body(body)
                            .read_only(),
                        Some(url),
                    ),
                    Next::Get { url } => {
                        (Request::new(Method::GET, url.clone(), &entity), Some(url))
                    }
                };
                if current_url.is_some() && current_url == previous_url {
                    return Err(Error::Protocol(format!(
                        "{entity}: the server repeated the same nextPageUrl"
                    )));
                }
                let page = parse_page(&entity, client.execute(request).await?)?;
                let next = match page.next_page_url {
                    None => Next::Done,
                    Some(url) if page.items.is_empty() => {
                        tracing::debug!(%url, "empty page with a next link; stopping");
                        Next::Done
                    }
                    Some(url) => {
                        match (&first_body, url.to_ascii_lowercase().contains("search=")) {
                            (Some(body), false) => Next::Post {
                                url,
                                body: body.clone(),
                            },
                            _ => Next::Get { url },
                        }
                    }
                };
                Ok(Some((page.items, (next, current_url))))
            }
        },
    )
    .boxed()
}

/// Every record matching `spec`, in pages, merged across split `in` lists without duplicates.
pub(crate) fn records(
    client: Client,
    entity: &'static str,
    spec: &QuerySpec,
    max_total: Option<u64>,
) -> BoxStream<'static, Result<Value>> {
    let parts = spec.split_long_lists();
    let dedupe = parts.len() > 1;
    let path = format!("{entity}/query");
    let streams = parts.into_iter().map(move |part| {
        pages(
            client.clone(),
            entity.to_string(),
            FirstPage::Query {
                path: path.clone(),
                body: part.body(),
            },
        )
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
    });
    let mut seen: HashSet<i64> = HashSet::new();
    let all = stream::iter(streams).flatten().try_filter(move |record| {
        let keep = !dedupe
            || record
                .get("id")
                .and_then(Value::as_i64)
                .is_none_or(|id| seen.insert(id));
        futures::future::ready(keep)
    });
    match max_total {
        Some(n) => all.take(n as usize).boxed(),
        None => all.boxed(),
    }
}

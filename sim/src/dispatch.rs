//! The request pipeline: route → auth → hourly threshold → thread slot → faults → operation.

use crate::auth;
use crate::error::ApiError;
use crate::faults::FaultKind;
use crate::handlers::{self, Actor, PageRequest};
use crate::limits::thread_limit_message;
use crate::metadata;
use crate::paging::PagingCursor;
use crate::routing::{self, ChildTarget, MetadataKind, RootTarget, Route};
use crate::state::{lock, Shared};
use crate::validate::WriteMode;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How a request ends.
pub struct Outcome {
    pub response: Response,
    /// Close the connection instead of sending `response`.
    pub drop_connection: bool,
}

impl Outcome {
    fn answer(response: Response) -> Self {
        Self {
            response,
            drop_connection: false,
        }
    }
}

/// Decoded query-string parameters (`+` is a space, as in form encoding).
fn query_params(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k).to_ascii_lowercase(), decode(v))
        })
        .collect()
}

/// Runs one request through the pipeline.
pub async fn handle(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Outcome {
    match run(shared, method, uri, headers, body).await {
        Ok(outcome) => outcome,
        Err(error) => Outcome::answer(error.into_response()),
    }
}

async fn run(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Outcome, ApiError> {
    let route = routing::resolve(&shared.catalog, method.as_str(), uri.path())?;
    let params = query_params(uri);
    match route {
        Route::VersionInformation => {
            return Ok(Outcome::answer(
                Json(json!({ "apiVersions": ["V1.0"] })).into_response(),
            ))
        }
        Route::ZoneInformation => {
            return Ok(Outcome::answer(
                Json(zone_information(shared, &params)?).into_response(),
            ))
        }
        _ => {}
    }
    let user = auth::authenticate(&shared.users, headers)?;
    let latency = {
        let now = shared.clock_secs();
        let mut hourly = lock(&shared.hourly);
        let threshold = shared.limits.hourly_threshold;
        if hourly.current(now) >= threshold {
            return Err(ApiError::TooManyRequests {
                message: format!(
                    "The request was refused: the API request threshold of {threshold} requests per hour has been reached for this database."
                ),
                retry_after: Some(60),
            });
        }
        let count = hourly.record(now);
        shared.limits.request_latency
            + if count * 4 >= threshold * 3 {
                shared.limits.latency_at_75
            } else if count * 2 >= threshold {
                shared.limits.latency_at_50
            } else {
                std::time::Duration::ZERO
            }
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let _slot = shared
        .threads
        .acquire(
            (user.integration_code.clone(), route.endpoint().to_string()),
            shared.limits.thread_limit,
        )
        .ok_or_else(|| ApiError::TooManyRequests {
            message: thread_limit_message(shared.limits.thread_limit),
            retry_after: None,
        })?;
    let fault = lock(&shared.faults).pick(method.as_str(), uri.path());
    let mut response_lost = false;
    match fault {
        Some(FaultKind::ServerError) => {
            return Err(ApiError::business(
                "Simulated fault: an unexpected error occurred.",
            ))
        }
        Some(FaultKind::TooManyRequests { retry_after_secs }) => {
            return Err(ApiError::TooManyRequests {
                message: "Simulated fault: too many requests.".into(),
                retry_after: Some(retry_after_secs),
            })
        }
        Some(FaultKind::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultKind::DropConnection) => {
            return Ok(Outcome {
                response: ().into_response(),
                drop_connection: true,
            })
        }
        Some(FaultKind::ResponseLost) => response_lost = true,
        None => {}
    }
    let impersonator = auth::impersonation(headers, &route)?;
    let json_body: Option<Value> =
        if body.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(body).map_err(|e| {
                ApiError::business(format!("The request body is not valid JSON: {e}"))
            })?)
        };
    let actor = Actor { user, impersonator };
    let value = execute(shared, method, &route, &params, json_body.as_ref(), actor)?;
    Ok(Outcome {
        response: Json(value).into_response(),
        drop_connection: response_lost,
    })
}

fn zone_information(shared: &Shared, params: &HashMap<String, String>) -> Result<Value, ApiError> {
    let user = params.get("user").map(String::as_str).unwrap_or_default();
    if !shared
        .users
        .iter()
        .any(|u| u.username.eq_ignore_ascii_case(user))
    {
        return Err(ApiError::business(format!(
            "Zone information could not be determined for user '{user}'."
        )));
    }
    let web = shared.base_url.replace("/ATServicesRest/", "/");
    Ok(json!({
        "zoneName": shared.zone_name,
        "url": shared.base_url,
        "webUrl": web,
        "ci": 1_000_001,
    }))
}

fn search_model(params: &HashMap<String, String>) -> Result<(Value, &str), ApiError> {
    let search = params
        .get("search")
        .ok_or_else(|| ApiError::business("The search parameter is required for GET queries."))?;
    let model = serde_json::from_str(search)
        .map_err(|_| ApiError::business("The search parameter is not a valid QueryModel JSON."))?;
    Ok((model, search))
}

fn execute(
    shared: &Shared,
    method: &Method,
    route: &Route,
    params: &HashMap<String, String>,
    body: Option<&Value>,
    actor: Actor<'_>,
) -> Result<Value, ApiError> {
    let empty = json!({});
    match *route {
        Route::VersionInformation | Route::ZoneInformation => Err(ApiError::NotFound),
        Route::ThresholdInformation => {
            let count = lock(&shared.hourly).current(shared.clock_secs());
            Ok(json!({
                "externalRequestThreshold": shared.limits.hourly_threshold,
                "requestThresholdTimeframe": 60,
                "currentTimeframeRequestCount": count,
            }))
        }
        Route::Modules => Ok(metadata::modules()),
        Route::GlobalEntityInformation => Ok(metadata::global_entity_information()),
        Route::Root { meta, target } => match target {
            RootTarget::Metadata(kind) => Ok(metadata_answer(shared, meta, kind)),
            RootTarget::Item(id) if method == Method::GET => {
                handlers::get_item(shared, meta, id, None, false)
            }
            RootTarget::Item(id) => handlers::delete(shared, meta, id, None, actor),
            RootTarget::Collection => write(shared, meta, method, body, None, actor),
            RootTarget::Query | RootTarget::QueryCount | RootTarget::QueryNext => {
                let (model, search) = if method == Method::GET {
                    if target == RootTarget::QueryNext && !params.contains_key("search") {
                        return Err(ApiError::MethodNotAllowed("GET".into()));
                    }
                    let (model, search) = search_model(params)?;
                    (model, Some(search))
                } else {
                    (body.cloned().unwrap_or(empty), None)
                };
                match target {
                    RootTarget::QueryCount => handlers::count(shared, meta, &model),
                    RootTarget::QueryNext => {
                        let paging = params.get("paging").ok_or_else(|| {
                            ApiError::business("The paging parameter is missing.")
                        })?;
                        let cursor: PagingCursor = serde_json::from_str(paging).map_err(|_| {
                            ApiError::business("The paging parameter is not valid.")
                        })?;
                        handlers::query_page(
                            shared,
                            meta,
                            &model,
                            PageRequest {
                                cursor: Some(cursor),
                                search,
                            },
                        )
                    }
                    _ => handlers::query_page(
                        shared,
                        meta,
                        &model,
                        PageRequest {
                            cursor: None,
                            search,
                        },
                    ),
                }
            }
        },
        Route::Child {
            meta,
            parent_id,
            target,
        } => {
            let scope = || handlers::parent_scope(shared, meta, parent_id);
            match target {
                ChildTarget::Metadata(kind) => Ok(metadata_answer(shared, meta, kind)),
                ChildTarget::Item(id) if method == Method::GET => {
                    handlers::get_item(shared, meta, id, scope()?, true)
                }
                ChildTarget::Item(id) => handlers::delete(shared, meta, id, scope()?, actor),
                ChildTarget::Collection if method == Method::GET => {
                    Ok(handlers::list_children(shared, meta, scope()?))
                }
                ChildTarget::Collection => write(shared, meta, method, body, scope()?, actor),
            }
        }
    }
}

fn write(
    shared: &Shared,
    meta: &'static autotask::meta::EntityMeta,
    method: &Method,
    body: Option<&Value>,
    scope: Option<handlers::ParentScope>,
    actor: Actor<'_>,
) -> Result<Value, ApiError> {
    if method == Method::POST {
        handlers::create(shared, meta, body, scope, actor)
    } else {
        let mode = if method == Method::PUT {
            WriteMode::Replace
        } else {
            WriteMode::Update
        };
        handlers::update(shared, meta, body, mode, scope, actor)
    }
}

fn metadata_answer(
    shared: &Shared,
    meta: &'static autotask::meta::EntityMeta,
    kind: MetadataKind,
) -> Value {
    match kind {
        MetadataKind::Info => json!({ "info": metadata::entity_info(meta) }),
        MetadataKind::Fields => metadata::fields(meta, &shared.catalog),
        MetadataKind::UserDefinedFields => metadata::user_defined_fields(meta, &shared.catalog),
    }
}

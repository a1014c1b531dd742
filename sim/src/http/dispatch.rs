//! The request pipeline, in the order a request lives through it:
//!
//! 1. route (404/405), then for API routes authenticate (500/401) and count the request against the hourly
//!    threshold (429 when suspended; latency tier from 50%);
//! 2. take the thread slot of (integration code, entity) (`Itgenatr005` when all are busy);
//! 3. read the request body, wait the configured latency, apply an injected fault, run the operation;
//! 4. log the request, and answer with a body that releases the slot as its last chunk is written.
//!
//! The slot is taken before anything that can take time (reading the body, latency, `Delay` faults,
//! writing the answer), so it covers the request's whole life as the client sees it. Discovery endpoints
//! (`versionInformation`, `zoneInformation`) need no credentials and hold no slot (PROTOCOL.md §6.2).

use super::auth;
use super::body::AnswerBody;
use super::routing::{self, ChildTarget, MetadataKind, RootTarget, Route};
use crate::api::{crud, metadata, Actor, PagingCursor};
use crate::config::ApiUser;
use crate::error::ApiError;
use crate::limits::faults::FaultKind;
use crate::limits::threads::{refusal_message, SlotGuard};
use crate::limits::threshold::{self, Admission};
use crate::log::LoggedRequest;
use crate::schema::Entity;
use crate::state::{lock, Shared};
use crate::store::validate::WriteMode;
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Limited};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Largest request body accepted (attachments arrive as base64 in JSON).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How a request ends.
pub enum Reply {
    /// Send this answer.
    Answer(Response<AnswerBody>),
    /// Close the connection without answering (an injected fault).
    Drop,
}

/// What the first, instantaneous step decided.
struct Admitted<'s> {
    route: Route,
    /// `None` for the discovery endpoints, which need no credentials.
    user: Option<&'s ApiUser>,
    /// The threshold's latency tier.
    tier_latency: Duration,
}

/// Runs one request through the pipeline.
pub async fn handle(shared: &Shared, request: Request<hyper::body::Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let mut slot = None;
    let admitted = admit(shared, &parts.method, &parts.uri, &parts.headers, &mut slot);
    // From here on, everything happens inside the slot (when one was taken).
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let latency = shared.limits.request_latency
        + admitted.as_ref().map_or(Duration::ZERO, |a| a.tier_latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (answer, dropped) = match admitted {
        Err(error) => (Err(error), false),
        Ok(admitted) => {
            run(
                shared,
                &parts.method,
                &parts.uri,
                &parts.headers,
                &bytes,
                admitted,
            )
            .await
        }
    };
    let status = match (&answer, dropped) {
        (_, true) => 0,
        (Ok(_), false) => 200,
        (Err(error), false) => error.status(),
    };
    lock(&shared.log).push(LoggedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        status,
        body_size: bytes.len(),
        body: serde_json::from_slice(&bytes).ok(),
        connection_dropped: dropped,
    });
    if dropped {
        return Reply::Drop;
    }
    Reply::Answer(respond(answer, slot))
}

/// Route, authenticate, count against the threshold and take the thread slot: nothing here waits.
fn admit<'s>(
    shared: &'s Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    slot: &mut Option<SlotGuard>,
) -> Result<Admitted<'s>, ApiError> {
    let route = routing::resolve(&shared.catalog, method.as_str(), uri.path())?;
    let Some(endpoint) = route.endpoint() else {
        return Ok(Admitted {
            route,
            user: None,
            tier_latency: Duration::ZERO,
        });
    };
    let user = auth::authenticate(&shared.users, headers)?;
    let limits = &shared.limits;
    let admission = threshold::admit(
        &mut lock(&shared.hourly),
        shared.clock_secs(),
        limits.hourly_threshold,
        limits.latency_at_50,
        limits.latency_at_75,
    );
    let tier_latency = match admission {
        Admission::Serve(latency) => latency,
        Admission::Suspended => {
            return Err(ApiError::TooManyRequests {
                message: threshold::suspended_message(limits.hourly_threshold),
                retry_after: Some(60),
            })
        }
    };
    let key = (user.integration_code.clone(), endpoint);
    *slot = Some(
        shared
            .threads
            .acquire(key, limits.thread_limit)
            .ok_or_else(|| ApiError::TooManyRequests {
                message: refusal_message(limits.thread_limit),
                retry_after: None,
            })?,
    );
    Ok(Admitted {
        route,
        user: Some(user),
        tier_latency,
    })
}

/// Faults, then the operation. The second value is true when the connection must be closed instead of
/// answered.
async fn run(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    admitted: Admitted<'_>,
) -> (Result<Value, ApiError>, bool) {
    let params = query_params(uri);
    let route = admitted.route;
    let Some(user) = admitted.user else {
        return (discovery(shared, &route, &params), false);
    };
    let fault = lock(&shared.faults).pick(method.as_str(), uri.path());
    let mut response_lost = false;
    match fault {
        Some(FaultKind::ServerError) => {
            let error = ApiError::business("Simulated fault: an unexpected error occurred.");
            return (Err(error), false);
        }
        Some(FaultKind::TooManyRequests { retry_after_secs }) => {
            let error = ApiError::TooManyRequests {
                message: "Simulated fault: too many requests.".into(),
                retry_after: Some(retry_after_secs),
            };
            return (Err(error), false);
        }
        Some(FaultKind::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultKind::DropConnection) => return (Ok(Value::Null), true),
        Some(FaultKind::ResponseLost) => response_lost = true,
        None => {}
    }
    let answer = auth::impersonation(headers, &route).and_then(|impersonator| {
        let json_body: Option<Value> = if body.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(body).map_err(|e| {
                ApiError::business(format!("The request body is not valid JSON: {e}"))
            })?)
        };
        let actor = Actor { user, impersonator };
        execute(shared, method, &route, &params, json_body.as_ref(), actor)
    });
    (answer, response_lost)
}

/// The JSON answer: 200 with the value, or the error's status and body. The body holds `slot`.
fn respond(answer: Result<Value, ApiError>, slot: Option<SlotGuard>) -> Response<AnswerBody> {
    let (status, value, retry_after) = match answer {
        Ok(value) => (200, value, None),
        Err(error) => {
            let retry_after = match &error {
                ApiError::TooManyRequests { retry_after, .. } => *retry_after,
                _ => None,
            };
            (error.status(), error.body(), retry_after)
        }
    };
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    let mut response = Response::new(AnswerBody::new(bytes, slot));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Some(seconds) = retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Decoded query-string parameters (`+` is a space, as in form encoding), keys lower-cased.
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

/// `versionInformation` and `zoneInformation` (PROTOCOL.md §1.2, §1.3).
fn discovery(
    shared: &Shared,
    route: &Route,
    params: &HashMap<String, String>,
) -> Result<Value, ApiError> {
    if let Route::VersionInformation = route {
        return Ok(json!({ "apiVersions": ["V1.0"] }));
    }
    let user = params.get("user").map(String::as_str).unwrap_or_default();
    if !shared
        .users
        .iter()
        .any(|u| u.username.eq_ignore_ascii_case(user))
    {
        // §2.4: "exactly {"errors":["Zone information could not be determined"]}".
        return Err(ApiError::business(
            "Zone information could not be determined",
        ));
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
    match *route {
        Route::VersionInformation | Route::ZoneInformation => discovery(shared, route, params),
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
        Route::Root { entity, target } => match target {
            RootTarget::Metadata(kind) => Ok(metadata_answer(shared, entity, kind)),
            RootTarget::Item(id) if method == Method::GET => {
                crud::get_item(shared, entity, id, None, false)
            }
            RootTarget::Item(id) => crud::delete(shared, entity, id, None, actor),
            RootTarget::Collection => write(shared, entity, method, body, None, actor),
            RootTarget::Query | RootTarget::QueryCount | RootTarget::QueryNext => {
                query(shared, entity, method, target, params, body)
            }
        },
        Route::Child {
            access,
            parent_id,
            target,
        } => {
            let entity = access.entity;
            let scope = || crud::parent_scope(shared, access, parent_id);
            match target {
                ChildTarget::Metadata(kind) => Ok(metadata_answer(shared, entity, kind)),
                ChildTarget::Item(id) if method == Method::GET => {
                    crud::get_item(shared, entity, id, scope()?, true)
                }
                ChildTarget::Item(id) => crud::delete(shared, entity, id, scope()?, actor),
                ChildTarget::Collection if method == Method::GET => {
                    Ok(crud::list_children(shared, entity, scope()?))
                }
                ChildTarget::Collection => write(shared, entity, method, body, scope()?, actor),
            }
        }
    }
}

fn query(
    shared: &Shared,
    entity: &'static Entity,
    method: &Method,
    target: RootTarget,
    params: &HashMap<String, String>,
    body: Option<&Value>,
) -> Result<Value, ApiError> {
    let (model, search) = if method == Method::GET {
        if target == RootTarget::QueryNext && !params.contains_key("search") {
            // A next link of a POST query must be POSTed again (PROTOCOL.md §3.4).
            return Err(ApiError::MethodNotAllowed("GET".into()));
        }
        let (model, search) = search_model(params)?;
        (model, Some(search))
    } else {
        (body.cloned().unwrap_or_else(|| json!({})), None)
    };
    match target {
        RootTarget::QueryCount => crud::count(shared, entity, &model),
        RootTarget::QueryNext => {
            let paging = params
                .get("paging")
                .ok_or_else(|| ApiError::business("The paging parameter is missing."))?;
            let cursor: PagingCursor = serde_json::from_str(paging)
                .map_err(|_| ApiError::business("The paging parameter is not valid."))?;
            let page = crud::PageRequest {
                cursor: Some(cursor),
                search,
            };
            crud::query_page(shared, entity, &model, page)
        }
        _ => {
            let page = crud::PageRequest {
                cursor: None,
                search,
            };
            crud::query_page(shared, entity, &model, page)
        }
    }
}

fn write(
    shared: &Shared,
    entity: &'static Entity,
    method: &Method,
    body: Option<&Value>,
    scope: Option<crud::ParentScope>,
    actor: Actor<'_>,
) -> Result<Value, ApiError> {
    if method == Method::POST {
        crud::create(shared, entity, body, scope, actor)
    } else {
        let mode = if method == Method::PUT {
            WriteMode::Replace
        } else {
            WriteMode::Update
        };
        crud::update(shared, entity, body, mode, scope, actor)
    }
}

fn metadata_answer(shared: &Shared, entity: &'static Entity, kind: MetadataKind) -> Value {
    match kind {
        MetadataKind::Info => json!({ "info": metadata::entity_info(entity) }),
        MetadataKind::Fields => metadata::fields(entity, &shared.catalog),
        MetadataKind::UserDefinedFields => metadata::user_defined_fields(entity, &shared.catalog),
    }
}

//! The HTTP server: an axum router served by a hand-written accept loop on hyper, so that injected
//! faults can close a connection at the TCP level without any HTTP answer.

use crate::dispatch;
use crate::log::LoggedRequest;
use crate::state::{lock, Shared};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Largest request body accepted (attachments arrive as base64 in JSON).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Marks a response that must not be sent: the connection is closed instead.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

/// The error that makes hyper abort the connection.
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for ConnectionDropped {}

/// The router: every path goes to the metadata-driven dispatcher.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(entry).with_state(shared)
}

async fn entry(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let outcome =
        dispatch::handle(&shared, &parts.method, &parts.uri, &parts.headers, &bytes).await;
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    lock(&shared.log).push(LoggedRequest {
        method: parts.method.to_string(),
        path,
        status: if outcome.drop_connection {
            0
        } else {
            outcome.response.status().as_u16()
        },
        body_size: bytes.len(),
        body: serde_json::from_slice(&bytes).ok(),
        connection_dropped: outcome.drop_connection,
    });
    let mut response = outcome.response;
    if outcome.drop_connection {
        response.extensions_mut().insert(DropConnection);
    }
    response
}

/// Accepts connections until `shutdown` changes; aborts open connections on exit.
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let router = router.clone();
                        async move {
                            let response = match router.oneshot(request.map(Body::new)).await {
                                Ok(response) => response,
                                Err(never) => match never {},
                            };
                            if response.extensions().get::<DropConnection>().is_some() {
                                Err(ConnectionDropped)
                            } else {
                                Ok(response)
                            }
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

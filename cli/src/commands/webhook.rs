//! `webhook verify` and `webhook listen`: Autotask's callout signatures, checked by the SDK.

use crate::args::Global;
use crate::error::{CliError, Result};
use crate::output::{self, Format};
use crate::sdk::{self, Callout};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::mpsc;

fn describe(callout: &Callout) -> String {
    let mut text = format!(
        "{} {} {}",
        callout.action,
        callout.entity_type.as_deref().unwrap_or("?"),
        callout.id.map_or_else(|| "?".into(), |id| id.to_string())
    );
    if let Some(sequence) = callout.sequence_number {
        text.push_str(&format!(" (sequence {sequence})"));
    }
    if !callout.fields.is_empty() {
        text.push_str(&format!(
            " {}",
            serde_json::Value::Object(callout.fields.clone())
        ));
    }
    text
}

fn print_callout(format: Format, callout: &Callout) -> Result<()> {
    let value = serde_json::to_value(callout).map_err(|e| CliError::failure(e.to_string()))?;
    output::print_value(format, &value, || describe(callout))
}

pub async fn verify(global: &Global, secret: &str, signature: &str) -> Result<()> {
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|e| CliError::io("cannot read the body from stdin", e))?;
    let callout = sdk::verify_callout(secret, &body, signature)?;
    eprintln!("signature valid");
    print_callout(Format::choose(global.format), &callout)
}

struct Listener {
    secret: String,
    accepted: mpsc::UnboundedSender<Callout>,
}

async fn receive(
    State(listener): State<Arc<Listener>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get("X-Hook-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match sdk::verify_callout(&listener.secret, &body, signature) {
        Ok(callout) => {
            let _ = listener.accepted.send(callout);
            StatusCode::OK
        }
        Err(e) => {
            eprintln!("rejected a callout: {e}");
            StatusCode::UNAUTHORIZED
        }
    }
}

pub async fn listen(
    global: &Global,
    host: IpAddr,
    port: u16,
    secret: &str,
    count: Option<u64>,
) -> Result<()> {
    let format = match global.format {
        Some(format) => format,
        None => Format::choose(None),
    };
    let (accepted, mut callouts) = mpsc::unbounded_channel();
    let state = Arc::new(Listener {
        secret: secret.to_string(),
        accepted,
    });
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(state);
    let address = SocketAddr::new(host, port);
    let socket = tokio::net::TcpListener::bind(address).await.map_err(|e| {
        CliError::failure(format!("cannot listen on {address}: {e}"))
            .hint("pick another --port (0 picks a free one)")
    })?;
    let bound = socket
        .local_addr()
        .map_err(|e| CliError::io("cannot read the listening address", e))?;
    eprintln!("listening for callouts on http://{bound}/ (Ctrl-C stops)");
    let server = tokio::spawn(async move { axum::serve(socket, app).await });
    let mut seen = 0u64;
    loop {
        tokio::select! {
            callout = callouts.recv() => {
                let Some(callout) = callout else { break };
                print_callout(format, &callout)?;
                seen += 1;
                if count.is_some_and(|n| seen >= n) {
                    break;
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    server.abort();
    Ok(())
}

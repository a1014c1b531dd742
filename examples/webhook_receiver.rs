//! A webhook receiver: verifies each Autotask callout's `X-Hook-Signature` with
//! `autotask::webhooks::verify`, answers 401 when it does not match (400 when the body is not a callout),
//! and prints the typed `Callout`.
//!
//! ```sh
//! # Listen on 127.0.0.1:8787 for callouts signed with the webhook's secret key.
//! AUTOTASK_WEBHOOK_SECRET=s3cret cargo run --example webhook_receiver
//! # The same with arguments (they win over the environment).
//! cargo run --example webhook_receiver -- --secret s3cret --port 9000 --bind 0.0.0.0
//! # The whole loop in one process: a simulator, this receiver, a webhook registered through
//! # `client.webhooks().register(..)`, a ticket created and updated, the webhook deleted; prints the
//! # verified callouts (Create, Update, Deactivated) and exits.
//! cargo run --example webhook_receiver -- --demo
//! ```
//!
//! Settings: `--secret` / `AUTOTASK_WEBHOOK_SECRET` (required unless `--demo`), `--port` /
//! `WEBHOOK_PORT` (default 8787), `--bind` (default 127.0.0.1). Every path accepts callouts, so the
//! webhook URL and the deactivation URL can both point here (e.g. `/autotask` and `/autotask/deactivated`).
//! Autotask calls out from the internet: a real tenant needs this reachable over https (a reverse proxy).

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{NewTicket, TicketField, TicketPatch, TicketPriority, TicketStatus};
use autotask::webhooks::{parse_verified, Callout, CalloutError, WebhookEntity, WebhookSpec};
use autotask::Client;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

struct Receiver {
    secret: String,
    /// Verified callouts also go here (the demo waits for them).
    verified: mpsc::UnboundedSender<Callout>,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(signature) = headers
        .get("x-hook-signature")
        .and_then(|v| v.to_str().ok())
    else {
        eprintln!("{}: rejected, no X-Hook-Signature header", uri.path());
        return StatusCode::UNAUTHORIZED;
    };
    // Verify over the raw bytes, before anything parses them.
    match parse_verified(&receiver.secret, &body, signature) {
        Ok(callout) => {
            println!(
                "{}: {} {} {} #{} by {:?} fields {}",
                uri.path(),
                callout.action,
                callout.entity_type.as_deref().unwrap_or("?"),
                callout.id.map_or("?".into(), |id| id.to_string()),
                callout.sequence_number.unwrap_or_default(),
                callout.person_id,
                serde_json::Value::Object(callout.fields.clone())
            );
            let _ = receiver.verified.send(callout);
            StatusCode::OK
        }
        Err(CalloutError::Signature(error)) => {
            eprintln!("{}: rejected, {error}", uri.path());
            StatusCode::UNAUTHORIZED
        }
        Err(error) => {
            eprintln!("{}: rejected, {error}", uri.path());
            StatusCode::BAD_REQUEST
        }
    }
}

/// Binds `addr` and serves the receiver in the background; the bound address.
pub async fn serve(
    addr: SocketAddr,
    secret: String,
) -> std::io::Result<(SocketAddr, mpsc::UnboundedReceiver<Callout>)> {
    let (verified, callouts) = mpsc::unbounded_channel();
    let app = Router::new()
        .fallback(receive)
        .with_state(Arc::new(Receiver { secret, verified }));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("receiver stopped: {error}");
        }
    });
    Ok((bound, callouts))
}

struct Settings {
    secret: Option<String>,
    port: u16,
    bind: String,
    demo: bool,
}

fn settings() -> Result<Settings, String> {
    let mut settings = Settings {
        secret: std::env::var("AUTOTASK_WEBHOOK_SECRET")
            .ok()
            .filter(|s| !s.is_empty()),
        port: match std::env::var("WEBHOOK_PORT") {
            Ok(port) => port
                .parse()
                .map_err(|_| format!("WEBHOOK_PORT is not a port: {port:?}"))?,
            Err(_) => 8787,
        },
        bind: "127.0.0.1".into(),
        demo: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--secret" => settings.secret = Some(value("--secret")?),
            "--port" => {
                let port = value("--port")?;
                settings.port = port
                    .parse()
                    .map_err(|_| format!("--port is not a port: {port:?}"))?;
            }
            "--bind" => settings.bind = value("--bind")?,
            "--demo" => settings.demo = true,
            other => return Err(format!("unknown argument {other:?}; see the file header")),
        }
    }
    Ok(settings)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = settings()?;
    if settings.demo {
        return demo().await;
    }
    let secret = settings
        .secret
        .ok_or("set AUTOTASK_WEBHOOK_SECRET or pass --secret (the webhook's secretKey)")?;
    let addr: SocketAddr = format!("{}:{}", settings.bind, settings.port).parse()?;
    let (bound, _callouts) = serve(addr, secret).await?;
    println!("Listening for Autotask callouts on http://{bound}/ (Ctrl-C stops)");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The whole loop against an in-process simulator.
async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let secret = "demo-webhook-secret";
    let (bound, mut callouts) = serve(SocketAddr::from(([127, 0, 0, 1], 0)), secret.into()).await?;
    let connection = connect::simulator().await?;
    println!("Receiver at http://{bound}/");
    round_trip(&connection.client, bound, secret, &mut callouts).await?;
    println!("All three callouts arrived and verified.");
    Ok(())
}

/// Registers a webhook on the tenant that calls out to the receiver at `receiver`, creates and
/// completes a ticket, deletes the webhook, and waits for the three callouts the receiver verified
/// (Create, Update, Deactivated).
pub async fn round_trip(
    client: &Client,
    receiver: SocketAddr,
    secret: &str,
    callouts: &mut mpsc::UnboundedReceiver<Callout>,
) -> Result<Vec<Callout>, Box<dyn std::error::Error>> {
    let spec = WebhookSpec::tickets(
        "Demo: ticket status",
        format!("http://{receiver}/autotask"),
        format!("http://{receiver}/autotask/deactivated"),
        secret,
    )
    .subscribe([TicketField::Status])
    .display_always([TicketField::Title, TicketField::TicketNumber]);
    let hook = client.webhooks().register(&spec).await?;
    println!(
        "Registered TicketWebhooks {} (GUID {}) with field rows {:?}",
        hook.id,
        hook.guid.as_deref().unwrap_or("?"),
        hook.field_rows
    );

    let ticket = client
        .tickets()
        .create(&NewTicket::new(
            0,
            TicketPriority::MEDIUM,
            TicketStatus::NEW,
            "Printer & scanner <offline> café",
        ))
        .await?;
    let mut patch = TicketPatch::new(ticket);
    patch.status = TicketStatus::COMPLETE.into();
    client.tickets().update(&patch).await?;
    client
        .webhooks()
        .delete(WebhookEntity::Ticket, hook.id)
        .await?;

    let mut verified = Vec::new();
    for expected in ["Create", "Update", "Deactivated"] {
        let callout = tokio::time::timeout(Duration::from_secs(10), callouts.recv())
            .await
            .map_err(|_| format!("no {expected} callout within 10 s"))?
            .ok_or("the receiver stopped")?;
        if callout.action != expected {
            return Err(format!("expected {expected}, got {}", callout.action).into());
        }
        verified.push(callout);
    }
    Ok(verified)
}

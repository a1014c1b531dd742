//! Webhook callouts: after an API write to one of the five webhook-capable entities, every active webhook
//! of that entity whose subscriptions match gets a signed JSON callout, POSTed in the background.
//!
//! * Field ids: `{Model}WebhookFields.fieldID` is Autotask's internal numeric field id, which only the
//!   tenant knows. The simulator numbers the fields of each entity by their 1-based position in its field
//!   list and publishes that numbering the way the real API does: as the picklist of `fieldID` in
//!   `GET /{Model}WebhookFields/entityInformation/fields` (value = id, label = the REST field name).
//! * Which writes call out: a create (when `isSubscribedToCreateEvents`), an update that changes at least
//!   one subscribed field (`isSubscribedToUpdateEvents`), a delete (`isSubscribedToDeleteEvents`), only
//!   while the webhook `isActive` and has at least one `isSubscribedField` row, and never for a change made
//!   by an excluded resource (the impersonated resource, else the API user's resource).
//! * Payload: `Action`, `Guid`, `EntityType`, `Id`, `Fields`, `EventTime`, `SequenceNumber` (per webhook,
//!   from 1), `PersonID`. `Fields` holds the subscribed fields that changed (all subscribed fields on create
//!   and delete) plus every display-always field, keyed by REST field name.
//! * `isReady` is kept true while the webhook has at least one subscribed field row.
//! * Deleting a webhook, or PATCHing/PUTting it from active to inactive, sends `Action:"Deactivated"` to its
//!   `deactivationUrl` (deleting also removes its field and excluded-resource rows).
//! * Body text and signature: the JSON is written with Autotask's escaping (PROTOCOL.md 6.8: ``& < > ' " ` +``
//!   and non-ASCII as upper-case `\uXXXX` inside strings), and `X-Hook-Signature: sha1=<base64 HMAC-SHA1>`
//!   is computed over exactly those bytes with the webhook's `secretKey`.
//! * Delivery: one background task per simulator sends callouts one at a time, in the order the writes
//!   happened, over plain HTTP/1.1 (`http://` URLs only), with a timeout, never retried. Only loopback hosts
//!   are called unless [`crate::SimulatorBuilder::allow_non_loopback_callouts`] is set. Every attempt is
//!   recorded as a [`CalloutDelivery`].

use crate::config::PicklistValue;
use crate::handlers::Actor;
use crate::state::{lock, Shared};
use crate::store::Record;
use autotask::meta::{DataType, EntityMeta, FieldMeta};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// The entities that support webhooks (collection name, model name).
const KINDS: [(&str, &str); 5] = [
    ("Companies", "Company"),
    ("Contacts", "Contact"),
    ("ConfigurationItems", "ConfigurationItem"),
    ("Tickets", "Ticket"),
    ("TicketNotes", "TicketNote"),
];

/// One callout attempt, as recorded by the simulator.
#[derive(Debug, Clone, PartialEq)]
pub struct CalloutDelivery {
    /// The webhook entity (`TicketWebhooks`).
    pub webhook_entity: String,
    /// The webhook's id.
    pub webhook_id: i64,
    /// `Create`, `Update`, `Delete` or `Deactivated`.
    pub action: String,
    /// Where it was sent (`webhookUrl`, or `deactivationUrl` for `Deactivated`).
    pub url: String,
    /// The exact body text sent (escaped as Autotask escapes it).
    pub body: String,
    /// The `X-Hook-Signature` header sent.
    pub signature: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why there is no status: refused (non-loopback or non-http URL), connection failure or timeout.
    pub error: Option<String>,
}

impl CalloutDelivery {
    /// True when the receiver answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A callout waiting to be sent.
#[derive(Debug)]
struct Job {
    delivery: CalloutDelivery,
}

/// The per-simulator callout state: sequence numbers, the queue and the delivery log.
#[derive(Debug)]
pub struct Outbox {
    queue: mpsc::UnboundedSender<Job>,
    sequences: Mutex<HashMap<(String, i64), i64>>,
    /// Every attempt, oldest first.
    pub log: Arc<Mutex<Vec<CalloutDelivery>>>,
}

/// How callouts are delivered.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    pub allow_non_loopback: bool,
    pub timeout: Duration,
}

impl Outbox {
    /// The outbox and its delivery worker (spawned on the current runtime; it ends when the outbox drops).
    pub fn start(options: DeliveryOptions) -> Outbox {
        let (queue, mut jobs) = mpsc::unbounded_channel::<Job>();
        let log: Arc<Mutex<Vec<CalloutDelivery>>> = Arc::default();
        let worker_log = Arc::clone(&log);
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                let mut delivery = job.delivery;
                match send(&delivery, options).await {
                    Ok(status) => delivery.status = Some(status),
                    Err(error) => delivery.error = Some(error),
                }
                lock(&worker_log).push(delivery);
            }
        });
        Outbox {
            queue,
            sequences: Mutex::default(),
            log,
        }
    }

    fn next_sequence(&self, webhook_entity: &str, webhook_id: i64) -> i64 {
        let mut sequences = lock(&self.sequences);
        let n = sequences
            .entry((webhook_entity.to_string(), webhook_id))
            .or_insert(0);
        *n += 1;
        *n
    }

    fn enqueue(&self, delivery: CalloutDelivery) {
        // The worker lives as long as the outbox; a send error means the simulator is shutting down.
        let _ = self.queue.send(Job { delivery });
    }
}

/// The webhook-capable entity `meta` is, as (collection, model).
fn kind_of_entity(meta: &EntityMeta) -> Option<(&'static str, &'static str)> {
    KINDS.iter().copied().find(|(name, _)| *name == meta.name)
}

/// The webhook-capable entity whose webhooks `meta` holds (`TicketWebhooks` → Tickets).
fn kind_of_webhook(meta: &EntityMeta) -> Option<(&'static str, &'static str)> {
    KINDS
        .iter()
        .copied()
        .find(|(_, model)| meta.name.strip_suffix("Webhooks") == Some(model))
}

/// Fields that can be subscribed to: every field of a webhook-capable entity except binary data.
pub fn is_supported_field(meta: &EntityMeta, field: &FieldMeta) -> bool {
    kind_of_entity(meta).is_some() && field.data_type != DataType::Bytes
}

/// The simulator's internal field id: the field's 1-based position in the entity's field list.
fn field_id(meta: &EntityMeta, field: &FieldMeta) -> i64 {
    meta.fields
        .iter()
        .position(|f| f.name == field.name)
        .map_or(0, |i| i as i64 + 1)
}

fn field_by_id(meta: &'static EntityMeta, id: i64) -> Option<&'static FieldMeta> {
    usize::try_from(id - 1)
        .ok()
        .and_then(|i| meta.fields.get(i))
        .filter(|f| is_supported_field(meta, f))
}

/// The `fieldID` picklists of the five `{Model}WebhookFields` entities (entity, field, values).
pub fn field_id_picklists() -> Vec<(String, String, Vec<PicklistValue>)> {
    KINDS
        .iter()
        .filter_map(|(name, model)| {
            let meta = autotask::entity_meta(name)?;
            let values = meta
                .fields
                .iter()
                .filter(|f| is_supported_field(meta, f))
                .map(|f| PicklistValue::new(field_id(meta, f), f.name).system())
                .collect();
            Some((
                format!("{model}WebhookFields"),
                "fieldID".to_string(),
                values,
            ))
        })
        .collect()
}

/// What an API write did to one record.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Created(&'a Record),
    Updated {
        before: &'a Record,
        after: &'a Record,
    },
    Deleted(&'a Record),
}

/// Called by the write handlers after the store lock is released.
pub fn after_write(
    shared: &Shared,
    meta: &'static EntityMeta,
    change: Change<'_>,
    actor: Actor<'_>,
) {
    let person = actor.impersonator.unwrap_or(actor.user.resource_id);
    if let Some((_, model)) = kind_of_entity(meta) {
        entity_changed(shared, meta, model, change, person);
    } else if let Some((_, model)) = kind_of_webhook(meta) {
        webhook_changed(shared, meta, model, change, person);
    } else if let Some((_, model)) = kind_of_field_rows(meta) {
        let record = match change {
            Change::Created(r) | Change::Deleted(r) => r,
            Change::Updated { after, .. } => after,
        };
        if let Some(webhook_id) = record.get("webhookID").and_then(Value::as_i64) {
            update_readiness(shared, model, webhook_id);
        }
    }
}

/// The webhook-capable entity whose field rows `meta` holds (`TicketWebhookFields` → Tickets).
fn kind_of_field_rows(meta: &EntityMeta) -> Option<(&'static str, &'static str)> {
    KINDS
        .iter()
        .copied()
        .find(|(_, model)| meta.name.strip_suffix("WebhookFields") == Some(model))
}

/// `isReady`: true once the webhook has at least one subscribed field row (Autotask activates a webhook
/// only then).
fn update_readiness(shared: &Shared, model: &str, webhook_id: i64) {
    let Some(webhooks) = autotask::entity_meta(&format!("{model}Webhooks")) else {
        return;
    };
    let mut store = shared.write();
    let ready = store
        .table(&format!("{model}WebhookFields"))
        .is_some_and(|t| {
            t.rows.values().any(|r| {
                r.get("webhookID").and_then(Value::as_i64) == Some(webhook_id)
                    && flag(r, "isSubscribedField")
            })
        });
    if let Some(row) = store.table_mut(webhooks.name).rows.get_mut(&webhook_id) {
        row.insert("isReady".into(), Value::Bool(ready));
    }
}

fn flag(record: &Record, name: &str) -> bool {
    record.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn text<'a>(record: &'a Record, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or("")
}

fn id_of(record: &Record) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or(0)
}

/// A field row of a webhook: which field, subscribed, display-always.
struct FieldRow {
    field: &'static FieldMeta,
    subscribed: bool,
    display_always: bool,
}

fn entity_changed(
    shared: &Shared,
    meta: &'static EntityMeta,
    model: &str,
    change: Change<'_>,
    person: i64,
) {
    let webhooks_entity = format!("{model}Webhooks");
    let (action, subscription, record) = match change {
        Change::Created(r) => ("Create", "isSubscribedToCreateEvents", r),
        Change::Updated { after, .. } => ("Update", "isSubscribedToUpdateEvents", after),
        Change::Deleted(r) => ("Delete", "isSubscribedToDeleteEvents", r),
    };
    let mut callouts = Vec::new();
    {
        let store = shared.read();
        let Some(webhooks) = store.table(&webhooks_entity) else {
            return;
        };
        for webhook in webhooks.rows.values() {
            if !flag(webhook, "isActive") || !flag(webhook, subscription) {
                continue;
            }
            let webhook_id = id_of(webhook);
            let belongs =
                |r: &&Record| r.get("webhookID").and_then(Value::as_i64) == Some(webhook_id);
            let excluded = store
                .table(&format!("{model}WebhookExcludedResources"))
                .is_some_and(|t| {
                    t.rows
                        .values()
                        .filter(belongs)
                        .any(|r| r.get("resourceID").and_then(Value::as_i64) == Some(person))
                });
            if excluded {
                continue;
            }
            let rows: Vec<FieldRow> = store
                .table(&format!("{model}WebhookFields"))
                .map(|t| {
                    t.rows
                        .values()
                        .filter(belongs)
                        .filter_map(|r| {
                            let id = r.get("fieldID").and_then(Value::as_i64)?;
                            Some(FieldRow {
                                field: field_by_id(meta, id)?,
                                subscribed: flag(r, "isSubscribedField"),
                                display_always: flag(r, "isDisplayAlwaysField"),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            if !rows.iter().any(|r| r.subscribed) {
                continue;
            }
            // An update calls out only when a subscribed field changed; it then carries the changed
            // subscribed fields. Creates and deletes carry every subscribed field.
            let changed = |row: &FieldRow| match change {
                Change::Updated { before, after } => {
                    before.get(row.field.name) != after.get(row.field.name)
                }
                _ => true,
            };
            if !rows.iter().any(|r| r.subscribed && changed(r)) {
                continue;
            }
            let fields: Map<String, Value> = rows
                .iter()
                .filter(|r| r.display_always || (r.subscribed && changed(r)))
                .map(|r| {
                    let value = record.get(r.field.name).cloned().unwrap_or(Value::Null);
                    (r.field.name.to_string(), value)
                })
                .collect();
            callouts.push(Pending {
                webhook_entity: webhooks_entity.clone(),
                webhook_id,
                guid: text(webhook, "webhookGUID").to_string(),
                secret: text(webhook, "secretKey").to_string(),
                url: text(webhook, "webhookUrl").to_string(),
                action,
                entity_type: model.to_string(),
                id: id_of(record),
                fields,
            });
        }
    }
    for pending in callouts {
        pending.send(shared, person);
    }
}

fn webhook_changed(
    shared: &Shared,
    meta: &'static EntityMeta,
    model: &str,
    change: Change<'_>,
    person: i64,
) {
    match change {
        Change::Created(record) => {
            // Autotask assigns the GUID and the owner; the simulator does it right after the insert.
            let id = id_of(record);
            let mut store = shared.write();
            if let Some(row) = store.table_mut(meta.name).rows.get_mut(&id) {
                if text(row, "webhookGUID").is_empty() {
                    row.insert("webhookGUID".into(), Value::String(new_guid()));
                }
                if row.get("ownerResourceID").is_none_or(Value::is_null) {
                    row.insert("ownerResourceID".into(), Value::from(person));
                }
                // No field rows yet.
                row.insert("isReady".into(), Value::Bool(false));
            }
        }
        Change::Updated { before, after } => {
            if flag(before, "isActive") && !flag(after, "isActive") {
                deactivated(shared, meta, model, after, person);
            }
        }
        Change::Deleted(record) => {
            let id = id_of(record);
            {
                let mut store = shared.write();
                for child in [
                    format!("{model}WebhookFields"),
                    format!("{model}WebhookExcludedResources"),
                    format!("{model}WebhookUdfFields"),
                ] {
                    let Some(child_meta) = autotask::entity_meta(&child) else {
                        continue;
                    };
                    let table = store.table_mut(child_meta.name);
                    table
                        .rows
                        .retain(|_, r| r.get("webhookID").and_then(Value::as_i64) != Some(id));
                }
            }
            if flag(record, "isActive") {
                deactivated(shared, meta, model, record, person);
            }
        }
    }
}

fn deactivated(shared: &Shared, meta: &EntityMeta, model: &str, webhook: &Record, person: i64) {
    Pending {
        webhook_entity: meta.name.to_string(),
        webhook_id: id_of(webhook),
        guid: text(webhook, "webhookGUID").to_string(),
        secret: text(webhook, "secretKey").to_string(),
        url: text(webhook, "deactivationUrl").to_string(),
        action: "Deactivated",
        entity_type: model.to_string(),
        id: id_of(webhook),
        fields: Map::new(),
    }
    .send(shared, person);
}

/// A callout decided on, not yet numbered, written or signed.
struct Pending {
    webhook_entity: String,
    webhook_id: i64,
    guid: String,
    secret: String,
    url: String,
    action: &'static str,
    entity_type: String,
    id: i64,
    fields: Map<String, Value>,
}

/// The payload in Autotask's key order.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "Action")]
    action: &'a str,
    #[serde(rename = "Guid")]
    guid: &'a str,
    #[serde(rename = "EntityType")]
    entity_type: &'a str,
    #[serde(rename = "Id")]
    id: i64,
    #[serde(rename = "Fields")]
    fields: &'a Map<String, Value>,
    #[serde(rename = "EventTime")]
    event_time: String,
    #[serde(rename = "SequenceNumber")]
    sequence_number: i64,
    #[serde(rename = "PersonID")]
    person_id: i64,
}

impl Pending {
    fn send(self, shared: &Shared, person: i64) {
        let sequence = shared
            .callouts
            .next_sequence(&self.webhook_entity, self.webhook_id);
        let payload = Payload {
            action: self.action,
            guid: &self.guid,
            entity_type: &self.entity_type,
            id: self.id,
            fields: &self.fields,
            event_time: autotask::wire::datetime::format(&chrono::Utc::now()),
            sequence_number: sequence,
            person_id: person,
        };
        let plain = serde_json::to_string(&payload).unwrap_or_default();
        let body = autotask::webhooks::autotask_escape(plain.as_bytes());
        let signature = sign(&self.secret, body.as_bytes());
        shared.callouts.enqueue(CalloutDelivery {
            webhook_entity: self.webhook_entity,
            webhook_id: self.webhook_id,
            action: self.action.to_string(),
            url: self.url,
            body,
            signature,
            status: None,
            error: None,
        });
    }
}

/// `sha1=<base64(HMAC-SHA1(secret, body))>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(body);
    format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// A random version-4 style GUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
fn new_guid() -> String {
    let random = || {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    };
    let (a, b) = (random(), random());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// Sends one callout: a plain HTTP/1.1 POST; the status code of the answer.
async fn send(delivery: &CalloutDelivery, options: DeliveryOptions) -> Result<u16, String> {
    let url = url::Url::parse(&delivery.url)
        .map_err(|e| format!("refused: {:?} is not a valid URL: {e}", delivery.url))?;
    if url.scheme() != "http" {
        return Err(format!(
            "refused: the simulator delivers callouts over plain http only, not {}",
            url.scheme()
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| format!("refused: {:?} has no host", delivery.url))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    if !loopback && !options.allow_non_loopback {
        return Err(format!(
            "refused: {host} is not a loopback address (allow_non_loopback_callouts is off)"
        ));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let mut target = url.path().to_string();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let host_header = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| format!("connection failed: {e}"))?;
        let head = format!(
            "POST {target} HTTP/1.1\r\nHost: {host_header}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nX-Hook-Signature: {}\r\nUser-Agent: autotask-sim\r\nConnection: close\r\n\r\n",
            delivery.body.len(),
            delivery.signature
        );
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("send failed: {e}"))?;
        stream
            .write_all(delivery.body.as_bytes())
            .await
            .map_err(|e| format!("send failed: {e}"))?;
        read_status(&mut stream).await
    };
    tokio::time::timeout(options.timeout, exchange)
        .await
        .map_err(|_| format!("timed out after {:?}", options.timeout))?
}

/// Reads until the status line is complete and returns its code.
async fn read_status(stream: &mut tokio::net::TcpStream) -> Result<u16, String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = stream
            .read(&mut buffer)
            .await
            .map_err(|e| format!("reading the answer failed: {e}"))?;
        if n == 0 || head.len() > 8192 {
            break;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .filter(|_| line.starts_with("HTTP/"))
        .ok_or_else(|| {
            format!(
                "the receiver did not answer with an HTTP status line: {:?}",
                line.lines().next().unwrap_or("")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_round_trip_and_skip_binary_fields() {
        let tickets = autotask::entity_meta("Tickets").unwrap();
        let status = tickets.field("status").unwrap();
        let id = field_id(tickets, status);
        assert_eq!(field_by_id(tickets, id).unwrap().name, "status");
        assert!(field_by_id(tickets, 0).is_none());
        let lists = field_id_picklists();
        assert_eq!(lists.len(), 5);
        let (_, _, values) = lists
            .iter()
            .find(|(e, _, _)| e == "TicketWebhookFields")
            .unwrap();
        assert!(values.iter().any(|v| v.value == id && v.label == "status"));
    }

    #[test]
    fn guids_look_like_guids() {
        let guid = new_guid();
        let parts: Vec<&str> = guid.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert_ne!(guid, new_guid());
    }
}

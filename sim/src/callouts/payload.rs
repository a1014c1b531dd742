//! The callout body and signature (PROTOCOL.md §6.8): `{"Action","Guid","EntityType","Id","Fields",
//! "EventTime","SequenceNumber","PersonID"}` in that order, written with Autotask's escaping, signed
//! `X-Hook-Signature: sha1=<base64(HMAC-SHA1(secretKey, body))>` over exactly those bytes.

use super::{CalloutDelivery, Outbox};
use crate::wire::{datetime, escape};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};

/// A callout decided on, not yet numbered, written or signed.
pub struct Pending {
    pub webhook_entity: String,
    pub webhook_id: i64,
    pub guid: String,
    pub secret: String,
    pub url: String,
    pub action: &'static str,
    pub entity_type: String,
    pub id: i64,
    pub fields: Map<String, Value>,
}

impl Pending {
    /// Numbers, writes and signs the callout and queues it for delivery.
    pub fn send(self, outbox: &Outbox, person: i64) {
        let sequence = outbox.next_sequence(&self.webhook_entity, self.webhook_id);
        let members = [
            ("Action", Value::from(self.action)),
            ("Guid", Value::from(self.guid.as_str())),
            ("EntityType", Value::from(self.entity_type.as_str())),
            ("Id", Value::from(self.id)),
            ("Fields", Value::Object(self.fields)),
            ("EventTime", Value::from(datetime::format(&datetime::now()))),
            ("SequenceNumber", Value::from(sequence)),
            ("PersonID", Value::from(person)),
        ];
        let mut body = String::from("{");
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            escape::write_str(&mut body, name);
            body.push(':');
            escape::write_value(&mut body, value);
        }
        body.push('}');
        let signature = sign(&self.secret, body.as_bytes());
        outbox.enqueue(CalloutDelivery {
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
fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(body);
    format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

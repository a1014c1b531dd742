//! Autotask webhooks: receiving callouts (signature verification and typed payloads) and managing
//! webhooks through the API (feature `webhooks`: `Webhooks::register` with a `WebhookSpec`, list,
//! deactivate, delete).
//!
//! Autotask signs each callout with `X-Hook-Signature: sha1=<base64(HMAC-SHA1(secretKey, body))>`. It computes
//! the HMAC over a JSON text in which, inside string values, `& < > ' " \` +` and every non-ASCII character are
//! written as upper-case `\uXXXX` escapes. [`verify`] checks the raw body first and, if a proxy or framework
//! re-encoded it, the body re-escaped that way. The comparison is constant-time.
//!
//! ```
//! use base64::Engine as _;
//! use hmac::{Hmac, Mac};
//!
//! let body = br#"{"Action":"Create","Id":1}"#;
//! let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"key").unwrap();
//! mac.update(body);
//! let header = format!("sha1={}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
//! assert!(autotask::webhooks::verify("key", body, &header).is_ok());
//! assert!(autotask::webhooks::verify("other", body, &header).is_err());
//! ```

// Managing webhooks works on the `*Webhooks` entities; receiving callouts needs no entity.
#[cfg(feature = "webhooks")]
mod manage;
#[cfg(feature = "webhooks")]
mod spec;

#[cfg(feature = "webhooks")]
pub use manage::{RegisteredWebhook, WebhookSummary, Webhooks};
#[cfg(feature = "webhooks")]
pub use spec::{WebhookEntity, WebhookField, WebhookSpec};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Why a callout was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not `sha1=<base64>`.
    #[error("malformed X-Hook-Signature header")]
    Malformed,
    /// The signature does not match the body and secret.
    #[error("signature does not match")]
    Mismatch,
}

/// Verifies `X-Hook-Signature` (`sha1=<base64>`) over the raw request body.
pub fn verify(secret: &str, body: &[u8], signature_header: &str) -> Result<(), SignatureError> {
    let encoded = signature_header
        .trim()
        .strip_prefix("sha1=")
        .or_else(|| signature_header.trim().strip_prefix("SHA1="))
        .ok_or(SignatureError::Malformed)?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| SignatureError::Malformed)?;
    if mac_matches(secret, body, &expected) {
        return Ok(());
    }
    let escaped = autotask_escape(body);
    if escaped.as_bytes() != body && mac_matches(secret, escaped.as_bytes(), &expected) {
        return Ok(());
    }
    Err(SignatureError::Mismatch)
}

fn mac_matches(secret: &str, body: &[u8], expected: &[u8]) -> bool {
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(expected).is_ok()
}

/// The body as Autotask signs it: inside JSON strings, `& < > ' \` +` (when not already escaped), the
/// escaped double quote `\"` and non-ASCII characters become `\uXXXX` (upper-case hex; UTF-16 surrogate
/// pairs beyond the BMP). Other escapes are kept. The simulator writes its callout bodies with this.
pub fn autotask_escape(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if !in_string {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
            continue;
        }
        match c {
            '\\' => match chars.next() {
                // Autotask writes the double quote as `\u0022`, never as `\"`.
                Some('"') => out.push_str("\\u0022"),
                // Other escapes (`\\`, `\n`, `\uXXXX`, ...) stay as they are.
                Some(next) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            },
            '"' => {
                in_string = false;
                out.push(c);
            }
            '&' | '<' | '>' | '\'' | '`' | '+' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{:04X}", unit);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A webhook callout body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Callout {
    /// `Create`, `Update`, `Delete` or `Deactivated`.
    #[serde(rename = "Action")]
    pub action: String,
    /// The webhook's GUID.
    #[serde(rename = "Guid", default)]
    pub guid: Option<String>,
    /// Singular entity name (`Ticket`).
    #[serde(rename = "EntityType", default)]
    pub entity_type: Option<String>,
    /// The changed record's id.
    #[serde(rename = "Id", default)]
    pub id: Option<i64>,
    /// The subscribed fields' values.
    #[serde(rename = "Fields", default)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// When the event happened (UTC).
    #[serde(
        rename = "EventTime",
        default,
        with = "crate::model::wire::datetime::option"
    )]
    pub event_time: Option<crate::model::wire::DateTime>,
    /// Per-webhook sequence number.
    #[serde(rename = "SequenceNumber", default)]
    pub sequence_number: Option<i64>,
    /// The resource or contact who made the change.
    #[serde(rename = "PersonID", default)]
    pub person_id: Option<i64>,
}

/// Verifies the signature, then decodes the callout.
pub fn parse_verified(
    secret: &str,
    body: &[u8],
    signature_header: &str,
) -> Result<Callout, CalloutError> {
    verify(secret, body, signature_header)?;
    serde_json::from_slice(body).map_err(|e| CalloutError::Decode(e.to_string()))
}

/// Why a callout could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalloutError {
    /// `X-Hook-Signature` is malformed or does not match the body and secret; do not act on the callout.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The signature matched but the body is not a callout's JSON; the text is serde's message.
    #[error("callout body is not a valid callout: {0}")]
    Decode(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_autotask() {
        let body = r#"{"Title":"A & B <c> 'd' `e` +1 café","Id":1}"#;
        assert_eq!(
            autotask_escape(body.as_bytes()),
            r#"{"Title":"A \u0026 B \u003Cc\u003E \u0027d\u0027 \u0060e\u0060 \u002B1 caf\u00E9","Id":1}"#
        );
        assert_eq!(
            autotask_escape(r#"{"a":"\"q\" 😀"}"#.as_bytes()),
            r#"{"a":"\u0022q\u0022 \uD83D\uDE00"}"#
        );
    }
}

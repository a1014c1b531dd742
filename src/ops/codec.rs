//! JSON in and out: decoding records into Rust types (naming the offending field on failure), encoding
//! bodies, and reading the API's `{"item": ...}` and `{"itemId": N}` answers.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Decodes a JSON record into `T`, naming the field path and the offending value on failure.
pub(crate) fn decode<T: DeserializeOwned>(entity: &str, value: Value) -> Result<T> {
    let text = value.to_string();
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let offending = lookup(&value, &path)
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into());
        Error::Decode {
            entity: entity.to_string(),
            path,
            value: offending,
            message: e.into_inner().to_string(),
        }
    })
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    for part in path.split('.').filter(|p| !p.is_empty() && *p != "?") {
        let (name, index) = match part.find('[') {
            Some(i) => (
                &part[..i],
                part[i + 1..].trim_end_matches(']').parse::<usize>().ok(),
            ),
            None => (part, None),
        };
        if !name.is_empty() {
            current = current.get(name)?;
        }
        if let Some(i) = index {
            current = current.get(i)?;
        }
    }
    Some(current)
}

/// A body as JSON; a value the API cannot hold (a decimal with too many digits, a date outside the
/// years Autotask stores) is an [`Error::InvalidInput`].
pub(crate) fn encode<T: Serialize>(entity: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::InvalidInput(format!("{entity}: cannot encode body: {e}")))
}

/// Reads `{"itemId": N}`.
pub(crate) fn item_id(entity: &str, answer: &Value) -> Result<i64> {
    answer
        .get("itemId")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| Error::Protocol(format!("{entity}: write answer has no itemId: {answer}")))
}

/// `{"item": {...}}` → `Some`, `{"item": null}` → `None`.
pub(crate) fn item(answer: Value) -> Option<Value> {
    let mut answer = answer;
    match answer.get_mut("item").map(Value::take) {
        Some(Value::Null) | None => None,
        Some(v) => Some(v),
    }
}

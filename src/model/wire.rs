//! Wire value types and their serde forms: exact decimals, UTC date-times in both of Autotask's forms,
//! base64 attachment data, user-defined fields and tri-state patch values.

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// An exact decimal (money, hours). Re-exported from `rust_decimal`.
pub use rust_decimal::Decimal;

/// A UTC timestamp.
pub type DateTime = chrono::DateTime<chrono::Utc>;

/// The years Autotask stores (SQL Server `datetime`): dates outside them are refused before sending.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1753..=9999;

/// A secret (an API secret, a webhook's `secretKey`, a portal password) that never shows in `Debug`.
///
/// It is held as this type wherever the SDK keeps one: the client's credentials,
/// [`WebhookSpec`](crate::webhooks::WebhookSpec) and the generated `secretKey`, `secret` and `password`
/// fields. It is written on the wire as the plain string (the API needs it), so serialise only what you
/// send.
///
/// ```
/// let secret = autotask::Secret::new("hunter2");
/// assert_eq!(format!("{secret:?}"), "Secret(***)");
/// assert_eq!(secret.expose(), "hunter2");
/// assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2\"");
/// ```
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the header or body that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self(secret.to_string())
    }
}

impl From<&str> for Patch<Secret> {
    fn from(value: &str) -> Self {
        Patch::Set(Secret::from(value))
    }
}

/// One user-defined field value, `{"name": ..., "value": ...}` on the wire (values are strings or null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDefinedField {
    /// The UDF's name (not its label).
    pub name: String,
    /// Its value as the API sends it; `None` when unset.
    pub value: Option<String>,
}

impl UserDefinedField {
    /// A UDF value to send in a create or patch body.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// A UDF cleared to null.
    pub fn cleared(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: None,
        }
    }
}

/// Access to the user-defined fields of entities that have them.
pub trait HasUserDefinedFields {
    /// All UDF values of this record.
    fn user_defined_fields(&self) -> &[UserDefinedField];
    /// Mutable access, for read-modify-write.
    fn user_defined_fields_mut(&mut self) -> &mut Vec<UserDefinedField>;

    /// The value of the UDF called `name` (case-insensitive, as the API matches names), if set.
    fn udf(&self, name: &str) -> Option<&str> {
        self.user_defined_fields()
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
            .and_then(|u| u.value.as_deref())
    }

    /// Sets one UDF value (replacing a value of the same name, matched case-insensitively), e.g. in a
    /// create or patch body, where it is sent as `userDefinedFields: [{name, value}]`. Build a value
    /// checked against the tenant's definitions with
    /// [`UdfDefinitions::value`](crate::metadata::UdfDefinitions::value), or an unchecked one with
    /// [`UserDefinedField::new`] / [`UserDefinedField::cleared`].
    fn set_udf(&mut self, field: UserDefinedField) {
        let fields = self.user_defined_fields_mut();
        match fields
            .iter_mut()
            .find(|u| u.name.eq_ignore_ascii_case(&field.name))
        {
            Some(existing) => *existing = field,
            None => fields.push(field),
        }
    }
}

/// Base64-encoded binary data (attachment `data`), decoded.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Base64Data(pub Vec<u8>);

impl fmt::Debug for Base64Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Data({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for Base64Data {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl Serialize for Base64Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Data {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Base64Data)
            .map_err(|e| serde::de::Error::custom(format!("invalid base64 data: {e}")))
    }
}

/// A field in a partial update: left unchanged (not sent), set to null, or set to a value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Patch<T> {
    /// Not sent; the server keeps its value.
    #[default]
    Unchanged,
    /// Sent as `null`: clears the field.
    Null,
    /// Sent with this value.
    Set(T),
}

impl<T> Patch<T> {
    /// True when the field is not sent.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// The value to send, if any (`Some(None)` for an explicit null).
    pub fn as_change(&self) -> Option<Option<&T>> {
        match self {
            Patch::Unchanged => None,
            Patch::Null => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl From<&str> for Patch<String> {
    fn from(value: &str) -> Self {
        Patch::Set(value.to_string())
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` means "set to null", not "unchanged".
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Skipped by `skip_serializing_if`; serialise as null if a caller serialises it directly.
            Patch::Unchanged | Patch::Null => serializer.serialize_none(),
            Patch::Set(v) => v.serialize(serializer),
        }
    }
}

/// Serde form of [`Decimal`] fields: JSON numbers on the wire, exact in Rust.
///
/// A JSON number reaches us as `f64`; its shortest round-trip text (`1234567.89`, `0.1`) is parsed as a
/// decimal, so every value with up to 15 significant digits (all money and hours values) is exact.
/// Strings (some clients send decimals as strings, and the API accepts them) are parsed directly.
pub mod decimal {
    use super::*;
    use serde::de::{self, Visitor};
    use std::str::FromStr;

    struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal number")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            if !v.is_finite() {
                return Err(E::custom(format!("{v} is not a finite decimal")));
            }
            // The shortest text that reads back as `v`, written on the stack (money and hours fit).
            let mut text = StackText::default();
            let parsed = if fmt::Write::write_fmt(&mut text, format_args!("{v}")).is_ok() {
                Decimal::from_str(text.as_str())
            } else {
                Decimal::from_str(&v.to_string())
            };
            parsed
                .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
                .map(|d| d.normalize())
                .map_err(|_| E::custom(format!("{v} does not fit a decimal")))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            Decimal::from_str(v.trim())
                .or_else(|_| Decimal::from_scientific(v.trim()))
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    /// A short text written without allocating; writing more than fits is an error.
    struct StackText {
        bytes: [u8; 48],
        len: usize,
    }

    impl Default for StackText {
        fn default() -> Self {
            Self {
                bytes: [0; 48],
                len: 0,
            }
        }
    }

    impl StackText {
        fn as_str(&self) -> &str {
            std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
        }
    }

    impl fmt::Write for StackText {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            let end = self.len + text.len();
            if end > self.bytes.len() {
                return Err(fmt::Error);
            }
            self.bytes[self.len..end].copy_from_slice(text.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    /// Writes a JSON number with the decimal's shortest text (`12.5`, not `12.50`).
    ///
    /// A JSON number travels as an `f64`, which holds 15 significant digits exactly; a decimal it would
    /// round (`1234567890.123456789012345678`) is an error, so that no value is silently changed.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        let text = value.normalize().to_string();
        let number = serde_json::Number::from_str(&text).map_err(serde::ser::Error::custom)?;
        let carried = number
            .as_f64()
            .and_then(|f| Decimal::from_str(&f.to_string()).ok());
        if carried != Some(value.normalize()) {
            return Err(serde::ser::Error::custom(format!(
                "the decimal {text} has more significant digits than a JSON number carries exactly \
                 (15); round it before sending"
            )));
        }
        number.serialize(serializer)
    }

    /// Reads a JSON number (integer or float) or a numeric string.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }

    /// `Option<Decimal>`.
    pub mod option {
        use super::*;

        /// Writes the number, or `null` for `None`.
        pub fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads a number or numeric string; `null` gives `None`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Decimal>, D::Error> {
            #[derive(Deserialize)]
            struct SomeDecimal(#[serde(with = "super")] Decimal);
            Ok(Option::<SomeDecimal>::deserialize(deserializer)?.map(|w| w.0))
        }
    }

    /// `Patch<Decimal>`.
    pub mod patch {
        use super::*;

        /// Writes a set value as a number, and `null` otherwise ([`Patch::Unchanged`] fields are
        /// skipped by the generated patch bodies before this is reached).
        pub fn serialize<S: Serializer>(
            value: &Patch<Decimal>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Patch::Set(v) => super::serialize(v, serializer),
                _ => serializer.serialize_none(),
            }
        }
    }
}

/// Serde form of date-time fields: UTC ISO 8601.
///
/// Accepts `2022-12-07T09:15:28.147Z`, the older `2016-03-30T13:10:35.563` (no zone: UTC, as every
/// Autotask date-time is), explicit offsets, and bare dates (`2024-01-01`, midnight UTC). Writes
/// `2022-12-07T09:15:28.147Z` (fraction only when non-zero), as the API does.
pub mod datetime {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime, SecondsFormat, Utc};

    /// Parses any of the accepted forms.
    pub fn parse(text: &str) -> Option<DateTime> {
        let text = text.trim();
        if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text) {
            return Some(dt.with_timezone(&Utc));
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
            return Some(naive.and_utc());
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
            return Some(naive.and_utc());
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| n.and_utc())
    }

    /// The API's text form.
    pub fn format(value: &DateTime) -> String {
        value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// `Err` with the reason when `value` is outside the years Autotask stores ([`DATE_YEARS`]).
    pub fn check_range(value: &DateTime) -> Result<(), String> {
        use chrono::Datelike;
        if DATE_YEARS.contains(&value.year()) {
            Ok(())
        } else {
            Err(format!(
                "the date-time {} is outside the years {}..={} that Autotask stores",
                format(value),
                DATE_YEARS.start(),
                DATE_YEARS.end()
            ))
        }
    }

    /// Writes the [`format()`] text (`2022-12-07T09:15:28.147Z`); a date-time outside [`DATE_YEARS`]
    /// is an error.
    pub fn serialize<S: Serializer>(value: &DateTime, serializer: S) -> Result<S::Ok, S::Error> {
        check_range(value).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&format(value))
    }

    /// The API's usual form, `2022-12-07T09:15:28.147Z` (0 to 9 fraction digits, `Z` or no zone),
    /// read without a general parser; `None` for anything else (which [`parse`] then reads).
    fn parse_usual(text: &str) -> Option<DateTime> {
        let b = text.as_bytes();
        if b.len() < 19
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let mut rest = &b[19..];
        let mut nanos = 0u32;
        if let [b'.', fraction @ ..] = rest {
            let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if count == 0 || count > 9 {
                return None;
            }
            for &c in &fraction[..count] {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
            nanos *= 10u32.pow(9 - count as u32);
            rest = &fraction[count..];
        }
        if !(rest.is_empty() || rest == b"Z") {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
        let time = chrono::NaiveTime::from_hms_nano_opt(
            digits(11..13)?,
            digits(14..16)?,
            digits(17..19)?,
            nanos,
        )?;
        Some(date.and_time(time).and_utc())
    }

    struct DateTimeVisitor;

    impl serde::de::Visitor<'_> for DateTimeVisitor {
        type Value = DateTime;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime, E> {
            parse_usual(text)
                .or_else(|| parse(text))
                .ok_or_else(|| E::custom(format!("invalid date-time {text:?}")))
        }
    }

    /// Reads any form [`parse`] accepts; anything else is an error naming the text.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        deserializer.deserialize_str(DateTimeVisitor)
    }

    /// `Option<DateTime>`.
    pub mod option {
        use super::*;

        /// Writes the date-time, or `null` for `None`.
        pub fn serialize<S: Serializer>(
            value: &Option<DateTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads a date-time; `null` gives `None`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime>, D::Error> {
            #[derive(Deserialize)]
            struct SomeDateTime(#[serde(with = "super")] DateTime);
            Ok(Option::<SomeDateTime>::deserialize(deserializer)?.map(|w| w.0))
        }
    }

    /// `Patch<DateTime>`.
    pub mod patch {
        use super::*;

        /// Writes a set value as a date-time, and `null` otherwise ([`Patch::Unchanged`] fields are
        /// skipped by the generated patch bodies before this is reached).
        pub fn serialize<S: Serializer>(
            value: &Patch<DateTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Patch::Set(v) => super::serialize(v, serializer),
                _ => serializer.serialize_none(),
            }
        }
    }
}

/// A request body kept in an error ([`Error::UnknownOutcome`](crate::Error::UnknownOutcome), a transaction's unknown create) for the
/// caller to check and re-send deliberately. It dereferences to the whole JSON value; its `Debug` and
/// `Display` hide the values of secret fields (`secretKey`, `secret`, `password`, at any depth).
///
/// ```
/// let payload = autotask::Payload::new(serde_json::json!({"name": "hook", "secretKey": "s3cret"}));
/// assert_eq!(payload["secretKey"], "s3cret");
/// assert!(!format!("{payload:?} {payload}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct Payload(Value);

impl Payload {
    /// Wraps a request body.
    pub fn new(value: Value) -> Self {
        Self(value)
    }

    /// The whole body, secrets included.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The whole body, secrets included.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// A copy with the value of every secret field replaced by `"***"`.
    pub fn redacted(&self) -> Value {
        redact(&self.0)
    }
}

/// Field names whose values are secrets, compared case-insensitively.
const SECRET_FIELDS: [&str; 3] = ["secretKey", "secret", "password"];

fn redact(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(name, v)| {
                    let secret = SECRET_FIELDS.iter().any(|s| s.eq_ignore_ascii_case(name));
                    let v = if secret && !v.is_null() {
                        Value::String("***".into())
                    } else {
                        redact(v)
                    };
                    (name.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

impl std::ops::Deref for Payload {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Payload({})",
            truncate(&self.redacted().to_string(), PAYLOAD_CHARS)
        )
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&truncate(&self.redacted().to_string(), PAYLOAD_CHARS))
    }
}

/// Longest text a [`Payload`] shows in `Debug` and `Display` (characters).
const PAYLOAD_CHARS: usize = 2000;

/// `text` cut at `max` characters (on a character boundary), with `…` when it was longer.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_date_time_form_reads_as_the_general_parser_reads_it() {
        for text in [
            "2022-12-07T09:15:28.147Z",
            "2022-12-07T09:15:45.2Z",
            "2022-12-06T13:00:00Z",
            "2016-03-30T13:10:35.563",
            "2016-03-30T13:10:35",
            "2024-02-29T23:59:59.1234567Z",
            "1753-01-01T00:00:00Z",
        ] {
            let usual = datetime::deserialize(Value::from(text)).unwrap();
            assert_eq!(Some(usual), datetime::parse(text), "{text}");
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2022-12-07T25:00:00Z",
            "2022-12-07 09:15:28Z",
            "x",
        ] {
            let read = datetime::deserialize(Value::from(text));
            assert_eq!(read.ok(), datetime::parse(text), "{text}");
        }
        // Forms only the general parser reads still read.
        let offset: DateTime =
            serde_json::from_value(Value::from("2022-12-07T10:15:28+01:00")).unwrap();
        assert_eq!(datetime::format(&offset), "2022-12-07T09:15:28Z");
        let bare = datetime::deserialize(Value::from("2024-01-01")).unwrap();
        assert_eq!(datetime::format(&bare), "2024-01-01T00:00:00Z");
    }

    #[test]
    fn decimals_read_exactly() {
        for (json, text) in [
            ("3.5000", "3.5"),
            ("0.1", "0.1"),
            ("1234567.89", "1234567.89"),
            ("12", "12"),
            ("1e-7", "0.0000001"),
        ] {
            let value: Value = serde_json::from_str(json).unwrap();
            let read: Decimal = decimal::deserialize(value).unwrap();
            assert_eq!(read.to_string(), text, "{json}");
        }
    }
}

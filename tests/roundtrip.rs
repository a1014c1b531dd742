//! Decode-then-encode round trip of every entity compiled into this build, driven by each entity's own
//! metadata (`EntityMeta::fields`): one table-driven test instead of one test per entity.
//!
//! Payloads are JSON text, so decimals can be written the way the API writes them (`3.5000`).
//! Without any entity group enabled there is nothing to round-trip, and the file compiles to nothing.

#![cfg(any(
    feature = "service_desk",
    feature = "crm",
    feature = "configuration_items",
    feature = "contracts",
    feature = "projects",
    feature = "finance",
    feature = "inventory",
    feature = "knowledge",
    feature = "administration",
    feature = "webhooks"
))]

use autotask::model::meta::DataType;
use autotask::{EntityMeta, FieldMeta};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

type DecodeError = serde_path_to_error::Error<serde_json::Error>;

/// Decodes JSON text into an entity's record type and encodes it again.
type Roundtrip = fn(&str) -> Result<Value, DecodeError>;

fn roundtrip<T: Serialize + DeserializeOwned>(text: &str) -> Result<Value, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let record: T = serde_path_to_error::deserialize(&mut deserializer)?;
    Ok(serde_json::to_value(&record).expect("a decoded record encodes"))
}

macro_rules! roundtrip_table {
    ($($meta:path => $record:ty,)*) => {
        vec![$((&$meta, roundtrip::<$record> as Roundtrip),)*]
    };
}

fn entities() -> Vec<(&'static EntityMeta, Roundtrip)> {
    let table: Vec<(&'static EntityMeta, Roundtrip)> = autotask::for_each_entity!(roundtrip_table);
    assert_eq!(
        table.len(),
        autotask::all_entities().len(),
        "for_each_entity! and ALL_ENTITIES list the same entities"
    );
    table
}

/// Decimals as the API writes them: trailing zeros, large money values, values not exact in binary.
const DECIMALS: [&str; 3] = ["3.5000", "1234567.89", "0.1"];
/// Date-times in both of the API's forms: with `Z`, and the older form without a zone (UTC).
const DATE_TIMES: [&str; 2] = ["2022-12-07T09:15:28.147Z", "2016-03-30T13:10:35.563"];
/// `"attachment \0\xff bytes"`, base64-encoded.
const BASE64: &str = "YXR0YWNobWVudCAA/yBieXRlcw==";

/// The JSON text of a realistic value for field number `index` of its entity.
fn sample(field: &FieldMeta, index: usize) -> String {
    if let Some(known) = field.picklist.and_then(|values| values.first()) {
        return known.value.to_string();
    }
    match field.data_type {
        DataType::Integer | DataType::Short => (29_683 + index).to_string(),
        DataType::Long => (8_589_934_592_u64 + index as u64).to_string(),
        DataType::Double | DataType::Decimal => DECIMALS[index % DECIMALS.len()].to_string(),
        DataType::DateTime => format!("\"{}\"", DATE_TIMES[index % DATE_TIMES.len()]),
        DataType::Boolean => (index % 2 == 0).to_string(),
        DataType::Bytes => format!("\"{BASE64}\""),
        DataType::Object => r#"{"kind":"free-form","items":[1,"two",null]}"#.to_string(),
        _ => format!("\"{} — Ünïcødé \\\"quoted\\\" text\"", field.name),
    }
}

/// A JSON object as text, from `(key, value text)` pairs in order.
fn object(members: &[(String, String)]) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|(key, value)| format!("{}:{value}", Value::from(key.as_str())))
        .collect();
    format!("{{{}}}", members.join(","))
}

const UDFS: &str =
    r#"[{"name":"Customer Reference","value":"A-17"},{"name":"Cleared","value":null}]"#;
const UNKNOWN_FIELDS: [(&str, &str); 2] = [
    (
        "fieldFromANewerApi",
        r#"{"nested":[1,"two",{"three":3.25}]}"#,
    ),
    ("anotherNewField", "null"),
];

/// A record with every field set, UDFs where the entity has them, and fields this SDK does not know.
fn full_payload(meta: &EntityMeta) -> String {
    let mut members: Vec<(String, String)> = meta
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| (field.name.to_string(), sample(field, index)))
        .collect();
    if meta.has_user_defined_fields {
        members.push(("userDefinedFields".into(), UDFS.into()));
    }
    for (key, value) in UNKNOWN_FIELDS {
        members.push((key.into(), value.into()));
    }
    object(&members)
}

/// A date-time text as an instant; text without a zone is UTC.
fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .unwrap_or_else(|_| panic!("{text:?} is not a date-time"))
}

#[test]
fn every_entity_round_trips_a_full_record() {
    for (meta, roundtrip) in entities() {
        let text = full_payload(meta);
        let sent: Value = serde_json::from_str(&text).expect("payload is JSON");
        let back = roundtrip(&text).unwrap_or_else(|e| {
            panic!(
                "{}: decode failed at `{}`: {e}\n{text}",
                meta.name,
                e.path()
            )
        });
        let (sent, back) = (sent.as_object().unwrap(), back.as_object().unwrap());

        let mut sent_keys: Vec<&String> = sent.keys().collect();
        let mut back_keys: Vec<&String> = back.keys().collect();
        sent_keys.sort();
        back_keys.sort();
        assert_eq!(
            back_keys, sent_keys,
            "{}: wire names survive exactly",
            meta.name
        );

        for (key, value) in sent {
            let field = meta.field(key).filter(|f| f.name == key);
            match field.map(|f| f.data_type) {
                Some(DataType::DateTime) => {
                    let back = back[key].as_str().expect("date-times encode as strings");
                    assert!(
                        back.ends_with('Z'),
                        "{}.{key}: {back} is UTC with Z",
                        meta.name
                    );
                    assert_eq!(
                        instant(back),
                        instant(value.as_str().unwrap()),
                        "{}.{key}: same instant",
                        meta.name
                    );
                }
                Some(DataType::Double | DataType::Decimal) => {
                    assert!(
                        back[key].is_number(),
                        "{}.{key}: decimals stay JSON numbers",
                        meta.name
                    );
                    assert_eq!(&back[key], value, "{}.{key}: same number", meta.name);
                }
                // Everything else, UDFs and unknown fields included, comes back unchanged.
                _ => assert_eq!(&back[key], value, "{}.{key}", meta.name),
            }
        }
    }
}

/// A decimal field with the generated code's serde form (not every feature group has one).
#[derive(serde::Deserialize, Serialize)]
struct Amount {
    #[serde(with = "autotask::model::wire::decimal")]
    amount: autotask::Decimal,
}

#[test]
fn decimals_keep_their_value_whatever_their_text() {
    // `3.5000` and `3.5` are the same JSON number; the value, not the text, must survive.
    for (text, expected) in [
        ("3.5000", json!(3.5)),
        ("1234567.89", json!(1234567.89)),
        ("0.1", json!(0.1)),
        ("-42", json!(-42)),
        ("\"17.25\"", json!(17.25)),
    ] {
        let decoded: Amount = serde_json::from_str(&format!(r#"{{"amount":{text}}}"#))
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let back = serde_json::to_value(&decoded).unwrap();
        assert_eq!(back["amount"], expected, "from {text}");
    }
}

#[test]
fn nulls_and_missing_fields_normalise_to_the_same_record() {
    for (meta, roundtrip) in entities() {
        let mut members: Vec<(String, String)> = meta
            .fields
            .iter()
            .filter(|f| f.name != "id")
            .map(|f| (f.name.to_string(), "null".to_string()))
            .collect();
        members.insert(0, ("id".into(), "8589934592".into()));
        if meta.has_user_defined_fields {
            members.push(("userDefinedFields".into(), "null".into()));
        }
        let all_null = roundtrip(&object(&members))
            .unwrap_or_else(|e| panic!("{}: nulls rejected at `{}`: {e}", meta.name, e.path()));
        let only_id = roundtrip(r#"{"id":8589934592}"#).unwrap_or_else(|e| {
            panic!(
                "{}: missing fields rejected at `{}`: {e}",
                meta.name,
                e.path()
            )
        });
        let expected = json!({ "id": 8589934592_u64 });
        assert_eq!(all_null, expected, "{}: nulls are left out", meta.name);
        assert_eq!(
            only_id, expected,
            "{}: missing fields stay missing",
            meta.name
        );
    }
}

/// A JSON value of the wrong type for `field`; `None` for free-form fields, which accept anything.
fn wrong_value(field: &FieldMeta) -> Option<&'static str> {
    Some(match field.data_type {
        DataType::Integer | DataType::Short | DataType::Long => "\"twelve\"",
        DataType::Double | DataType::Decimal => "\"three and a half\"",
        DataType::DateTime => "\"last Tuesday\"",
        DataType::Boolean => "\"yes\"",
        DataType::Bytes => "\"not base64!\"",
        DataType::Object => return None,
        _ => "42",
    })
}

#[test]
fn decode_errors_name_the_field() {
    let mut checked = 0;
    for (meta, roundtrip) in entities() {
        for field in meta.fields.iter().filter(|f| f.name != "id") {
            let Some(wrong) = wrong_value(field) else {
                continue;
            };
            let payload = format!(r#"{{"id":1,"{}":{wrong}}}"#, field.name);
            let error = roundtrip(&payload)
                .expect_err(&format!("{}.{} accepted {wrong}", meta.name, field.name));
            assert_eq!(
                error.path().to_string(),
                field.name,
                "{}: the error names the field: {error}",
                meta.name
            );
            checked += 1;
        }
        let error = roundtrip("{}").expect_err("a record without id is rejected");
        assert!(
            error.to_string().contains("missing field `id`"),
            "{}: {error}",
            meta.name
        );
    }
    assert!(checked > 0, "no field was checked");
}

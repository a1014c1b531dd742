//! Decoding read models (`Ticket`, ...) in one pass over the JSON, without serde's buffered path for
//! `#[serde(flatten)]`: each generated read model implements [`ReadModel`] (its wire field names and
//! how to read the value of the n-th one) and its `Deserialize` calls [`deserialize_record`], which
//! matches each key against the field names and sends unknown keys, with their values, to `extra`.
//! Nothing a newer server sends is lost, and nothing is buffered on the way.
//!
//! Keys usually arrive in the same order record after record, so the field after the last one matched
//! is tried first; any other order (or a subset, from `IncludeFields`) falls back to a scan. A
//! deserializer that knows the field names (the page reader's fast reader, which is given them through
//! `deserialize_struct` with the name [`RECORD_STRUCT`]) may send a known key as its index instead.

use super::wire::{datetime, decimal, DateTime, Decimal};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A generated read model, decoded by [`deserialize_record`].
///
/// Every field but the first (`id`) reads `null` as its value in [`ReadModel::empty`] (`None`, or an
/// empty list): a deserializer may skip the first `null` of such a field (the page reader's fast reader
/// does; `autotask-codegen`'s `read_model` emits only such fields).
pub(crate) trait ReadModel: Sized {
    /// The entity's model name, for error messages (`Ticket`).
    const MODEL: &'static str;
    /// Wire names of the known fields, `id` first; `read_field` takes an index into it.
    const FIELDS: &'static [&'static str];
    /// A record with `id` 0 and every other field empty, to fill in.
    fn empty() -> Self;
    /// Reads the value of `FIELDS[field]` from `map` into the record.
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        field: usize,
        map: &mut A,
    ) -> Result<(), A::Error>;
    /// Where fields this SDK does not know go.
    fn extra_mut(&mut self) -> &mut Map<String, Value>;
}

/// The struct name the read models give `deserialize_struct`: a deserializer that recognises it may
/// send each known key as its index into the field names (`visit_u64`) rather than as text. Other
/// self-describing formats read a struct as a map, as before.
pub(crate) const RECORD_STRUCT: &str = "$autotask::record";

/// The `Deserialize` of every generated read model: a JSON object, `id` required, unknown fields into
/// `extra`. When a key repeats, the last value wins (as it does in a `serde_json::Value`).
pub(crate) fn deserialize_record<'de, D: Deserializer<'de>, T: ReadModel>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_struct(RECORD_STRUCT, T::FIELDS, RecordVisitor(PhantomData))
}

struct RecordVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: ReadModel> Visitor<'de> for RecordVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} record (a JSON object)", T::MODEL)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut record = T::empty();
        let mut has_id = false;
        let mut expected = 0usize;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let index = match &key {
                Key::Index(index) => Some(*index).filter(|i| *i < T::FIELDS.len()),
                Key::Name(name) => field_index(T::FIELDS, name, expected),
            };
            match index {
                Some(index) => {
                    record.read_field(index, &mut map)?;
                    has_id |= index == 0;
                    // A field out of order (a server sending `id` among the others) does not move
                    // the guess; one in order moves it past itself.
                    if index >= expected {
                        expected = index + 1;
                    }
                }
                None => {
                    let value: Value = map.next_value()?;
                    record.extra_mut().insert(key.into_name(), value);
                }
            }
        }
        if !has_id {
            return Err(de::Error::missing_field("id"));
        }
        Ok(record)
    }
}

/// The index of `key` in `fields`: `expected` first, then the fields after it, then those before.
pub(crate) fn field_index(fields: &[&str], key: &str, expected: usize) -> Option<usize> {
    let start = expected.min(fields.len());
    let (before, after) = fields.split_at(start);
    after
        .iter()
        .position(|name| *name == key)
        .map(|i| start + i)
        .or_else(|| before.iter().position(|name| *name == key))
}

/// An object key: its text (borrowed from the input when it has no escapes), or the index of a known
/// field from a deserializer that matched it (see [`RECORD_STRUCT`]).
enum Key<'de> {
    Name(Cow<'de, str>),
    Index(usize),
}

impl Key<'_> {
    /// The key's text, for `extra` (an index beyond the field names, which no deserializer sends,
    /// keeps its number).
    fn into_name(self) -> String {
        match self {
            Key::Name(name) => name.into_owned(),
            Key::Index(index) => index.to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Name(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Name(Cow::Owned(v.to_string())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Name(Cow::Owned(v)))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key<'de>, E> {
                usize::try_from(v)
                    .map(Key::Index)
                    .map_err(|_| E::custom("field index out of range"))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// An optional [`Decimal`] field as the read models read it ([`decimal::option`]).
// Used by the generated code only when an enabled group has a field of this kind.
#[allow(dead_code)]
pub(crate) struct OptionalDecimal(pub Option<Decimal>);

impl<'de> Deserialize<'de> for OptionalDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        decimal::option::deserialize(deserializer).map(OptionalDecimal)
    }
}

/// An optional [`DateTime`] field as the read models read it ([`datetime::option`]).
// Used by the generated code only when an enabled group has a field of this kind.
#[allow(dead_code)]
pub(crate) struct OptionalDateTime(pub Option<DateTime>);

impl<'de> Deserialize<'de> for OptionalDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        datetime::option::deserialize(deserializer).map(OptionalDateTime)
    }
}

/// A list the API may send as `null` (read as an empty list).
// Used by the generated code only when an enabled group has a field of this kind.
#[allow(dead_code)]
pub(crate) struct NullAsEmpty<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NullAsEmpty<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(NullAsEmpty(
            Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::field_index;

    #[test]
    fn fields_are_found_in_any_order() {
        let fields = ["id", "a", "b", "c"];
        assert_eq!(field_index(&fields, "b", 2), Some(2));
        assert_eq!(field_index(&fields, "c", 2), Some(3));
        assert_eq!(field_index(&fields, "id", 3), Some(0));
        assert_eq!(field_index(&fields, "a", 4), Some(1));
        assert_eq!(field_index(&fields, "zz", 1), None);
    }
}

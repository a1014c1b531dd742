//! JSON in and out: decoding records into Rust types (naming the offending field on failure), encoding
//! bodies, and reading the API's `{"item": ...}` and `{"itemId": N}` answers.

use super::json_reader;
use crate::client::Unreadable;
use crate::error::{Error, Result};
use crate::query::MAX_PAGE_SIZE;
use serde::de::{self, DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;
use std::marker::PhantomData;

/// Decodes a JSON record into `T`, naming the field path and the offending value on failure.
///
/// The record is decoded once, plainly; only a record that fails is decoded again through
/// `serde_path_to_error` (which doubles the cost of a pass) to say where.
pub(crate) fn decode<T: DeserializeOwned>(entity: &str, value: Value) -> Result<T> {
    T::deserialize(&value).map_err(|plain| {
        let detailed = serde_path_to_error::deserialize::<_, T>(&value).err();
        decode_error(entity, &value, plain, detailed)
    })
}

/// Decodes one record's JSON text into `T`; like [`decode`], only a failure pays for the path.
pub(crate) fn decode_text<T: DeserializeOwned>(entity: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|plain| {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let detailed = serde_path_to_error::deserialize::<_, T>(&mut deserializer).err();
        let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        decode_error(entity, &value, plain, detailed)
    })
}

/// [`Error::Decode`] from the plain error and, when the detailed pass failed too (it always should),
/// its field path; the offending value is looked up in the record.
fn decode_error(
    entity: &str,
    record: &Value,
    plain: serde_json::Error,
    detailed: Option<serde_path_to_error::Error<serde_json::Error>>,
) -> Error {
    let (path, message) = match detailed {
        Some(e) => (e.path().to_string(), e.into_inner().to_string()),
        None => ("?".to_string(), plain.to_string()),
    };
    let value = lookup(record, &path)
        .map(|v| v.to_string())
        .unwrap_or_else(|| "?".into());
    Error::Decode {
        entity: entity.to_string(),
        path,
        value,
        message,
    }
}

/// The records of one page: all decoded (the usual case), or each in its place as the record or the
/// error naming where it does not fit.
pub(crate) enum PageRecords<R> {
    Decoded(Vec<R>),
    Mixed(Vec<Result<R>>),
}

impl<R> PageRecords<R> {
    pub(crate) fn len(&self) -> usize {
        match self {
            PageRecords::Decoded(records) => records.len(),
            PageRecords::Mixed(records) => records.len(),
        }
    }

    /// Keeps the records `keep` accepts (and every record that failed to decode).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&R) -> bool) {
        match self {
            PageRecords::Decoded(records) => records.retain(keep),
            PageRecords::Mixed(records) => records.retain(|r| r.as_ref().map_or(true, &mut keep)),
        }
    }

    /// The decoded records.
    pub(crate) fn decoded(&self) -> impl Iterator<Item = &R> {
        let (all, mixed) = match self {
            PageRecords::Decoded(records) => (Some(records.iter()), None),
            PageRecords::Mixed(records) => {
                (None, Some(records.iter().filter_map(|r| r.as_ref().ok())))
            }
        };
        all.into_iter().flatten().chain(mixed.into_iter().flatten())
    }

    /// Every record in order, each failed one as its error.
    pub(crate) fn into_results(self) -> Box<dyn Iterator<Item = Result<R>> + Send>
    where
        R: Send + 'static,
    {
        match self {
            PageRecords::Decoded(records) => Box::new(records.into_iter().map(Ok)),
            PageRecords::Mixed(records) => Box::new(records.into_iter()),
        }
    }

    /// Every record, or the first decode error.
    pub(crate) fn into_all(self) -> Result<Vec<R>> {
        match self {
            PageRecords::Decoded(records) => Ok(records),
            PageRecords::Mixed(records) => records.into_iter().collect(),
        }
    }
}

/// One page of records and where the next one is.
pub(crate) struct RawPage<R> {
    pub records: PageRecords<R>,
    pub next_page_url: Option<String>,
}

/// A page answer, `{"items": [...], "pageDetails": {"nextPageUrl": ...}}`, read in one pass.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct Envelope<T> {
    #[serde(default, deserialize_with = "page_items")]
    items: Option<Vec<T>>,
    #[serde(rename = "pageDetails")]
    page_details: Option<PageDetails>,
    errors: Option<Vec<IgnoredAny>>,
}

/// A page's `items`, in a list with room for a whole page from the start: growing it record by record
/// would copy the records again at every doubling (a `Ticket` is over 1 KB). Room left over on a
/// shorter page is given back.
fn page_items<'de, D, T>(deserializer: D) -> std::result::Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Items<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
        type Value = Option<Vec<T>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of records")
        }

        fn visit_none<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> std::result::Result<Self::Value, D::Error> {
            deserializer.deserialize_seq(self)
        }

        fn visit_seq<A: SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let whole_page = MAX_PAGE_SIZE as usize;
            let room = seq.size_hint().unwrap_or(whole_page).min(whole_page);
            let mut items = Vec::with_capacity(room);
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            items.shrink_to_fit();
            Ok(Some(items))
        }
    }

    deserializer.deserialize_option(Items(PhantomData))
}

#[derive(Deserialize)]
struct PageDetails {
    #[serde(rename = "nextPageUrl")]
    next_page_url: Option<String>,
}

impl<T> Envelope<T> {
    /// The API's `{"errors":[...]}`, or the page.
    fn into_page(self, entity: &str) -> std::result::Result<(Vec<T>, Option<String>), Unreadable> {
        if self.errors.is_some_and(|errors| !errors.is_empty()) {
            return Err(Unreadable::Errors);
        }
        let Some(items) = self.items else {
            return Err(no_items(entity));
        };
        let next = self
            .page_details
            .and_then(|details| details.next_page_url)
            .filter(|url| !url.trim().is_empty());
        Ok((items, next))
    }
}

fn no_items(entity: &str) -> Unreadable {
    Unreadable::Fatal(Error::Protocol(format!(
        "{entity} query answer has no `items` list"
    )))
}

/// Reads a page answer's text straight into records of type `R`, in one pass: with `fast_reader`,
/// the fast reader (`json_reader`) first and, if it gives up, `serde_json`. When a record does not fit
/// `R`, the page is read again record by record: the others are kept, and the failed one becomes an
/// [`Error::Decode`] naming its field path and value.
pub(crate) fn read_page<R: DeserializeOwned>(
    entity: &str,
    text: &str,
    fast_reader: bool,
) -> std::result::Result<RawPage<R>, Unreadable> {
    if fast_reader {
        match json_reader::from_str::<Envelope<R>>(text) {
            Ok(envelope) => {
                let (items, next_page_url) = envelope.into_page(entity)?;
                return Ok(RawPage {
                    records: PageRecords::Decoded(items),
                    next_page_url,
                });
            }
            Err(reason) => {
                tracing::trace!(entity, %reason, "page left to serde_json");
            }
        }
    }
    let error = match serde_json::from_str::<Envelope<R>>(text) {
        Ok(envelope) => {
            let (items, next_page_url) = envelope.into_page(entity)?;
            return Ok(RawPage {
                records: PageRecords::Decoded(items),
                next_page_url,
            });
        }
        Err(error) => error,
    };
    if !error.is_data() {
        return Err(Unreadable::NotJson(format!(
            "the answer is not JSON ({error}): {}",
            crate::error::truncate(text.trim(), 200)
        )));
    }
    let envelope =
        serde_json::from_str::<Envelope<Box<RawValue>>>(text).map_err(|_| no_items(entity))?;
    let (items, next_page_url) = envelope.into_page(entity)?;
    let records = items
        .iter()
        .map(|raw| decode_text(entity, raw.get()))
        .collect();
    Ok(RawPage {
        records: PageRecords::Mixed(records),
        next_page_url,
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

#[cfg(all(test, feature = "service_desk"))]
mod tests {
    use super::{json_reader, read_page, Envelope, PageRecords};
    use crate::entities::Ticket;

    const CAPTURED_PAGE: &str = include_str!("../../benches/fixtures/tickets-page-500.json");

    /// The captured 500-ticket page takes the fast reader's path (so pages are read at its speed), as
    /// compact text and pretty-printed, and comes out as `serde_json` reads it.
    #[test]
    fn the_captured_page_takes_the_fast_path_and_reads_as_serde_json_reads_it() {
        let value: serde_json::Value = serde_json::from_str(CAPTURED_PAGE).expect("fixture");
        let pretty = serde_json::to_string_pretty(&value).expect("pretty");
        for text in [CAPTURED_PAGE, pretty.as_str()] {
            let fast = json_reader::from_str::<Envelope<Ticket>>(text).expect("fast path taken");
            let slow = serde_json::from_str::<Envelope<Ticket>>(text).expect("serde_json");
            let fast = fast.items.expect("items");
            assert_eq!(fast.len(), 500);
            assert_eq!(Some(fast), slow.items);
        }
        let page = read_page::<Ticket>("Tickets", CAPTURED_PAGE, true).expect("page");
        assert!(matches!(page.records, PageRecords::Decoded(ref r) if r.len() == 500));
    }

    /// A page the fast reader gives up on (a record with a value of the wrong type) still
    /// reads through `serde_json`, keeping the records that fit and naming the one that does not.
    #[test]
    fn a_page_the_fast_reader_refuses_is_read_by_serde_json() {
        let text = r#"{"items":[{"id":1,"title":"a"},{"id":2,"status":"open"},{"id":3}],"pageDetails":{"nextPageUrl":null}}"#;
        assert!(json_reader::from_str::<Envelope<Ticket>>(text).is_err());
        let page = read_page::<Ticket>("Tickets", text, true).expect("page");
        let PageRecords::Mixed(records) = page.records else {
            panic!("expected a page with a failed record");
        };
        assert_eq!(records.len(), 3);
        assert!(records[0].is_ok() && records[2].is_ok());
        let error = records[1]
            .as_ref()
            .expect_err("the record that does not fit")
            .to_string();
        assert!(error.contains("status"), "{error}");
    }
}

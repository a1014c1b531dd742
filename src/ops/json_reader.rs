//! The fast first try at reading a page answer: a serde `Deserializer` over the answer's text that
//! knows the shape of Autotask records. The page reader (`codec::read_page`) runs it first and, when it
//! fails for any reason, reads the page again with `serde_json`, whose result and error are the ones
//! reported. So this reader never decides what a page means: it either gives what `serde_json` gives,
//! or gives up.
//!
//! Why it is faster: a page is some 500 records of about 80 keys each, most with a `null` value.
//! `serde_json` scans every key to its closing quote, and the record visitor then compares it again
//! with the field names. Records list their fields in the same order every time, so here a record's key
//! is compared once, in place, with the field the record visitor expects next, and handed to it as that
//! field's index (`read::RECORD_STRUCT` marks the records that take keys that way). The first `null`
//! of a field is skipped altogether (a read model reads it as its empty value anyway), and plain
//! strings and small integers are read in place. Only typed records take this path
//! (`Record::FAST_PAGE_READER`): arbitrary JSON values read no faster here than with `serde_json`.
//!
//! What keeps it exact: numbers other than small integers, and strings with escapes, are handed to
//! `serde_json` on their slice of the text, so they decode exactly as `serde_json` decodes them (decimals
//! included). Anything unusual (a control character in a string, nesting deeper than `serde_json`
//! allows, an enum, bytes) is an error here, which sends the page to `serde_json`.

use crate::model::read::RECORD_STRUCT;
use serde::de::value::U64Deserializer;
use serde::de::{self, Deserialize, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Reads `T` from the whole of `text`; any error means "read it with `serde_json` instead".
pub(crate) fn from_str<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, GiveUp> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth_left: MAX_DEPTH,
    };
    let value = T::deserialize(&mut reader)?;
    reader.skip_whitespace();
    if reader.pos != reader.bytes.len() {
        return Err(GiveUp::at("trailing characters", reader.pos));
    }
    Ok(value)
}

/// Nesting deeper than this gives up, where `serde_json` gives up too (the tests compare both).
const MAX_DEPTH: u16 = 127;

/// Why the fast reader gave up; only logged at trace level, since `serde_json` reads the page next and
/// reports its own error.
#[derive(Debug)]
pub(crate) struct GiveUp(String);

impl GiveUp {
    fn at(what: &str, pos: usize) -> Self {
        GiveUp(format!("{what} at byte {pos}"))
    }
}

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        GiveUp(msg.to_string())
    }
}

impl From<serde_json::Error> for GiveUp {
    fn from(error: serde_json::Error) -> Self {
        GiveUp(error.to_string())
    }
}

struct Reader<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    depth_left: u16,
}

impl<'de> Reader<'de> {
    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Result<u8, GiveUp> {
        self.skip_whitespace();
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| GiveUp::at("end of input", self.pos))
    }

    #[inline]
    fn literal(&mut self, literal: &[u8]) -> Result<(), GiveUp> {
        if self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(literal))
        {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(GiveUp::at("invalid literal", self.pos))
        }
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), GiveUp> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(GiveUp::at("unexpected byte", self.pos))
        }
    }

    /// For the string whose opening quote is at `self.pos`: the index of its closing quote, and
    /// whether it has escapes.
    #[inline]
    fn string_end(&self) -> Result<(usize, bool), GiveUp> {
        let mut escaped = false;
        let mut i = self.pos + 1;
        loop {
            // Eight bytes at a time while none of them is a quote, a backslash or a control character.
            while let Some(chunk) = self.bytes.get(i..i + 8) {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                if has_special_byte(word) {
                    break;
                }
                i += 8;
            }
            match self.bytes.get(i) {
                Some(b'"') => return Ok((i, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    // The escaped byte cannot end the string; `\uXXXX` has no quote in it.
                    i += 2;
                }
                Some(0..=0x1f) => return Err(GiveUp::at("control character in a string", i)),
                Some(_) => i += 1,
                None => return Err(GiveUp::at("unterminated string", self.pos)),
            }
        }
    }

    /// Reads the string at `self.pos` into `visitor`: borrowed from the text, or through `serde_json`
    /// when it has escapes.
    fn string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, GiveUp> {
        let (end, escaped) = self.string_end()?;
        let start = self.pos;
        self.pos = end + 1;
        if escaped {
            let mut json = serde_json::Deserializer::from_str(&self.text[start..=end]);
            return Ok(de::Deserializer::deserialize_any(&mut json, visitor)?);
        }
        visitor.visit_borrowed_str(&self.text[start + 1..end])
    }

    /// Reads the key (a string) at `self.pos`: borrowed from the text, or through `serde_json` when it
    /// has escapes.
    fn key_name(&mut self) -> Result<KeyName<'de>, GiveUp> {
        let (end, escaped) = self.string_end()?;
        let start = self.pos;
        self.pos = end + 1;
        Ok(if escaped {
            KeyName::Owned(serde_json::from_str::<String>(&self.text[start..=end])?)
        } else {
            KeyName::Borrowed(&self.text[start + 1..end])
        })
    }

    /// Reads the number at `self.pos` into `visitor`: a small integer in place (as `serde_json` reads
    /// it, `u64` when not negative), any other number through `serde_json`.
    fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, GiveUp> {
        let start = self.pos;
        let negative = self.bytes.get(start) == Some(&b'-');
        let digits_start = start + usize::from(negative);
        // Digits first, accumulated as they are scanned (the usual ids and picklist values).
        let mut end = digits_start;
        let mut magnitude: u64 = 0;
        while let Some(&digit @ b'0'..=b'9') = self.bytes.get(end) {
            magnitude = magnitude
                .wrapping_mul(10)
                .wrapping_add(u64::from(digit - b'0'));
            end += 1;
        }
        let digits = end - digits_start;
        let plain = !matches!(self.bytes.get(end), Some(b'.' | b'e' | b'E' | b'-' | b'+'))
            && (1..=18).contains(&digits)
            && (self.bytes[digits_start] != b'0' || digits == 1);
        if plain {
            self.pos = end;
            return match (negative, magnitude) {
                (false, n) => visitor.visit_u64(n),
                // `-0` is a float in serde_json.
                (true, 0) => visitor.visit_f64(-0.0),
                (true, n) => visitor.visit_i64(-(n as i64)),
            };
        }
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.bytes.get(end) {
            end += 1;
        }
        self.pos = end;
        let mut json = serde_json::Deserializer::from_str(&self.text[start..end]);
        let value = de::Deserializer::deserialize_any(&mut json, visitor)?;
        json.end()?;
        Ok(value)
    }

    /// After a key: whether its value is `null`, which is then consumed; otherwise nothing is.
    #[inline]
    fn null_value_follows(&mut self) -> bool {
        let key_end = self.pos;
        if self.expect(b':').is_ok() && self.peek().is_ok_and(|b| b == b'n') {
            let after = self.bytes.get(self.pos + 4).copied();
            let delimited = matches!(
                after,
                Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') | None
            );
            if delimited && self.literal(b"null").is_ok() {
                return true;
            }
        }
        self.pos = key_end;
        false
    }

    fn enter(&mut self) -> Result<(), GiveUp> {
        self.depth_left = self
            .depth_left
            .checked_sub(1)
            .ok_or_else(|| GiveUp::at("nesting too deep", self.pos))?;
        Ok(())
    }

    /// Reads the array at `self.pos` (its `[` next) into `visitor`.
    fn array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, GiveUp> {
        self.enter()?;
        self.pos += 1;
        let value = visitor.visit_seq(Elements {
            reader: self,
            first: true,
        })?;
        self.expect(b']')?;
        self.depth_left += 1;
        Ok(value)
    }

    /// Reads the object at `self.pos` (its `{` next) into `visitor`; `fields` are a record's field
    /// names, when its keys go to the visitor as field indexes.
    fn object<V: Visitor<'de>>(
        &mut self,
        visitor: V,
        fields: Option<&'static [&'static str]>,
    ) -> Result<V::Value, GiveUp> {
        self.enter()?;
        self.pos += 1;
        let value = visitor.visit_map(Entries {
            reader: self,
            first: true,
            fields,
            expected: 0,
            highest: 0,
        })?;
        self.expect(b'}')?;
        self.depth_left += 1;
        Ok(value)
    }

    /// Before an element or entry: `false` at the end of the list (its closing byte not consumed).
    #[inline(always)]
    fn has_next(&mut self, first: &mut bool, close: u8) -> Result<bool, GiveUp> {
        let next = self.peek()?;
        if next == close && *first {
            return Ok(false);
        }
        if !*first {
            if next == close {
                return Ok(false);
            }
            if next != b',' {
                return Err(GiveUp::at("expected `,`", self.pos));
            }
            self.pos += 1;
            // `[1,]` and `{"a":1,}` are not JSON.
            if self.peek()? == close {
                return Err(GiveUp::at("trailing comma", self.pos));
            }
        }
        *first = false;
        Ok(true)
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.peek()? {
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            b'"' => self.string(visitor),
            b'-' | b'0'..=b'9' => self.number(visitor),
            b'[' => self.array(visitor),
            b'{' => self.object(visitor, None),
            _ => Err(GiveUp::at("not a JSON value", self.pos)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        if name == RECORD_STRUCT && self.peek()? == b'{' {
            self.object(visitor, Some(fields))
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        // `serde_json`'s own types (`RawValue`, `Number` with arbitrary precision) need its reader.
        if name.starts_with("$serde_json") {
            return Err(GiveUp(format!("{name} needs serde_json")));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, GiveUp> {
        Err(GiveUp(format!("enum {name} is left to serde_json")))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, GiveUp> {
        Err(GiveUp("bytes are left to serde_json".into()))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, GiveUp> {
        Err(GiveUp("bytes are left to serde_json".into()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string unit unit_struct seq
        tuple tuple_struct map identifier ignored_any
    }
}

struct Elements<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = GiveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, GiveUp> {
        if !self.reader.has_next(&mut self.first, b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

struct Entries<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
    /// A record's field names: its keys go to the visitor as indexes into them.
    fields: Option<&'static [&'static str]>,
    /// The field the next key probably is (the one after the last matched).
    expected: usize,
    /// The highest field index seen in this record so far.
    highest: usize,
}

impl<'de> Entries<'_, 'de> {
    /// The key at `reader.pos` as the index of a field, when it is `fields[expected]` (the usual case,
    /// checked in place without scanning the key first).
    #[inline]
    fn expected_field(&self, fields: &[&str]) -> Option<usize> {
        let name = fields.get(self.expected)?.as_bytes();
        let key = self.reader.bytes.get(self.reader.pos + 1..)?;
        // A field name is a plain identifier, so its text in the answer is its name between quotes.
        let matches = key.get(name.len()) == Some(&b'"') && same_prefix(key, name);
        matches.then_some(self.expected)
    }

    /// The usual entry of a compact answer: `,"field":` for the expected field, read in one step. Its
    /// value is skipped when it is the field's first `null` (see `next_key_seed` for why that is
    /// safe), and otherwise left for the visitor. Anything else is left (nothing consumed) for the
    /// general path.
    #[inline(always)]
    fn compact_entry(&mut self, fields: &[&str]) -> Compact {
        let bytes = self.reader.bytes;
        let mut pos = self.reader.pos;
        if !self.first {
            if bytes.get(pos) != Some(&b',') {
                return Compact::Other;
            }
            pos += 1;
        }
        let Some(name) = fields.get(self.expected) else {
            return Compact::Other;
        };
        let name = name.as_bytes();
        let closing_quote = pos + 1 + name.len();
        let quoted = bytes.get(pos) == Some(&b'"')
            && bytes.get(closing_quote) == Some(&b'"')
            && bytes
                .get(pos + 1..)
                .is_some_and(|key| same_prefix(key, name));
        if !quoted {
            return Compact::Other;
        }
        let index = self.expected;
        let after_key = closing_quote + 1;
        // The guess only moves forward, so the expected field has not been seen yet; checked anyway.
        let skip = index > self.highest
            && bytes.get(after_key..after_key + 5) == Some(b":null".as_slice())
            && matches!(bytes.get(after_key + 5), Some(b',' | b'}'));
        self.first = false;
        self.highest = self.highest.max(index);
        self.expected = index + 1;
        if skip {
            self.reader.pos = after_key + 5;
            Compact::Skipped
        } else {
            self.reader.pos = after_key;
            Compact::Field(index)
        }
    }

    /// Reads the key at `reader.pos` (not the expected field): the index of the field it names, or
    /// the key itself when it names none.
    fn scan_key(&mut self, fields: &[&str]) -> Result<Result<usize, KeyName<'de>>, GiveUp> {
        let name = self.reader.key_name()?;
        let text = match &name {
            KeyName::Borrowed(text) => text,
            KeyName::Owned(text) => text.as_str(),
        };
        Ok(crate::model::read::field_index(fields, text, self.expected).ok_or(name))
    }
}

/// What [`Entries::compact_entry`] made of the next entry.
enum Compact {
    /// A first `null`, skipped.
    Skipped,
    /// The expected field's key, read; its value is next.
    Field(usize),
    /// Something else, left for the general path.
    Other,
}

/// A key as the visitor gets it: text, as `serde_json` gives it (keys of other types, such as the
/// integer keys `serde_json` parses out of strings, fail here and are left to it).
enum KeyName<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> de::Deserializer<'de> for KeyName<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self {
            KeyName::Borrowed(name) => visitor.visit_borrowed_str(name),
            KeyName::Owned(name) => visitor.visit_string(name),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = GiveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, GiveUp> {
        loop {
            if let Some(fields) = self.fields {
                match self.compact_entry(fields) {
                    Compact::Skipped => continue,
                    Compact::Field(index) => {
                        return seed
                            .deserialize(U64Deserializer::new(index as u64))
                            .map(Some)
                    }
                    Compact::Other => {}
                }
            }
            if !self.reader.has_next(&mut self.first, b'}')? {
                return Ok(None);
            }
            if self.reader.peek()? != b'"' {
                return Err(GiveUp::at("a key is not a string", self.reader.pos));
            }
            let Some(fields) = self.fields else {
                return seed.deserialize(self.reader.key_name()?).map(Some);
            };
            let index = match self.expected_field(fields) {
                Some(index) => {
                    self.reader.pos += fields[index].len() + 2;
                    index
                }
                None => match self.scan_key(fields)? {
                    Ok(index) => index,
                    Err(name) => return seed.deserialize(name).map(Some),
                },
            };
            // A field out of order (`id` among the others) does not move the guess.
            if index >= self.expected {
                self.expected = index + 1;
            }
            // A record reads `null` as its empty value for every field but the first (`id`), so the
            // first `null` of such a field changes nothing and is skipped here. Only the first: a
            // later `null` of a field clears its earlier value, and an index above every index seen
            // so far has not been seen.
            let first_time = index > self.highest;
            self.highest = self.highest.max(index);
            if first_time && self.reader.null_value_follows() {
                continue;
            }
            return seed
                .deserialize(U64Deserializer::new(index as u64))
                .map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, GiveUp> {
        self.reader.expect(b':')?;
        seed.deserialize(&mut *self.reader)
    }
}

/// Whether any byte of `word` is `"`, `\\` or below 0x20 (the bytes that end a plain run of a string).
#[inline(always)]
fn has_special_byte(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let quote = zero_byte(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control != 0
}

/// Whether `text` starts with `prefix`, compared eight bytes at a time: field names are short, and a
/// call to `memcmp` for each key costs more than the comparison.
#[inline(always)]
fn same_prefix(text: &[u8], prefix: &[u8]) -> bool {
    let Some(text) = text.get(..prefix.len()) else {
        return false;
    };
    let mut text_chunks = text.chunks_exact(8);
    let mut prefix_chunks = prefix.chunks_exact(8);
    for (a, b) in (&mut text_chunks).zip(&mut prefix_chunks) {
        if u64::from_ne_bytes(a.try_into().unwrap_or_default())
            != u64::from_ne_bytes(b.try_into().unwrap_or_default())
        {
            return false;
        }
    }
    text_chunks
        .remainder()
        .iter()
        .zip(prefix_chunks.remainder())
        .all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::from_str;
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use std::fmt::Debug;

    /// The reader's promise: when it reads a text, it reads it as `serde_json` does. Returns whether it
    /// read it.
    fn agrees<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> bool {
        match (from_str::<T>(text), serde_json::from_str::<T>(text)) {
            (Ok(fast), Ok(slow)) => {
                assert_eq!(fast, slow, "read differently: {text}");
                true
            }
            (Ok(fast), Err(error)) => {
                panic!("read what serde_json refuses ({error}): {text} as {fast:?}")
            }
            (Err(_), _) => false,
        }
    }

    #[test]
    fn json_values_read_as_serde_json_reads_them() {
        let texts = [
            r#"{"a":1,"b":-2,"c":-0,"d":1.5,"e":1e3,"f":-1.25E-2,"g":18446744073709551615}"#,
            r#"[18446744073709551616,-9223372036854775808,123456789012345678,1234567890123456789,0]"#,
            r#"[0.1,-1e-400,2.5e+3,100000000000000000000000]"#,
            r#"["plain","esc\"aped","tab\t","\u00e9t\u00e9","\ud83d\ude00","ünïcödé 😀","a\/b",""]"#,
            r#"{"a":{"b":[[],{},[{"c":null}]]},"t":true,"f":false,"n":null}"#,
            " \n{ \"a\" : [ 1 , 2 ] ,\t\"b\" :\tnull , \"c\" : { } }\r\n",
            r#"{"a":1,"a":2}"#,
            r#"{"k\u0065y":1,"key":2}"#,
            r#""top-level string""#,
            "42",
            "-7",
            "null",
        ];
        for text in texts {
            assert!(agrees::<Value>(text), "not read: {text}");
        }
        // Escapes and quotes at every offset around the eight-byte steps of the string scan.
        for length in 0..40 {
            for at in 0..=length {
                let mut plain = "x".repeat(length);
                plain.insert_str(at, "\\\"");
                assert!(agrees::<Value>(&format!(
                    "[\"{plain}\",\"{}\"]",
                    "y".repeat(at)
                )));
            }
        }
    }

    #[test]
    fn what_is_not_json_is_never_read() {
        let texts = [
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "[01]",
            "[1.]",
            "[-]",
            "[.5]",
            "[+1]",
            "[1e]",
            "[NaN]",
            "[1e400]",
            "[1 2]",
            "{1:2}",
            r#"{"a":1}x"#,
            r#"{"a":nulll}"#,
            r#"{"a":nul}"#,
            "tru",
            "[\"a\u{1}b\"]",
            "[\"a\tb\"]",
            r#"["unterminated"#,
            r#"["\x"]"#,
            r#"["\ud800"]"#,
            "",
            "   ",
            "[",
            "{",
        ];
        for text in texts {
            assert!(!agrees::<Value>(text), "read: {text:?}");
        }
    }

    #[test]
    fn nesting_beyond_serde_jsons_limit_is_refused_without_overflowing_the_stack() {
        for depth in [126, 127, 128, 129, 10_000] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let fast = from_str::<Value>(&text).is_ok();
            let slow = serde_json::from_str::<Value>(&text).is_ok();
            assert_eq!(fast, slow, "depth {depth}");
        }
    }

    /// Every one-byte change of a small page of records, read as JSON values and as typed records:
    /// the reader never reads one differently from `serde_json`, and never reads one it refuses.
    #[cfg(feature = "service_desk")]
    #[test]
    fn damaged_records_are_read_as_serde_json_reads_them_or_not_at_all() {
        use crate::entities::Ticket;
        let page = r#"[{"id":1,"title":"Printer \"down\"","status":5,"estimatedHours":1.25,"createDate":"2026-10-01T09:32:00Z","description":null,"userDefinedFields":[{"name":"U","value":null}],"brandNew":[1,{"x":null}]},{"id":2,"title":null,"status":null}]"#;
        assert!(agrees::<Vec<Ticket>>(page));
        let alphabet = b"{}[],:\"\\ 0159nulltrue.-eE/xu";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound as u64) as usize
        };
        let mut read = 0;
        for _ in 0..4000 {
            let mut bytes = page.as_bytes().to_vec();
            let at = next(bytes.len());
            match next(3) {
                0 => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, alphabet[next(alphabet.len())]),
                _ => bytes[at] = alphabet[next(alphabet.len())],
            }
            let text = String::from_utf8(bytes).expect("ASCII changes keep UTF-8");
            agrees::<Value>(&text);
            read += usize::from(agrees::<Vec<Ticket>>(&text));
        }
        // Most changes land inside strings or values and still make a page: the check saw many.
        assert!(read > 500, "only {read} damaged pages were read");
    }

    #[cfg(feature = "service_desk")]
    #[test]
    fn records_read_as_serde_json_reads_them_whatever_the_key_order() {
        use crate::entities::Ticket;
        let pages = [
            // A later null clears an earlier value, in order and out of order.
            r#"[{"id":1,"title":"a","title":null}]"#,
            r#"[{"title":"x","id":2,"title":null}]"#,
            r#"[{"id":3,"status":5,"title":null,"status":null}]"#,
            r#"[{"status":null,"id":3,"status":7}]"#,
            // Unknown fields go to `extra`; an escaped key still names its field.
            r#"[{"id":4,"brandNewField":{"x":[1]},"ti\u0074le":"t"}]"#,
            // Reverse order, and whitespace everywhere.
            r#"[ { "title" : null , "status" : 1 , "id" : 5 } ]"#,
            // `id` alone; a list of UDFs as null.
            r#"[{"id":6},{"id":7,"userDefinedFields":null}]"#,
        ];
        for page in pages {
            assert!(agrees::<Vec<Ticket>>(page), "not read: {page}");
        }
        // Refused by both: no id, a null id, a value of the wrong type.
        for page in [
            r#"[{"title":null}]"#,
            r#"[{"id":null}]"#,
            r#"[{"id":1,"status":"open"}]"#,
        ] {
            assert!(!agrees::<Vec<Ticket>>(page), "read: {page}");
            assert!(serde_json::from_str::<Vec<Ticket>>(page).is_err());
        }
    }
}

//! The JSON text of a webhook callout, escaped the way Autotask escapes it before signing
//! (PROTOCOL.md §6.8): inside string values, `&`, `<`, `>`, `'`, `"`, `` ` `` and `+`, and every non-ASCII
//! character, are written as `\uXXXX` with upper-case hex (characters beyond the Basic Multilingual
//! Plane as a surrogate pair). Other characters that JSON must escape use the short forms (`\\`, `\n`,
//! ...) or `\u00XX` for the remaining control characters. The text is ASCII throughout.

use serde_json::Value;
use std::fmt::Write as _;

/// Appends `value` as escaped JSON text.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `text` as an escaped JSON string, quotes included.
pub fn write_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '&' | '<' | '>' | '\'' | '"' | '`' | '+' => push_unit(out, c as u16),
            c if c.is_ascii_control() || !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    push_unit(out, *unit);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_unit(out: &mut String, unit: u16) {
    let _ = write!(out, "\\u{unit:04X}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_the_listed_characters_and_non_ascii() {
        let mut out = String::new();
        write_value(
            &mut out,
            &json!({"t": "A & B <c> +1 'q' \"d\" `e` caf\u{e9} \u{1F600} \\ \n\u{1}", "n": [1, 2.5, null, true]}),
        );
        assert_eq!(
            out,
            r#"{"n":[1,2.5,null,true],"t":"A \u0026 B \u003Cc\u003E \u002B1 \u0027q\u0027 \u0022d\u0022 \u0060e\u0060 caf\u00E9 \uD83D\uDE00 \\ \n\u0001"}"#
        );
        // Still JSON, and the same value.
        let back: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            back["t"],
            "A & B <c> +1 'q' \"d\" `e` caf\u{e9} \u{1F600} \\ \n\u{1}"
        );
    }
}

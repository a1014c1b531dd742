//! CSV output (RFC 4180) shared by the analytics and export services.

use serde_json::Value;
use std::io::{self, Write};

/// Writes one CSV record terminated by CRLF (RFC 4180).
///
/// A cell is quoted when it contains a comma, a double quote, CR or LF, or starts or ends with
/// whitespace; quotes inside are doubled. JSON `null` is an empty cell, strings are written as they are,
/// numbers and booleans in their JSON form, arrays and objects as compact JSON text.
///
/// ```
/// use serde_json::json;
/// let mut out = Vec::new();
/// autotask::services::write_csv_row(&mut out, &[json!("a,b"), json!("say \"hi\""), json!(null), json!(3)]).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "\"a,b\",\"say \"\"hi\"\"\",,3\r\n");
/// ```
pub fn write_csv_row<W: Write + ?Sized>(writer: &mut W, cells: &[Value]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let text = match cell {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        push_cell(&mut line, &text);
    }
    line.push_str("\r\n");
    writer.write_all(line.as_bytes())
}

fn push_cell(line: &mut String, text: &str) {
    let needs_quotes = text.contains([',', '"', '\r', '\n'])
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if needs_quotes {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_only_where_needed() {
        let mut out = Vec::new();
        write_csv_row(
            &mut out,
            &[
                json!("plain"),
                json!("line\nbreak"),
                json!(" padded"),
                json!(true),
                json!([{"name": "x"}]),
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain,\"line\nbreak\",\" padded\",true,\"[{\"\"name\"\":\"\"x\"\"}]\"\r\n"
        );
    }
}

//! CSV encoding (RFC 4180 through the `csv` crate) shared by the analytics and export services: one line
//! at a time into a reused buffer, so the caller knows each line's length (the export's file position).

use serde_json::Value;
use std::io;

/// Encodes records as CSV lines terminated by CRLF. Cells are quoted by the `csv` crate when they hold a
/// comma, a double quote, CR or LF; quotes inside are doubled.
///
/// A cell is: JSON `null` (or a missing value) empty, a string as it is, a number or boolean in its
/// JSON form, an array or object as compact JSON text.
pub(crate) struct CsvLines {
    /// Writes into its `Vec`; the current line starts at `start` (the `csv` writer has no way to empty
    /// its `Vec`, so a fresh writer replaces it once the used part grows past [`REUSE_BYTES`]).
    writer: ::csv::Writer<Vec<u8>>,
    start: usize,
    scratch: Vec<u8>,
    escape_formulas: bool,
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection": `=`,
/// `+`, `-`, `@`, and tab and carriage return, which some spreadsheets skip before looking).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Bytes of finished lines kept in the writer's `Vec` before a fresh writer replaces it.
const REUSE_BYTES: usize = 64 * 1024;

fn new_writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::with_capacity(REUSE_BYTES + 4096))
}

impl CsvLines {
    /// With `escape_formulas`, a string cell that starts with one of [`FORMULA_STARTS`] is written with a
    /// leading `'`, which spreadsheets show as text instead of running it.
    pub(crate) fn new(escape_formulas: bool) -> Self {
        Self {
            writer: new_writer(),
            start: 0,
            scratch: Vec::new(),
            escape_formulas,
        }
    }

    /// A header line of `names` (never escaped: they are field names).
    pub(crate) fn header<'a>(
        &mut self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> io::Result<&[u8]> {
        self.start_line();
        for name in names {
            self.writer.write_field(name).map_err(into_io)?;
        }
        self.finish_line()
    }

    /// One line of `cells`; the bytes stay valid until the next call.
    pub(crate) fn line<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Option<&'a Value>>,
    ) -> io::Result<&[u8]> {
        self.start_line();
        for cell in cells {
            self.cell(cell)?;
        }
        self.finish_line()
    }

    fn cell(&mut self, cell: Option<&Value>) -> io::Result<()> {
        let field: &[u8] = match cell {
            None | Some(Value::Null) => b"",
            Some(Value::String(text)) => {
                if self.escape_formulas && text.starts_with(FORMULA_STARTS) {
                    self.scratch.clear();
                    self.scratch.push(b'\'');
                    self.scratch.extend_from_slice(text.as_bytes());
                    &self.scratch
                } else {
                    text.as_bytes()
                }
            }
            Some(other) => {
                self.scratch.clear();
                serde_json::to_writer(&mut self.scratch, other).map_err(io::Error::other)?;
                &self.scratch
            }
        };
        self.writer.write_field(field).map_err(into_io)
    }

    fn start_line(&mut self) {
        self.start = self.writer.get_ref().len();
        if self.start > REUSE_BYTES {
            self.writer = new_writer();
            self.start = 0;
        }
    }

    fn finish_line(&mut self) -> io::Result<&[u8]> {
        // An empty record ends the line the fields above started.
        self.writer.write_record(None::<&[u8]>).map_err(into_io)?;
        self.writer.flush()?;
        Ok(&self.writer.get_ref()[self.start..])
    }
}

fn into_io(error: ::csv::Error) -> io::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(escape: bool, cells: &[Value]) -> String {
        let mut csv = CsvLines::new(escape);
        let bytes = csv.line(cells.iter().map(Some)).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn quotes_only_where_needed() {
        let cells = [
            json!("plain"),
            json!("line\nbreak"),
            json!("a,b"),
            json!("say \"hi\""),
            json!(null),
            json!(true),
            json!(-3),
            json!([{"name": "x"}]),
        ];
        assert_eq!(
            line(false, &cells),
            "plain,\"line\nbreak\",\"a,b\",\"say \"\"hi\"\"\",,true,-3,\"[{\"\"name\"\":\"\"x\"\"}]\"\r\n"
        );
    }

    #[test]
    fn formulas_are_escaped_only_when_asked_and_only_in_text() {
        let cells = [
            json!("=SUM(A1)"),
            json!("+1"),
            json!("-2"),
            json!("@cmd"),
            json!("\tx"),
            json!("\rx"),
            json!("a=b"),
            json!(-5),
        ];
        assert_eq!(
            line(true, &cells),
            "'=SUM(A1),'+1,'-2,'@cmd,'\tx,\"'\rx\",a=b,-5\r\n"
        );
        assert_eq!(
            line(false, &cells),
            "=SUM(A1),+1,-2,@cmd,\tx,\"\rx\",a=b,-5\r\n"
        );
    }

    #[test]
    fn each_line_replaces_the_previous_one() {
        let mut csv = CsvLines::new(false);
        assert_eq!(csv.header(["id", "title"]).unwrap(), b"id,title\r\n");
        let second = csv.line([Some(&json!(1)), None]).unwrap();
        assert_eq!(second, b"1,\r\n");
        let long = "x".repeat(1000);
        for i in 0..200 {
            let line = csv.line([Some(&json!(i)), Some(&json!(long))]).unwrap();
            assert_eq!(line, format!("{i},{long}\r\n").as_bytes());
        }
    }
}

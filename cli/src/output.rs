//! Output formats: a readable table on a terminal (picklist labels shown), JSON Lines when piped, or
//! what `--format` asks for. Records are written as they arrive (a table waits for the last one to size
//! its columns).

use crate::error::{CliError, Exit, Result};
use crate::sdk::Picklist;
use crate::values;
use clap::ValueEnum;
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns, picklist labels instead of values.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header line.
    Csv,
}

impl Format {
    /// `--format`, or a table on a terminal and JSON Lines otherwise.
    pub fn choose(explicit: Option<Format>) -> Format {
        explicit.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Jsonl
            }
        })
    }
}

/// The value of `column` in `record`: a field (any case), or `udf.Name` from `userDefinedFields`.
pub fn cell<'a>(record: &'a Value, column: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    let Some(object) = record.as_object() else {
        return &NULL;
    };
    if let Some(name) = column.strip_prefix("udf.") {
        return object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("userDefinedFields"))
            .and_then(|(_, list)| list.as_array())
            .and_then(|list| {
                list.iter().find(|u| {
                    u.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            })
            .and_then(|u| u.get("value"))
            .unwrap_or(&NULL);
    }
    object
        .get(column)
        .or_else(|| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(column))
                .map(|(_, v)| v)
        })
        .unwrap_or(&NULL)
}

/// A value as one line of text: strings as they are, null empty, a list of texts comma-separated, the
/// rest as compact JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A table cell: like [`text`], with yes/no for booleans.
fn table_text(value: &Value) -> String {
    match value {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => text(other),
    }
}

/// The record with only `columns` (each by [`cell`]).
pub fn project(record: &Value, columns: &[String]) -> Value {
    let object: Map<String, Value> = columns
        .iter()
        .map(|c| (c.clone(), cell(record, c).clone()))
        .collect();
    Value::Object(object)
}

/// Writes records in one format.
pub struct RecordWriter {
    format: Format,
    out: Box<dyn Write>,
    /// Empty: every field of each record, as it came (JSON formats only).
    columns: Vec<String>,
    labels: BTreeMap<String, Picklist>,
    rows: Vec<Vec<String>>,
    csv: Option<csv::Writer<Box<dyn Write>>>,
    written: u64,
}

impl RecordWriter {
    /// A writer to standard output. `labels` (picklists by field wire name) are shown in tables.
    pub fn stdout(
        format: Format,
        columns: Vec<String>,
        labels: BTreeMap<String, Picklist>,
    ) -> Result<RecordWriter> {
        Self::new(
            format,
            Box::new(std::io::BufWriter::new(std::io::stdout())),
            columns,
            labels,
        )
    }

    pub fn new(
        format: Format,
        out: Box<dyn Write>,
        columns: Vec<String>,
        labels: BTreeMap<String, Picklist>,
    ) -> Result<RecordWriter> {
        let mut writer = RecordWriter {
            format,
            out,
            columns,
            labels,
            rows: Vec::new(),
            csv: None,
            written: 0,
        };
        if format == Format::Csv {
            let sink = std::mem::replace(&mut writer.out, Box::new(std::io::sink()));
            let mut csv = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(sink);
            csv.write_record(&writer.columns).map_err(csv_error)?;
            writer.csv = Some(csv);
        }
        if format == Format::Json {
            writer.out.write_all(b"[").map_err(write_error)?;
        }
        Ok(writer)
    }

    /// Records written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    fn project(&self, record: &Value) -> Value {
        if self.columns.is_empty() {
            return record.clone();
        }
        project(record, &self.columns)
    }

    pub fn write(&mut self, record: &Value) -> Result<()> {
        match self.format {
            Format::Table => {
                let row = self
                    .columns
                    .iter()
                    .map(|c| {
                        let value = cell(record, c);
                        self.labels
                            .get(c.as_str())
                            .and_then(|p| values::label_of(p, value))
                            .map_or_else(|| table_text(value), str::to_string)
                    })
                    .collect();
                self.rows.push(row);
            }
            Format::Json => {
                let projected = self.project(record);
                let separator: &[u8] = if self.written == 0 { b"\n" } else { b",\n" };
                self.out.write_all(separator).map_err(write_error)?;
                let pretty =
                    serde_json::to_string_pretty(&projected).map_err(|e| write_error(e.into()))?;
                // Indented one level inside the array.
                for (i, line) in pretty.lines().enumerate() {
                    let newline = if i == 0 { "" } else { "\n" };
                    write!(self.out, "{newline}  {line}").map_err(write_error)?;
                }
            }
            Format::Jsonl => {
                let projected = self.project(record);
                serde_json::to_writer(&mut self.out, &projected)
                    .map_err(|e| write_error(e.into()))?;
                self.out.write_all(b"\n").map_err(write_error)?;
            }
            Format::Csv => {
                let cells: Vec<String> =
                    self.columns.iter().map(|c| text(cell(record, c))).collect();
                if let Some(csv) = self.csv.as_mut() {
                    csv.write_record(&cells).map_err(csv_error)?;
                }
            }
        }
        self.written += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        match self.format {
            Format::Table => {
                if !self.rows.is_empty() || !self.columns.is_empty() {
                    let mut table = Table::new();
                    table
                        .load_preset(presets::NOTHING)
                        .set_content_arrangement(ContentArrangement::Disabled)
                        .set_header(self.columns.iter().map(|c| c.to_uppercase()));
                    for row in &self.rows {
                        table.add_row(row);
                    }
                    let rendered = table.to_string();
                    for line in rendered.lines() {
                        // The preset pads every column by one space; the first needs none.
                        let line = line.strip_prefix(' ').unwrap_or(line);
                        writeln!(self.out, "{}", line.trim_end()).map_err(write_error)?;
                    }
                }
            }
            Format::Json => {
                let end: &[u8] = if self.written == 0 { b"]\n" } else { b"\n]\n" };
                self.out.write_all(end).map_err(write_error)?;
            }
            Format::Jsonl => {}
            Format::Csv => {
                if let Some(csv) = self.csv.take() {
                    let mut out = csv.into_inner().map_err(|e| write_error(e.into_error()))?;
                    out.flush().map_err(write_error)?;
                }
            }
        }
        self.out.flush().map_err(write_error)
    }
}

/// Prints one JSON value (`--format json`/`jsonl`) or the text for people.
pub fn print_value(format: Format, value: &Value, human: impl FnOnce() -> String) -> Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default(),
        Format::Jsonl => value.to_string(),
        Format::Table | Format::Csv => human(),
    };
    emit(text.trim_end())
}

/// Writing to standard output failed; a closed pipe (`| head`) is not worth a message.
fn write_error(error: std::io::Error) -> CliError {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::new(Exit::Success, "output closed").silent()
    } else {
        CliError::io("cannot write the output", error)
    }
}

fn csv_error(error: csv::Error) -> CliError {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => write_error(io),
        other => CliError::failure(format!("cannot write CSV: {other:?}")),
    }
}

/// Writes `text` to standard output (a newline added when missing).
pub fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(write_error)?;
    if !text.ends_with('\n') {
        out.write_all(b"\n").map_err(write_error)?;
    }
    out.flush().map_err(write_error)
}

/// True when progress bars should be drawn: stderr is a terminal.
pub fn progress_visible() -> bool {
    std::io::stderr().is_terminal()
}

/// A progress bar to stderr for `len` items of `name` (records done of the total, rate, ETA), drawn
/// only on a terminal.
pub fn progress_bar(len: u64, name: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if progress_visible() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    let style =
        ProgressStyle::with_template("{prefix:>20} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(name.to_string());
    bar
}

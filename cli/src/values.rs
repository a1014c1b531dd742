//! Turning what a user typed (`Medium`, `17`, `2024-05-01`, `true`) into the JSON value a field takes,
//! by the field's type; picklist labels become their values. Shared by `--where` and `--set`.

use crate::sdk::{self, DataType, FieldMeta, Picklist};
use serde_json::Value;

/// A value as typed: bare or quoted text, or a number literal (kept as text to keep its exact digits).
#[derive(Debug, Clone, PartialEq)]
pub enum Typed<'a> {
    Text(&'a str),
    Number(&'a str),
    Bool(bool),
}

impl Typed<'_> {
    fn text(&self) -> String {
        match self {
            Typed::Text(t) | Typed::Number(t) => (*t).to_string(),
            Typed::Bool(b) => b.to_string(),
        }
    }
}

/// The JSON value of `input` for `field`, or why it does not fit.
pub fn field_value(
    entity: &str,
    field: &FieldMeta,
    input: &Typed<'_>,
    picklist: Option<&Picklist>,
) -> Result<Value, String> {
    if field.is_picklist() {
        return picklist_value(entity, field, input, picklist);
    }
    let text = input.text();
    let trimmed = text.trim();
    let wrong = |expected: &str| {
        format!(
            "{entity}.{} is {expected}, and {} is not",
            field.name,
            shown(input)
        )
    };
    match field.data_type {
        DataType::Integer | DataType::Short | DataType::Long => match input {
            Typed::Bool(_) => Err(wrong("a whole number")),
            _ => trimmed
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| wrong("a whole number")),
        },
        DataType::Double | DataType::Decimal => match input {
            Typed::Bool(_) => Err(wrong("a number")),
            _ => number(trimmed).ok_or_else(|| wrong("a number")),
        },
        DataType::Boolean => match input {
            Typed::Bool(b) => Ok(Value::Bool(*b)),
            _ => match trimmed.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "0" => Ok(Value::Bool(false)),
                _ => Err(wrong("true or false")),
            },
        },
        DataType::DateTime => sdk::datetime(trimmed)
            .map(Value::String)
            .ok_or_else(|| wrong("a date (2024-05-01) or date-time (2024-05-01T13:00:00Z)")),
        _ => Ok(Value::String(text)),
    }
}

/// A number literal as JSON, keeping integers integral and decimals exact in their digits.
fn number(text: &str) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    let parsed: f64 = text.parse().ok().filter(|f: &f64| f.is_finite())?;
    // serde_json keeps the digits as written when the value round-trips; else the nearest double.
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_number)
        .or_else(|| serde_json::Number::from_f64(parsed).map(Value::Number))
}

fn shown(input: &Typed<'_>) -> String {
    match input {
        Typed::Text(t) => format!("{t:?}"),
        Typed::Number(t) => (*t).to_string(),
        Typed::Bool(b) => b.to_string(),
    }
}

fn picklist_value(
    entity: &str,
    field: &FieldMeta,
    input: &Typed<'_>,
    picklist: Option<&Picklist>,
) -> Result<Value, String> {
    let text = input.text();
    if let Ok(number) = text.trim().parse::<i64>() {
        return Ok(Value::from(number));
    }
    if matches!(input, Typed::Bool(_)) {
        return Err(format!(
            "{entity}.{} is a picklist: give a label or a value",
            field.name
        ));
    }
    let Some(picklist) = picklist else {
        return Err(format!(
            "{entity}.{}: the tenant's picklist is not available to look up {text:?}",
            field.name
        ));
    };
    label_value(picklist, &text)
}

/// The value of the entry labelled `label`: exactly, else case-insensitively when that is unambiguous
/// (the SDK's [`Picklist::resolve`]).
pub fn label_value(picklist: &Picklist, label: &str) -> Result<Value, String> {
    let entry = picklist
        .resolve(label)
        .map_err(|e| sdk::plain_message(&e))?;
    entry
        .as_i64()
        .map(Value::from)
        .ok_or_else(|| format!("the picklist value {:?} is not a number", entry.value))
}

/// The label of a picklist `value` on a record, if the picklist has it.
pub fn label_of<'p>(picklist: &'p Picklist, value: &Value) -> Option<&'p str> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    picklist.entry(&text).map(|v| v.label.as_str())
}

/// The closest of `candidates` to `wanted` (case-insensitive edit distance), when close enough to be a
/// likely typo.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (distance(&wanted, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let names = ["status", "priority", "title"];
        assert_eq!(closest("stauts", names), Some("status"));
        assert_eq!(closest("PRIORTY", names), Some("priority"));
        assert_eq!(closest("zzz", names), None);
    }

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(number("12"), Some(Value::from(12)));
        assert_eq!(number("12.50").unwrap().to_string(), "12.5");
        assert_eq!(number("abc"), None);
        assert_eq!(number("NaN"), None);
    }
}

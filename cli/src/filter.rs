//! The `--where` language: conditions on field names (checked against the schema, any case), every
//! Autotask operator, `and`/`or` with parentheses (`and` binds tighter), UDF conditions and picklist labels.
//!
//! ```text
//! status != "Complete" and (priority = High or title contains "printer")
//! createDate >= 2024-01-01 and udf."Contract Level" = Gold
//! id in (1, 2, 3) and dueDateTime not exists
//! ```
//!
//! Parsing is pure ([`parse`]); [`resolve`] then checks names and values against the entity's metadata
//! and the tenant's picklists and UDFs, and builds the SDK's filters. Every error carries the position
//! of the mistake.

use crate::error::CliError;
use crate::sdk::{self, EntityMeta, Filter, Op, Picklist, UdfDefinitions};
use crate::values::{self, Typed};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;

/// The operators and their spellings, for `--help` and errors.
pub const OPERATOR_HELP: &str = "\
Filter language (--where):
  field = value        also ==, eq           field != value    also <>, noteq
  field > value        also gt               field >= value    also gte
  field < value        also lt               field <= value    also lte
  field contains \"text\"                      field beginsWith \"text\" (also startsWith)
  field endsWith \"text\"
  field in (v1, v2)    also [v1, v2]         field not in (v1, v2)   also notIn
  field exists         also exist, != null   field not exists  also notExist, = null
  a and b, a or b, (a or b) and c            and binds tighter than or
Field names are the schema's (any case; `autotask fields ENTITY`). Text in \"double\" or 'single'
quotes; a bare word or number needs none. Picklist fields take labels (status = \"Waiting Customer\")
or values (status = 5). User-defined fields: udf.Name or udf.\"Name with spaces\" (one per query).
Dates: 2024-05-01 or 2024-05-01T13:00:00Z (UTC).";

/// A mistake in a filter, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl FilterError {
    fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The CLI error: one line naming the column, then the filter with a caret under the mistake.
    pub fn into_cli(self, source: &str) -> CliError {
        let column = source[..self.span.start.min(source.len())].chars().count() + 1;
        let width = source
            .get(self.span.clone())
            .map_or(1, |s| s.chars().count())
            .max(1);
        let mut error = CliError::usage(format!("--where, column {column}: {}", self.message))
            .detail(format!(
                "  {source}\n  {}{}",
                " ".repeat(column - 1),
                "^".repeat(width)
            ));
        if let Some(hint) = self.hint {
            error = error.hint(hint);
        }
        error
    }
}

type Parsed<T> = Result<T, FilterError>;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
}

#[derive(Debug, Clone)]
struct Spanned {
    token: Token,
    span: Range<usize>,
}

fn lex(source: &str) -> Parsed<Vec<Spanned>> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' || c == '\'' {
            chars.next();
            let mut text = String::new();
            let mut closed = false;
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '\\' => match chars.next() {
                        Some((_, escaped)) => text.push(escaped),
                        None => {
                            return Err(FilterError::new(i..i + 1, "a backslash ends the filter"))
                        }
                    },
                    ch if ch == c => {
                        closed = true;
                        break;
                    }
                    ch => text.push(ch),
                }
            }
            if !closed {
                return Err(FilterError::new(
                    start..source.len(),
                    format!("the text starting here has no closing {c}"),
                ));
            }
            let end = chars.peek().map_or(source.len(), |&(i, _)| i);
            tokens.push(Spanned {
                token: Token::Text(text),
                span: start..end,
            });
            continue;
        }
        let two = source.get(start..start + 2);
        if let Some(symbol) = ["==", "!=", "<>", "<=", ">="]
            .into_iter()
            .find(|s| two == Some(*s))
        {
            chars.next();
            chars.next();
            tokens.push(Spanned {
                token: Token::Symbol(symbol),
                span: start..start + 2,
            });
            continue;
        }
        if let Some(symbol) = ["=", "<", ">", "(", ")", "[", "]", ",", "."]
            .into_iter()
            .find(|s| s.starts_with(c))
        {
            // A dot followed by a digit belongs to a number (`.5`).
            let next_is_digit = source[start + 1..].starts_with(|d: char| d.is_ascii_digit());
            if !(symbol == "." && next_is_digit) {
                chars.next();
                tokens.push(Spanned {
                    token: Token::Symbol(symbol),
                    span: start..start + 1,
                });
                continue;
            }
        }
        let is_number_start = c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.')
                && source[start + 1..].starts_with(|d: char| d.is_ascii_digit() || d == '.'));
        let is_word_char =
            |ch: char| ch.is_alphanumeric() || ch == '_' || ch == '-' || ch == ':' || ch == '+';
        if is_number_start || c.is_alphanumeric() || c == '_' {
            let mut end = start;
            while let Some(&(i, ch)) = chars.peek() {
                // Dates and times are words too: 2024-05-01T13:00:00Z, 12.50.
                if is_word_char(ch) || (ch == '.' && is_number_start) {
                    end = i + ch.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let text = source[start..end].to_string();
            let token = if is_number_start && text.parse::<f64>().is_ok() {
                Token::Number(text)
            } else {
                Token::Word(text)
            };
            tokens.push(Spanned {
                token,
                span: start..end,
            });
            continue;
        }
        return Err(FilterError::new(
            start..start + c.len_utf8(),
            format!("unexpected character {c:?}"),
        )
        .hint("quote text values: title contains \"a & b\""));
    }
    Ok(tokens)
}

/// A parsed filter, before names and values are checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Condition(Condition),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    field: String,
    udf: bool,
    field_span: Range<usize>,
    op: Op,
    op_span: Range<usize>,
    /// One value, a list for `in`/`notIn`, none for `exist`/`notExist`.
    values: Vec<Literal>,
}

#[derive(Debug, Clone, PartialEq)]
struct Literal {
    kind: LiteralKind,
    span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum LiteralKind {
    Text(String),
    Number(String),
    Bool(bool),
}

impl Literal {
    fn typed(&self) -> Typed<'_> {
        match &self.kind {
            LiteralKind::Text(t) => Typed::Text(t),
            LiteralKind::Number(n) => Typed::Number(n),
            LiteralKind::Bool(b) => Typed::Bool(*b),
        }
    }

    fn text(&self) -> String {
        match &self.kind {
            LiteralKind::Text(t) | LiteralKind::Number(t) => t.clone(),
            LiteralKind::Bool(b) => b.to_string(),
        }
    }
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Spanned>,
    at: usize,
}

/// Parses a filter.
pub fn parse(source: &str) -> Parsed<Expr> {
    let tokens = lex(source)?;
    if tokens.is_empty() {
        return Err(FilterError::new(0..0, "the filter is empty")
            .hint("write a condition such as status = 1"));
    }
    let mut parser = Parser {
        source,
        tokens,
        at: 0,
    };
    let expr = parser.or()?;
    if let Some(extra) = parser.peek() {
        let span = extra.span.clone();
        let message = match &extra.token {
            Token::Symbol(")") => "this ) has no matching (".to_string(),
            _ => format!(
                "expected `and`, `or` or the end of the filter, found {}",
                describe(&extra.token)
            ),
        };
        return Err(FilterError::new(span, message)
            .hint("quote values that contain spaces: status = \"Waiting Customer\""));
    }
    Ok(expr)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => format!("`{w}`"),
        Token::Text(t) => format!("\"{t}\""),
        Token::Number(n) => n.clone(),
        Token::Symbol(s) => format!("`{s}`"),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Spanned> {
        let token = self.tokens.get(self.at).cloned();
        self.at += usize::from(token.is_some());
        token
    }

    fn end_span(&self) -> Range<usize> {
        self.source.len()..self.source.len()
    }

    fn peek_word(&self, word: &str) -> bool {
        self.peek_word_at(0, word)
    }

    fn peek_word_at(&self, offset: usize, word: &str) -> bool {
        matches!(self.tokens.get(self.at + offset), Some(Spanned { token: Token::Word(w), .. }) if w.eq_ignore_ascii_case(word))
    }

    fn peek_symbol(&self, symbol: &str) -> bool {
        matches!(self.peek(), Some(Spanned { token: Token::Symbol(s), .. }) if *s == symbol)
    }

    fn or(&mut self) -> Parsed<Expr> {
        let mut items = vec![self.and()?];
        while self.peek_word("or") {
            self.next();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Parsed<Expr> {
        let mut items = vec![self.primary()?];
        while self.peek_word("and") {
            self.next();
            items.push(self.primary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn primary(&mut self) -> Parsed<Expr> {
        if self.peek_symbol("(") {
            let open = self.next().map(|t| t.span).unwrap_or_default();
            let inner = self.or()?;
            if !self.peek_symbol(")") {
                let span = self.peek().map_or(self.end_span(), |t| t.span.clone());
                return Err(FilterError::new(span, "expected `)`").hint(format!(
                    "the ( at column {} is not closed",
                    self.source[..open.start].chars().count() + 1
                )));
            }
            self.next();
            return Ok(inner);
        }
        self.condition().map(Expr::Condition)
    }

    fn condition(&mut self) -> Parsed<Condition> {
        let Some(first) = self.next() else {
            return Err(FilterError::new(
                self.end_span(),
                "expected a condition after `and`/`or`",
            ));
        };
        let (field, udf, field_span) = match &first.token {
            Token::Word(w) if w.eq_ignore_ascii_case("udf") && self.peek_symbol(".") => {
                self.next();
                match self.next() {
                    Some(Spanned {
                        token: Token::Word(name) | Token::Text(name),
                        span,
                    }) => (name.clone(), true, first.span.start..span.end),
                    other => {
                        let span = other.map_or(self.end_span(), |t| t.span);
                        return Err(FilterError::new(span, "expected a UDF name after `udf.`")
                            .hint("write udf.Name or udf.\"Name with spaces\""));
                    }
                }
            }
            Token::Word(w) if !is_keyword(w) => (w.clone(), false, first.span.clone()),
            other => {
                return Err(FilterError::new(
                    first.span.clone(),
                    format!("expected a field name, found {}", describe(other)),
                ))
            }
        };
        let (op, op_span) = self.operator()?;
        let values = match op {
            Op::Exist | Op::NotExist => Vec::new(),
            Op::In | Op::NotIn => self.list()?,
            _ => vec![self.value()?],
        };
        // `field = null` / `field != null` are the null checks.
        let null_check = match (&op, values.as_slice()) {
            (
                Op::Eq,
                [Literal {
                    kind: LiteralKind::Text(t),
                    ..
                }],
            ) if is_null_word(t) => Some(Op::NotExist),
            (
                Op::NotEq,
                [Literal {
                    kind: LiteralKind::Text(t),
                    ..
                }],
            ) if is_null_word(t) => Some(Op::Exist),
            _ => None,
        };
        let (op, values) = match null_check {
            Some(op) => (op, Vec::new()),
            None => (op, values),
        };
        Ok(Condition {
            field,
            udf,
            field_span,
            op,
            op_span,
            values,
        })
    }

    fn operator(&mut self) -> Parsed<(Op, Range<usize>)> {
        let Some(token) = self.next() else {
            return Err(FilterError::new(self.end_span(), "expected an operator")
                .hint("e.g. =, !=, >, contains, in, exists"));
        };
        let span = token.span.clone();
        let op = match &token.token {
            Token::Symbol("=" | "==") => Op::Eq,
            Token::Symbol("!=" | "<>") => Op::NotEq,
            Token::Symbol(">") => Op::Gt,
            Token::Symbol(">=") => Op::Gte,
            Token::Symbol("<") => Op::Lt,
            Token::Symbol("<=") => Op::Lte,
            Token::Word(w) => {
                let lower = w.to_ascii_lowercase();
                match lower.as_str() {
                    "not" => return self.negated(span),
                    "is" => return self.is_null(span),
                    "startswith" => Op::BeginsWith,
                    "exists" => Op::Exist,
                    "notexists" => Op::NotExist,
                    "ne" => Op::NotEq,
                    _ => sdk::OPERATORS
                        .into_iter()
                        .find(|op| op.as_str().eq_ignore_ascii_case(w))
                        .ok_or_else(|| unknown_operator(&token))?,
                }
            }
            _ => return Err(unknown_operator(&token)),
        };
        Ok((op, span))
    }

    /// After `not`: `in`, `exists`/`exist`, or a mistake the API cannot express.
    fn negated(&mut self, not_span: Range<usize>) -> Parsed<(Op, Range<usize>)> {
        let next = self.next();
        match next.as_ref().map(|t| &t.token) {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("in") => {
                Ok((Op::NotIn, not_span.start..next.map_or(0, |t| t.span.end)))
            }
            Some(Token::Word(w))
                if w.eq_ignore_ascii_case("exists") || w.eq_ignore_ascii_case("exist") =>
            {
                Ok((Op::NotExist, not_span.start..next.map_or(0, |t| t.span.end)))
            }
            Some(Token::Word(w)) => Err(FilterError::new(
                not_span.start..next.as_ref().map_or(0, |t| t.span.end),
                format!("Autotask has no `not {w}` operator"),
            )
            .hint("only `not in` and `not exists` can be negated; use != for not equal")),
            _ => Err(FilterError::new(
                next.map_or(self.end_span(), |t| t.span),
                "expected `in` or `exists` after `not`",
            )),
        }
    }

    /// After `is`: `null` or `not null`.
    fn is_null(&mut self, is_span: Range<usize>) -> Parsed<(Op, Range<usize>)> {
        let negated = self.peek_word("not");
        if negated {
            self.next();
        }
        if self.peek_word("null") {
            let end = self.next().map_or(0, |t| t.span.end);
            return Ok((
                if negated { Op::Exist } else { Op::NotExist },
                is_span.start..end,
            ));
        }
        let span = self.peek().map_or(self.end_span(), |t| t.span.clone());
        Err(FilterError::new(span, "expected `null` after `is`")
            .hint("write `field is null` or `field is not null`"))
    }

    fn value(&mut self) -> Parsed<Literal> {
        let Some(token) = self.next() else {
            return Err(FilterError::new(self.end_span(), "expected a value")
                .hint("quote text: title contains \"printer\""));
        };
        let kind = match token.token {
            Token::Text(t) => LiteralKind::Text(t),
            Token::Number(n) => LiteralKind::Number(n),
            Token::Word(w) if w.eq_ignore_ascii_case("true") => LiteralKind::Bool(true),
            Token::Word(w) if w.eq_ignore_ascii_case("false") => LiteralKind::Bool(false),
            Token::Word(w) if !w.eq_ignore_ascii_case("and") && !w.eq_ignore_ascii_case("or") => {
                LiteralKind::Text(w)
            }
            other => {
                return Err(FilterError::new(
                    token.span,
                    format!("expected a value, found {}", describe(&other)),
                )
                .hint("quote text: title contains \"printer\""))
            }
        };
        Ok(Literal {
            kind,
            span: token.span,
        })
    }

    fn list(&mut self) -> Parsed<Vec<Literal>> {
        let close = if self.peek_symbol("(") {
            ")"
        } else if self.peek_symbol("[") {
            "]"
        } else {
            let span = self.peek().map_or(self.end_span(), |t| t.span.clone());
            return Err(FilterError::new(span, "expected a list in parentheses")
                .hint("write status in (1, 5) or status in (\"New\", \"Complete\")"));
        };
        let open = self.next().map(|t| t.span).unwrap_or_default();
        let mut values = Vec::new();
        loop {
            if self.peek_symbol(close) && values.is_empty() {
                let span = self.next().map_or(open.clone(), |t| open.start..t.span.end);
                return Err(FilterError::new(span, "the list is empty"));
            }
            values.push(self.value()?);
            if self.peek_symbol(",") {
                self.next();
                continue;
            }
            if self.peek_symbol(close) {
                self.next();
                return Ok(values);
            }
            let span = self.peek().map_or(self.end_span(), |t| t.span.clone());
            return Err(FilterError::new(span, format!("expected `,` or `{close}`")));
        }
    }
}

fn is_keyword(word: &str) -> bool {
    ["and", "or", "not"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

fn is_null_word(text: &str) -> bool {
    text.eq_ignore_ascii_case("null")
}

fn unknown_operator(token: &Spanned) -> FilterError {
    FilterError::new(
        token.span.clone(),
        format!("expected an operator, found {}", describe(&token.token)),
    )
    .hint("operators: = != > >= < <= contains beginsWith endsWith in, not in, exists, not exists")
}

/// What [`resolve`] needs from the tenant, beyond the static metadata.
#[derive(Debug, Default)]
pub struct Needs {
    /// Some condition compares a picklist field with a label.
    pub picklists: bool,
    /// Some condition is on a user-defined field.
    pub udfs: bool,
}

impl Expr {
    /// What to fetch before resolving this filter against `meta`.
    pub fn needs(&self, meta: &EntityMeta) -> Needs {
        let mut needs = Needs::default();
        self.visit(&mut |c| {
            if c.udf {
                needs.udfs = true;
            } else if meta.field(&c.field).is_some_and(|f| f.is_picklist())
                && c.values
                    .iter()
                    .any(|v| v.text().trim().parse::<i64>().is_err())
            {
                needs.picklists = true;
            }
        });
        needs
    }

    fn visit(&self, f: &mut impl FnMut(&Condition)) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.visit(f)),
            Expr::Condition(c) => f(c),
        }
    }
}

/// The tenant's data a filter is checked against.
pub struct Context<'a> {
    pub meta: &'static EntityMeta,
    pub picklists: &'a BTreeMap<String, Picklist>,
    pub udfs: Option<&'a UdfDefinitions>,
}

/// The SDK filters of `expr` (a top-level `and` becomes several filters, as the API ANDs them).
pub fn resolve(expr: &Expr, context: &Context<'_>) -> Parsed<Vec<Filter>> {
    let mut udf_conditions = Vec::new();
    expr.visit(&mut |c| {
        if c.udf {
            udf_conditions.push(c.field_span.clone());
        }
    });
    if let [_, second, ..] = udf_conditions.as_slice() {
        return Err(FilterError::new(
            second.clone(),
            "a query may have one condition on a user-defined field, and this is the second",
        )
        .hint("filter on one UDF here and narrow the rest with the output"));
    }
    match expr {
        Expr::And(items) => items.iter().map(|e| resolve_one(e, context)).collect(),
        other => Ok(vec![resolve_one(other, context)?]),
    }
}

fn resolve_one(expr: &Expr, context: &Context<'_>) -> Parsed<Filter> {
    match expr {
        Expr::And(items) => Ok(sdk::all_of(
            items
                .iter()
                .map(|e| resolve_one(e, context))
                .collect::<Parsed<_>>()?,
        )),
        Expr::Or(items) => Ok(sdk::any_of(
            items
                .iter()
                .map(|e| resolve_one(e, context))
                .collect::<Parsed<_>>()?,
        )),
        Expr::Condition(c) if c.udf => resolve_udf(c, context),
        Expr::Condition(c) => resolve_field(c, context),
    }
}

fn resolve_field(c: &Condition, context: &Context<'_>) -> Parsed<Filter> {
    let meta = context.meta;
    let Some(field) = meta.field(&c.field) else {
        let mut error = FilterError::new(
            c.field_span.clone(),
            format!("{} has no field {:?}", meta.name, c.field),
        );
        error = match values::closest(&c.field, meta.fields.iter().map(|f| f.name)) {
            Some(near) => error.hint(format!("did you mean {near}?")),
            None => error.hint(format!("`autotask fields {}` lists them", meta.name)),
        };
        return Err(error);
    };
    if !field.is_queryable() {
        return Err(FilterError::new(
            c.field_span.clone(),
            format!("{}.{} cannot be used in a filter", meta.name, field.name),
        ));
    }
    let is_text_op = matches!(c.op, Op::BeginsWith | Op::EndsWith | Op::Contains);
    if is_text_op && field.data_type != sdk::DataType::String {
        return Err(FilterError::new(
            c.op_span.clone(),
            format!(
                "`{}` works on text fields, and {}.{} is {}",
                c.op.as_str(),
                meta.name,
                field.name,
                field.data_type.as_str()
            ),
        ));
    }
    let picklist = context.picklists.get(field.name);
    let mut converted = Vec::with_capacity(c.values.len());
    for literal in &c.values {
        let value = values::field_value(meta.name, field, &literal.typed(), picklist)
            .map_err(|why| FilterError::new(literal.span.clone(), why))?;
        converted.push(value);
    }
    let value = match c.op {
        Op::Exist | Op::NotExist => Value::Null,
        Op::In | Op::NotIn => Value::Array(converted),
        _ => converted.pop().unwrap_or(Value::Null),
    };
    Ok(sdk::condition(field.name, c.op, value))
}

fn resolve_udf(c: &Condition, context: &Context<'_>) -> Parsed<Filter> {
    let Some(udfs) = context.udfs else {
        return Err(FilterError::new(
            c.field_span.clone(),
            format!("{} has no user-defined fields", context.meta.name),
        ));
    };
    let at_field = |why: String| FilterError::new(c.field_span.clone(), why);
    let Some(definition) = udfs.get(&c.field) else {
        let known: Vec<&str> = udfs.iter().map(|d| d.name.as_str()).collect();
        let error = at_field(format!(
            "{} has no user-defined field {:?}",
            context.meta.name, c.field
        ));
        return Err(match values::closest(&c.field, known.iter().copied()) {
            Some(near) => error.hint(format!("did you mean udf.\"{near}\"?")),
            None => error.hint(format!("`autotask udfs {}` lists them", context.meta.name)),
        });
    };
    match c.op {
        Op::Exist | Op::NotExist => {
            sdk::udf_filter(udfs, &definition.name, c.op, "").map_err(at_field)
        }
        Op::In | Op::NotIn => {
            // Each list value is checked (and a label turned into its value) like a single one.
            let mut converted = Vec::new();
            for literal in &c.values {
                let single = sdk::udf_filter(udfs, &definition.name, Op::Eq, &literal.text())
                    .map_err(|why| FilterError::new(literal.span.clone(), why))?;
                converted.extend(sdk::condition_value(&single).cloned());
            }
            Ok(sdk::udf_condition(
                &definition.name,
                c.op,
                Value::Array(converted),
            ))
        }
        _ => {
            let literal = &c.values[0];
            sdk::udf_filter(udfs, &definition.name, c.op, &literal.text())
                .map_err(|why| FilterError::new(literal.span.clone(), why))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(expr: &Expr) -> String {
        match expr {
            Expr::And(items) => format!(
                "and({})",
                items.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
            Expr::Or(items) => format!(
                "or({})",
                items.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
            Expr::Condition(c) => format!(
                "{}{} {} [{}]",
                if c.udf { "udf:" } else { "" },
                c.field,
                c.op.as_str(),
                c.values
                    .iter()
                    .map(Literal::text)
                    .collect::<Vec<_>>()
                    .join("|")
            ),
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_regroup() {
        let plain = parse("a = 1 or b = 2 and c = 3").unwrap();
        assert_eq!(shape(&plain), "or(a eq [1], and(b eq [2], c eq [3]))");
        let grouped = parse("(a = 1 or b = 2) and c = 3").unwrap();
        assert_eq!(shape(&grouped), "and(or(a eq [1], b eq [2]), c eq [3])");
    }

    #[test]
    fn every_spelling_of_every_operator() {
        let cases = [
            ("x = 1", "x eq [1]"),
            ("x == 1", "x eq [1]"),
            ("x EQ 1", "x eq [1]"),
            ("x != 1", "x noteq [1]"),
            ("x <> 1", "x noteq [1]"),
            ("x noteq 1", "x noteq [1]"),
            ("x > 1", "x gt [1]"),
            ("x >= 1", "x gte [1]"),
            ("x < 1", "x lt [1]"),
            ("x <= 1", "x lte [1]"),
            ("x gte 1", "x gte [1]"),
            ("x contains 'a b'", "x contains [a b]"),
            ("x beginsWith \"a\"", "x beginsWith [a]"),
            ("x startswith a", "x beginsWith [a]"),
            ("x endsWith a", "x endsWith [a]"),
            ("x in (1, 2)", "x in [1|2]"),
            ("x in [1]", "x in [1]"),
            ("x not in (1)", "x notIn [1]"),
            ("x notIn (1)", "x notIn [1]"),
            ("x exists", "x exist []"),
            ("x exist", "x exist []"),
            ("x not exists", "x notExist []"),
            ("x notExist", "x notExist []"),
            ("x is null", "x notExist []"),
            ("x is not null", "x exist []"),
            ("x = null", "x notExist []"),
            ("x != NULL", "x exist []"),
            ("udf.Region = 'EU'", "udf:Region eq [EU]"),
            (
                "udf.\"Contract Level\" = Gold",
                "udf:Contract Level eq [Gold]",
            ),
            ("d >= 2024-05-01T13:00:00Z", "d gte [2024-05-01T13:00:00Z]"),
            ("n = -2.5", "n eq [-2.5]"),
        ];
        for (text, expected) in cases {
            assert_eq!(shape(&parse(text).unwrap()), expected, "{text}");
        }
    }

    /// No input panics the parser or the error display: every string of up to three characters from an
    /// alphabet of the characters that matter (quotes, escapes, brackets, multi-byte), and joins of
    /// fragments that are half a filter.
    #[test]
    fn no_input_panics() {
        let alphabet: Vec<char> = "a=\"'\\()[],.-+é€ 1<>!~_:".chars().collect();
        let mut inputs: Vec<String> = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(longer);
            inputs.dedup();
        }
        let fragments = [
            "status", "=", "!=", "not", "in", "(", ")", "'x", "\"é\"", "and", "or", "udf.",
            "exists", "is", "null", "€", "1.5", "-", "[", ",", "\\",
        ];
        for a in fragments {
            for b in fragments {
                for c in fragments {
                    inputs.push(format!("{a} {b}{c}"));
                    inputs.push(format!("{a}{b} {c} and {a}"));
                }
            }
        }
        for input in &inputs {
            if let Err(error) = parse(input) {
                let _ = error.into_cli(input).to_string();
            }
        }
    }

    #[test]
    fn errors_point_at_the_mistake() {
        let at = |text: &str| {
            let e = parse(text).unwrap_err();
            (e.span.start, e.message)
        };
        assert_eq!(at("status = ").0, 9);
        assert_eq!(at("status ~ 1").0, 7);
        assert_eq!(at("(a = 1 or b = 2").0, 15);
        assert_eq!(at("a = 1 b = 2").0, 6);
        assert_eq!(at("a = 'open").0, 4);
        assert_eq!(at("a in ()").0, 5);
        assert_eq!(at("a not contains 'x'").0, 2);
        assert_eq!(at("a = 1 and").0, 9);
        assert_eq!(at("a = 1)").0, 5);
        assert_eq!(at("").0, 0);
    }
}

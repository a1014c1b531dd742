//! `create`, `update` (one record or bulk with confirmation), `delete`.

use super::{compile_where, connect};
use crate::args::{Global, UpdateArgs, WriteArgs};
use crate::commands::read::check_parent;
use crate::error::{CliError, Exit, Result};
use crate::output::{self, Format, RecordWriter};
use crate::sdk::{self, EntityMeta, QueryRequest, Sdk, Verbs};
use crate::values::{self, Typed};
use futures::TryStreamExt;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};

/// One `--set`: a field or a UDF, and the text given.
struct Assignment<'a> {
    name: &'a str,
    udf: bool,
    text: Option<&'a str>,
}

fn assignments(args: &WriteArgs) -> Result<Vec<Assignment<'_>>> {
    let mut out = Vec::new();
    for set in &args.set {
        let (name, text) = set.split_once('=').ok_or_else(|| {
            CliError::usage(format!("--set {set:?}: expected FIELD=VALUE"))
                .hint("quote values with spaces: --set title=\"Disk full\"")
        })?;
        out.push(assignment(name, Some(text)));
    }
    out.extend(args.unset.iter().map(|name| assignment(name, None)));
    Ok(out)
}

fn assignment<'a>(name: &'a str, text: Option<&'a str>) -> Assignment<'a> {
    let name = name.trim();
    match name.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("udf.") && name.len() > 4 => Assignment {
            name: &name[4..],
            udf: true,
            text,
        },
        _ => Assignment {
            name,
            udf: false,
            text,
        },
    }
}

/// The write body from stdin (when asked) and the `--set`/`--unset` values on top, checked against
/// the schema and the tenant's picklists and UDFs.
async fn body(
    sdk: &Sdk,
    meta: &'static EntityMeta,
    args: &WriteArgs,
) -> Result<Map<String, Value>> {
    let mut body = if args.stdin {
        read_stdin_object()?
    } else {
        Map::new()
    };
    let sets = assignments(args)?;
    if sets.is_empty() && body.is_empty() {
        return Err(CliError::usage("nothing to write")
            .hint("give --set FIELD=VALUE (repeatable) or --stdin with a JSON object"));
    }
    let needs_labels = sets.iter().any(|a| {
        !a.udf
            && meta.field(a.name).is_some_and(|f| f.is_picklist())
            && a.text.is_some_and(|t| t.trim().parse::<i64>().is_err())
    });
    let picklists = if needs_labels {
        sdk.picklists(meta).await?
    } else {
        BTreeMap::new()
    };
    let udfs = if sets.iter().any(|a| a.udf) {
        if !meta.has_user_defined_fields {
            return Err(CliError::usage(format!(
                "{} has no user-defined fields",
                meta.name
            )));
        }
        Some(sdk.udfs(meta).await?)
    } else {
        None
    };
    let mut udf_entries = Vec::new();
    for set in &sets {
        if let Some(definitions) = udfs.as_ref().filter(|_| set.udf) {
            let entry = match set.text {
                Some(text) => sdk::udf_entry(definitions, set.name, text),
                None => sdk::udf_cleared(definitions, set.name),
            }
            .map_err(|e| e.context(format!("--set udf.{}", set.name)))?;
            udf_entries.push(entry);
            continue;
        }
        let field = meta.field(set.name).ok_or_else(|| {
            let error = CliError::usage(format!("{} has no field {:?}", meta.name, set.name));
            match values::closest(set.name, meta.fields.iter().map(|f| f.name)) {
                Some(near) => error.hint(format!("did you mean {near}?")),
                None => error.hint(format!("`autotask fields {}` lists them", meta.name)),
            }
        })?;
        if field.is_read_only() {
            return Err(CliError::usage(format!(
                "{}.{} is read-only: Autotask sets it",
                meta.name, field.name
            )));
        }
        let value = match set.text {
            None => Value::Null,
            Some(text) => values::field_value(
                meta.name,
                field,
                &Typed::Text(text),
                picklists.get(field.name),
            )
            .map_err(|why| CliError::usage(format!("--set {}: {why}", field.name)))?,
        };
        body.retain(|k, _| !k.eq_ignore_ascii_case(field.name));
        body.insert(field.name.to_string(), value);
    }
    if !udf_entries.is_empty() {
        let list = body
            .entry("userDefinedFields")
            .or_insert_with(|| Value::Array(Vec::new()));
        let Some(list) = list.as_array_mut() else {
            return Err(CliError::usage(
                "userDefinedFields from stdin must be a list",
            ));
        };
        for entry in udf_entries {
            let name = entry.get("name").cloned();
            list.retain(|e| e.get("name") != name.as_ref());
            list.push(entry);
        }
    }
    Ok(body)
}

fn read_stdin_object() -> Result<Map<String, Value>> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::io("cannot read stdin", e))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::usage("--stdin: expected one JSON object")),
        Err(e) => Err(CliError::usage(format!("--stdin: not valid JSON: {e}"))
            .hint("give one JSON object, e.g. {\"title\": \"Disk full\"}")),
    }
}

fn print_request(method: &str, path: &str, body: Option<&Value>) -> Result<()> {
    let mut text = format!("{method} {path}");
    if let Some(body) = body {
        text.push(' ');
        text.push_str(&body.to_string());
    }
    output::emit(&text)
}

fn print_done(global: &Global, action: &str, meta: &EntityMeta, id: i64) -> Result<()> {
    output::print_value(
        Format::choose(global.format),
        &json!({"entity": meta.name, "id": id, "result": action}),
        || format!("{action} {} {id}", meta.name),
    )
}

pub async fn create(global: &Global, args: WriteArgs) -> Result<()> {
    let meta = sdk::entity(&args.entity)?;
    check_parent(meta, args.parent, Verbs::CREATE, "created")?;
    let sdk = connect(global)?;
    let body = Value::Object(body(&sdk, meta, &args).await?);
    if args.dry_run {
        return print_request("POST", &sdk::write_path(meta, args.parent), Some(&body));
    }
    let id = sdk.create(meta, &body, args.parent).await?;
    print_done(global, "created", meta, id)
}

pub async fn update(global: &Global, args: UpdateArgs) -> Result<()> {
    let meta = sdk::entity(&args.write.entity)?;
    check_parent(meta, args.write.parent, Verbs::PATCH, "updated")?;
    match (args.ids.as_slice(), args.filter.as_deref()) {
        ([id], _) => update_one(global, meta, *id, &args.write).await,
        ([], Some(filter)) => update_many(global, meta, Target::Filter(filter), &args).await,
        ([_, _, ..], _) => update_many(global, meta, Target::Ids(&args.ids), &args).await,
        ([], None) => Err(CliError::usage("which records? give an id or --where FILTER")
            .hint("autotask update Tickets 123 --set ..., or autotask update Tickets --where '...' --set ...")),
    }
}

async fn update_one(
    global: &Global,
    meta: &'static EntityMeta,
    id: i64,
    args: &WriteArgs,
) -> Result<()> {
    let sdk = connect(global)?;
    let mut body = body(&sdk, meta, args).await?;
    body.insert("id".into(), Value::from(id));
    let body = Value::Object(body);
    if args.dry_run {
        return print_request("PATCH", &sdk::write_path(meta, args.parent), Some(&body));
    }
    sdk.update(meta, &body, args.parent).await?;
    print_done(global, "updated", meta, id)
}

/// Which records a bulk update touches.
enum Target<'a> {
    Filter(&'a str),
    Ids(&'a [i64]),
}

async fn update_many(
    global: &Global,
    meta: &'static EntityMeta,
    target: Target<'_>,
    args: &UpdateArgs,
) -> Result<()> {
    if args.write.parent.is_some() {
        return Err(
            CliError::usage("a bulk update and --parent do not go together").hint(format!(
                "update the children one by one, or filter {} on its parent id field",
                meta.name
            )),
        );
    }
    let needed: &[(Verbs, &str)] = match target {
        Target::Filter(_) => &[(Verbs::QUERY, "queried"), (Verbs::PATCH, "updated")],
        Target::Ids(_) => &[(Verbs::PATCH, "updated")],
    };
    for &(verb, what) in needed {
        if !meta.root_verbs.contains(verb) {
            return Err(CliError::usage(format!(
                "{} cannot be {what} at its root, so it cannot be bulk-updated",
                meta.name
            )));
        }
    }
    if args.write.stdin && !args.yes && !args.write.dry_run {
        return Err(CliError::usage(
            "the body comes from stdin, so the confirmation cannot be read from it",
        )
        .hint("pass --yes"));
    }
    let sdk = connect(global)?;
    let changes = body(&sdk, meta, &args.write).await?;
    let described = describe_changes(&args.write);
    let ids: Vec<i64> = match target {
        Target::Ids(ids) => {
            if !args.write.dry_run && !args.yes {
                confirm(&format!(
                    "Update {} {} ({described})?",
                    ids.len(),
                    meta.name
                ))?;
            }
            ids.to_vec()
        }
        Target::Filter(filter) => {
            let filters = compile_where(&sdk, meta, Some(filter)).await?;
            let matched = sdk.count(meta, &filters).await?;
            if matched == 0 {
                eprintln!("no {} match the filter; nothing to update", meta.name);
                return Ok(());
            }
            if !args.write.dry_run && !args.yes {
                confirm(&format!("Update {matched} {} ({described})?", meta.name))?;
            }
            // Every id first, then the updates: a change cannot move records in or out of the pages.
            let request = QueryRequest {
                filters,
                fields: vec!["id".into()],
                page_size: None,
            };
            sdk.query(meta, &request)
                .map_ok(|record| record.get("id").and_then(Value::as_i64))
                .try_filter_map(|id| futures::future::ready(Ok(id)))
                .try_collect()
                .await?
        }
    };
    let bodies: Vec<Value> = ids
        .iter()
        .map(|id| {
            let mut body = changes.clone();
            body.insert("id".into(), Value::from(*id));
            Value::Object(body)
        })
        .collect();
    if args.write.dry_run {
        let path = sdk::write_path(meta, None);
        for body in &bodies {
            print_request("PATCH", &path, Some(body))?;
        }
        eprintln!("dry run: {} requests not sent", bodies.len());
        return Ok(());
    }
    let bar = output::progress_bar(bodies.len() as u64, meta.name);
    let progress = bar.clone();
    let results = sdk
        .update_many(meta, &bodies, move |done| {
            progress.set_position(done as u64)
        })
        .await?;
    bar.finish_and_clear();
    report_results(global, meta, "updated", &ids, results)
}

fn describe_changes(args: &WriteArgs) -> String {
    let mut parts: Vec<String> = args.set.iter().map(|s| format!("set {s}")).collect();
    parts.extend(args.unset.iter().map(|u| format!("unset {u}")));
    if args.stdin {
        parts.push("fields from stdin".into());
    }
    parts.join(", ")
}

/// Asks on stderr and reads the answer from stdin; anything but y/yes stops the command.
fn confirm(question: &str) -> Result<()> {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::io("cannot read the answer", e))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        "" if answer.is_empty() => Err(CliError::failure(
            "not confirmed: no answer on stdin; nothing was changed",
        )
        .hint("pass --yes to skip the question")),
        _ => Err(CliError::failure("not confirmed; nothing was changed")),
    }
}

/// One line per record, then a summary on stderr; exit code 7 when any failed.
fn report_results(
    global: &Global,
    meta: &EntityMeta,
    action: &str,
    ids: &[i64],
    results: Vec<Result<i64>>,
) -> Result<()> {
    let format = Format::choose(global.format);
    let mut writer = RecordWriter::stdout(
        format,
        vec!["id".into(), "result".into(), "error".into()],
        BTreeMap::new(),
    )?;
    let mut failed = 0;
    for (id, result) in ids.iter().zip(&results) {
        let row = match result {
            Ok(_) => json!({"id": id, "result": action, "error": null}),
            Err(e) => {
                failed += 1;
                json!({"id": id, "result": "failed", "error": e.to_string()})
            }
        };
        writer.write(&row)?;
    }
    writer.finish()?;
    let total = ids.len();
    if failed == 0 {
        eprintln!("{action} {total} {}", meta.name);
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Partial,
            format!(
                "{failed} of {total} {} failed; {} {action}",
                meta.name,
                total - failed
            ),
        )
        .hint("see the per-record results above; run again for the failed ids"))
    }
}

pub async fn delete(
    global: &Global,
    entity: &str,
    ids: &[i64],
    parent: Option<i64>,
    yes: bool,
    dry_run: bool,
) -> Result<()> {
    let meta = sdk::entity(entity)?;
    check_parent(meta, parent, Verbs::DELETE, "deleted")?;
    let allowed = match (parent, meta.child) {
        (Some(_), Some(child)) => child.verbs.contains(Verbs::DELETE),
        _ => meta.root_verbs.contains(Verbs::DELETE),
    };
    if !allowed {
        return Err(CliError::usage(format!(
            "{} cannot be deleted through the Autotask API",
            meta.name
        ))
        .hint(format!(
            "`autotask entities {}` shows what it supports (often: deactivate or complete it with update)",
            meta.name
        )));
    }
    let path = sdk::write_path(meta, parent);
    if dry_run {
        for id in ids {
            print_request("DELETE", &format!("{path}/{id}"), None)?;
        }
        return Ok(());
    }
    if !yes {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        confirm(&format!(
            "Delete {} {} ({})?",
            ids.len(),
            meta.name,
            list.join(", ")
        ))?;
    }
    let sdk = connect(global)?;
    if let [id] = ids {
        sdk.delete(meta, *id, parent).await?;
        return print_done(global, "deleted", meta, *id);
    }
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        results.push(sdk.delete(meta, *id, parent).await.map(|()| *id));
    }
    report_results(global, meta, "deleted", ids, results)
}

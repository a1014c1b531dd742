//! One module per group of commands; what they share (connecting, compiling `--where`, choosing
//! columns) lives here.

mod account;
mod discover;
mod export;
mod read;
mod sim;
mod webhook;
mod write;

use crate::args::{Cli, Command, Global, Shell, WebhookCommand};
use crate::config::{self, ConnectionOptions};
use crate::error::{CliError, Result};
use crate::filter::{self, Context};
use crate::output::Format;
use crate::sdk::{EntityMeta, Filter, Picklist, Sdk};
use crate::values;
use std::collections::BTreeMap;

pub async fn run(cli: Cli) -> Result<()> {
    let global = &cli.global;
    match cli.command {
        Command::Whoami => account::whoami(global).await,
        Command::Usage => account::usage(global).await,
        Command::Sim(args) => sim::run(args).await,
        Command::Entities { contains } => discover::entities(global, contains.as_deref()),
        Command::Fields { entity } => discover::fields(global, &entity),
        Command::Picklist {
            entity,
            field,
            parent_value,
        } => discover::picklist(global, &entity, &field, parent_value.as_deref()).await,
        Command::Udfs { entity } => discover::udfs(global, &entity).await,
        Command::Get {
            entity,
            id,
            parent,
            fields,
        } => read::get(global, &entity, id, parent, &fields).await,
        Command::Query(args) => read::query(global, args).await,
        Command::Count { entity, filter } => read::count(global, &entity, filter.as_deref()).await,
        Command::Create(args) => write::create(global, args).await,
        Command::Update(args) => write::update(global, args).await,
        Command::Delete {
            entity,
            ids,
            parent,
            yes,
            dry_run,
        } => write::delete(global, &entity, &ids, parent, yes, dry_run).await,
        Command::Export(args) => export::run(global, args).await,
        Command::Webhook(WebhookCommand::Verify { secret, signature }) => {
            webhook::verify(global, &secret, &signature).await
        }
        Command::Webhook(WebhookCommand::Listen {
            port,
            host,
            secret,
            count,
        }) => webhook::listen(global, host, port, &secret, count).await,
        Command::Completion { shell } => completion(shell),
    }
}

fn completion(shell: Shell) -> Result<()> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "autotask", &mut script);
    crate::output::emit(&String::from_utf8_lossy(&script))
}

/// A client for the global connection options.
pub fn connect(global: &Global) -> Result<Sdk> {
    let credentials = config::credentials(&ConnectionOptions {
        sim: global.sim,
        profile: global.profile.clone(),
        api_url: global.api_url.clone(),
        config: global.config.clone(),
    })?;
    Sdk::connect(&credentials)
}

/// The SDK filters of a `--where` text, checked against the schema and the tenant's picklists and UDFs
/// (fetched only when the filter needs them).
pub async fn compile_where(
    sdk: &Sdk,
    meta: &'static EntityMeta,
    text: Option<&str>,
) -> Result<Vec<Filter>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let expr = filter::parse(text).map_err(|e| e.into_cli(text))?;
    let needs = expr.needs(meta);
    let picklists = if needs.picklists {
        sdk.picklists(meta).await?
    } else {
        BTreeMap::new()
    };
    let udfs = if needs.udfs && meta.has_user_defined_fields {
        Some(sdk.udfs(meta).await?)
    } else {
        None
    };
    let context = Context {
        meta,
        picklists: &picklists,
        udfs: udfs.as_ref(),
    };
    filter::resolve(&expr, &context).map_err(|e| e.into_cli(text))
}

/// `--fields` as wire names (any case accepted; `udf.Name` kept as it is).
pub fn columns(meta: &EntityMeta, fields: &[String]) -> Result<Vec<String>> {
    fields
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .map(|f| {
            if f.len() > 4 && f[..4].eq_ignore_ascii_case("udf.") {
                return Ok(format!("udf.{}", &f[4..]));
            }
            if f.eq_ignore_ascii_case("userDefinedFields") && meta.has_user_defined_fields {
                return Ok("userDefinedFields".to_string());
            }
            meta.field(f).map(|m| m.name.to_string()).ok_or_else(|| {
                let error = CliError::usage(format!("--fields: {} has no field {f:?}", meta.name));
                match values::closest(f, meta.fields.iter().map(|m| m.name)) {
                    Some(near) => error.hint(format!("did you mean {near}?")),
                    None => error.hint(format!("`autotask fields {}` lists them", meta.name)),
                }
            })
        })
        .collect()
}

/// The columns of a table when `--fields` is not given: the id and the required fields (what
/// identifies a record), at most seven.
pub fn default_columns(meta: &EntityMeta) -> Vec<String> {
    let mut columns: Vec<String> = meta
        .fields
        .iter()
        .filter(|f| f.name == "id" || f.is_required())
        .map(|f| f.name.to_string())
        .take(7)
        .collect();
    if columns.len() < 3 {
        let more: Vec<String> = meta
            .fields
            .iter()
            .filter(|f| !columns.iter().any(|c| c == f.name))
            .take(4 - columns.len())
            .map(|f| f.name.to_string())
            .collect();
        columns.extend(more);
    }
    columns
}

/// The picklists to label a table's columns with; nothing for other formats (they keep values).
pub async fn table_labels(
    sdk: &Sdk,
    meta: &EntityMeta,
    format: Format,
    columns: &[String],
) -> Result<BTreeMap<String, Picklist>> {
    let wanted = |c: &String| meta.field(c).is_some_and(|f| f.is_picklist());
    if format != Format::Table || !columns.iter().any(wanted) {
        return Ok(BTreeMap::new());
    }
    let mut all = sdk.picklists(meta).await?;
    all.retain(|field, _| columns.iter().any(|c| c == field));
    Ok(all)
}

//! The one place where the CLI calls the `autotask` SDK. Commands use [`Sdk`] and the types re-exported
//! here, so that a change of the SDK's surface is adapted in this file alone.

use crate::config::Credentials;
use crate::error::{CliError, Exit, Result};
use futures::stream::{BoxStream, StreamExt};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

pub use autotask::model::meta::{DataType, EntityMeta, FieldMeta, Verbs};
pub use autotask::services::{EntityPosition, ExportFormat, RateLimitLevel, ThresholdUsage};
pub use autotask::webhooks::Callout;
pub use autotask::{EndpointStats, Filter, Op, Picklist, UdfDefinitions, UdfType};

/// A connected client and where its credentials came from.
#[derive(Clone)]
pub struct Sdk {
    client: autotask::Client,
    pub username: String,
    pub source: String,
}

/// What `whoami` shows.
pub struct Identity {
    pub zone_name: String,
    pub zone_url: String,
    pub web_url: Option<String>,
    pub base_url: String,
    pub api_versions: Vec<String>,
    pub latency: Duration,
    pub usage: ThresholdUsage,
}

/// The metadata of `name` (a REST collection or model name, any case, or an old py-autotask name such as
/// `InstalledProducts`). No request is made.
pub fn entity(name: &str) -> Result<&'static EntityMeta> {
    if let Some(meta) = autotask::entity_meta(name) {
        return Ok(meta);
    }
    // `Entities::get_entity` resolves aliases too, but needs a client; discovery works offline.
    if let Some(reference) = autotask::metadata::aliases::lookup(name) {
        return match reference.entity().and_then(autotask::entity_meta) {
            Some(meta) => Ok(meta),
            None => Err(CliError::usage(format!(
                "{name:?} is not an Autotask REST entity: {}",
                reference.explanation()
            ))),
        };
    }
    let lower = name.to_ascii_lowercase();
    let near: Vec<&str> = all_entities()
        .iter()
        .map(|m| m.name)
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n.contains(&lower) || lower.contains(&n)
        })
        .take(5)
        .collect();
    let hint = if near.is_empty() {
        "run `autotask entities` to list them".to_string()
    } else {
        format!("did you mean {}?", near.join(", "))
    };
    Err(CliError::usage(format!("{name:?} is not an Autotask REST entity")).hint(hint))
}

/// Every entity of this build, in schema order.
pub fn all_entities() -> &'static [&'static EntityMeta] {
    autotask::all_entities()
}

/// Parses a date or date-time as the API accepts it; the API's text form.
pub fn datetime(text: &str) -> Option<String> {
    autotask::model::wire::datetime::parse(text)
        .map(|d| autotask::model::wire::datetime::format(&d))
}

/// One entity's export through the SDK's `client.export()`: its query, CSV or JSON Lines encoding,
/// ascending-id check, resume point and byte position.
pub struct EntityExport {
    export: autotask::services::Export,
    entity: &'static str,
}

impl EntityExport {
    /// Records the export will write (one `query/count`).
    pub async fn remaining(&self) -> Result<u64> {
        self.export.remaining(self.entity).await.map_err(map_error)
    }

    /// The entity's file, new or cut back to the resume position.
    pub fn open_file(&self, path: &std::path::Path) -> Result<std::fs::File> {
        self.export
            .checkpoint()
            .open_file(self.entity, path)
            .map_err(|e| match e {
                autotask::Error::InvalidInput(text) => {
                    CliError::failure(format!("--resume: {text}"))
                        .hint("the file was changed since; start over without --resume")
                }
                other => map_error(other),
            })
    }

    /// Exports to `writer`. `progress` gets the position after every record; `checkpoint` the position
    /// after the writer was flushed (every page and at the end), to be saved.
    pub async fn run<W: std::io::Write>(
        self,
        writer: &mut W,
        mut progress: impl FnMut(EntityPosition) + Send + 'static,
        mut checkpoint: impl FnMut(EntityPosition) -> std::io::Result<()> + Send + 'static,
    ) -> Result<u64> {
        let entity = self.entity;
        let mut export = self
            .export
            .on_progress(move |p| progress(p.position))
            .on_checkpoint(move |c| {
                c.position(entity)
                    .map_or(Ok(()), |position| checkpoint(*position))
            });
        export.entity(entity, writer).await.map_err(map_error)
    }
}

/// Checks a callout's `X-Hook-Signature` over the raw body and decodes it.
pub fn verify_callout(secret: &str, body: &[u8], signature: &str) -> Result<Callout> {
    use autotask::webhooks::{CalloutError, SignatureError};
    autotask::webhooks::parse_verified(secret, body, signature).map_err(|e| match e {
        CalloutError::Signature(SignatureError::Malformed) => {
            CliError::usage("the signature is not of the form sha1=<base64>")
                .hint("pass the X-Hook-Signature header's value as it arrived")
        }
        CalloutError::Signature(_) => CliError::new(
            Exit::Auth,
            "the signature does not match the body and secret",
        )
        .hint(
            "check the webhook's secret key, and that the body is byte for byte what was received",
        ),
        other => CliError::new(Exit::Validation, other.to_string()),
    })
}

/// The path a write goes to, for `--dry-run` (`/V1.0/Tickets`, `/V1.0/Tickets/5/Notes`).
pub fn write_path(meta: &EntityMeta, parent: Option<i64>) -> String {
    match (parent, meta.child) {
        (Some(parent), Some(child)) => child.path.replace("{parentId}", &parent.to_string()),
        _ => meta.root_path.to_string(),
    }
}

/// The verbs of `verbs` by name (`query count get create update delete`).
pub fn verb_names(verbs: Verbs) -> Vec<&'static str> {
    [
        (Verbs::QUERY, "query"),
        (Verbs::COUNT, "count"),
        (Verbs::GET, "get"),
        (Verbs::LIST, "list"),
        (Verbs::CREATE, "create"),
        (Verbs::PATCH, "update"),
        (Verbs::PUT, "replace"),
        (Verbs::DELETE, "delete"),
    ]
    .into_iter()
    .filter(|(verb, _)| verbs.contains(*verb))
    .map(|(_, name)| name)
    .collect()
}

/// What one query asks for.
#[derive(Debug, Clone, Default)]
pub struct QueryRequest {
    /// ANDed at the top level.
    pub filters: Vec<Filter>,
    /// Wire names of the fields to return; empty: all.
    pub fields: Vec<String>,
    /// Records per page (1..=500); `None`: 500.
    pub page_size: Option<u32>,
}

impl QueryRequest {
    /// The query body the API receives, for `--dry-run` and `-v`.
    pub fn body(&self) -> Value {
        autotask::QuerySpec {
            filters: self.filters.clone(),
            max_records: self.page_size,
            include_fields: self.fields.clone(),
        }
        .body()
    }

    /// The SDK's query builder for `entity` with this request's filters, page size and fields.
    fn builder(&self, entity: &autotask::DynamicEntity) -> autotask::QueryBuilder<Value> {
        let mut query = entity.query().include_fields(&self.fields);
        if let Some(size) = self.page_size {
            query = query.max_records(size);
        }
        self.filters
            .iter()
            .cloned()
            .fold(query, autotask::QueryBuilder::filter)
    }
}

/// A filter condition on a field by wire name.
pub fn condition(field: &str, op: Op, value: Value) -> Filter {
    Filter::condition(field, op, value)
}

/// All of `filters`.
pub fn all_of(filters: Vec<Filter>) -> Filter {
    Filter::and(filters)
}

/// Any of `filters`.
pub fn any_of(filters: Vec<Filter>) -> Filter {
    Filter::or(filters)
}

/// A condition on the user-defined field `name` with an already checked value (a list for `in`).
pub fn udf_condition(name: &str, op: Op, value: Value) -> Filter {
    Filter::udf(name, op, value)
}

/// The value a condition compares with (`None` for groups and value-less operators).
pub fn condition_value(filter: &Filter) -> Option<&Value> {
    match filter {
        Filter::Condition { value, .. } => value.as_ref(),
        _ => None,
    }
}

/// Every operator, with its wire name.
pub const OPERATORS: [Op; 13] = Op::ALL;

impl Sdk {
    /// A client for `credentials`. No request is made.
    pub fn connect(credentials: &Credentials) -> Result<Sdk> {
        let mut builder = autotask::Client::builder()
            .username(credentials.username.clone())
            .integration_code(credentials.integration_code.clone())
            .secret(credentials.secret.expose().to_string())
            .user_agent(concat!("autotask-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &credentials.api_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(id) = credentials.impersonate {
            builder = builder.impersonate(id);
        }
        let client = builder.build().map_err(map_error)?;
        Ok(Sdk {
            client,
            username: credentials.username.clone(),
            source: credentials.source.clone(),
        })
    }

    fn dynamic(&self, meta: &EntityMeta) -> Result<autotask::DynamicEntity> {
        self.client
            .entities()
            .get_entity(meta.name)
            .map_err(map_error)
    }

    fn children(&self, meta: &EntityMeta, parent: i64) -> Result<autotask::DynamicChildren> {
        self.dynamic(meta)?.children(parent).map_err(map_error)
    }

    /// Zone, API versions, latency and threshold usage (three requests).
    pub async fn identity(&self) -> Result<Identity> {
        let report = self.client.health().check().await.map_err(map_error)?;
        Ok(Identity {
            zone_name: report.zone.name,
            zone_url: report.zone.url,
            web_url: report.zone.web_url,
            base_url: report.base_url.to_string(),
            api_versions: report.api_versions,
            latency: report.latency,
            usage: report.usage,
        })
    }

    /// The tenant's threshold usage, its latency tier and advice (one request).
    pub async fn rate_limits(
        &self,
    ) -> Result<(ThresholdUsage, RateLimitLevel, usize, Vec<String>)> {
        let report = self
            .client
            .api_usage()
            .check_rate_limits()
            .await
            .map_err(map_error)?;
        Ok((
            report.usage,
            report.level,
            report.max_concurrent_per_endpoint,
            report.advice,
        ))
    }

    /// Requests, errors, retries and latency per endpoint, as this run measured them.
    pub fn endpoint_stats(&self) -> BTreeMap<String, EndpointStats> {
        self.client.api_usage().get_usage_by_endpoint()
    }

    /// One record by id (under `parent` for child entities); `None` when it does not exist.
    pub async fn get(
        &self,
        meta: &EntityMeta,
        id: i64,
        parent: Option<i64>,
    ) -> Result<Option<Value>> {
        let record = match parent {
            Some(parent) => self.children(meta, parent)?.get(id).await,
            None => self.dynamic(meta)?.get(id).await,
        };
        record.map_err(map_error)
    }

    /// Every record matching `request`, paging to the end.
    pub fn query(
        &self,
        meta: &EntityMeta,
        request: &QueryRequest,
    ) -> BoxStream<'static, Result<Value>> {
        match self.dynamic(meta) {
            Ok(entity) => request
                .builder(&entity)
                .stream()
                .map(|r| r.map_err(map_error))
                .boxed(),
            Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
        }
    }

    /// Every child under `parent`, paging to the end.
    pub fn list(&self, meta: &EntityMeta, parent: i64) -> BoxStream<'static, Result<Value>> {
        match self.children(meta, parent) {
            Ok(children) => children.list().map(|r| r.map_err(map_error)).boxed(),
            Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
        }
    }

    /// The export of `meta` in `format`: records matching all of `filters`, changed or created since
    /// `since` (a date the API accepts), CSV cells that would run as formulas escaped when asked,
    /// continuing after `position` (the default one: from the start). Checked before any request.
    pub fn export(
        &self,
        meta: &EntityMeta,
        format: ExportFormat,
        filters: &[Filter],
        since: Option<&str>,
        escape_formulas: bool,
        position: EntityPosition,
    ) -> Result<EntityExport> {
        let mut checkpoint = autotask::services::Checkpoint::new();
        checkpoint.set_position(meta.name, position);
        let mut export = self
            .client
            .export()
            .format(format)
            .escape_formulas(escape_formulas)
            .resume_from(checkpoint);
        for filter in filters {
            export = export.filter(filter.clone());
        }
        if let Some(text) = since {
            let since = autotask::model::wire::datetime::parse(text)
                .ok_or_else(|| CliError::usage(format!("--since {text:?} is not a date")))?;
            export = export.since(since);
        }
        let entity = export.check(meta.name).map_err(map_error)?;
        Ok(EntityExport { export, entity })
    }

    /// `query/count` of `filters`.
    pub async fn count(&self, meta: &EntityMeta, filters: &[Filter]) -> Result<u64> {
        let request = QueryRequest {
            filters: filters.to_vec(),
            ..QueryRequest::default()
        };
        request
            .builder(&self.dynamic(meta)?)
            .count()
            .await
            .map_err(map_error)
    }

    /// Creates a record; its id.
    pub async fn create(
        &self,
        meta: &EntityMeta,
        body: &Value,
        parent: Option<i64>,
    ) -> Result<i64> {
        let id = match parent {
            Some(parent) => self.children(meta, parent)?.create(body).await,
            None => self.dynamic(meta)?.create(body).await,
        };
        id.map_err(map_error)
    }

    /// PATCHes one record (`id` in the body).
    pub async fn update(
        &self,
        meta: &EntityMeta,
        body: &Value,
        parent: Option<i64>,
    ) -> Result<i64> {
        let id = match parent {
            Some(parent) => self.children(meta, parent)?.update(body).await,
            None => self.dynamic(meta)?.update(body).await,
        };
        id.map_err(map_error)
    }

    /// PATCHes many records of a root entity within the thread limit; one result per body, in order.
    /// `progress` is called after each record completes.
    pub async fn update_many(
        &self,
        meta: &EntityMeta,
        bodies: &[Value],
        progress: impl FnMut(usize) + Send,
    ) -> Result<Vec<Result<i64>>> {
        let entity = self.dynamic(meta)?;
        let mut progress = progress;
        let results = entity
            .update_batch(bodies)
            .on_progress(move |p| progress(p.completed))
            .run()
            .await;
        Ok(results
            .into_results()
            .into_iter()
            .map(|r| r.map_err(map_error))
            .collect())
    }

    /// Deletes a record.
    pub async fn delete(&self, meta: &EntityMeta, id: i64, parent: Option<i64>) -> Result<()> {
        let done = match parent {
            Some(parent) => self.children(meta, parent)?.delete(id).await,
            None => self.dynamic(meta)?.delete(id).await,
        };
        done.map_err(map_error)
    }

    /// The picklist of `entity`'s `field` from the tenant's metadata.
    pub async fn picklist(&self, meta: &EntityMeta, field: &str) -> Result<Picklist> {
        self.client
            .picklists()
            .field(meta.name, field)
            .await
            .map_err(map_error)
    }

    /// Every picklist of `entity`, by field wire name (one request, cached for the run).
    pub async fn picklists(&self, meta: &EntityMeta) -> Result<BTreeMap<String, Picklist>> {
        if !meta.root_verbs.contains(Verbs::FIELDS) {
            return Ok(BTreeMap::new());
        }
        let all = self
            .client
            .picklists()
            .all(meta.name)
            .await
            .map_err(map_error)?;
        Ok(all
            .into_iter()
            .map(|p| (p.field().to_string(), p))
            .collect())
    }

    /// The UDF definitions of `entity` (one request, cached for the run).
    pub async fn udfs(&self, meta: &EntityMeta) -> Result<UdfDefinitions> {
        self.client
            .udf_definitions(meta.name)
            .await
            .map_err(map_error)
    }
}

/// `{"name": ..., "value": ...}` for the UDF `name`, checked against its definition (a list label
/// becomes its value).
pub fn udf_entry(definitions: &UdfDefinitions, name: &str, text: &str) -> Result<Value> {
    let field = definitions.value(name, text).map_err(map_error)?;
    serde_json::to_value(field).map_err(|e| CliError::failure(e.to_string()))
}

/// `{"name": ..., "value": null}`: clears the UDF `name` (refused for required and read-only UDFs).
pub fn udf_cleared(definitions: &UdfDefinitions, name: &str) -> Result<Value> {
    let field = definitions.cleared(name).map_err(map_error)?;
    serde_json::to_value(field).map_err(|e| CliError::failure(e.to_string()))
}

/// A UDF filter condition with its value checked like [`udf_entry`].
pub fn udf_filter(
    definitions: &UdfDefinitions,
    name: &str,
    op: Op,
    text: &str,
) -> Result<Filter, String> {
    definitions
        .filter(name, op, text)
        .map_err(|e| plain_message(&e))
}

/// The SDK error's text without its kind prefix (`invalid input: `), for messages that add their own.
pub fn plain_message(error: &autotask::Error) -> String {
    match error {
        autotask::Error::InvalidInput(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The SDK's error as the CLI reports it: exit code by kind, and what to do.
pub fn map_error(error: autotask::Error) -> CliError {
    use autotask::Error as E;
    let message = plain_message(&error);
    match &error {
        E::Authentication { .. } => CliError::new(Exit::Auth, message)
            .hint("check the user name, integration code and secret (`autotask whoami`)"),
        E::Permission { .. } => CliError::new(Exit::Auth, message).hint(
            "the API user's security level does not allow this; ask your Autotask administrator",
        ),
        E::NotFound { .. } => CliError::new(Exit::NotFound, message),
        E::Validation { .. } => CliError::new(Exit::Validation, message),
        E::RateLimited { .. } | E::ThreadLimit { .. } | E::SharedBudgetReached { .. } => {
            CliError::new(Exit::RateLimited, message).hint(
                "wait and run again, or run fewer jobs at once (`autotask usage` shows the threshold)",
            )
        }
        E::InvalidInput(_) | E::NotAnEntity { .. } | E::Configuration(_) => {
            CliError::new(Exit::Usage, message)
        }
        E::UnknownOutcome { .. } => CliError::new(Exit::Failure, message)
            .hint("check whether the record exists before creating it again"),
        E::Transport { .. } => CliError::new(Exit::Failure, message).hint(
            "check the API URL and your network; for the simulator, start it with `autotask sim`",
        ),
        _ => CliError::new(Exit::Failure, message),
    }
}

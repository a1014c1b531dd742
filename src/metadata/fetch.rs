//! Reading the tenant's metadata: `GET /{E}/entityInformation[/fields|/userDefinedFields]`, through the
//! client's metadata cache (one hour by default), parsed into what the SDK reads.

use super::picklists::{Picklist, PicklistValue};
use crate::client::cache::{Class, Lookup};
use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::model::meta::{entity_meta, EntityMeta, Verbs};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

/// One entry of a `fields` or `userDefinedFields` answer; only what the SDK reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawField {
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    /// `type` of UDF definitions.
    #[serde(default, rename = "type")]
    pub udf_type: Option<String>,
    #[serde(default)]
    pub length: Option<u32>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_required: bool,
    #[serde(default)]
    pub is_read_only: bool,
    #[serde(default)]
    pub is_queryable: bool,
    #[serde(default)]
    pub is_pick_list: bool,
    #[serde(default)]
    pub picklist_values: Option<Vec<RawValue>>,
    #[serde(default)]
    pub picklist_parent_value_field: Option<String>,
    #[serde(default)]
    pub default_value: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawValue {
    value: Value,
    #[serde(default)]
    label: Option<String>,
    #[serde(default, rename = "isDefaultValue")]
    is_default: bool,
    #[serde(default)]
    sort_order: Option<i32>,
    #[serde(default)]
    parent_value: Option<Value>,
    #[serde(default = "active_unless_told")]
    is_active: bool,
    #[serde(default)]
    is_system: bool,
}

fn active_unless_told() -> bool {
    true
}

/// A wire value (`"5"` or `5`) as text; `None` for null or empty.
pub(super) fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl RawField {
    /// The picklist values, in the server's order.
    pub fn values(&self, entity: &str) -> Result<Vec<PicklistValue>> {
        let Some(raw) = &self.picklist_values else {
            return Ok(Vec::new());
        };
        raw.iter()
            .map(|v| {
                let value = value_text(&v.value).ok_or_else(|| {
                    Error::Protocol(format!(
                        "{entity}.{}: picklist value {} is neither text nor a number",
                        self.name, v.value
                    ))
                })?;
                Ok(PicklistValue {
                    value,
                    label: v.label.clone().unwrap_or_default(),
                    is_active: v.is_active,
                    is_system: v.is_system,
                    is_default: v.is_default,
                    sort_order: v.sort_order.unwrap_or(0),
                    parent_value: v.parent_value.as_ref().and_then(value_text),
                })
            })
            .collect()
    }

    pub(super) fn picklist(&self, entity: &str) -> Result<Picklist> {
        Ok(Picklist {
            entity: entity.to_string(),
            field: self.name.clone(),
            parent_field: self
                .picklist_parent_value_field
                .as_ref()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            under: None,
            values: self.values(entity)?,
        })
    }
}

/// The entity called `name` (collection or model name, any case), if the endpoint `verb` exists for it.
pub(crate) fn metadata_entity(name: &str, verb: Verbs, what: &str) -> Result<&'static EntityMeta> {
    let meta = entity_meta(name).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{name:?} is not an Autotask REST entity known to this build"
        ))
    })?;
    if !meta.root_verbs.contains(verb) {
        return Err(Error::InvalidInput(format!(
            "{} has no {what} endpoint",
            meta.name
        )));
    }
    Ok(meta)
}

/// `GET /{E}/entityInformation/{suffix}` through the metadata cache, parsed as `{"fields": [...]}`.
pub(crate) async fn fetch_fields(
    client: &Client,
    meta: &EntityMeta,
    suffix: &str,
) -> Result<Vec<RawField>> {
    let answer = cached_get(client, meta, metadata_path(meta, suffix)).await?;
    let fields = answer.get("fields").cloned().ok_or_else(|| {
        Error::Protocol(format!(
            "{}/entityInformation/{suffix}: answer has no `fields`",
            meta.name
        ))
    })?;
    serde_json::from_value(fields).map_err(|e| {
        Error::Protocol(format!(
            "{}/entityInformation/{suffix}: unexpected answer: {e}",
            meta.name
        ))
    })
}

/// `GET path` (a metadata answer of `meta`) through the client's metadata cache: answered from memory
/// while fresh, and concurrent first reads of the same answer make one request.
pub(crate) async fn cached_get(client: &Client, meta: &EntityMeta, path: String) -> Result<Value> {
    let impersonation = client.impersonation();
    let cache = &client.inner.cache;
    let _flight = cache.metadata_flight(&path, impersonation).await;
    let token = match cache.lookup(Class::Metadata, &path, None, impersonation) {
        Lookup::Hit(answer) => return Ok(answer),
        Lookup::Miss(token) => token,
    };
    let answer = client
        .execute(Request::new(Method::GET, path, meta.name))
        .await?;
    if let Some(token) = token {
        cache.store(token, &answer);
    }
    Ok(answer)
}

pub(crate) fn metadata_path(meta: &EntityMeta, suffix: &str) -> String {
    format!("{}/entityInformation/{suffix}", meta.name)
}

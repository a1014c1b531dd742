//! Access to any entity by name over `serde_json::Value`, as py-autotask's
//! `client.entities.get_entity("Tickets")`. The same rules as the typed handles apply, checked at run
//! time from the metadata: an operation the API does not offer is an [`Error::InvalidInput`].

use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::handle::{check_id, check_write_body, get_raw, item_id, replace_body, Unknown};
use crate::meta::{EntityMeta, Verbs};
use crate::paging;
use crate::query::QuerySpec;
use futures::stream::{BoxStream, StreamExt};
use reqwest::Method;
use serde_json::Value;

/// Entry point for name-based access: `client.entities()`.
#[derive(Clone)]
pub struct Entities {
    client: Client,
}

impl Client {
    /// Name-based access to every entity.
    pub fn entities(&self) -> Entities {
        Entities {
            client: self.clone(),
        }
    }
}

impl Entities {
    /// The entity whose REST collection or model name is `name` (case-insensitive). No request is made.
    ///
    /// Names from py-autotask's list that are not REST collections are answered from
    /// [`crate::aliases`]: an old name of a real collection (`InstalledProducts`, `Teams`, ...) resolves
    /// to that collection, and [`DynamicEntity::alias`] tells it was reached that way. Picklist names
    /// (`TicketStatuses`), names this SDK provides as a service (`Analytics`) and names with no endpoint
    /// at all (`Workflows`) give [`Error::NotAnEntity`], whose text names the real alternative. Anything
    /// else, or a collection whose feature group is not compiled, is [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
    /// let cis = client.entities().get_entity("InstalledProducts")?;
    /// assert_eq!(cis.meta().name, "ConfigurationItems");
    /// assert_eq!(cis.alias().map(|a| a.name), Some("InstalledProducts"));
    /// assert!(matches!(
    ///     client.entities().get_entity("Workflows"),
    ///     Err(autotask::Error::NotAnEntity { .. })
    /// ));
    /// # Ok(()) }
    /// ```
    pub fn get_entity(&self, name: &str) -> Result<DynamicEntity> {
        if let Some(meta) = crate::meta::entity_meta(name) {
            return Ok(DynamicEntity {
                client: self.client.clone(),
                meta,
                alias: None,
            });
        }
        let Some(reference) = crate::aliases::lookup(name) else {
            return Err(Error::InvalidInput(format!(
                "{name:?} is not an Autotask REST entity known to this build"
            )));
        };
        let Some(target) = reference.entity() else {
            return Err(Error::NotAnEntity {
                name: reference.name.to_string(),
                explanation: reference.explanation(),
            });
        };
        match crate::meta::entity_meta(target) {
            Some(meta) => Ok(DynamicEntity {
                client: self.client.clone(),
                meta,
                alias: Some(reference),
            }),
            None => Err(Error::InvalidInput(format!(
                "{name:?} is the REST collection {target}, whose feature group is not compiled into this build"
            ))),
        }
    }
}

/// Operations on one entity over JSON values.
#[derive(Clone)]
pub struct DynamicEntity {
    client: Client,
    meta: &'static EntityMeta,
    /// The py-autotask name used to reach this collection, when it was an alias.
    alias: Option<&'static crate::aliases::ReferenceName>,
}

impl std::fmt::Debug for DynamicEntity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicEntity")
            .field("entity", &self.meta.name)
            .field("alias", &self.alias.map(|a| a.name))
            .finish()
    }
}

impl DynamicEntity {
    /// The entity's metadata.
    pub fn meta(&self) -> &'static EntityMeta {
        self.meta
    }

    /// The alias [`Entities::get_entity`] resolved to reach this collection (`InstalledProducts` for
    /// `ConfigurationItems`), or `None` when it was asked for by its real name.
    pub fn alias(&self) -> Option<&'static crate::aliases::ReferenceName> {
        self.alias
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn require_root(&self, verb: Verbs, what: &str) -> Result<()> {
        if self.meta.root_verbs.contains(verb) {
            return Ok(());
        }
        let hint = match self.meta.child {
            Some(child)
                if child.verbs.contains(if verb == Verbs::QUERY {
                    Verbs::LIST
                } else {
                    verb
                }) =>
            {
                format!(
                    "; use the parent path /{}/{{parentId}}/{} (children(parent_id))",
                    child.parent, child.segment
                )
            }
            _ => String::new(),
        };
        Err(Error::InvalidInput(format!(
            "{} cannot {what} at /{}{hint}",
            self.meta.name, self.meta.name
        )))
    }

    /// `GET /{E}/{id}`; no request when the record cache holds it ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<Value>> {
        self.require_root(Verbs::GET, "be read by id")?;
        check_id(self.meta.name, id)?;
        get_raw(
            &self.client,
            self.meta.name,
            format!("{}/{id}", self.meta.name),
        )
        .await
    }

    /// `POST /{E}`; the new id.
    pub async fn create(&self, record: &Value) -> Result<i64> {
        self.require_root(Verbs::CREATE, "be created")?;
        self.write(Method::POST, self.meta.name.to_string(), record.clone())
            .await
    }

    /// `PATCH /{E}`; `patch` must carry `id` and only the fields to change.
    pub async fn update(&self, patch: &Value) -> Result<i64> {
        self.require_root(Verbs::PATCH, "be updated")?;
        require_id(self.meta, patch)?;
        self.write(Method::PATCH, self.meta.name.to_string(), patch.clone())
            .await
    }

    /// `PUT /{E}`: replaces the whole record. `record` must hold every writable field (`null` to clear
    /// one), as a record read with [`get`](Self::get) does: a partial record (read with
    /// `IncludeFields`) is refused, since the PUT would clear every field it lacks. Fields the metadata
    /// does not know are sent as given.
    pub async fn replace(&self, record: &Value) -> Result<i64> {
        self.require_root(Verbs::PUT, "be replaced")?;
        require_id(self.meta, record)?;
        require_whole(self.meta, record)?;
        let body = replace_body(self.meta, record.clone());
        let path = self.meta.name.to_string();
        write_body(
            &self.client,
            self.meta,
            Method::PUT,
            path,
            body,
            Unknown::Keep,
        )
        .await
    }

    /// `DELETE /{E}/{id}`; done also when a retry finds the record gone after an attempt whose answer
    /// was lost.
    pub async fn delete(&self, id: i64) -> Result<()> {
        self.require_root(Verbs::DELETE, "be deleted")?;
        check_id(self.meta.name, id)?;
        self.client
            .execute(Request::new(
                Method::DELETE,
                format!("{}/{id}", self.meta.name),
                self.meta.name,
            ))
            .await?;
        Ok(())
    }

    /// Every record matching `spec`, paging to the end.
    pub fn query(&self, spec: &QuerySpec) -> BoxStream<'static, Result<Value>> {
        let checked = self
            .require_root(Verbs::QUERY, "be queried")
            .and_then(|_| spec.validate(self.meta));
        match checked {
            Ok(()) => paging::records(self.client.clone(), self.meta.name, spec, None, None),
            Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
        }
    }

    /// `query/count`.
    pub async fn count(&self, spec: &QuerySpec) -> Result<u64> {
        self.require_root(Verbs::COUNT, "be counted")?;
        spec.validate(self.meta)?;
        let mut total = 0;
        for part in spec.split_long_lists() {
            let request = Request::new(
                Method::POST,
                format!("{}/query/count", self.meta.name),
                self.meta.name,
            )
            .body(part.body())
            .read_only();
            let answer = self.client.execute(request).await?;
            total += answer["queryCount"]
                .as_u64()
                .ok_or_else(|| Error::Protocol(format!("no queryCount in {answer}")))?;
        }
        Ok(total)
    }

    /// The children under `parent_id`, for entities reached through a parent path.
    pub fn children(&self, parent_id: i64) -> Result<DynamicChildren> {
        let child = self.meta.child.ok_or_else(|| {
            Error::InvalidInput(format!("{} has no parent-scoped path", self.meta.name))
        })?;
        check_id(child.parent, parent_id)?;
        Ok(DynamicChildren {
            client: self.client.clone(),
            meta: self.meta,
            path: format!("{}/{parent_id}/{}", child.parent, child.segment),
            verbs: child.verbs,
        })
    }

    async fn write(&self, method: Method, path: String, body: Value) -> Result<i64> {
        write_body(&self.client, self.meta, method, path, body, Unknown::Refuse).await
    }
}

/// Checks and sends one write body; the record's id.
async fn write_body(
    client: &Client,
    meta: &'static EntityMeta,
    method: Method,
    path: String,
    body: Value,
    unknown: Unknown,
) -> Result<i64> {
    check_write_body(meta, &body, unknown)?;
    let answer = client
        .execute(Request::new(method, path, meta.name).body(body))
        .await?;
    item_id(meta.name, &answer)
}

/// A whole-record body must hold every writable field: what it lacks, a PUT would clear.
fn require_whole(meta: &EntityMeta, record: &Value) -> Result<()> {
    let Some(object) = record.as_object() else {
        return Err(Error::InvalidInput(format!(
            "{}: a write body must be a JSON object",
            meta.name
        )));
    };
    let missing: Vec<&str> = meta
        .fields
        .iter()
        .filter(|f| !f.is_read_only() && f.name != "id" && !object.contains_key(f.name))
        .map(|f| f.name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "{}: a replace (PUT) needs the whole record, and this one lacks {} writable field(s) ({}{}), \
         which the PUT would clear; read the record without IncludeFields, set the fields to null to \
         clear them, or use update (PATCH) to change only some",
        meta.name,
        missing.len(),
        missing[..missing.len().min(5)].join(", "),
        if missing.len() > 5 { ", …" } else { "" }
    )))
}

/// `verb` must be among the `verbs` of `path` (a root collection or a parent path), else a clear error
/// naming what was attempted and where.
pub(crate) fn require_verb(
    meta: &EntityMeta,
    verbs: Verbs,
    verb: Verbs,
    what: &str,
    path: &str,
) -> Result<()> {
    if verbs.contains(verb) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{} cannot {what} at /{path}",
            meta.name
        )))
    }
}

fn require_id(meta: &EntityMeta, body: &Value) -> Result<()> {
    match body.get("id").and_then(Value::as_i64) {
        Some(id) => check_id(meta.name, id),
        None => Err(Error::InvalidInput(format!(
            "{}: an update body needs the record's `id`",
            meta.name
        ))),
    }
}

/// Children of one parent over JSON values.
#[derive(Clone)]
pub struct DynamicChildren {
    client: Client,
    meta: &'static EntityMeta,
    path: String,
    verbs: Verbs,
}

impl DynamicChildren {
    /// The entity's metadata.
    pub fn meta(&self) -> &'static EntityMeta {
        self.meta
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn require(&self, verb: Verbs, what: &str) -> Result<()> {
        require_verb(self.meta, self.verbs, verb, what, &self.path)
    }

    /// Every child, paging to the end.
    pub fn list(&self) -> BoxStream<'static, Result<Value>> {
        if let Err(e) = self.require(Verbs::LIST, "be listed") {
            return futures::stream::once(futures::future::ready(Err(e))).boxed();
        }
        paging::children(self.client.clone(), self.meta.name, self.path.clone(), None)
    }

    /// One child: `GET /{Parent}/{parentId}/{Seg}/{id}`; no request when the record cache holds it
    /// ([`Client::enable_cache`]).
    pub async fn get(&self, id: i64) -> Result<Option<Value>> {
        self.require(Verbs::GET, "be read by id")?;
        check_id(self.meta.name, id)?;
        get_raw(&self.client, self.meta.name, format!("{}/{id}", self.path)).await
    }

    /// Creates a child; the new id.
    pub async fn create(&self, record: &Value) -> Result<i64> {
        self.require(Verbs::CREATE, "be created")?;
        self.write(Method::POST, record.clone()).await
    }

    /// PATCHes a child (`id` in the body).
    pub async fn update(&self, patch: &Value) -> Result<i64> {
        self.require(Verbs::PATCH, "be updated")?;
        require_id(self.meta, patch)?;
        self.write(Method::PATCH, patch.clone()).await
    }

    /// PUTs a whole child record; like [`DynamicEntity::replace`], a record lacking writable fields is
    /// refused.
    pub async fn replace(&self, record: &Value) -> Result<i64> {
        self.require(Verbs::PUT, "be replaced")?;
        require_id(self.meta, record)?;
        require_whole(self.meta, record)?;
        let body = replace_body(self.meta, record.clone());
        write_body(
            &self.client,
            self.meta,
            Method::PUT,
            self.path.clone(),
            body,
            Unknown::Keep,
        )
        .await
    }

    /// Deletes a child.
    pub async fn delete(&self, id: i64) -> Result<()> {
        self.require(Verbs::DELETE, "be deleted")?;
        check_id(self.meta.name, id)?;
        self.client
            .execute(Request::new(
                Method::DELETE,
                format!("{}/{id}", self.path),
                self.meta.name,
            ))
            .await?;
        Ok(())
    }

    async fn write(&self, method: Method, body: Value) -> Result<i64> {
        write_body(
            &self.client,
            self.meta,
            method,
            self.path.clone(),
            body,
            Unknown::Refuse,
        )
        .await
    }
}

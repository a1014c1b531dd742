//! Managing webhooks through the API: register one with its field rows in one call, list, deactivate,
//! delete.

use super::spec::{WebhookEntity, WebhookField, WebhookSpec};
use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::model::meta::entity_meta;
use crate::ops::core::{self, Read};
use crate::ops::route::Route;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

impl Client {
    /// Webhook management: [`Webhooks::register`], [`Webhooks::list`], [`Webhooks::deactivate`],
    /// [`Webhooks::delete`], [`Webhooks::field_ids`].
    pub fn webhooks(&self) -> Webhooks {
        Webhooks {
            client: self.clone(),
        }
    }
}

/// Webhook management for the five webhook-capable entities (`client.webhooks()`).
#[derive(Debug, Clone)]
pub struct Webhooks {
    client: Client,
}

/// A webhook that [`Webhooks::register`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredWebhook {
    /// The entity it watches.
    pub entity: WebhookEntity,
    /// Its id in `{Model}Webhooks`.
    pub id: i64,
    /// `webhookGUID`, the `Guid` its callouts carry (as read back after registration).
    pub guid: Option<String>,
    /// Field name → id of the `{Model}WebhookFields` row created for it.
    pub field_rows: BTreeMap<String, i64>,
    /// Resource id → id of the `{Model}WebhookExcludedResources` row created for it.
    pub excluded_resource_rows: BTreeMap<i64, i64>,
}

/// One webhook as [`Webhooks::list`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSummary {
    /// The webhook's id in `{Model}Webhooks`.
    pub id: i64,
    /// `name`.
    pub name: String,
    /// `isActive`: only active webhooks call out.
    pub is_active: bool,
    /// `isReady` as the API reports it (`None` when absent).
    pub is_ready: Option<bool>,
    /// `webhookUrl`: where callouts go.
    pub webhook_url: String,
    /// `deactivationUrl`: where the `Deactivated` message goes.
    pub deactivation_url: String,
    /// `webhookGUID`.
    pub guid: Option<String>,
    /// `isSubscribedToCreateEvents`.
    pub on_create: bool,
    /// `isSubscribedToUpdateEvents`.
    pub on_update: bool,
    /// `isSubscribedToDeleteEvents`.
    pub on_delete: bool,
}

impl WebhookSummary {
    fn from_record(record: &Value) -> Result<WebhookSummary> {
        let text = |name: &str| record[name].as_str().unwrap_or_default().to_string();
        let flag = |name: &str| record[name].as_bool().unwrap_or(false);
        Ok(WebhookSummary {
            id: record["id"]
                .as_i64()
                .ok_or_else(|| Error::Protocol(format!("webhook record without id: {record}")))?,
            name: text("name"),
            is_active: flag("isActive"),
            is_ready: record["isReady"].as_bool(),
            webhook_url: text("webhookUrl"),
            deactivation_url: text("deactivationUrl"),
            guid: record["webhookGUID"]
                .as_str()
                .filter(|g| !g.is_empty())
                .map(str::to_string),
            on_create: flag("isSubscribedToCreateEvents"),
            on_update: flag("isSubscribedToUpdateEvents"),
            on_delete: flag("isSubscribedToDeleteEvents"),
        })
    }
}

/// Lower-case letters and digits only, so `Ticket Number`, `ticketNumber` and `TicketNumber` compare equal.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Webhooks {
    /// A metadata GET that bypasses the metadata cache on purpose: registration checks what the tenant
    /// supports right now (webhook support and field ids are tenant settings an admin can change), and it
    /// runs rarely enough that the extra requests do not matter.
    async fn get_json(&self, path: String, entity: &str) -> Result<Value> {
        self.client
            .execute(Request::new(Method::GET, path, entity))
            .await
    }

    /// The tenant's internal field ids of `entity`'s webhook-capable fields, by field name.
    ///
    /// `fieldID` of a webhook field row is Autotask's internal id of the field, which
    /// `entityInformation/fields` does not report. The API publishes it in one place only: the picklist
    /// of `fieldID` in `GET /{Model}WebhookFields/entityInformation/fields` (value = id, label = name).
    /// One request. Labels are returned as the API gives them; Autotask documents REST field names as
    /// labels for Companies and Contacts, and a tenant may answer with display labels for other
    /// entities, which [`register`](Self::register) matches ignoring case, spaces and punctuation.
    pub async fn field_ids(&self, entity: WebhookEntity) -> Result<BTreeMap<String, i64>> {
        let fields_entity = entity.fields_entity();
        let answer = self
            .get_json(
                format!("{fields_entity}/entityInformation/fields"),
                fields_entity,
            )
            .await?;
        let field = answer["fields"]
            .as_array()
            .and_then(|fields| {
                fields.iter().find(|f| {
                    f["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("fieldID"))
                })
            })
            .ok_or_else(|| {
                Error::Protocol(format!(
                    "{fields_entity}/entityInformation/fields has no fieldID field: {answer}"
                ))
            })?;
        let values = field["picklistValues"].as_array().ok_or_else(|| {
            Error::Protocol(format!(
                "{fields_entity}.fieldID has no picklist of field ids, so field ids cannot be looked up"
            ))
        })?;
        let mut ids = BTreeMap::new();
        for value in values {
            let label = value["label"].as_str().unwrap_or_default();
            let id = value["value"]
                .as_i64()
                .or_else(|| value["value"].as_str().and_then(|v| v.parse().ok()))
                .ok_or_else(|| {
                    Error::Protocol(format!(
                        "{fields_entity}.fieldID value is not an id: {value}"
                    ))
                })?;
            ids.insert(label.to_string(), id);
        }
        Ok(ids)
    }

    /// Registers a webhook and its field rows in one call.
    ///
    /// Requests, in order (all before step 4 only read):
    /// 1. `GET /{Entity}/entityInformation`: the entity must report `supportsWebhookCallouts: true`.
    /// 2. `GET /{Entity}/entityInformation/fields`: every named field must report
    ///    `isSupportedWebhookField: true` (live metadata: the compiled schema does not know this flag).
    /// 3. `GET /{Model}WebhookFields/entityInformation/fields`: field name → internal field id
    ///    (see [`field_ids`](Self::field_ids)).
    /// 4. `POST /{Model}Webhooks` with the spec's body.
    /// 5. `POST /{Model}Webhooks/{id}/Fields` once per distinct field (`isSubscribedField`,
    ///    `isDisplayAlwaysField`), then `POST /{Model}Webhooks/{id}/ExcludedResources` per resource.
    /// 6. `GET /{Model}Webhooks/{id}` to return the `webhookGUID` Autotask assigned.
    ///
    /// Guarantees: a spec the API would refuse (see [`WebhookSpec::validate`]), an entity or field that does
    /// not support webhooks, or a field without an id fails before anything is created, with
    /// [`Error::InvalidInput`] naming the field (and the known names when the id lookup fails). If a step
    /// of 5 fails, the half-made webhook is deleted (`DELETE /{Model}Webhooks/{id}`, which also removes its
    /// rows) and [`Error::WebhookRegistration`] reports the failed step, whether the delete worked and, if
    /// not, exactly which rows still exist. Deleting an active webhook makes Autotask send the
    /// `Deactivated` message to the deactivation URL. A failure of step 6 is returned as is; the webhook is
    /// then complete and can be found with [`list`](Self::list).
    ///
    /// ```no_run
    /// # #[cfg(feature = "service_desk")]
    /// # async fn run(client: autotask::Client) -> autotask::Result<()> {
    /// use autotask::entities::TicketField;
    /// use autotask::webhooks::WebhookSpec;
    ///
    /// let hook = client
    ///     .webhooks()
    ///     .register(
    ///         &WebhookSpec::tickets("Ticket status", "https://hooks.example.com/at",
    ///             "https://hooks.example.com/at/deactivated", "s3cret")
    ///             .subscribe([TicketField::Status])
    ///             .display_always([TicketField::TicketNumber]),
    ///     )
    ///     .await?;
    /// println!("webhook {} ({:?})", hook.id, hook.guid);
    /// # Ok(()) }
    /// ```
    pub async fn register<F: WebhookField>(
        &self,
        spec: &WebhookSpec<F>,
    ) -> Result<RegisteredWebhook> {
        spec.validate()?;
        let kind = F::ENTITY;
        let rows = spec.field_rows();
        let field_ids = self.checked_field_ids(kind, &rows).await?;

        let webhooks_entity = kind.webhooks_entity();
        let route = Route::root(entity_meta(webhooks_entity).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{webhooks_entity} is not compiled into this build (feature `webhooks`)"
            ))
        })?);
        let webhook_id = core::create(&self.client, route, spec.create_body()).await?;

        let mut created = RegisteredWebhook {
            entity: kind,
            id: webhook_id,
            guid: None,
            field_rows: BTreeMap::new(),
            excluded_resource_rows: BTreeMap::new(),
        };
        if let Err(cause) = self
            .add_rows(kind, webhook_id, &rows, &field_ids, spec, &mut created)
            .await
        {
            return Err(self.undo(kind, webhook_id, cause, &created).await);
        }
        let record = core::get(&self.client, route, webhook_id, Read::Fresh)
            .await?
            .unwrap_or_default();
        created.guid = record["webhookGUID"]
            .as_str()
            .filter(|g| !g.is_empty())
            .map(str::to_string);
        Ok(created)
    }

    /// Steps 1–3 of [`register`](Self::register): the entity and fields support webhooks; their ids.
    async fn checked_field_ids<F: WebhookField>(
        &self,
        kind: WebhookEntity,
        rows: &[(F, bool, bool)],
    ) -> Result<Vec<i64>> {
        let entity = kind.entity();
        let info = self
            .get_json(format!("{entity}/entityInformation"), entity)
            .await?;
        if info["info"]["supportsWebhookCallouts"].as_bool() != Some(true) {
            return Err(Error::InvalidInput(format!(
                "{entity} does not support webhook callouts in this tenant (entityInformation: {})",
                info["info"]
            )));
        }
        let fields = self
            .get_json(format!("{entity}/entityInformation/fields"), entity)
            .await?;
        let supported = |name: &str| {
            fields["fields"].as_array().and_then(|all| {
                all.iter()
                    .find(|f| {
                        f["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    })
                    .map(|f| f["isSupportedWebhookField"].as_bool() == Some(true))
            })
        };
        for (field, _, _) in rows {
            match supported(field.as_str()) {
                Some(true) => {}
                Some(false) => {
                    return Err(Error::InvalidInput(format!(
                        "{entity}.{field} is not a supported webhook field (isSupportedWebhookField is false)"
                    )))
                }
                None => {
                    return Err(Error::InvalidInput(format!(
                        "{entity}.{field} is not in the tenant's field list"
                    )))
                }
            }
        }
        let ids = self.field_ids(kind).await?;
        let by_name: BTreeMap<String, i64> = ids
            .iter()
            .map(|(label, id)| (normalized(label), *id))
            .collect();
        rows.iter()
            .map(|(field, _, _)| {
                by_name
                    .get(&normalized(field.as_str()))
                    .copied()
                    .ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "no webhook field id for {entity}.{field}; {} lists: {}",
                            kind.fields_entity(),
                            ids.keys().cloned().collect::<Vec<_>>().join(", ")
                        ))
                    })
            })
            .collect()
    }

    /// Step 5: the field rows, then the excluded resources, recording each created row.
    async fn add_rows<F: WebhookField>(
        &self,
        kind: WebhookEntity,
        webhook_id: i64,
        rows: &[(F, bool, bool)],
        field_ids: &[i64],
        spec: &WebhookSpec<F>,
        created: &mut RegisteredWebhook,
    ) -> Result<()> {
        let entities = self.client.entities();
        let fields = entities
            .get_entity(kind.fields_entity())?
            .children(webhook_id)?;
        for ((field, subscribed, display_always), field_id) in rows.iter().zip(field_ids) {
            let row = json!({
                "webhookID": webhook_id,
                "fieldID": field_id,
                "isSubscribedField": subscribed,
                "isDisplayAlwaysField": display_always,
            });
            let id = fields.create(&row).await?;
            created.field_rows.insert(field.as_str().to_string(), id);
        }
        if !spec.excluded_resources().is_empty() {
            let excluded = entities
                .get_entity(kind.excluded_resources_entity())?
                .children(webhook_id)?;
            for &resource_id in spec.excluded_resources() {
                let id = excluded
                    .create(&json!({ "webhookID": webhook_id, "resourceID": resource_id }))
                    .await?;
                created.excluded_resource_rows.insert(resource_id, id);
            }
        }
        Ok(())
    }

    /// Deletes a half-made webhook and describes the outcome.
    async fn undo(
        &self,
        kind: WebhookEntity,
        webhook_id: i64,
        cause: Error,
        created: &RegisteredWebhook,
    ) -> Error {
        let cleanup = self.delete(kind, webhook_id).await;
        let created_rows = created
            .field_rows
            .values()
            .chain(created.excluded_resource_rows.values())
            .copied()
            .collect();
        Error::WebhookRegistration {
            entity: kind.webhooks_entity().to_string(),
            webhook_id,
            cause: Box::new(cause),
            removed: cleanup.is_ok(),
            created_rows,
            cleanup_error: cleanup.err().map(Box::new),
        }
    }

    /// Every webhook of `entity` (`POST /{Model}Webhooks/query`, paged to the end), in id order.
    pub async fn list(&self, entity: WebhookEntity) -> Result<Vec<WebhookSummary>> {
        let records: Vec<Value> = self
            .client
            .entities()
            .get_entity(entity.webhooks_entity())?
            .query()
            .all()
            .await?;
        records.iter().map(WebhookSummary::from_record).collect()
    }

    /// Stops a webhook's callouts without deleting it: `PATCH /{Model}Webhooks` with
    /// `{"id": id, "isActive": false}`. Autotask then sends `Deactivated` to the deactivation URL.
    pub async fn deactivate(&self, entity: WebhookEntity, id: i64) -> Result<()> {
        self.client
            .entities()
            .get_entity(entity.webhooks_entity())?
            .update(&json!({ "id": id, "isActive": false }))
            .await
            .map(drop)
    }

    /// Deletes a webhook (`DELETE /{Model}Webhooks/{id}`); its field and excluded-resource rows go with it.
    /// Deleting an active webhook makes Autotask send `Deactivated` to the deactivation URL.
    pub async fn delete(&self, entity: WebhookEntity, id: i64) -> Result<()> {
        self.client
            .entities()
            .get_entity(entity.webhooks_entity())?
            .delete(id)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::normalized;

    #[test]
    fn names_and_labels_compare_loosely() {
        assert_eq!(normalized("Ticket Number"), normalized("ticketNumber"));
        assert_eq!(normalized("assignedResourceID"), "assignedresourceid");
        assert_ne!(normalized("status"), normalized("statusx"));
    }
}

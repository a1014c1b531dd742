//! Which writes call out, and the webhook records the simulator maintains.
//!
//! * Field ids: `{Model}WebhookFields.fieldID` is Autotask's internal numeric field id, which only the
//!   tenant knows. The simulator numbers the fields of each entity by their 1-based position in its field
//!   list and publishes that numbering the way the real API does: as the picklist of `fieldID` in
//!   `GET /{Model}WebhookFields/entityInformation/fields` (value = id, label = the REST field name).
//! * A create (when `isSubscribedToCreateEvents`), an update that changes at least one subscribed field
//!   (`isSubscribedToUpdateEvents`) and a delete (`isSubscribedToDeleteEvents`) call out, only while the
//!   webhook `isActive` and has at least one `isSubscribedField` row, and never for a change made by an
//!   excluded resource (the impersonated resource, else the API user's resource).
//! * `Fields` holds the subscribed fields that changed (all subscribed fields on create and delete) plus
//!   every display-always field, keyed by REST field name.
//! * On create the simulator assigns `webhookGUID` and, when not given, `ownerResourceID`; `isReady` is
//!   read-only and true while the webhook has at least one subscribed field row.
//! * Deleting a webhook (its field and excluded-resource rows go with it), changing it from active to
//!   inactive, or deactivating the resource that owns it (`ownerResourceID`, which also makes the webhook
//!   inactive) sends `Action:"Deactivated"` to its `deactivationUrl` (PROTOCOL.md §6.8).

use super::payload::Pending;
use super::Outbox;
use crate::config::PicklistValue;
use crate::schema::{self, DataType, Entity, Field};
use crate::store::{Db, Record};
use serde_json::{Map, Value};

/// The entities that support webhooks (collection name, model name).
const KINDS: [(&str, &str); 5] = [
    ("Companies", "Company"),
    ("Contacts", "Contact"),
    ("ConfigurationItems", "ConfigurationItem"),
    ("Tickets", "Ticket"),
    ("TicketNotes", "TicketNote"),
];

/// What an API write did to one record.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// A record was created.
    Created(&'a Record),
    /// A record was updated from `before` to `after`.
    Updated {
        /// The record before the write.
        before: &'a Record,
        /// The record after it.
        after: &'a Record,
    },
    /// A record was deleted.
    Deleted(&'a Record),
}

/// The model whose webhooks watch `entity` (`Tickets` → `Ticket`).
fn watched_model(entity: &Entity) -> Option<&'static str> {
    KINDS
        .iter()
        .find(|(name, _)| *name == entity.name)
        .map(|(_, model)| *model)
}

/// The model of a `{Model}{suffix}` entity (`TicketWebhooks` with suffix `Webhooks` → `Ticket`).
fn model_with_suffix(entity: &Entity, suffix: &str) -> Option<&'static str> {
    KINDS
        .iter()
        .find(|(_, model)| entity.name.strip_suffix(suffix) == Some(*model))
        .map(|(_, model)| *model)
}

/// Fields that can be subscribed to: every field of a webhook-capable entity except binary data.
pub fn is_supported_field(entity: &Entity, field: &Field) -> bool {
    watched_model(entity).is_some() && field.data_type() != DataType::Bytes
}

/// The simulator's internal field id: the field's 1-based position in the entity's field list.
fn field_id(entity: &Entity, field: &Field) -> i64 {
    entity
        .fields
        .iter()
        .position(|f| f.name == field.name)
        .map_or(0, |i| i as i64 + 1)
}

fn field_by_id(entity: &'static Entity, id: i64) -> Option<&'static Field> {
    usize::try_from(id - 1)
        .ok()
        .and_then(|i| entity.fields.get(i))
        .filter(|f| is_supported_field(entity, f))
}

/// The `fieldID` picklists of the five `{Model}WebhookFields` entities (entity, field, values).
pub fn field_id_picklists() -> Vec<(String, String, Vec<PicklistValue>)> {
    KINDS
        .iter()
        .filter_map(|(name, model)| {
            let entity = schema::entity(name)?;
            let values = entity
                .fields
                .iter()
                .filter(|f| is_supported_field(entity, f))
                .map(|f| PicklistValue::new(field_id(entity, f), &f.name).system())
                .collect();
            Some((
                format!("{model}WebhookFields"),
                "fieldID".to_string(),
                values,
            ))
        })
        .collect()
}

/// Reacts to an API write (called after the store lock is released). `person` is who wrote.
pub fn after_write(
    db: &Db,
    outbox: &Outbox,
    entity: &'static Entity,
    change: Change<'_>,
    person: i64,
) {
    if let Some(model) = watched_model(entity) {
        entity_changed(db, outbox, entity, model, change, person);
    } else if let Some(model) = model_with_suffix(entity, "Webhooks") {
        webhook_changed(db, outbox, entity, model, change, person);
    } else if let Some(model) = model_with_suffix(entity, "WebhookFields") {
        let record = match change {
            Change::Created(r) | Change::Deleted(r) => r,
            Change::Updated { after, .. } => after,
        };
        if let Some(webhook_id) = record.get("webhookID").and_then(Value::as_i64) {
            update_readiness(db, model, webhook_id);
        }
    } else if entity.name == "Resources" {
        if let Change::Updated { before, after } = change {
            if flag(before, "isActive") && !flag(after, "isActive") {
                owner_deactivated(db, outbox, id_of(after), person);
            }
        }
    }
}

/// Keeps `isReady` true exactly while the webhook has a subscribed field row.
fn update_readiness(db: &Db, model: &str, webhook_id: i64) {
    let Some(webhooks) = schema::entity(&format!("{model}Webhooks")) else {
        return;
    };
    let mut store = db.write();
    let ready = store
        .table(&format!("{model}WebhookFields"))
        .is_some_and(|t| {
            t.rows.values().any(|r| {
                r.get("webhookID").and_then(Value::as_i64) == Some(webhook_id)
                    && flag(r, "isSubscribedField")
            })
        });
    if let Some(row) = store.table_mut(&webhooks.name).rows.get_mut(&webhook_id) {
        row.insert("isReady".into(), Value::Bool(ready));
    }
}

fn flag(record: &Record, name: &str) -> bool {
    record.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn text<'a>(record: &'a Record, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or("")
}

fn id_of(record: &Record) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or(0)
}

/// A field row of a webhook: which field, subscribed, display-always.
struct FieldRow {
    field: &'static Field,
    subscribed: bool,
    display_always: bool,
}

fn entity_changed(
    db: &Db,
    outbox: &Outbox,
    entity: &'static Entity,
    model: &str,
    change: Change<'_>,
    person: i64,
) {
    let webhooks_entity = format!("{model}Webhooks");
    let (action, subscription, record) = match change {
        Change::Created(r) => ("Create", "isSubscribedToCreateEvents", r),
        Change::Updated { after, .. } => ("Update", "isSubscribedToUpdateEvents", after),
        Change::Deleted(r) => ("Delete", "isSubscribedToDeleteEvents", r),
    };
    let mut callouts = Vec::new();
    {
        let store = db.read();
        let Some(webhooks) = store.table(&webhooks_entity) else {
            return;
        };
        for webhook in webhooks.rows.values() {
            if !flag(webhook, "isActive") || !flag(webhook, subscription) {
                continue;
            }
            let webhook_id = id_of(webhook);
            let belongs =
                |r: &&Record| r.get("webhookID").and_then(Value::as_i64) == Some(webhook_id);
            let excluded = store
                .table(&format!("{model}WebhookExcludedResources"))
                .is_some_and(|t| {
                    t.rows
                        .values()
                        .filter(belongs)
                        .any(|r| r.get("resourceID").and_then(Value::as_i64) == Some(person))
                });
            if excluded {
                continue;
            }
            let rows: Vec<FieldRow> = store
                .table(&format!("{model}WebhookFields"))
                .map(|t| {
                    t.rows
                        .values()
                        .filter(belongs)
                        .filter_map(|r| {
                            let id = r.get("fieldID").and_then(Value::as_i64)?;
                            Some(FieldRow {
                                field: field_by_id(entity, id)?,
                                subscribed: flag(r, "isSubscribedField"),
                                display_always: flag(r, "isDisplayAlwaysField"),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            // An update calls out only when a subscribed field changed; it then carries the changed
            // subscribed fields. Creates and deletes carry every subscribed field.
            let changed = |row: &FieldRow| match change {
                Change::Updated { before, after } => {
                    before.get(&row.field.name) != after.get(&row.field.name)
                }
                _ => true,
            };
            if !rows.iter().any(|r| r.subscribed && changed(r)) {
                continue;
            }
            let fields: Map<String, Value> = rows
                .iter()
                .filter(|r| r.display_always || (r.subscribed && changed(r)))
                .map(|r| {
                    let value = record.get(&r.field.name).cloned().unwrap_or(Value::Null);
                    (r.field.name.clone(), value)
                })
                .collect();
            callouts.push(Pending {
                webhook_entity: webhooks_entity.clone(),
                webhook_id,
                guid: text(webhook, "webhookGUID").to_string(),
                secret: text(webhook, "secretKey").to_string(),
                url: text(webhook, "webhookUrl").to_string(),
                action,
                entity_type: model.to_string(),
                id: id_of(record),
                fields,
            });
        }
    }
    for pending in callouts {
        pending.send(outbox, person);
    }
}

fn webhook_changed(
    db: &Db,
    outbox: &Outbox,
    entity: &'static Entity,
    model: &str,
    change: Change<'_>,
    person: i64,
) {
    match change {
        Change::Created(record) => {
            // Autotask assigns the GUID and the owner; the simulator does it right after the insert.
            let id = id_of(record);
            let mut store = db.write();
            if let Some(row) = store.table_mut(&entity.name).rows.get_mut(&id) {
                if text(row, "webhookGUID").is_empty() {
                    row.insert("webhookGUID".into(), Value::String(new_guid()));
                }
                if row.get("ownerResourceID").is_none_or(Value::is_null) {
                    row.insert("ownerResourceID".into(), Value::from(person));
                }
                // No field rows yet.
                row.insert("isReady".into(), Value::Bool(false));
            }
        }
        Change::Updated { before, after } => {
            if flag(before, "isActive") && !flag(after, "isActive") {
                deactivated(outbox, entity, model, after, person);
            }
        }
        Change::Deleted(record) => {
            let id = id_of(record);
            {
                let mut store = db.write();
                for child in [
                    format!("{model}WebhookFields"),
                    format!("{model}WebhookExcludedResources"),
                    format!("{model}WebhookUdfFields"),
                ] {
                    let Some(child) = schema::entity(&child) else {
                        continue;
                    };
                    let table = store.table_mut(&child.name);
                    table
                        .rows
                        .retain(|_, r| r.get("webhookID").and_then(Value::as_i64) != Some(id));
                }
            }
            if flag(record, "isActive") {
                deactivated(outbox, entity, model, record, person);
            }
        }
    }
}

/// The resource `owner` was deactivated: every active webhook it owns becomes inactive and is told so.
fn owner_deactivated(db: &Db, outbox: &Outbox, owner: i64, person: i64) {
    let mut turned_off = Vec::new();
    {
        let mut store = db.write();
        for (_, model) in KINDS {
            let Some(webhooks) = schema::entity(&format!("{model}Webhooks")) else {
                continue;
            };
            for row in store.table_mut(&webhooks.name).rows.values_mut() {
                let owned = row.get("ownerResourceID").and_then(Value::as_i64) == Some(owner);
                if owned && flag(row, "isActive") {
                    row.insert("isActive".into(), Value::Bool(false));
                    turned_off.push((webhooks, model, row.clone()));
                }
            }
        }
    }
    for (webhooks, model, row) in turned_off {
        deactivated(outbox, webhooks, model, &row, person);
    }
}

fn deactivated(outbox: &Outbox, entity: &Entity, model: &str, webhook: &Record, person: i64) {
    Pending {
        webhook_entity: entity.name.clone(),
        webhook_id: id_of(webhook),
        guid: text(webhook, "webhookGUID").to_string(),
        secret: text(webhook, "secretKey").to_string(),
        url: text(webhook, "deactivationUrl").to_string(),
        action: "Deactivated",
        entity_type: model.to_string(),
        id: id_of(webhook),
        fields: Map::new(),
    }
    .send(outbox, person);
}

/// A random version-4 style GUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
fn new_guid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = || {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    };
    let (a, b) = (random(), random());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_round_trip_and_skip_binary_fields() {
        let tickets = schema::entity("Tickets").unwrap();
        let status = tickets.field("status").unwrap();
        let id = field_id(tickets, status);
        assert_eq!(field_by_id(tickets, id).unwrap().name, "status");
        assert!(field_by_id(tickets, 0).is_none());
        let lists = field_id_picklists();
        assert_eq!(lists.len(), 5);
        let (_, _, values) = lists
            .iter()
            .find(|(e, _, _)| e == "TicketWebhookFields")
            .unwrap();
        assert!(values.iter().any(|v| v.value == id && v.label == "status"));
    }

    #[test]
    fn guids_look_like_guids() {
        let guid = new_guid();
        let parts: Vec<&str> = guid.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert_ne!(guid, new_guid());
    }
}

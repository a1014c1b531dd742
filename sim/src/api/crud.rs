//! Entity operations: get, list under a parent, create, update (PATCH/PUT), delete, query, count.

use super::paging::{self, PagingCursor};
use super::query::{self, MAX_RECORDS};
use super::Actor;
use crate::callouts::{self, Change};
use crate::error::ApiError;
use crate::limits::attachments::Refusal;
use crate::schema::Entity;
use crate::state::{lock, Shared};
use crate::store::catalog::ChildAccess;
use crate::store::render::{render, RenderOptions};
use crate::store::validate::{validate_write, WriteMode};
use crate::store::Record;
use crate::wire::datetime;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::time::Instant;

/// The message of a DELETE of a missing record (PROTOCOL.md §2.4).
pub const NO_RECORD_TO_DELETE: &str = "No message. No matching records found. The logged in Resource may not have the required permissions to delete the data.";

/// A parent scope from a child URL: the child's parent field must equal the parent id.
#[derive(Debug, Clone, Copy)]
pub struct ParentScope {
    field: &'static str,
    id: i64,
}

fn in_scope(record: &Record, scope: Option<ParentScope>) -> bool {
    scope.is_none_or(|s| record.get(s.field).and_then(Value::as_i64) == Some(s.id))
}

/// The parent scope of a child route, checking that the parent exists.
pub fn parent_scope(
    shared: &Shared,
    access: ChildAccess,
    parent_id: i64,
) -> Result<Option<ParentScope>, ApiError> {
    let Some(field) = access.parent_field else {
        return Ok(None);
    };
    if let Some(parent) = access.parent {
        if !shared.db.read().exists(&parent.name, parent_id) {
            return Err(ApiError::business(format!(
                "The parent {} with id {parent_id} does not exist.",
                parent.model
            )));
        }
    }
    Ok(Some(ParentScope {
        field,
        id: parent_id,
    }))
}

/// `GET /{E}/{id}` and the child form.
pub fn get_item(
    shared: &Shared,
    meta: &'static Entity,
    id: i64,
    scope: Option<ParentScope>,
    with_data: bool,
) -> Result<Value, ApiError> {
    let store = shared.db.read();
    let found = store.get(&meta.name, id).filter(|r| in_scope(r, scope));
    match found {
        Some(record) => {
            let options = RenderOptions {
                include: None,
                with_data,
            };
            Ok(json!({ "item": render(meta, &shared.catalog, record, options) }))
        }
        None if shared.missing_get_returns_404 => Err(ApiError::NotFound),
        None => Ok(json!({ "item": null })),
    }
}

/// `GET /{Parent}/{id}/{Segment}`: every child of the parent.
pub fn list_children(shared: &Shared, meta: &'static Entity, scope: Option<ParentScope>) -> Value {
    let store = shared.db.read();
    let items: Vec<Value> = match (store.table(&meta.name), scope) {
        (Some(table), Some(_)) => table
            .rows
            .values()
            .filter(|r| in_scope(r, scope))
            .map(|r| render(meta, &shared.catalog, r, RenderOptions::FULL))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "items": items,
        "pageDetails": { "count": items.len(), "requestCount": MAX_RECORDS, "prevPageUrl": null, "nextPageUrl": null }
    })
}

fn body_object(body: Option<&Value>) -> Result<&Map<String, Value>, ApiError> {
    body.and_then(Value::as_object)
        .ok_or_else(|| ApiError::business("The request body must be a JSON object."))
}

fn now_text() -> String {
    datetime::format(&datetime::now())
}

fn set_if_field(meta: &Entity, record: &mut Record, name: &str, value: Value) {
    if let Some(field) = meta.field(name) {
        record.insert(field.name.clone(), value);
    }
}

fn set_if_empty(meta: &Entity, record: &mut Record, name: &str, value: Value) {
    if let Some(field) = meta.field(name) {
        if record.get(&field.name).is_none_or(Value::is_null) {
            record.insert(field.name.clone(), value);
        }
    }
}

/// Decoded size of the attachment `data` in `record`, checked against the per-file cap.
fn attachment_size(
    shared: &Shared,
    meta: &Entity,
    record: &Record,
) -> Result<Option<usize>, ApiError> {
    let Some(field) = meta.data_field() else {
        return Ok(None);
    };
    let Some(text) = record.get(&field.name).and_then(Value::as_str) else {
        return Ok(None);
    };
    let size = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map(|bytes| bytes.len())
        .unwrap_or_default();
    if size > shared.limits.attachment_max_bytes {
        return Err(ApiError::business(format!(
            "The attachment is {size} bytes, larger than the maximum of {} bytes.",
            shared.limits.attachment_max_bytes
        )));
    }
    Ok(Some(size))
}

/// `POST /{E}` and the child form. Answers `{"itemId":N}`.
pub fn create(
    shared: &Shared,
    meta: &'static Entity,
    body: Option<&Value>,
    scope: Option<ParentScope>,
    actor: Actor<'_>,
) -> Result<Value, ApiError> {
    let mut object = body_object(body)?.clone();
    if let Some(scope) = scope {
        object.retain(|k, _| !k.eq_ignore_ascii_case(scope.field));
        object.insert(scope.field.to_string(), json!(scope.id));
    }
    let mut store = shared.db.write();
    let set = validate_write(meta, &shared.catalog, &store, &object, WriteMode::Create)?;
    let mut record = set.fields;
    if !set.udfs.is_empty() {
        record.insert("userDefinedFields".into(), Value::Object(set.udfs));
    }
    if let Some(size) = attachment_size(shared, meta, &record)? {
        let limit = shared.limits.attachment_window_bytes;
        let accounted = lock(&shared.attachments).try_add(size as u64, limit, Instant::now());
        match accounted {
            Ok(()) => {}
            Err(Refusal::Crossed) => {
                return Err(ApiError::business(format!(
                    "Attachment upload refused: it would take the attachments sent in the last 5 minutes over {limit} bytes. Attachment creation is blocked for 5 minutes."
                )))
            }
            Err(Refusal::Blocked(left)) => {
                return Err(ApiError::business(format!(
                    "Attachment upload refused: more than {limit} bytes of attachments were sent within 5 minutes. Attachment creation is blocked for another {} seconds.",
                    left.as_secs().max(1)
                )))
            }
        }
        set_if_field(meta, &mut record, "fileSize", json!(size));
        set_if_empty(meta, &mut record, "attachDate", json!(now_text()));
        set_if_empty(
            meta,
            &mut record,
            "attachedByResourceID",
            json!(actor.user.resource_id),
        );
    }
    let now = now_text();
    for stamp in [
        "createDate",
        "createDateTime",
        "lastActivityDate",
        "lastModifiedDate",
        "lastModifiedDateTime",
    ] {
        set_if_empty(meta, &mut record, stamp, json!(now));
    }
    for creator in ["creatorResourceID", "createdByResourceID"] {
        set_if_empty(meta, &mut record, creator, json!(actor.user.resource_id));
    }
    if let Some(impersonator) = actor.impersonator {
        set_if_field(
            meta,
            &mut record,
            "impersonatorCreatorResourceID",
            json!(impersonator),
        );
    }
    let id = store.insert(meta.name.as_str(), record);
    if meta.name == "Tickets" {
        let number = format!(
            "T{}.{:04}",
            chrono::Utc::now().format("%Y%m%d"),
            id % 10_000
        );
        if let Some(r) = store.table_mut(&meta.name).rows.get_mut(&id) {
            set_if_empty(meta, r, "ticketNumber", json!(number));
        }
    }
    let created = store.get(&meta.name, id).cloned().unwrap_or_default();
    drop(store);
    call_out(shared, meta, Change::Created(&created), actor);
    Ok(json!({ "itemId": id }))
}

/// `PATCH` / `PUT /{E}` (id in the body) and the child forms. Answers `{"itemId":N}`.
pub fn update(
    shared: &Shared,
    meta: &'static Entity,
    body: Option<&Value>,
    mode: WriteMode,
    scope: Option<ParentScope>,
    actor: Actor<'_>,
) -> Result<Value, ApiError> {
    let object = body_object(body)?;
    let id = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("id"))
        .and_then(|(_, v)| v.as_i64())
        .ok_or_else(|| {
            ApiError::business("The id of the record to update is missing from the body.")
        })?;
    let mut store = shared.db.write();
    let missing = || {
        ApiError::business(format!(
            "No matching records found. The {} with id {id} does not exist or the logged in Resource may not have the required permissions to update it.",
            meta.model
        ))
    };
    let existing = store
        .get(&meta.name, id)
        .filter(|r| in_scope(r, scope))
        .ok_or_else(missing)?;
    let mut object = object.clone();
    if let Some(scope) = scope {
        object.retain(|k, _| !k.eq_ignore_ascii_case(scope.field));
        object.insert(scope.field.to_string(), json!(scope.id));
    }
    let mut merged = existing.clone();
    if mode == WriteMode::Replace {
        // Fields a PUT leaves out are cleared; the required check sees the body alone.
        for field in meta
            .fields
            .iter()
            .filter(|f| !f.is_read_only && f.name != "id")
        {
            if !object.keys().any(|k| k.eq_ignore_ascii_case(&field.name)) {
                merged.remove(&field.name);
            }
        }
        merged.remove("userDefinedFields");
    }
    let set = validate_write(meta, &shared.catalog, &store, &object, mode)?;
    for (name, value) in set.fields {
        if value.is_null() {
            merged.remove(&name);
        } else {
            merged.insert(name, value);
        }
    }
    if !set.udfs.is_empty() {
        let udfs = merged
            .entry("userDefinedFields")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(udfs) = udfs.as_object_mut() {
            udfs.extend(set.udfs);
        }
    }
    let now = now_text();
    for stamp in [
        "lastActivityDate",
        "lastModifiedDate",
        "lastModifiedDateTime",
    ] {
        set_if_field(meta, &mut merged, stamp, json!(now));
    }
    if let Some(impersonator) = actor.impersonator {
        set_if_field(
            meta,
            &mut merged,
            "impersonatorUpdaterResourceID",
            json!(impersonator),
        );
    }
    let before = existing.clone();
    store.table_mut(&meta.name).rows.insert(id, merged.clone());
    drop(store);
    let change = Change::Updated {
        before: &before,
        after: &merged,
    };
    call_out(shared, meta, change, actor);
    Ok(json!({ "itemId": id }))
}

/// `DELETE /{E}/{id}` and the child form. Answers `{"itemId":N}`.
pub fn delete(
    shared: &Shared,
    meta: &'static Entity,
    id: i64,
    scope: Option<ParentScope>,
    actor: Actor<'_>,
) -> Result<Value, ApiError> {
    let mut store = shared.db.write();
    if store
        .get(&meta.name, id)
        .filter(|r| in_scope(r, scope))
        .is_none()
    {
        return Err(ApiError::business(NO_RECORD_TO_DELETE));
    }
    let removed = store.remove(&meta.name, id).unwrap_or_default();
    drop(store);
    call_out(shared, meta, Change::Deleted(&removed), actor);
    Ok(json!({ "itemId": id }))
}

fn call_out(shared: &Shared, meta: &'static Entity, change: Change<'_>, actor: Actor<'_>) {
    callouts::after_write(&shared.db, &shared.outbox, meta, change, actor.person());
}

/// Where a query page starts and how its next link is followed.
#[derive(Debug, Clone)]
pub struct PageRequest<'a> {
    /// The cursor of a `query/next` call (`None` on the first page).
    pub cursor: Option<PagingCursor>,
    /// The original `search` text of a GET query (next links carry it).
    pub search: Option<&'a str>,
}

/// `query` and `query/next`.
pub fn query_page(
    shared: &Shared,
    meta: &'static Entity,
    model: &Value,
    page: PageRequest<'_>,
) -> Result<Value, ApiError> {
    let compiled = query::compile(meta, &shared.catalog, model)?;
    let (page_size, previous_ids, start) = match &page.cursor {
        Some(cursor) => (
            cursor.page_size.clamp(1, MAX_RECORDS),
            cursor.previous_ids.clone(),
            cursor.next_ids.first().copied().unwrap_or(-1),
        ),
        None => (compiled.max_records, Vec::new(), -1),
    };
    let store = shared.db.read();
    let found = paging::scan(store.table(&meta.name), &compiled, Some(start), page_size);
    let options = RenderOptions {
        include: compiled.include.as_deref(),
        with_data: false,
    };
    let items: Vec<Value> = found
        .records
        .iter()
        .map(|r| render(meta, &shared.catalog, r, options))
        .collect();
    let last_id = found
        .records
        .last()
        .and_then(|r| r.get("id"))
        .and_then(Value::as_i64);
    // A page link: the cursor that starts after `after`, with the starts of the pages before it.
    let link = |previous_ids: Vec<i64>, after: i64| {
        let cursor = PagingCursor {
            page_size,
            previous_ids,
            next_ids: vec![after],
        };
        Value::String(paging::next_url(
            &shared.base_url,
            &meta.name,
            &cursor,
            page.search,
        ))
    };
    let next_page_url = match (found.has_more, last_id) {
        (true, Some(last)) => {
            let mut previous = previous_ids.clone();
            previous.push(start);
            link(previous, last)
        }
        _ => Value::Null,
    };
    let prev_page_url = match previous_ids.split_last() {
        Some((&before, earlier)) => link(earlier.to_vec(), before),
        None => Value::Null,
    };
    Ok(json!({
        "items": items,
        "pageDetails": {
            "count": items.len(),
            "requestCount": page_size,
            "prevPageUrl": prev_page_url,
            "nextPageUrl": next_page_url,
        }
    }))
}

/// `query/count`.
pub fn count(shared: &Shared, meta: &'static Entity, model: &Value) -> Result<Value, ApiError> {
    let compiled = query::compile(meta, &shared.catalog, model)?;
    let store = shared.db.read();
    Ok(json!({ "queryCount": paging::count(store.table(&meta.name), &compiled) }))
}

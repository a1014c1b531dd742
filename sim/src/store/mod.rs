//! The simulated tenant's data: one id-ordered table per entity, the catalog of the tenant's metadata
//! (picklists, UDFs, parent fields), write validation, the wire rendering of records, the demo seed and
//! JSON snapshots.

pub mod catalog;
pub mod render;
pub mod seed;
mod tenant;
pub mod validate;

pub use tenant::default_udfs;

use crate::schema;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A stored record: exact wire field names to values; absent keys are null. UDFs are kept under
/// `userDefinedFields` as a `name → value` object.
pub type Record = Map<String, Value>;

/// One entity's rows, ordered by id so that paging is a range scan from the cursor.
#[derive(Debug, Default, Clone)]
pub struct Table {
    /// The rows by id.
    pub rows: BTreeMap<i64, Record>,
    next_id: i64,
}

impl Table {
    /// The id the next insert receives.
    fn allocate_id(&mut self) -> i64 {
        let last = self.rows.keys().next_back().copied().unwrap_or(0);
        self.next_id = self.next_id.max(last + 1).max(1);
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

/// All tables, keyed by REST collection name.
#[derive(Debug, Default, Clone)]
pub struct Store {
    tables: HashMap<&'static str, Table>,
}

impl Store {
    /// The table of `entity`, if it ever held data.
    pub fn table(&self, entity: &str) -> Option<&Table> {
        self.tables.get(entity)
    }

    /// The table of `entity` (a static collection name), created on first use.
    pub fn table_mut(&mut self, entity: &'static str) -> &mut Table {
        self.tables.entry(entity).or_default()
    }

    /// The record `id` of `entity`.
    pub fn get(&self, entity: &str, id: i64) -> Option<&Record> {
        self.tables.get(entity)?.rows.get(&id)
    }

    /// True when `entity` has a record `id`.
    pub fn exists(&self, entity: &str, id: i64) -> bool {
        self.get(entity, id).is_some()
    }

    /// True when `entity` holds at least one record.
    pub fn has_rows(&self, entity: &str) -> bool {
        self.tables.get(entity).is_some_and(|t| !t.rows.is_empty())
    }

    /// Number of records of `entity`.
    pub fn len(&self, entity: &str) -> usize {
        self.tables.get(entity).map_or(0, |t| t.rows.len())
    }

    /// Inserts `record` with a new id (or the `id` it carries when positive and free), returning the id.
    pub fn insert(&mut self, entity: &'static str, mut record: Record) -> i64 {
        let table = self.table_mut(entity);
        let wanted = record.get("id").and_then(Value::as_i64);
        let id = match wanted {
            Some(id) if id > 0 && !table.rows.contains_key(&id) => {
                table.next_id = table.next_id.max(id + 1);
                id
            }
            _ => table.allocate_id(),
        };
        record.insert("id".into(), json!(id));
        table.rows.insert(id, record);
        id
    }

    /// Inserts `record` under exactly `id` (seed data such as the owner company, id 0).
    pub fn insert_with_id(&mut self, entity: &'static str, id: i64, mut record: Record) {
        record.insert("id".into(), json!(id));
        let table = self.table_mut(entity);
        table.next_id = table.next_id.max(id + 1);
        table.rows.insert(id, record);
    }

    /// Removes and returns record `id` of `entity`.
    pub fn remove(&mut self, entity: &str, id: i64) -> Option<Record> {
        self.tables.get_mut(entity)?.rows.remove(&id)
    }

    /// The whole database as JSON: `{"format":"autotask-sim/1","entities":{"Tickets":[...],...}}`.
    pub fn snapshot(&self) -> Value {
        let mut entities = Map::new();
        let mut names: Vec<_> = self.tables.keys().copied().collect();
        names.sort_unstable();
        for name in names {
            let rows: Vec<Value> = self.tables[name]
                .rows
                .values()
                .map(|r| Value::Object(r.clone()))
                .collect();
            entities.insert(name.to_string(), Value::Array(rows));
        }
        json!({ "format": "autotask-sim/1", "entities": entities })
    }

    /// Rebuilds a store from [`Store::snapshot`] output. Unknown entities are an error.
    pub fn from_snapshot(snapshot: &Value) -> Result<Store, String> {
        let entities = snapshot
            .get("entities")
            .and_then(Value::as_object)
            .ok_or("snapshot has no \"entities\" object")?;
        let mut store = Store::default();
        for (name, rows) in entities {
            let entity = schema::entity(name)
                .filter(|e| &e.name == name)
                .ok_or_else(|| format!("snapshot names unknown entity {name}"))?;
            for row in rows.as_array().ok_or("entity rows must be an array")? {
                let record = row.as_object().ok_or("a row is not an object")?.clone();
                let id = record
                    .get("id")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| format!("a {name} row has no integer id"))?;
                store.insert_with_id(entity.name.as_str(), id, record);
            }
        }
        Ok(store)
    }
}

/// The store behind a lock that a panicking request cannot poison for the others.
#[derive(Debug, Default)]
pub struct Db(RwLock<Store>);

impl Db {
    /// Wraps `store`.
    pub fn new(store: Store) -> Self {
        Db(RwLock::new(store))
    }

    /// Read access.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access.
    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the data as JSON to `path` (through a temporary file, so a crash never leaves half a file).
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(&self.read().snapshot())?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, path)
    }
}

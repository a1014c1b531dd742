//! The client's response cache: get-by-id records (off by default) and entity metadata (on by default).
//!
//! This module is the storage (entries, TTLs, the LRU bound, generations, statistics) and the client's
//! cache controls. The operations layer ([`crate::ops`]) reads records through it and tells it what each
//! write may have changed; the metadata layer ([`crate::metadata`]) does the same for metadata answers.
//! So typed, child and dynamic reads share it, and every write made through the client invalidates what
//! it may have changed:
//!
//! * `PATCH`/`PUT` with `id` in the body, and `DELETE .../{id}`: that record, under every impersonation;
//! * a create (`POST`), or a write whose record id cannot be told: every cached record of that entity;
//! * a write under a parent path (`Tickets/5/Notes`): also the parent record (`Tickets` 5), whose
//!   activity fields the server updates;
//! * a write to `UserDefinedFieldDefinitions` or `UserDefinedFieldListItems`: all cached metadata.
//!
//! Invalidation happens whatever the outcome of the write (an unknown outcome may have changed the record).
//! A read that was in flight while any invalidation happened is not stored, so a stale answer can never
//! be put back after a write. Only successful answers holding a record are stored: errors, `404` and
//! `{"item": null}` are never cached.
//!
//! Limits: the server changes other entities as side effects of some writes (a time entry changes its
//! ticket's hours) and other clients or users change records too; such changes are seen only when the
//! entry's TTL runs out. Metadata entries are few (at most three per entity and impersonation), so only
//! records have a size bound.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default lifetime of cached metadata (`entityInformation`, `/fields`, `/userDefinedFields`).
pub const DEFAULT_METADATA_TTL: Duration = Duration::from_secs(60 * 60);

/// Default bound on cached records, used by [`Client::enable_cache`](crate::Client::enable_cache) unless
/// [`ClientBuilder::cache`](crate::ClientBuilder::cache) set another.
pub const DEFAULT_MAX_CACHED_RECORDS: usize = 10_000;

/// What a cached answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// `GET .../{id}` of one record.
    Record,
    /// `GET /{E}/entityInformation[/fields|/userDefinedFields]`.
    Metadata,
}

/// Counters of the cache, for observability and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Reads answered from memory.
    pub hits: u64,
    /// Cacheable reads that had to be sent.
    pub misses: u64,
    /// Records held now.
    pub records: usize,
    /// Metadata answers held now.
    pub metadata: usize,
    /// Records dropped to respect the size bound.
    pub evictions: u64,
}

/// Cache settings, from the builder and changed by `enable_cache`/`disable_cache`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheSettings {
    /// `None`: records are not cached.
    pub record_ttl: Option<Duration>,
    pub max_records: usize,
    /// `None`: metadata is not cached.
    pub metadata_ttl: Option<Duration>,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            record_ttl: None,
            max_records: DEFAULT_MAX_CACHED_RECORDS,
            metadata_ttl: Some(DEFAULT_METADATA_TTL),
        }
    }
}

/// `(impersonated resource, lower-case path)`: one user's view never answers another's read.
type Key = (Option<i64>, String);

struct CacheEntry {
    answer: Value,
    stored: Instant,
    /// Lower-case entity name and record id (records only), for invalidation.
    record: Option<(String, i64)>,
    /// Position in the LRU order (records only).
    tick: u64,
}

#[derive(Default)]
struct CacheState {
    settings: CacheSettings,
    records: HashMap<Key, CacheEntry>,
    /// The record entries by lower-case entity and record id (one key per impersonation and path form),
    /// so that a write looks at the entries it invalidates and no others.
    index: HashMap<String, HashMap<i64, Vec<Key>>>,
    /// Least recently used first: tick → key.
    lru: BTreeMap<u64, Key>,
    next_tick: u64,
    metadata: HashMap<Key, CacheEntry>,
    /// Bumped by every invalidation; a read stores its answer only if it did not change meanwhile.
    generation: u64,
    stats: CacheStats,
    /// Record entries looked at by invalidations: what writes cost the cache (tests read it).
    examined: u64,
}

/// The cache shared by a client and its clones.
#[derive(Default)]
pub(crate) struct ResponseCache {
    state: Mutex<CacheState>,
    /// One lock per metadata answer, so that concurrent first reads of the same answer (a dashboard
    /// asking for the Tickets picklists from several tasks) make one request, not one each. Bounded by
    /// the number of metadata endpoints, so entries are never removed.
    metadata_flights: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

/// What [`ResponseCache::lookup`] decided.
pub(crate) enum Lookup {
    /// The cached answer; send nothing.
    Hit(Value),
    /// Send the request, then hand the token (when there is one: caching is on) to
    /// [`ResponseCache::store`].
    Miss(Option<StoreToken>),
}

/// A cacheable read on its way: where its answer goes, and the generation it started in (an
/// invalidation meanwhile means the answer must not be stored).
pub(crate) struct StoreToken {
    class: Class,
    key: Key,
    record: Option<(String, i64)>,
    generation: u64,
}

/// What a write may have changed, as the operations layer knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalidation {
    /// Lower-case entity name.
    pub entity: String,
    /// The record, when known; `None`: every record of the entity (a create).
    pub id: Option<i64>,
    /// The parent record of a parent-path write (lower-case entity, id), whose activity fields the
    /// server updates.
    pub parent: Option<(String, i64)>,
    /// The write changes UDF definitions: drop all metadata.
    pub metadata: bool,
}

impl Invalidation {
    /// What a write to `entity` (record `id` when known, under `parent` when written through a parent
    /// path) may change.
    pub(crate) fn of(entity: &str, id: Option<i64>, parent: Option<(&str, i64)>) -> Self {
        let entity = entity.to_ascii_lowercase();
        let metadata =
            entity == "userdefinedfielddefinitions" || entity == "userdefinedfieldlistitems";
        Self {
            entity,
            id,
            parent: parent.map(|(name, id)| (name.to_ascii_lowercase(), id)),
            metadata,
        }
    }
}

impl ResponseCache {
    pub fn new(settings: CacheSettings) -> Self {
        Self {
            state: Mutex::new(CacheState {
                settings,
                ..CacheState::default()
            }),
            metadata_flights: Mutex::default(),
        }
    }

    /// For a metadata read at `path` while metadata caching is on, waits until no other read of the same
    /// answer is in flight and returns the guard to hold while looking up, sending and storing: the
    /// reads that waited then find the answer in the cache. `None` when metadata caching is off.
    pub async fn metadata_flight(
        &self,
        path: &str,
        impersonation: Option<i64>,
    ) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        self.state().settings.metadata_ttl?;
        let key: Key = (impersonation, path.to_ascii_lowercase());
        let lock = crate::client::sync::lock(&self.metadata_flights)
            .entry(key)
            .or_default()
            .clone();
        Some(lock.lock_owned().await)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // The state stays consistent even if a holder panicked: every change is a single map operation.
        crate::client::sync::lock(&self.state)
    }

    /// Answers a read of `path` from memory when it can. `record` names the record a [`Class::Record`]
    /// read fetches (lower-case entity, id), so that writes can invalidate it.
    pub fn lookup(
        &self,
        class: Class,
        path: &str,
        record: Option<(&str, i64)>,
        impersonation: Option<i64>,
    ) -> Lookup {
        if is_absolute(path) {
            return Lookup::Miss(None);
        }
        let key: Key = (impersonation, path.to_ascii_lowercase());
        let mut state = self.state();
        let ttl = match class {
            Class::Record => state.settings.record_ttl,
            Class::Metadata => state.settings.metadata_ttl,
        };
        let Some(ttl) = ttl else {
            return Lookup::Miss(None);
        };
        if let Some(answer) = state.fresh(class, &key, ttl) {
            state.stats.hits += 1;
            return Lookup::Hit(answer);
        }
        state.stats.misses += 1;
        let record = match (class, record) {
            (Class::Record, Some((entity, id))) => Some((entity.to_ascii_lowercase(), id)),
            // A record read that names no record cannot be invalidated: do not cache it.
            (Class::Record, None) => return Lookup::Miss(None),
            (Class::Metadata, _) => None,
        };
        Lookup::Miss(Some(StoreToken {
            class,
            key,
            record,
            generation: state.generation,
        }))
    }

    /// Stores a successful answer of a read that missed, unless an invalidation happened meanwhile;
    /// a record answer is stored only when it holds a record (never `{"item": null}`).
    pub fn store(&self, token: StoreToken, answer: &Value) {
        if token.class == Class::Record && !holds_record(answer) {
            return;
        }
        let mut state = self.state();
        if state.generation != token.generation {
            return;
        }
        state.store(token.class, token.key, token.record, answer.clone());
    }

    /// Applies a write's invalidation (whatever its outcome: an unknown outcome may have changed the
    /// record).
    pub fn invalidate(&self, what: &Invalidation) {
        self.state().invalidate(what);
    }

    /// Turns record caching on with this TTL (the size bound is kept).
    pub fn enable_records(&self, ttl: Duration) {
        self.state().settings.record_ttl = Some(ttl);
    }

    /// Turns record caching off and drops the cached records.
    pub fn disable_records(&self) {
        let mut state = self.state();
        state.settings.record_ttl = None;
        state.clear_records();
    }

    /// Drops every cached record and metadata answer.
    pub fn clear(&self) {
        let mut state = self.state();
        state.clear_records();
        state.metadata.clear();
        state.generation += 1;
    }

    /// Drops the cached metadata answers whose path is `path` (any impersonation).
    pub fn forget_metadata(&self, path: &str) {
        let path = path.to_ascii_lowercase();
        let mut state = self.state();
        state.metadata.retain(|(_, p), _| *p != path);
        state.generation += 1;
    }

    pub fn stats(&self) -> CacheStats {
        let state = self.state();
        CacheStats {
            records: state.records.len(),
            metadata: state.metadata.len(),
            ..state.stats
        }
    }
}

impl CacheState {
    fn fresh(&mut self, class: Class, key: &Key, ttl: Duration) -> Option<Value> {
        if class == Class::Metadata {
            match self.metadata.get(key) {
                Some(entry) if entry.stored.elapsed() < ttl => return Some(entry.answer.clone()),
                Some(_) => {
                    self.metadata.remove(key);
                }
                None => {}
            }
            return None;
        }
        let entry = self.records.get(key)?;
        if entry.stored.elapsed() >= ttl {
            self.remove_record(key);
            return None;
        }
        let answer = entry.answer.clone();
        let old = entry.tick;
        let tick = self.tick();
        self.lru.remove(&old);
        self.lru.insert(tick, key.clone());
        if let Some(entry) = self.records.get_mut(key) {
            entry.tick = tick;
        }
        Some(answer)
    }

    fn tick(&mut self) -> u64 {
        self.next_tick += 1;
        self.next_tick
    }

    fn store(&mut self, class: Class, key: Key, record: Option<(String, i64)>, answer: Value) {
        let tick = self.tick();
        let entry = CacheEntry {
            answer,
            stored: Instant::now(),
            record,
            tick,
        };
        if class == Class::Metadata {
            self.metadata.insert(key, entry);
            return;
        }
        self.remove_record(&key);
        if let Some((entity, id)) = &entry.record {
            let keys = self.index.entry(entity.clone()).or_default();
            keys.entry(*id).or_default().push(key.clone());
        }
        self.records.insert(key.clone(), entry);
        self.lru.insert(tick, key);
        while self.records.len() > self.settings.max_records.max(1) {
            let Some((_, oldest)) = self.lru.first_key_value() else {
                break;
            };
            let oldest = oldest.clone();
            self.remove_record(&oldest);
            self.stats.evictions += 1;
        }
    }

    /// Removes a record entry from the map, the LRU order and the index.
    fn remove_record(&mut self, key: &Key) {
        let Some(entry) = self.records.remove(key) else {
            return;
        };
        self.lru.remove(&entry.tick);
        let Some((entity, id)) = &entry.record else {
            return;
        };
        let Some(ids) = self.index.get_mut(entity) else {
            return;
        };
        if let Some(keys) = ids.get_mut(id) {
            keys.retain(|k| k != key);
            if keys.is_empty() {
                ids.remove(id);
            }
        }
        if ids.is_empty() {
            self.index.remove(entity);
        }
    }

    /// Removes every record entry of `entity` (lower case) with `id`, or with any id.
    fn remove_records_of(&mut self, entity: &str, id: Option<i64>) {
        let keys: Vec<Key> = match (self.index.get_mut(entity), id) {
            (None, _) => return,
            (Some(ids), Some(id)) => ids.remove(&id).unwrap_or_default(),
            (Some(_), None) => self
                .index
                .remove(entity)
                .into_iter()
                .flat_map(HashMap::into_values)
                .flatten()
                .collect(),
        };
        if self.index.get(entity).is_some_and(HashMap::is_empty) {
            self.index.remove(entity);
        }
        for key in keys {
            self.examined += 1;
            if let Some(entry) = self.records.remove(&key) {
                self.lru.remove(&entry.tick);
            }
        }
    }

    fn clear_records(&mut self) {
        self.records.clear();
        self.index.clear();
        self.lru.clear();
        self.generation += 1;
    }

    fn invalidate(&mut self, what: &Invalidation) {
        self.generation += 1;
        if what.metadata {
            self.metadata.clear();
        }
        self.remove_records_of(&what.entity, what.id);
        if let Some((parent, parent_id)) = &what.parent {
            self.remove_records_of(parent, Some(*parent_id));
        }
    }
}

fn is_absolute(path: &str) -> bool {
    path.starts_with("http://") || path.starts_with("https://")
}

/// `{"item": {...}}` with a record (never `{"item": null}`).
fn holds_record(answer: &Value) -> bool {
    answer.get("item").is_some_and(Value::is_object)
}

impl crate::Client {
    /// Caches get-by-id records for `ttl`: `GET /{E}/{id}` and `GET /{Parent}/{id}/{Segment}/{childId}`,
    /// typed ([`EntityHandle::get`](crate::EntityHandle::get), [`ChildHandle::get`](crate::ChildHandle::get))
    /// and dynamic alike. A cached read makes **no request**; an entry older than `ttl` is fetched again.
    ///
    /// The setting is shared by this client's clones. Entries are keyed by path and impersonated
    /// resource, so one user's view never answers another's. At most
    /// [`DEFAULT_MAX_CACHED_RECORDS`] records are held (or the bound given to
    /// [`ClientBuilder::cache`](crate::ClientBuilder::cache)); the least recently used goes first.
    /// Every write made through this client invalidates what it may change, whatever its outcome: the
    /// written record (`id` in a PATCH/PUT body, `/{id}` of a DELETE), the parent of a parent-path
    /// write, or every cached record of the entity when the id is unknown (creates). `404` and
    /// `{"item": null}` are never cached. Changes made by anyone else, or by the server as a side effect
    /// on other entities, are seen only once the TTL has run out.
    pub fn enable_cache(&self, ttl: Duration) {
        self.inner.cache.enable_records(ttl);
    }

    /// Stops caching records and drops the cached ones. Metadata caching is not affected (see
    /// [`ClientBuilder::metadata_cache`](crate::ClientBuilder::metadata_cache)).
    pub fn disable_cache(&self) {
        self.inner.cache.disable_records();
    }

    /// Drops every cached record and metadata answer (fields, picklists, UDF definitions); the next
    /// reads fetch them again. The zone found at start-up is kept.
    pub fn clear_cache(&self) {
        self.inner.cache.clear();
    }

    /// Hits, misses, evictions and current sizes of the cache shared by this client's clones.
    pub fn cache_stats(&self) -> CacheStats {
        self.inner.cache.stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cache(max: usize) -> ResponseCache {
        ResponseCache::new(CacheSettings {
            record_ttl: Some(Duration::from_secs(60)),
            max_records: max,
            metadata_ttl: Some(DEFAULT_METADATA_TTL),
        })
    }

    fn lookup(cache: &ResponseCache, id: i64, who: Option<i64>) -> Lookup {
        cache.lookup(
            Class::Record,
            &format!("Tickets/{id}"),
            Some(("Tickets", id)),
            who,
        )
    }

    fn fill(cache: &ResponseCache, id: i64, who: Option<i64>, answer: Value) {
        match lookup(cache, id, who) {
            Lookup::Miss(Some(token)) => cache.store(token, &answer),
            _ => panic!("expected a miss with a token"),
        }
    }

    /// The map, the LRU order and the index hold the same record entries.
    fn assert_consistent(cache: &ResponseCache) {
        let state = cache.state();
        let indexed: usize = state
            .index
            .values()
            .flat_map(HashMap::values)
            .map(Vec::len)
            .sum();
        assert_eq!(indexed, state.records.len());
        assert_eq!(state.lru.len(), state.records.len());
        assert!(state
            .index
            .values()
            .all(|ids| !ids.is_empty() && ids.values().all(|k| !k.is_empty())));
    }

    fn hit(cache: &ResponseCache, id: i64, who: Option<i64>) -> bool {
        matches!(lookup(cache, id, who), Lookup::Hit(_))
    }

    #[test]
    fn invalidations_name_the_record_its_parent_and_metadata() {
        let note = Invalidation::of("TicketNotes", Some(9), Some(("Tickets", 3)));
        assert_eq!(
            (note.entity.as_str(), note.id, note.parent),
            ("ticketnotes", Some(9), Some(("tickets".into(), 3)))
        );
        assert!(Invalidation::of("UserDefinedFieldListItems", None, None).metadata);
        let cache = cache(10);
        fill(&cache, 1, None, json!({"item": {"id": 1}}));
        fill(&cache, 2, None, json!({"item": {"id": 2}}));
        cache.invalidate(&Invalidation::of("Tickets", Some(1), None));
        assert!(!hit(&cache, 1, None) && hit(&cache, 2, None));
        cache.invalidate(&Invalidation::of("TicketNotes", None, Some(("Tickets", 2))));
        assert!(!hit(&cache, 2, None), "a child write drops its parent");
    }

    #[test]
    fn least_recently_used_record_is_evicted() {
        let cache = cache(2);
        let item = json!({"item": {"id": 1}});
        fill(&cache, 1, None, item.clone());
        fill(&cache, 2, None, item.clone());
        assert!(hit(&cache, 1, None), "1 is now the most recently used");
        fill(&cache, 3, None, item);
        assert!(hit(&cache, 1, None) && hit(&cache, 3, None));
        assert!(!hit(&cache, 2, None), "2 was the least recently used");
        assert_eq!(cache.stats().evictions, 1);
        assert_consistent(&cache);
    }

    #[test]
    fn null_items_and_other_users_views_are_not_served() {
        let cache = cache(10);
        fill(&cache, 1, None, json!({"item": null}));
        assert!(!hit(&cache, 1, None), "null is never cached");
        fill(&cache, 1, Some(5), json!({"item": {"id": 1}}));
        assert!(hit(&cache, 1, Some(5)));
        assert!(!hit(&cache, 1, None) && !hit(&cache, 1, Some(6)));
    }

    #[test]
    fn a_read_overtaken_by_a_write_is_not_stored() {
        let cache = cache(10);
        let Lookup::Miss(Some(read)) = lookup(&cache, 1, None) else {
            panic!("miss expected")
        };
        cache.invalidate(&Invalidation::of("Tickets", Some(1), None));
        cache.store(read, &json!({"item": {"id": 1, "title": "old"}}));
        assert!(!hit(&cache, 1, None));
    }

    /// The invalidation rule the cache must keep, applied to one entry: the oracle of the tests below.
    fn affected(what: &Invalidation, entity: &str, id: i64) -> bool {
        let entity = entity.to_ascii_lowercase();
        (entity == what.entity && what.id.is_none_or(|w| w == id))
            || what
                .parent
                .as_ref()
                .is_some_and(|(p, pid)| *p == entity && *pid == id)
    }

    #[test]
    fn invalidation_drops_exactly_what_a_write_may_change() {
        // Records of three entities, read by two users, tickets also through a second path form.
        let entities = ["Tickets", "TicketNotes", "Companies"];
        let mut cached = Vec::new();
        for entity in entities {
            for id in 1..=6 {
                for who in [None, Some(7)] {
                    cached.push((entity, format!("{entity}/{id}"), id, who));
                }
                if entity == "TicketNotes" {
                    cached.push((entity, format!("Tickets/3/Notes/{id}"), id, None));
                }
            }
        }
        let writes = [
            Invalidation::of("Tickets", Some(2), None),
            Invalidation::of("TICKETNOTES", Some(4), Some(("Tickets", 3))),
            Invalidation::of("Companies", None, None),
            Invalidation::of("TicketNotes", None, Some(("Tickets", 5))),
            Invalidation::of("Contacts", Some(1), None),
        ];
        for write in &writes {
            let cache = cache(1_000);
            for (entity, path, id, who) in &cached {
                let Lookup::Miss(Some(token)) =
                    cache.lookup(Class::Record, path, Some((entity, *id)), *who)
                else {
                    panic!("a miss")
                };
                cache.store(token, &json!({"item": {"id": id}}));
            }
            cache.invalidate(write);
            assert_consistent(&cache);
            for (entity, path, id, who) in &cached {
                let kept = matches!(
                    cache.lookup(Class::Record, path, Some((entity, *id)), *who),
                    Lookup::Hit(_)
                );
                assert_eq!(
                    kept,
                    !affected(write, entity, *id),
                    "{write:?} and {path} as {who:?}"
                );
            }
        }
    }

    #[test]
    fn a_write_costs_what_it_touches_not_what_is_cached() {
        let cache = cache(DEFAULT_MAX_CACHED_RECORDS);
        for id in 1..=(DEFAULT_MAX_CACHED_RECORDS as i64 - 10) {
            fill(&cache, id, None, json!({"item": {"id": id}}));
        }
        let companies = |id: i64| {
            cache.lookup(
                Class::Record,
                &format!("Companies/{id}"),
                Some(("Companies", id)),
                None,
            )
        };
        for id in 1..=3 {
            let Lookup::Miss(Some(token)) = companies(id) else {
                panic!("a miss")
            };
            cache.store(token, &json!({"item": {"id": id}}));
        }
        let examined = || cache.state().examined;
        let before = examined();
        cache.invalidate(&Invalidation::of("Tickets", Some(17), None));
        assert!(!hit(&cache, 17, None) && hit(&cache, 18, None));
        assert_eq!(
            examined() - before,
            1,
            "one record written, one entry looked at"
        );
        let before = examined();
        cache.invalidate(&Invalidation::of("Companies", None, None));
        assert_eq!(
            examined() - before,
            3,
            "a create looks at its entity's entries only"
        );
        assert!(!matches!(companies(2), Lookup::Hit(_)));
        let before = examined();
        cache.invalidate(&Invalidation::of(
            "Contacts",
            Some(4),
            Some(("Companies", 9)),
        ));
        assert_eq!(
            examined() - before,
            0,
            "nothing cached of it: nothing looked at"
        );
        assert_eq!(cache.stats().records, DEFAULT_MAX_CACHED_RECORDS - 11);
        assert_consistent(&cache);
    }
}

//! The client's response cache: get-by-id records (off by default) and entity metadata (on by default).
//!
//! It lives behind [`Client::execute`](crate::Client), the one request path, so typed, child and dynamic
//! reads share it and every write made through the client invalidates what it may have changed:
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

use crate::client::Request;
use reqwest::Method;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default lifetime of cached metadata (`entityInformation`, `/fields`, `/userDefinedFields`).
pub const DEFAULT_METADATA_TTL: Duration = Duration::from_secs(60 * 60);

/// Default bound on cached records, used by [`Client::enable_cache`](crate::Client::enable_cache) unless
/// [`ClientBuilder::cache`](crate::ClientBuilder::cache) set another.
pub const DEFAULT_MAX_CACHED_RECORDS: usize = 10_000;

/// What a request's answer is, for the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cacheable {
    /// Not cached (queries, lists, paging, writes).
    No,
    /// `GET .../{id}` of one record; the id is the path's last segment.
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

struct Entry {
    answer: Value,
    stored: Instant,
    /// Lower-case entity name and record id (records only), for invalidation.
    record: Option<(String, i64)>,
    /// Position in the LRU order (records only).
    tick: u64,
}

#[derive(Default)]
struct State {
    settings: CacheSettings,
    records: HashMap<Key, Entry>,
    /// Least recently used first: tick → key.
    lru: BTreeMap<u64, Key>,
    next_tick: u64,
    metadata: HashMap<Key, Entry>,
    /// Bumped by every invalidation; a read stores its answer only if it did not change meanwhile.
    generation: u64,
    stats: CacheStats,
}

/// The cache shared by a client and its clones.
#[derive(Default)]
pub(crate) struct ResponseCache {
    state: Mutex<State>,
    /// One lock per metadata answer, so that concurrent first reads of the same answer (a dashboard
    /// asking for the Tickets picklists from several tasks) make one request, not one each. Bounded by
    /// the number of metadata endpoints, so entries are never removed.
    metadata_flights: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

/// What [`ResponseCache::lookup`] decided.
pub(crate) enum Lookup {
    /// The cached answer; send nothing.
    Hit(Value),
    /// Send the request, then hand this to [`ResponseCache::complete`].
    Miss(Pending),
}

/// A request on its way, remembered so its outcome can be stored or can invalidate entries.
pub(crate) struct Pending {
    action: Action,
}

enum Action {
    Nothing,
    Store {
        class: Cacheable,
        key: Key,
        record: Option<(String, i64)>,
        generation: u64,
    },
    Invalidate(Invalidation),
}

/// What a write may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Invalidation {
    /// Lower-case entity name.
    entity: String,
    /// The record, when known; `None`: every record of the entity.
    id: Option<i64>,
    /// The parent record of a parent-path write (lower-case entity, id).
    parent: Option<(String, i64)>,
    /// The write changes UDF definitions: drop all metadata.
    metadata: bool,
}

impl ResponseCache {
    pub fn new(settings: CacheSettings) -> Self {
        Self {
            state: Mutex::new(State {
                settings,
                ..State::default()
            }),
            metadata_flights: Mutex::default(),
        }
    }

    /// For a cacheable metadata read while metadata caching is on, waits until no other read of the same
    /// answer is in flight and returns the guard to hold while looking up, sending and storing: the
    /// reads that waited then find the answer in the cache. `None` for every other request.
    pub async fn metadata_flight(
        &self,
        request: &Request,
        impersonation: Option<i64>,
    ) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        if request.cache != Cacheable::Metadata
            || request.method != Method::GET
            || self.state().settings.metadata_ttl.is_none()
        {
            return None;
        }
        let key: Key = (impersonation, request.path.to_ascii_lowercase());
        let lock = crate::sync::lock(&self.metadata_flights)
            .entry(key)
            .or_default()
            .clone();
        Some(lock.lock_owned().await)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every change is a single map operation.
        crate::sync::lock(&self.state)
    }

    /// Answers `request` from memory when it can; otherwise notes what to do once it completes.
    pub fn lookup(&self, request: &Request, impersonation: Option<i64>) -> Lookup {
        if is_write(request) {
            return Lookup::Miss(Pending {
                action: Action::Invalidate(invalidation(request)),
            });
        }
        let class = request.cache;
        if class == Cacheable::No || request.method != Method::GET || is_absolute(&request.path) {
            return Lookup::Miss(Pending {
                action: Action::Nothing,
            });
        }
        let key: Key = (impersonation, request.path.to_ascii_lowercase());
        let mut state = self.state();
        let ttl = match class {
            Cacheable::Record => state.settings.record_ttl,
            _ => state.settings.metadata_ttl,
        };
        let Some(ttl) = ttl else {
            return Lookup::Miss(Pending {
                action: Action::Nothing,
            });
        };
        if let Some(answer) = state.fresh(class, &key, ttl) {
            state.stats.hits += 1;
            return Lookup::Hit(answer);
        }
        state.stats.misses += 1;
        let record = match class {
            Cacheable::Record => match last_segment_id(&request.path) {
                Some(id) => Some((request.entity.to_ascii_lowercase(), id)),
                // Not a get-by-id path after all: do not cache what cannot be invalidated.
                None => {
                    return Lookup::Miss(Pending {
                        action: Action::Nothing,
                    })
                }
            },
            _ => None,
        };
        Lookup::Miss(Pending {
            action: Action::Store {
                class,
                key,
                record,
                generation: state.generation,
            },
        })
    }

    /// Stores a successful cacheable answer, or applies a write's invalidation (whatever its outcome).
    pub fn complete(&self, pending: Pending, answer: Option<&Value>) {
        match pending.action {
            Action::Nothing => {}
            Action::Invalidate(what) => self.state().invalidate(&what),
            Action::Store {
                class,
                key,
                record,
                generation,
            } => {
                let Some(answer) = answer else { return };
                if class == Cacheable::Record && !holds_record(answer) {
                    return;
                }
                let mut state = self.state();
                if state.generation != generation {
                    return;
                }
                state.store(class, key, record, answer.clone());
            }
        }
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

impl State {
    fn fresh(&mut self, class: Cacheable, key: &Key, ttl: Duration) -> Option<Value> {
        if class == Cacheable::Metadata {
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
            let tick = entry.tick;
            self.records.remove(key);
            self.lru.remove(&tick);
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

    fn store(&mut self, class: Cacheable, key: Key, record: Option<(String, i64)>, answer: Value) {
        let tick = self.tick();
        let entry = Entry {
            answer,
            stored: Instant::now(),
            record,
            tick,
        };
        if class == Cacheable::Metadata {
            self.metadata.insert(key, entry);
            return;
        }
        if let Some(old) = self.records.insert(key.clone(), entry) {
            self.lru.remove(&old.tick);
        }
        self.lru.insert(tick, key);
        while self.records.len() > self.settings.max_records.max(1) {
            let Some((_, oldest)) = self.lru.pop_first() else {
                break;
            };
            self.records.remove(&oldest);
            self.stats.evictions += 1;
        }
    }

    fn clear_records(&mut self) {
        self.records.clear();
        self.lru.clear();
        self.generation += 1;
    }

    fn invalidate(&mut self, what: &Invalidation) {
        self.generation += 1;
        if what.metadata {
            self.metadata.clear();
        }
        let lru = &mut self.lru;
        self.records.retain(|_, entry| {
            let Some((entity, id)) = &entry.record else {
                return true;
            };
            let hit_record = *entity == what.entity && what.id.is_none_or(|wanted| wanted == *id);
            let hit_parent = what
                .parent
                .as_ref()
                .is_some_and(|(parent, parent_id)| entity == parent && id == parent_id);
            if hit_record || hit_parent {
                lru.remove(&entry.tick);
                false
            } else {
                true
            }
        });
    }
}

/// POST/PATCH/PUT/DELETE that change data (queries are POSTs marked read-only).
fn is_write(request: &Request) -> bool {
    match request.method {
        Method::GET | Method::HEAD | Method::OPTIONS => false,
        Method::POST => request.repeat == crate::client::Repeat::Create,
        _ => true,
    }
}

fn is_absolute(path: &str) -> bool {
    path.starts_with("http://") || path.starts_with("https://")
}

/// `{"item": {...}}` with a record (never `{"item": null}`).
fn holds_record(answer: &Value) -> bool {
    answer.get("item").is_some_and(Value::is_object)
}

fn segments(path: &str) -> Vec<&str> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn last_segment_id(path: &str) -> Option<i64> {
    segments(path).last()?.parse().ok()
}

/// What a write request may change, from its method, path and body.
fn invalidation(request: &Request) -> Invalidation {
    let parts = segments(&request.path);
    let id = match request.method {
        Method::DELETE => last_segment_id(&request.path),
        Method::PATCH | Method::PUT => request
            .body
            .as_ref()
            .and_then(|b| b.get("id"))
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())),
        // A create: the new id is not known before the answer (and may never be).
        _ => None,
    };
    // `{Parent}/{parentId}/{Segment}[/{id}]`.
    let parent = match parts.as_slice() {
        [parent, parent_id, _segment, ..] => parent_id.parse::<i64>().ok().map(|pid| {
            let name = crate::meta::entity_meta(parent).map_or(*parent, |m| m.name);
            (name.to_ascii_lowercase(), pid)
        }),
        _ => None,
    };
    let entity = request.entity.to_ascii_lowercase();
    let metadata = entity == "userdefinedfielddefinitions" || entity == "userdefinedfieldlistitems";
    Invalidation {
        entity,
        id,
        parent,
        metadata,
    }
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

    fn get(path: &str, entity: &str) -> Request {
        let mut request = Request::new(Method::GET, path, entity);
        request.cache = Cacheable::Record;
        request
    }

    fn cache(max: usize) -> ResponseCache {
        ResponseCache::new(CacheSettings {
            record_ttl: Some(Duration::from_secs(60)),
            max_records: max,
            metadata_ttl: Some(DEFAULT_METADATA_TTL),
        })
    }

    fn fill(cache: &ResponseCache, request: &Request, who: Option<i64>, answer: Value) {
        match cache.lookup(request, who) {
            Lookup::Miss(pending) => cache.complete(pending, Some(&answer)),
            Lookup::Hit(_) => panic!("unexpected hit"),
        }
    }

    fn hit(cache: &ResponseCache, request: &Request, who: Option<i64>) -> bool {
        matches!(cache.lookup(request, who), Lookup::Hit(_))
    }

    #[test]
    fn write_invalidation_reads_method_path_and_body() {
        let patch = Request::new(Method::PATCH, "Tickets", "Tickets").body(json!({"id": 7}));
        assert_eq!(invalidation(&patch).id, Some(7));
        let delete = Request::new(Method::DELETE, "Tickets/3/Notes/9", "TicketNotes");
        let what = invalidation(&delete);
        assert_eq!(
            (what.id, what.parent),
            (Some(9), Some(("tickets".into(), 3)))
        );
        let create = Request::new(Method::POST, "Tickets", "Tickets").body(json!({}));
        assert_eq!(invalidation(&create).id, None);
        let query = Request::new(Method::POST, "Tickets/query", "Tickets").read_only();
        assert!(!is_write(&query) && is_write(&create));
    }

    #[test]
    fn least_recently_used_record_is_evicted() {
        let cache = cache(2);
        let (a, b, c) = (
            get("Tickets/1", "Tickets"),
            get("Tickets/2", "Tickets"),
            get("Tickets/3", "Tickets"),
        );
        let item = json!({"item": {"id": 1}});
        fill(&cache, &a, None, item.clone());
        fill(&cache, &b, None, item.clone());
        assert!(hit(&cache, &a, None), "a is now the most recently used");
        fill(&cache, &c, None, item);
        assert!(hit(&cache, &a, None) && hit(&cache, &c, None));
        assert!(!hit(&cache, &b, None), "b was the least recently used");
        assert_eq!(cache.stats().evictions, 1);
    }

    #[test]
    fn null_items_and_other_users_views_are_not_served() {
        let cache = cache(10);
        let request = get("Tickets/1", "Tickets");
        fill(&cache, &request, None, json!({"item": null}));
        assert!(!hit(&cache, &request, None), "null is never cached");
        fill(&cache, &request, Some(5), json!({"item": {"id": 1}}));
        assert!(hit(&cache, &request, Some(5)));
        assert!(!hit(&cache, &request, None) && !hit(&cache, &request, Some(6)));
    }

    #[test]
    fn a_read_overtaken_by_a_write_is_not_stored() {
        let cache = cache(10);
        let request = get("Tickets/1", "Tickets");
        let Lookup::Miss(read) = cache.lookup(&request, None) else {
            panic!("miss expected")
        };
        let patch = Request::new(Method::PATCH, "Tickets", "Tickets").body(json!({"id": 1}));
        let Lookup::Miss(write) = cache.lookup(&patch, None) else {
            panic!("writes are never hits")
        };
        cache.complete(write, Some(&json!({"itemId": 1})));
        cache.complete(read, Some(&json!({"item": {"id": 1, "title": "old"}})));
        assert!(!hit(&cache, &request, None));
    }
}

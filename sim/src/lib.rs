//! # autotask-sim
//!
//! A faithful local simulator of the Autotask PSA REST API: every one of the 232 entities, with their
//! real routes and verbs, query grammar, id-cursor paging, validation errors, limits (hourly threshold,
//! thread limit, attachment window), webhook callouts and injectable faults.
//!
//! It is an independent witness for clients such as the `autotask` SDK: it shares only the schema data
//! (entities, fields, routes; see `build.rs`) and reads and writes the wire format with its own code,
//! written from the protocol notes (`PROTOCOL.md`), never with the SDK's.
//!
//! ```
//! use autotask_sim::{FaultKind, FaultRule, Seed, SeedSize, Simulator};
//! use serde_json::json;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let sim = Simulator::builder()
//!     .seed(Seed::Demo(SeedSize::with_tickets(20)))
//!     .hourly_threshold(5_000)
//!     .start()
//!     .await
//!     .unwrap();
//! // Point any client at it: base_url() + "V1.0/Tickets/query", headers ApiIntegrationCode=SIMCODE,
//! // UserName=sim@example.com, Secret=secret.
//! assert!(sim.base_url().ends_with("/ATServicesRest/"));
//! assert_eq!(sim.count("Tickets"), 20);
//!
//! let id = sim.insert("Tickets", json!({"companyID": 0, "title": "Direct insert", "status": 1, "priority": 2})).unwrap();
//! assert_eq!(sim.get("Tickets", id).unwrap()["title"], "Direct insert");
//!
//! sim.add_fault(FaultRule::new(FaultKind::ServerError).path_contains("/Tickets/query").next(1));
//! sim.shutdown().await;
//! # });
//! ```

#![warn(missing_docs)]

mod api;
mod callouts;
mod config;
mod error;
mod http;
mod limits;
mod log;
mod rng;
mod schema;
mod state;
mod store;
mod wire;

pub use callouts::CalloutDelivery;
pub use config::{
    ApiUser, Limits, PicklistValue, Seed, SeedSize, UdfDefinition, UdfType,
    DEFAULT_INTEGRATION_CODE, DEFAULT_SECRET, DEFAULT_USERNAME,
};
pub use limits::faults::{FaultId, FaultKind, FaultRule, FaultSpecError, Trigger};
pub use log::{LoggedRequest, RequestCounts, DEFAULT_LOG_CAPACITY};

use limits::faults::FaultSet;
use serde_json::{Map, Value};
use state::{lock, Shared};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::catalog::Catalog;
use store::render::{render, RenderOptions};
use store::{Db, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Errors of the simulator's programmatic API.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// No entity has this collection name.
    #[error("unknown entity {0}")]
    UnknownEntity(String),
    /// The record is not a JSON object or names an unknown field.
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    /// Binding the port, or reading or writing the state file, failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Entry point: `Simulator::builder()`.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// A builder with the defaults: demo user, no data, 10,000 requests/hour, 3 threads, missing GET →
    /// `200 {"item":null}`, no latency, demo tenant picklists and UDFs, ephemeral loopback port, logs of
    /// the last 10,000 requests and callouts.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
}

/// Configures and starts a simulator.
#[derive(Debug)]
pub struct SimulatorBuilder {
    users: Vec<ApiUser>,
    seed: Seed,
    limits: Limits,
    missing_get_returns_404: bool,
    picklists: Vec<(String, String, Vec<PicklistValue>)>,
    udfs: Vec<UdfDefinition>,
    faults: Vec<FaultRule>,
    fault_seed: u64,
    state_file: Option<PathBuf>,
    save_interval: Option<Duration>,
    addr: SocketAddr,
    zone_name: String,
    callouts: callouts::DeliveryOptions,
    log_capacity: usize,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            users: vec![ApiUser::demo()],
            seed: Seed::None,
            limits: Limits::default(),
            missing_get_returns_404: false,
            picklists: Vec::new(),
            udfs: store::default_udfs(),
            faults: Vec::new(),
            fault_seed: 42,
            state_file: None,
            save_interval: Some(Duration::from_secs(30)),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            zone_name: "Simulator Zone".into(),
            callouts: callouts::DeliveryOptions {
                allow_non_loopback: false,
                timeout: Duration::from_secs(5),
            },
            log_capacity: DEFAULT_LOG_CAPACITY,
        }
    }
}

impl SimulatorBuilder {
    /// Accepts another API user.
    pub fn user(mut self, user: ApiUser) -> Self {
        self.users.push(user);
        self
    }

    /// Removes the built-in demo user (`sim@example.com`).
    pub fn without_demo_user(mut self) -> Self {
        self.users.retain(|u| *u != ApiUser::demo());
        self
    }

    /// The data to start with (ignored when a state file exists).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// All limits at once.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Requests per rolling hour before refusal.
    pub fn hourly_threshold(mut self, threshold: u64) -> Self {
        self.limits.hourly_threshold = threshold;
        self
    }

    /// Concurrent requests per (integration code, entity endpoint) (default 3). A request holds its slot
    /// from the moment it is accepted until its answer is written; a child path counts against the child
    /// entity (`Tickets/{id}/Notes` against `TicketNotes`); `zoneInformation` is exempt.
    pub fn thread_limit(mut self, limit: usize) -> Self {
        self.limits.thread_limit = limit;
        self
    }

    /// Delays added from 50% and from 75% of the hourly threshold.
    pub fn latency(mut self, at_50: Duration, at_75: Duration) -> Self {
        self.limits.latency_at_50 = at_50;
        self.limits.latency_at_75 = at_75;
        self
    }

    /// A fixed latency added to every request (default none; about 150 ms is realistic for Autotask). It
    /// is spent inside the request's thread slot, so concurrent requests overlap the way they do against
    /// the real API.
    pub fn request_latency(mut self, latency: Duration) -> Self {
        self.limits.request_latency = latency;
        self
    }

    /// Answer GET of a missing id with 404 instead of `200 {"item":null}`.
    pub fn missing_get_returns_404(mut self, yes: bool) -> Self {
        self.missing_get_returns_404 = yes;
        self
    }

    /// Sets the tenant's values of a picklist field (replacing the schema's and the demo tenant's).
    pub fn picklist(mut self, entity: &str, field: &str, values: Vec<PicklistValue>) -> Self {
        self.picklists.push((entity.into(), field.into(), values));
        self
    }

    /// Adds a UDF definition.
    pub fn udf(mut self, udf: UdfDefinition) -> Self {
        self.udfs.push(udf);
        self
    }

    /// Drops the demo tenant's UDF definitions.
    pub fn without_default_udfs(mut self) -> Self {
        self.udfs.clear();
        self
    }

    /// A fault rule in force from the start.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Seed of the generator behind probabilistic faults.
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = seed;
        self
    }

    /// Loads this JSON snapshot at start (when it exists) and saves to it on shutdown and periodically.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// How often the state file is saved while running (`None`: only on shutdown). Default 30 s.
    pub fn save_interval(mut self, interval: Option<Duration>) -> Self {
        self.save_interval = interval;
        self
    }

    /// The address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The `zoneName` zoneInformation reports.
    pub fn zone_name(mut self, name: impl Into<String>) -> Self {
        self.zone_name = name.into();
        self
    }

    /// Lets webhook callouts go to hosts other than loopback addresses (off by default, so a test or demo
    /// never calls out to the network by accident). Callouts are plain `http://` either way.
    pub fn allow_non_loopback_callouts(mut self, allow: bool) -> Self {
        self.callouts.allow_non_loopback = allow;
        self
    }

    /// How long one webhook callout may take (connect, send, read the answer); default 5 s.
    pub fn callout_timeout(mut self, timeout: Duration) -> Self {
        self.callouts.timeout = timeout;
        self
    }

    /// How many requests (and webhook callouts) the logs keep, newest last (default
    /// [`DEFAULT_LOG_CAPACITY`]); older ones are dropped so memory stays flat under load.
    /// [`RunningSimulator::request_counts`] counts every request regardless.
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.log_capacity = capacity;
        self
    }

    /// Binds the port, loads or seeds the data and starts serving.
    pub async fn start(self) -> Result<RunningSimulator, SimError> {
        // The webhook `fieldID` picklists come first so that explicitly configured picklists win.
        let mut picklists = callouts::field_id_picklists();
        picklists.extend(self.picklists);
        let catalog = Catalog::new(picklists, self.udfs);
        let mut store = Store::default();
        let loaded = match &self.state_file {
            Some(path) if path.exists() => {
                let text = std::fs::read(path)?;
                let snapshot: Value = serde_json::from_slice(&text)
                    .map_err(|e| SimError::InvalidRecord(format!("state file: {e}")))?;
                store = Store::from_snapshot(&snapshot).map_err(SimError::InvalidRecord)?;
                true
            }
            _ => false,
        };
        if let (false, Seed::Demo(size)) = (loaded, &self.seed) {
            store::seed::generate(&mut store, &catalog, size);
        }
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let mut faults = FaultSet::new(self.fault_seed);
        for rule in self.faults {
            faults.add(rule);
        }
        let shared = Arc::new(Shared {
            users: self.users,
            limits: self.limits,
            missing_get_returns_404: self.missing_get_returns_404,
            zone_name: self.zone_name,
            catalog,
            base_url: format!("http://{addr}/ATServicesRest/"),
            state_file: self.state_file,
            db: Db::new(store),
            hourly: Mutex::default(),
            threads: Arc::default(),
            attachments: Mutex::default(),
            faults: Mutex::new(faults),
            log: Mutex::new(log::RequestLog::new(self.log_capacity)),
            outbox: callouts::Outbox::start(self.callouts, self.log_capacity),
            started: std::time::Instant::now(),
        });
        let (stop, stopped) = watch::channel(false);
        let server = tokio::spawn(http::server::serve(
            listener,
            Arc::clone(&shared),
            stopped.clone(),
        ));
        let saver = match (&shared.state_file, self.save_interval) {
            (Some(_), Some(interval)) => Some(tokio::spawn(save_periodically(
                Arc::clone(&shared),
                interval,
            ))),
            _ => None,
        };
        Ok(RunningSimulator {
            shared,
            addr,
            stop,
            server: Some(server),
            saver,
        })
    }
}

async fn save_periodically(shared: Arc<Shared>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let _ = shared.save_state();
    }
}

/// A running simulator. Stops (and saves its state file) on [`RunningSimulator::shutdown`] or drop.
#[derive(Debug)]
pub struct RunningSimulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    saver: Option<JoinHandle<()>>,
}

impl RunningSimulator {
    /// The base URL, `http://127.0.0.1:PORT/ATServicesRest/`; append `V1.0/Tickets/query` etc.
    /// It is also the `url` that zoneInformation returns.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The socket address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Inserts a record directly (no API validation, no request counted) and returns its id. Field
    /// names are matched case-insensitively; `userDefinedFields` takes the wire form `[{name,value}]`.
    pub fn insert(&self, entity: &str, record: Value) -> Result<i64, SimError> {
        let meta = schema::entity(entity).ok_or_else(|| SimError::UnknownEntity(entity.into()))?;
        let object = record
            .as_object()
            .ok_or_else(|| SimError::InvalidRecord("a record must be a JSON object".into()))?;
        let mut stored = Map::new();
        for (key, value) in object {
            if key.eq_ignore_ascii_case("userDefinedFields") {
                let udfs: Map<String, Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|u| {
                        Some((
                            u.get("name")?.as_str()?.to_string(),
                            u.get("value")?.clone(),
                        ))
                    })
                    .collect();
                stored.insert("userDefinedFields".into(), Value::Object(udfs));
                continue;
            }
            let field = meta.field(key).ok_or_else(|| {
                SimError::InvalidRecord(format!("{} has no field {key}", meta.name))
            })?;
            if !value.is_null() {
                stored.insert(field.name.clone(), value.clone());
            }
        }
        Ok(self.shared.db.write().insert(meta.name.as_str(), stored))
    }

    /// The record as the API would return it from a child GET (all fields, attachment data included).
    pub fn get(&self, entity: &str, id: i64) -> Option<Value> {
        let meta = schema::entity(entity)?;
        let store = self.shared.db.read();
        store
            .get(&meta.name, id)
            .map(|r| render(meta, &self.shared.catalog, r, RenderOptions::WITH_DATA))
    }

    /// Every record of an entity, ascending by id.
    pub fn records(&self, entity: &str) -> Vec<Value> {
        let Some(meta) = schema::entity(entity) else {
            return Vec::new();
        };
        let store = self.shared.db.read();
        store
            .table(&meta.name)
            .map(|t| {
                t.rows
                    .values()
                    .map(|r| render(meta, &self.shared.catalog, r, RenderOptions::FULL))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Number of records of an entity.
    pub fn count(&self, entity: &str) -> usize {
        schema::entity(entity).map_or(0, |m| self.shared.db.read().len(&m.name))
    }

    /// The requests served so far, oldest first: the last [`SimulatorBuilder::request_log_capacity`]
    /// of them.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).entries()
    }

    /// Empties the request log ([`RunningSimulator::request_counts`] keeps counting).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Counts over every request served since start: total, per status, and how many fell out of the
    /// bounded log.
    pub fn request_counts(&self) -> RequestCounts {
        lock(&self.shared.log).counts()
    }

    /// The webhook callouts attempted so far (see the webhook notes in `sim/README.md`), oldest first.
    /// Callouts are sent in the background, so a write's callout appears shortly after its answer; use
    /// [`RunningSimulator::wait_for_callouts`] or [`RunningSimulator::callouts_settled`] to wait for it.
    pub fn callouts(&self) -> Vec<CalloutDelivery> {
        self.shared.outbox.log()
    }

    /// Empties the callout log (sequence numbers keep counting).
    pub fn clear_callouts(&self) {
        self.shared.outbox.clear_log();
    }

    /// Waits until at least `count` callouts have been attempted or `timeout` has passed, then returns the
    /// log (which may hold fewer than `count` entries after a timeout).
    pub async fn wait_for_callouts(&self, count: usize, timeout: Duration) -> Vec<CalloutDelivery> {
        self.shared.outbox.wait_for(count, timeout).await
    }

    /// Waits until every callout decided so far has been attempted (or `timeout` has passed), then returns
    /// the log. A write decides its callouts before its API answer is sent, so once a client has the
    /// answer of its last write, this returns exactly the callouts its writes caused: the condition to
    /// wait on when checking that nothing (else) was called out.
    pub async fn callouts_settled(&self, timeout: Duration) -> Vec<CalloutDelivery> {
        self.shared.outbox.settled(timeout).await
    }

    /// Adds a fault rule at run time.
    pub fn add_fault(&self, rule: FaultRule) -> FaultId {
        lock(&self.shared.faults).add(rule)
    }

    /// Removes one fault rule; false when it had already gone.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        lock(&self.shared.faults).remove(id)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Thread slots busy right now for (`integration_code`, `entity`), the key of the thread limit (the
    /// entity's collection name, e.g. `TicketNotes` for `Tickets/{id}/Notes`). Lets a test wait until its
    /// requests are in flight instead of guessing with sleeps.
    pub fn threads_in_use(&self, integration_code: &str, entity: &str) -> usize {
        let Some(name) = schema::entity(entity)
            .map(|e| e.name.as_str())
            .or(match entity {
                "ThresholdInformation" => Some("ThresholdInformation"),
                "Modules" => Some("Modules"),
                "EntityInformation" => Some("EntityInformation"),
                _ => None,
            })
        else {
            return 0;
        };
        self.shared
            .threads
            .busy(&(integration_code.to_string(), name))
    }

    /// Requests counted in the current rolling hour.
    pub fn threshold_count(&self) -> u64 {
        lock(&self.shared.hourly).current(self.shared.clock_secs())
    }

    /// Forgets the requests counted against the hourly threshold.
    pub fn reset_threshold(&self) {
        lock(&self.shared.hourly).reset();
    }

    /// Writes a JSON snapshot of the data to `path`.
    pub fn save_state(&self, path: impl AsRef<std::path::Path>) -> Result<(), SimError> {
        Ok(self.shared.db.save(path.as_ref())?)
    }

    /// Stops serving, waits for the server task, and saves the state file if configured.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.finish();
    }

    fn finish(&mut self) {
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        let _ = self.shared.save_state();
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            server.abort();
            self.finish();
        }
    }
}

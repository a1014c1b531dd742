//! The state shared by every request of one running simulator.

use crate::callouts::Outbox;
use crate::config::{ApiUser, Limits};
use crate::limits::attachments::AttachmentWindow;
use crate::limits::faults::FaultSet;
use crate::limits::threads::ThreadSlots;
use crate::limits::threshold::HourlyWindow;
use crate::log::RequestLog;
use crate::store::catalog::Catalog;
use crate::store::Db;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Everything one simulator instance knows.
#[derive(Debug)]
pub struct Shared {
    pub users: Vec<ApiUser>,
    pub limits: Limits,
    pub missing_get_returns_404: bool,
    pub zone_name: String,
    pub catalog: Catalog,
    pub base_url: String,
    pub state_file: Option<PathBuf>,
    pub db: Db,
    pub hourly: Mutex<HourlyWindow>,
    pub threads: Arc<ThreadSlots>,
    pub attachments: Mutex<AttachmentWindow>,
    pub faults: Mutex<FaultSet>,
    pub log: Mutex<RequestLog>,
    /// Webhook callouts: sequence numbers, delivery queue and log.
    pub outbox: Outbox,
    pub started: Instant,
}

/// Locks a mutex, ignoring poisoning (a panicking request must not wedge the simulator).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Seconds since start, the clock of the hourly window.
    pub fn clock_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// Writes the JSON snapshot to the state file, if one is configured.
    pub fn save_state(&self) -> std::io::Result<()> {
        match &self.state_file {
            Some(path) => self.db.save(path),
            None => Ok(()),
        }
    }
}

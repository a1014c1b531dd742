//! The state shared by every request of one running simulator.

use crate::catalog::Catalog;
use crate::config::{ApiUser, Limits};
use crate::faults::FaultSet;
use crate::limits::{AttachmentWindow, HourlyWindow, ThreadSlots};
use crate::log::LoggedRequest;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
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
    pub store: RwLock<Store>,
    pub hourly: Mutex<HourlyWindow>,
    pub threads: Arc<ThreadSlots>,
    pub attachments: Mutex<AttachmentWindow>,
    pub faults: Mutex<FaultSet>,
    pub log: Mutex<Vec<LoggedRequest>>,
    /// Webhook callouts: sequence numbers, delivery queue and log.
    pub callouts: crate::webhooks::Outbox,
    pub started: Instant,
}

/// Locks a mutex, ignoring poisoning (a panicking request must not wedge the simulator).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Read access to the store.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access to the store.
    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Seconds since start, the clock of the hourly window.
    pub fn clock_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// Writes the JSON snapshot to the state file, if one is configured.
    pub fn save_state(&self) -> std::io::Result<()> {
        match &self.state_file {
            Some(path) => save_snapshot(&self.read(), path),
            None => Ok(()),
        }
    }
}

/// Writes `store` as JSON to `path` (through a temporary file, so a crash never leaves half a file).
pub fn save_snapshot(store: &Store, path: &std::path::Path) -> std::io::Result<()> {
    let text = serde_json::to_vec(&store.snapshot())?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}

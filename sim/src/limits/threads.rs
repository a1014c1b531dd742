//! The concurrent thread limit (PROTOCOL.md §6.2): at most N requests at a time per (integration code,
//! entity endpoint). A request holds its slot from the moment it is admitted to the moment its answer
//! has been handed over for writing; the HTTP layer decides that moment (see `http::body`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The refusal text, quoted from PROTOCOL.md §2.4/§6.2 with the error code in front.
pub fn refusal_message(limit: usize) -> String {
    format!(
        "Itgenatr005: Thread Threshold Exceeded \u{2014} The Autotask API thread threshold of {limit} threads has been exceeded."
    )
}

/// The key a slot is counted under: (integration code, entity collection name).
pub type SlotKey = (String, &'static str);

/// Busy slots per key. Keys with no busy slot are removed, so the map stays as small as the work in
/// flight.
#[derive(Debug, Default)]
pub struct ThreadSlots {
    busy: Mutex<HashMap<SlotKey, usize>>,
}

/// One held slot; dropping it frees the slot.
#[derive(Debug)]
pub struct SlotGuard {
    slots: Arc<ThreadSlots>,
    key: SlotKey,
}

impl ThreadSlots {
    /// Takes a slot for `key`, or `None` when `limit` slots are already busy.
    pub fn acquire(self: &Arc<Self>, key: SlotKey, limit: usize) -> Option<SlotGuard> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let count = busy.entry(key.clone()).or_default();
        if *count >= limit {
            if *count == 0 {
                busy.remove(&key);
            }
            return None;
        }
        *count += 1;
        Some(SlotGuard {
            slots: Arc::clone(self),
            key,
        })
    }

    /// Slots busy for `key` right now.
    pub fn busy(&self, key: &SlotKey) -> usize {
        let busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        busy.get(key).copied().unwrap_or(0)
    }
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        let mut busy = self.slots.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = busy.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                busy.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_key_and_freed_on_drop() {
        let slots = Arc::new(ThreadSlots::default());
        let key = ("CODE".to_string(), "Tickets");
        let held: Vec<_> = (0..3)
            .map(|_| slots.acquire(key.clone(), 3).unwrap())
            .collect();
        assert!(slots.acquire(key.clone(), 3).is_none());
        assert!(slots.acquire(("OTHER".into(), "Tickets"), 3).is_some());
        assert!(slots.acquire(("CODE".into(), "Companies"), 3).is_some());
        drop(held);
        assert_eq!(slots.busy(&key), 0);
        assert!(slots.busy.lock().unwrap().is_empty(), "no key left behind");
    }
}

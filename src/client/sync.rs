//! Locks that survive a panic: every critical section of the client leaves its data consistent (single
//! map or counter operations), so a panic elsewhere while a lock was held must not make every later
//! request panic on a poisoned mutex.

/// A guard of `mutex`, whether or not a panic poisoned it.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

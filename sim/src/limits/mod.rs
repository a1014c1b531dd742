//! Autotask's limits (PROTOCOL.md §6) and injected faults: the rolling-hour threshold per database, the
//! concurrent thread limit per (integration code, entity), the attachment byte window, and fault rules.

pub mod attachments;
pub mod faults;
pub mod threads;
pub mod threshold;

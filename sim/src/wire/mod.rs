//! The simulator's own reading and writing of wire values, from PROTOCOL.md (never the SDK's code):
//! date-times (§6.4) and the JSON text of webhook callouts (§6.8).

pub mod datetime;
pub mod escape;

//! Generated accessors: `client.tickets()` for every entity, and `client.tickets().notes(ticket_id)` for
//! every parent path whose parent is an entity of the same build (`codegen::emit::accessors`).

// With no feature group enabled there are no accessors, so the imports go unused.
#![allow(unused_imports)]

use super::typed::{ChildHandle, EntityHandle};
use crate::client::Client;
use crate::model::entities::*;

include!(concat!(env!("OUT_DIR"), "/accessors.rs"));

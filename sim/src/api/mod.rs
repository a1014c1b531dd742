//! The API's operations on the simulated tenant: CRUD on root and child paths, queries with id-cursor
//! paging and counts, and the metadata endpoints. The HTTP layer resolves routes and calls these.

pub mod crud;
pub mod metadata;
mod paging;
pub mod query;

pub use paging::PagingCursor;

use crate::config::ApiUser;

/// Who is writing: the API user, and the resource impersonated through `ImpersonationResourceId`.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The authenticated API user.
    pub user: &'a ApiUser,
    /// The impersonated resource, when the header was sent and is honoured.
    pub impersonator: Option<i64>,
}

impl Actor<'_> {
    /// The resource recorded as the writer (`PersonID` of callouts).
    pub fn person(&self) -> i64 {
        self.impersonator.unwrap_or(self.user.resource_id)
    }
}

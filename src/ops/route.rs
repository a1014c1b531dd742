//! [`Route`]: where an operation goes (an entity's root collection, or its collection under one parent)
//! and what the API offers there.

use super::checks::check_id;
use crate::error::{Error, Result};
use crate::model::meta::{entity_meta, EntityMeta, Verbs};

/// An entity's root collection (`Tickets`) or its collection under one parent (`Tickets/12/Notes`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    /// The entity operated on.
    pub meta: &'static EntityMeta,
    /// The parent's id, for a parent-path route.
    pub parent: Option<i64>,
}

impl Route {
    /// The entity's root collection.
    pub(crate) fn root(meta: &'static EntityMeta) -> Route {
        Route { meta, parent: None }
    }

    /// The entity's collection under parent `parent_id`; an error when the entity has no parent path or
    /// the id is not a record id.
    pub(crate) fn child(meta: &'static EntityMeta, parent_id: i64) -> Result<Route> {
        let child = meta.child.ok_or_else(|| {
            Error::InvalidInput(format!("{} has no parent-scoped path", meta.name))
        })?;
        check_id(child.parent, parent_id)?;
        Ok(Route {
            meta,
            parent: Some(parent_id),
        })
    }

    /// `Tickets`, or `Tickets/12/Notes`.
    pub(crate) fn collection(&self) -> String {
        match (self.parent, self.meta.child) {
            (Some(parent_id), Some(child)) => {
                format!("{}/{parent_id}/{}", child.parent, child.segment)
            }
            _ => self.meta.name.to_string(),
        }
    }

    /// The path of one record of the collection: `Tickets/5`, `Tickets/12/Notes/5`.
    pub(crate) fn record(&self, id: i64) -> String {
        format!("{}/{id}", self.collection())
    }

    /// What the API offers on this route.
    pub(crate) fn verbs(&self) -> Verbs {
        match (self.parent, self.meta.child) {
            (Some(_), Some(child)) => child.verbs,
            _ => self.meta.root_verbs,
        }
    }

    /// The parent record of a parent-path route (its entity's collection name and id): writes under it
    /// change the parent's activity fields.
    pub(crate) fn parent_record(&self) -> Option<(&'static str, i64)> {
        let (parent_id, child) = (self.parent?, self.meta.child?);
        let name = entity_meta(child.parent).map_or(child.parent, |m| m.name);
        Some((name, parent_id))
    }

    /// The capability check: `verb` must be offered on this route, else an [`Error::InvalidInput`] that
    /// names what was attempted and, for a root route, the parent path that offers it.
    pub(crate) fn require(&self, verb: Verbs, what: &str) -> Result<()> {
        if self.verbs().contains(verb) {
            return Ok(());
        }
        let hint = match (self.parent, self.meta.child) {
            (None, Some(child))
                if child.verbs.contains(if verb == Verbs::QUERY {
                    Verbs::LIST
                } else {
                    verb
                }) =>
            {
                format!(
                    "; use the parent path /{}/{{parentId}}/{} (children(parent_id))",
                    child.parent, child.segment
                )
            }
            _ => String::new(),
        };
        Err(Error::InvalidInput(format!(
            "{} cannot {what} at /{}{hint}",
            self.meta.name,
            self.collection()
        )))
    }
}

//! URL → route, driven by the schema's routes (PROTOCOL.md §2, §8.1). Paths are case-insensitive. A verb
//! on a route that exists without it gives 405; a path with no route for any verb gives 404 (e.g. the
//! root collection of a child-only entity, `/V1.0/Contacts`, §2.1).

use crate::error::ApiError;
use crate::schema::{Entity, Verbs};
use crate::store::catalog::{Catalog, ChildAccess};

/// The URL prefix of every API path.
const API_PREFIX: &str = "/atservicesrest/";

/// A resolved request target.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    /// `/atservicesrest/versionInformation`.
    VersionInformation,
    /// `/V1.0/zoneInformation`.
    ZoneInformation,
    /// `/V1.0/ThresholdInformation`.
    ThresholdInformation,
    /// `/V1.0/Modules`.
    Modules,
    /// `/V1.0/EntityInformation`.
    GlobalEntityInformation,
    /// `/V1.0/{E}...`
    Root {
        /// The entity.
        entity: &'static Entity,
        /// What under its root path.
        target: RootTarget,
    },
    /// `/V1.0/{Parent}/{parentId}/{Segment}...`
    Child {
        /// The child route.
        access: ChildAccess,
        /// The parent id in the URL.
        parent_id: i64,
        /// What under the child path.
        target: ChildTarget,
    },
}

/// What under `/V1.0/{E}` is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootTarget {
    /// The collection (create, update).
    Collection,
    /// `/{id}`.
    Item(i64),
    /// `/query`.
    Query,
    /// `/query/count`.
    QueryCount,
    /// `/query/next`.
    QueryNext,
    /// `/entityInformation...`.
    Metadata(MetadataKind),
}

/// What under a child path is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildTarget {
    /// The collection (list, create, update).
    Collection,
    /// `/{id}`.
    Item(i64),
    /// `/entityInformation...`.
    Metadata(MetadataKind),
}

/// The three metadata endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    /// `entityInformation`.
    Info,
    /// `entityInformation/fields`.
    Fields,
    /// `entityInformation/userDefinedFields`.
    UserDefinedFields,
}

impl Route {
    /// The endpoint the thread limit counts against: the entity collection the request operates on
    /// (PROTOCOL.md §6.2). A child path counts against the child entity (`Tickets/{id}/Notes` →
    /// `TicketNotes`), metadata paths against their entity. `None` for the unauthenticated discovery
    /// endpoints, which are exempt.
    pub fn endpoint(&self) -> Option<&'static str> {
        match self {
            Route::VersionInformation | Route::ZoneInformation => None,
            Route::ThresholdInformation => Some("ThresholdInformation"),
            Route::Modules => Some("Modules"),
            Route::GlobalEntityInformation => Some("EntityInformation"),
            Route::Root { entity, .. } => Some(entity.name.as_str()),
            Route::Child { access, .. } => Some(access.entity.name.as_str()),
        }
    }

    /// The entity addressed, if any.
    pub fn entity(&self) -> Option<&'static Entity> {
        match self {
            Route::Root { entity, .. } => Some(entity),
            Route::Child { access, .. } => Some(access.entity),
            _ => None,
        }
    }
}

fn metadata_kind(rest: &[&str]) -> Option<MetadataKind> {
    let is = |s: &str, name: &str| s.eq_ignore_ascii_case(name);
    match rest {
        [info] if is(info, "entityInformation") => Some(MetadataKind::Info),
        [info, f] if is(info, "entityInformation") && is(f, "fields") => Some(MetadataKind::Fields),
        [info, u] if is(info, "entityInformation") && is(u, "userDefinedFields") => {
            Some(MetadataKind::UserDefinedFields)
        }
        _ => None,
    }
}

/// Resolves `path` for `method`, or answers 404/405.
pub fn resolve(catalog: &Catalog, method: &str, path: &str) -> Result<Route, ApiError> {
    let lower = path.to_ascii_lowercase();
    let rest = lower
        .strip_prefix(API_PREFIX)
        .or_else(|| (lower == API_PREFIX.trim_end_matches('/')).then_some(""))
        .ok_or(ApiError::NotFound)?;
    let original = &path[path.len() - rest.len()..];
    let segments: Vec<&str> = original.split('/').filter(|s| !s.is_empty()).collect();
    let (route, allowed) = match segments.as_slice() {
        [v] if v.eq_ignore_ascii_case("versionInformation") => {
            (Route::VersionInformation, vec!["GET"])
        }
        [version, rest @ ..] if version.eq_ignore_ascii_case("v1.0") => resolve_v1(catalog, rest)?,
        _ => return Err(ApiError::NotFound),
    };
    if allowed.is_empty() {
        // No verb at all: the route does not exist.
        return Err(ApiError::NotFound);
    }
    if !allowed.contains(&method) {
        return Err(ApiError::MethodNotAllowed(method.to_string()));
    }
    Ok(route)
}

fn resolve_v1(
    catalog: &Catalog,
    segments: &[&str],
) -> Result<(Route, Vec<&'static str>), ApiError> {
    let utility = match segments {
        [s] if s.eq_ignore_ascii_case("zoneInformation") => Some(Route::ZoneInformation),
        [s] if s.eq_ignore_ascii_case("thresholdInformation") => Some(Route::ThresholdInformation),
        [s] if s.eq_ignore_ascii_case("modules") => Some(Route::Modules),
        [s] if s.eq_ignore_ascii_case("entityInformation") => Some(Route::GlobalEntityInformation),
        _ => None,
    };
    if let Some(route) = utility {
        return Ok((route, vec!["GET"]));
    }
    let [first, rest @ ..] = segments else {
        return Err(ApiError::NotFound);
    };
    if let Some(entity) = catalog.root(first) {
        if let Some(found) = resolve_root(entity, rest) {
            return Ok(found);
        }
    }
    if let [parent, parent_id, segment, rest @ ..] = segments {
        if let (Some(access), Ok(parent_id)) =
            (catalog.child(parent, segment), parent_id.parse::<i64>())
        {
            let verbs = access.route.verbs;
            let (target, allowed) = match rest {
                [] => (
                    ChildTarget::Collection,
                    allowed_methods(
                        verbs,
                        &[
                            (Verbs::LIST, "GET"),
                            (Verbs::CREATE, "POST"),
                            (Verbs::PATCH, "PATCH"),
                            (Verbs::PUT, "PUT"),
                        ],
                    ),
                ),
                [id] if id.parse::<i64>().is_ok() => (
                    ChildTarget::Item(id.parse().unwrap_or_default()),
                    allowed_methods(verbs, &[(Verbs::GET, "GET"), (Verbs::DELETE, "DELETE")]),
                ),
                other => match metadata_kind(other) {
                    Some(kind) => (ChildTarget::Metadata(kind), vec!["GET"]),
                    None => return Err(ApiError::NotFound),
                },
            };
            return Ok((
                Route::Child {
                    access,
                    parent_id,
                    target,
                },
                allowed,
            ));
        }
    }
    Err(ApiError::NotFound)
}

fn resolve_root(entity: &'static Entity, rest: &[&str]) -> Option<(Route, Vec<&'static str>)> {
    let verbs = entity.root_verbs;
    let is = |s: &str, name: &str| s.eq_ignore_ascii_case(name);
    let (target, allowed) = match rest {
        [] => (
            RootTarget::Collection,
            allowed_methods(
                verbs,
                &[
                    (Verbs::CREATE, "POST"),
                    (Verbs::PATCH, "PATCH"),
                    (Verbs::PUT, "PUT"),
                ],
            ),
        ),
        [q] if is(q, "query") => (
            RootTarget::Query,
            allowed_methods(verbs, &[(Verbs::QUERY, "GET"), (Verbs::QUERY, "POST")]),
        ),
        [q, c] if is(q, "query") && is(c, "count") => (
            RootTarget::QueryCount,
            allowed_methods(verbs, &[(Verbs::COUNT, "GET"), (Verbs::COUNT, "POST")]),
        ),
        [q, n] if is(q, "query") && is(n, "next") => (
            RootTarget::QueryNext,
            allowed_methods(verbs, &[(Verbs::QUERY, "GET"), (Verbs::QUERY, "POST")]),
        ),
        [id] if id.parse::<i64>().is_ok() => (
            RootTarget::Item(id.parse().unwrap_or_default()),
            allowed_methods(verbs, &[(Verbs::GET, "GET"), (Verbs::DELETE, "DELETE")]),
        ),
        other => {
            let kind = metadata_kind(other)?;
            let needed = match kind {
                MetadataKind::Info => Verbs::INFO,
                MetadataKind::Fields => Verbs::FIELDS,
                MetadataKind::UserDefinedFields => Verbs::UDF_INFO,
            };
            (
                RootTarget::Metadata(kind),
                allowed_methods(verbs, &[(needed, "GET")]),
            )
        }
    };
    Some((Route::Root { entity, target }, allowed))
}

fn allowed_methods(verbs: Verbs, table: &[(Verbs, &'static str)]) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(v, _)| verbs.contains(*v))
        .map(|(_, m)| *m)
        .collect()
}

//! URL → route resolution, driven entirely by the entity metadata. Paths are case-insensitive; verbs not
//! allowed on an existing route give 405, unknown routes 404.

use crate::catalog::Catalog;
use crate::error::ApiError;
use autotask::meta::{EntityMeta, Verbs};

/// The URL prefix of every API path.
pub const API_PREFIX: &str = "/atservicesrest/";

/// A resolved request target.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    VersionInformation,
    ZoneInformation,
    ThresholdInformation,
    Modules,
    GlobalEntityInformation,
    /// `/V1.0/{E}...`
    Root {
        meta: &'static EntityMeta,
        target: RootTarget,
    },
    /// `/V1.0/{Parent}/{parentId}/{Segment}...`
    Child {
        meta: &'static EntityMeta,
        parent_id: i64,
        target: ChildTarget,
    },
}

/// What under `/V1.0/{E}` is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootTarget {
    Collection,
    Item(i64),
    Query,
    QueryCount,
    QueryNext,
    Metadata(MetadataKind),
}

/// What under a child path is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildTarget {
    Collection,
    Item(i64),
    Metadata(MetadataKind),
}

/// The three metadata endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    Info,
    Fields,
    UserDefinedFields,
}

impl Route {
    /// The endpoint the thread limit counts against (the entity collection).
    pub fn endpoint(&self) -> &'static str {
        match self {
            Route::VersionInformation => "VersionInformation",
            Route::ZoneInformation => "ZoneInformation",
            Route::ThresholdInformation => "ThresholdInformation",
            Route::Modules => "Modules",
            Route::GlobalEntityInformation => "EntityInformation",
            Route::Root { meta, .. } | Route::Child { meta, .. } => meta.name,
        }
    }

    /// The entity addressed, if any.
    pub fn entity(&self) -> Option<&'static EntityMeta> {
        match self {
            Route::Root { meta, .. } | Route::Child { meta, .. } => Some(meta),
            _ => None,
        }
    }
}

fn metadata_kind(rest: &[&str]) -> Option<MetadataKind> {
    match rest {
        [info] if info.eq_ignore_ascii_case("entityInformation") => Some(MetadataKind::Info),
        [info, f]
            if info.eq_ignore_ascii_case("entityInformation")
                && f.eq_ignore_ascii_case("fields") =>
        {
            Some(MetadataKind::Fields)
        }
        [info, u]
            if info.eq_ignore_ascii_case("entityInformation")
                && u.eq_ignore_ascii_case("userDefinedFields") =>
        {
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
        // A known entity's collection path always exists; other empty routes do not.
        return Err(match route {
            Route::Root {
                target: RootTarget::Collection,
                ..
            } => ApiError::MethodNotAllowed(method.to_string()),
            _ => ApiError::NotFound,
        });
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
    const GET: &str = "GET";
    let utility = match segments {
        [s] if s.eq_ignore_ascii_case("zoneInformation") => Some(Route::ZoneInformation),
        [s] if s.eq_ignore_ascii_case("thresholdInformation") => Some(Route::ThresholdInformation),
        [s] if s.eq_ignore_ascii_case("modules") => Some(Route::Modules),
        [s] if s.eq_ignore_ascii_case("entityInformation") => Some(Route::GlobalEntityInformation),
        _ => None,
    };
    if let Some(route) = utility {
        return Ok((route, vec![GET]));
    }
    let [first, rest @ ..] = segments else {
        return Err(ApiError::NotFound);
    };
    if let Some(meta) = catalog.root(first) {
        if let Some(found) = resolve_root(meta, rest) {
            return Ok(found);
        }
    }
    if let [parent, parent_id, segment, rest @ ..] = segments {
        if let (Some(meta), Ok(parent_id)) =
            (catalog.child(parent, segment), parent_id.parse::<i64>())
        {
            let verbs = meta.child.map(|c| c.verbs).unwrap_or(Verbs::NONE);
            let (target, allowed) = match rest {
                [] => (
                    ChildTarget::Collection,
                    allowed_methods(
                        verbs,
                        &[
                            (Verbs::LIST, GET),
                            (Verbs::CREATE, "POST"),
                            (Verbs::PATCH, "PATCH"),
                            (Verbs::PUT, "PUT"),
                        ],
                    ),
                ),
                [id] if id.parse::<i64>().is_ok() => (
                    ChildTarget::Item(id.parse().unwrap_or_default()),
                    allowed_methods(verbs, &[(Verbs::GET, GET), (Verbs::DELETE, "DELETE")]),
                ),
                other => match metadata_kind(other) {
                    Some(kind) => (ChildTarget::Metadata(kind), vec![GET]),
                    None => return Err(ApiError::NotFound),
                },
            };
            return Ok((
                Route::Child {
                    meta,
                    parent_id,
                    target,
                },
                allowed,
            ));
        }
    }
    Err(ApiError::NotFound)
}

fn resolve_root(meta: &'static EntityMeta, rest: &[&str]) -> Option<(Route, Vec<&'static str>)> {
    let verbs = meta.root_verbs;
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
    Some((Route::Root { meta, target }, allowed))
}

fn allowed_methods(verbs: Verbs, table: &[(Verbs, &'static str)]) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(v, _)| verbs.contains(*v))
        .map(|(_, m)| *m)
        .collect()
}

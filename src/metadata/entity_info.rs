//! What the tenant says about an entity and the API user's access to it: `GET /{E}/entityInformation`.
//!
//! The compiled-in [`EntityMeta`](crate::model::meta::EntityMeta) describes the entity as the published schema does;
//! this answer is the live one, and the only place that tells what **this** API user may do
//! (`userAccessFor*`, PROTOCOL.md 4.1).

use super::fetch::{cached_get, metadata_entity};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::entity::Entity;
use crate::model::meta::Verbs;
use serde::Deserialize;

/// The API user's access to one operation (`userAccessFor*`; names on the wire, not numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserAccess {
    /// `None` (documented as 0): not allowed; also what a missing value reads as.
    None,
    /// `All` (1): allowed on every record.
    All,
    /// `Restricted`: allowed on some records only (the security level decides which).
    Restricted,
    /// A value this SDK does not know, as the server sent it.
    Other(String),
}

impl UserAccess {
    fn parse(text: Option<&str>) -> UserAccess {
        match text.map(str::trim) {
            None | Some("") => UserAccess::None,
            Some(t) if t.eq_ignore_ascii_case("none") || t == "0" => UserAccess::None,
            Some(t) if t.eq_ignore_ascii_case("all") || t == "1" => UserAccess::All,
            Some(t) if t.eq_ignore_ascii_case("restricted") || t == "2" => UserAccess::Restricted,
            Some(t) => UserAccess::Other(t.to_string()),
        }
    }

    /// True for [`All`](Self::All) and [`Restricted`](Self::Restricted).
    pub fn allows_some(&self) -> bool {
        matches!(self, UserAccess::All | UserAccess::Restricted)
    }
}

/// The `info` object of `GET /{E}/entityInformation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityInformation {
    /// The entity name the server reports (PROTOCOL.md 4.1's sample has the collection name, `Companies`).
    pub name: String,
    /// `canCreate`: the entity can be created (possibly only under its parent's path).
    pub can_create: bool,
    /// `canDelete`: the entity can be deleted.
    pub can_delete: bool,
    /// `canQuery`: the entity can be queried.
    pub can_query: bool,
    /// `canUpdate`: the entity can be updated.
    pub can_update: bool,
    /// `userAccessForCreate`: whether this API user may create (absent or unreadable: [`UserAccess::None`]).
    pub user_access_for_create: UserAccess,
    /// `userAccessForDelete`: whether this API user may delete.
    pub user_access_for_delete: UserAccess,
    /// `userAccessForQuery`: whether this API user may query and read.
    pub user_access_for_query: UserAccess,
    /// `userAccessForUpdate`: whether this API user may update.
    pub user_access_for_update: UserAccess,
    /// `hasUserDefinedFields`: records carry `userDefinedFields`.
    pub has_user_defined_fields: bool,
    /// `supportsWebhookCallouts`: webhooks can watch this entity.
    pub supports_webhook_callouts: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInfo {
    #[serde(default)]
    name: String,
    #[serde(default)]
    can_create: bool,
    #[serde(default)]
    can_delete: bool,
    #[serde(default)]
    can_query: bool,
    #[serde(default)]
    can_update: bool,
    #[serde(default)]
    user_access_for_create: Option<serde_json::Value>,
    #[serde(default)]
    user_access_for_delete: Option<serde_json::Value>,
    #[serde(default)]
    user_access_for_query: Option<serde_json::Value>,
    #[serde(default)]
    user_access_for_update: Option<serde_json::Value>,
    #[serde(default)]
    has_user_defined_fields: bool,
    #[serde(default)]
    supports_webhook_callouts: bool,
}

/// `"All"` or (as the documentation numbers them) `1`.
fn access(value: &Option<serde_json::Value>) -> UserAccess {
    match value {
        Some(serde_json::Value::Number(n)) => UserAccess::parse(Some(&n.to_string())),
        Some(serde_json::Value::String(s)) => UserAccess::parse(Some(s)),
        _ => UserAccess::None,
    }
}

impl Client {
    /// `GET /{entity}/entityInformation` (collection or model name, any case), reused through the
    /// client's metadata cache (one hour by default). An unknown entity is an [`Error::InvalidInput`]
    /// and sends nothing.
    pub async fn entity_information(&self, entity: &str) -> Result<EntityInformation> {
        let meta = metadata_entity(entity, Verbs::INFO, "entityInformation")?;
        let answer = cached_get(self, meta, format!("{}/entityInformation", meta.name)).await?;
        let info = answer.get("info").cloned().ok_or_else(|| {
            Error::Protocol(format!(
                "{}/entityInformation: answer has no `info`",
                meta.name
            ))
        })?;
        let raw: RawInfo = serde_json::from_value(info).map_err(|e| {
            Error::Protocol(format!(
                "{}/entityInformation: unexpected answer: {e}",
                meta.name
            ))
        })?;
        Ok(EntityInformation {
            name: raw.name,
            can_create: raw.can_create,
            can_delete: raw.can_delete,
            can_query: raw.can_query,
            can_update: raw.can_update,
            user_access_for_create: access(&raw.user_access_for_create),
            user_access_for_delete: access(&raw.user_access_for_delete),
            user_access_for_query: access(&raw.user_access_for_query),
            user_access_for_update: access(&raw.user_access_for_update),
            has_user_defined_fields: raw.has_user_defined_fields,
            supports_webhook_callouts: raw.supports_webhook_callouts,
        })
    }

    /// [`entity_information`](Self::entity_information) of a typed entity.
    pub async fn entity_information_for<E: Entity>(&self) -> Result<EntityInformation> {
        self.entity_information(E::NAME).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_names_and_numbers() {
        assert_eq!(
            UserAccess::parse(Some("Restricted")),
            UserAccess::Restricted
        );
        assert_eq!(
            access(&Some(serde_json::json!(1))),
            UserAccess::All,
            "documented numbering"
        );
        assert_eq!(
            UserAccess::parse(Some("Partial")),
            UserAccess::Other("Partial".into())
        );
    }
}

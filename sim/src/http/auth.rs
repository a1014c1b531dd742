//! Authentication by the `ApiIntegrationCode`, `UserName` and `Secret` headers, and the
//! `ImpersonationResourceId` rules.

use super::routing::Route;
use crate::config::ApiUser;
use crate::error::ApiError;
use http::HeaderMap;

/// Root collections where `ImpersonationResourceId` is honoured (PROTOCOL.md §1.4); every
/// `*Attachments` collection is honoured as well.
const IMPERSONATION_ENTITIES: &[&str] = &[
    "Companies",
    "CompanyNotes",
    "CompanyToDos",
    "Contacts",
    "ContractNotes",
    "ConfigurationItems",
    "ConfigurationItemNotes",
    "InventoryItems",
    "InventoryLocations",
    "Opportunities",
    "Products",
    "ProductNotes",
    "Projects",
    "ProjectNotes",
    "PurchaseOrders",
    "Quotes",
    "SalesOrders",
    "ServiceCalls",
    "Subscriptions",
    "TaskNotes",
    "Tickets",
    "TicketNotes",
    "TimeEntries",
];

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The API user the headers identify (PROTOCOL.md §1.4): unknown user or integration code → 500 (the
/// latter with the documented text `IntegrationCode is invalid.`, §2.4), wrong secret → 401.
pub fn authenticate<'u>(
    users: &'u [ApiUser],
    headers: &HeaderMap,
) -> Result<&'u ApiUser, ApiError> {
    let username = header(headers, "UserName").unwrap_or_default();
    let user = users
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(username))
        .ok_or_else(|| {
            ApiError::business(format!(
                "User {username:?} is not a valid API user or does not exist."
            ))
        })?;
    let code = header(headers, "ApiIntegrationCode").unwrap_or_default();
    if code != user.integration_code {
        return Err(ApiError::business("IntegrationCode is invalid."));
    }
    if header(headers, "Secret") != Some(user.secret.as_str()) {
        return Err(ApiError::Unauthorized(
            "Authorization has been denied for this request.".into(),
        ));
    }
    Ok(user)
}

/// The impersonated resource id, if the header is present and allowed on this route.
pub fn impersonation(headers: &HeaderMap, route: &Route) -> Result<Option<i64>, ApiError> {
    let Some(raw) = header(headers, "ImpersonationResourceId") else {
        return Ok(None);
    };
    let id = raw
        .trim()
        .parse::<i64>()
        .map_err(|_| ApiError::business(format!("Invalid ImpersonationResourceId {raw:?}.")))?;
    let Some(meta) = route.entity() else {
        return Ok(None);
    };
    if IMPERSONATION_ENTITIES.contains(&meta.name.as_str()) || meta.name.ends_with("Attachments") {
        Ok(Some(id))
    } else {
        Err(ApiError::business(format!(
            "Impersonation is not supported for the {} entity.",
            meta.model
        )))
    }
}

//! Job 10: connect to a real tenant from environment variables and look around, read-only.
//!
//! ```sh
//! export AUTOTASK_USERNAME=api-user@example.com
//! export AUTOTASK_INTEGRATION_CODE=...          # the API tracking identifier
//! export AUTOTASK_SECRET=...
//! # optional: AUTOTASK_API_URL (skips zone detection), AUTOTASK_IMPERSONATION_RESOURCE_ID
//! cargo run --example real_tenant
//! ```
//!
//! Without the variables, `Client::from_env` says which are missing (and which are set but empty), and
//! the example walks a local simulator instead. Every request is read-only.

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{TicketField, TicketStatus};
use autotask::prelude::*;

/// What the walk found.
#[derive(Debug)]
pub struct Walk {
    /// The zone the tenant lives in.
    pub zone: String,
    /// The API base URL.
    pub base_url: String,
    /// Requests of the hourly threshold used so far (by every integration of the tenant).
    pub requests_this_hour: u64,
    /// Whether this API user may create tickets.
    pub may_create_tickets: bool,
    /// Open tickets.
    pub open_tickets: u64,
}

/// Health, access and a count, in four requests (the zone is detected on the first).
pub async fn walk(client: &Client) -> Result<Walk> {
    let health = client.health().check().await?;
    let tickets = client.entity_information("Tickets").await?;
    let open_tickets = client
        .tickets()
        .query()
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
        .count()
        .await?;
    Ok(Walk {
        zone: health.zone.name,
        base_url: health.base_url.to_string(),
        requests_this_hour: health.usage.current_count,
        may_create_tickets: tickets.user_access_for_create.allows_some(),
        open_tickets,
    })
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let (client, _simulator) = match Client::from_env() {
        Ok(client) => (client, None),
        Err(error) => {
            eprintln!("{error}");
            let connection = connect::simulator().await?;
            (connection.client, connection.simulator)
        }
    };
    match walk(&client).await {
        Ok(walk) => println!("{walk:#?}"),
        Err(error) if error.is_authentication() => {
            eprintln!("the tenant refused the credentials: {error}");
        }
        Err(error) => return Err(error.into()),
    }
    Ok(())
}

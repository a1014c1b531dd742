//! Job 8: handling errors by kind.
//!
//! `autotask::Error` says what went wrong in a form code can act on: a missing record is `Ok(None)`,
//! not an error; input the API cannot take is refused before sending (`InvalidInput`); the server's
//! refusals are `Validation`, `Permission`, `NotFound`; wrong credentials are `Authentication`; limits
//! are retried by the client and surface as `RateLimited`/`ThreadLimit` only when retries run out; a
//! create whose answer was lost is `UnknownOutcome`, never silently repeated.
//!
//! ```sh
//! cargo run --example handle_errors
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{NewTicket, TicketPriority, TicketStatus};
use autotask::prelude::*;

/// What one attempt ended as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The record does not exist (`Ok(None)`).
    Missing,
    /// Refused before sending: nothing reached the server.
    RefusedLocally(String),
    /// The server rejected the content.
    RejectedByServer(String),
    /// The credentials were refused.
    NotAuthenticated(String),
    /// Anything else.
    Other(String),
}

/// The kind of `error`, as an integration would branch on it.
pub fn outcome(error: &Error) -> Outcome {
    match error {
        Error::InvalidInput(why) => Outcome::RefusedLocally(why.clone()),
        Error::Validation { messages, .. } => Outcome::RejectedByServer(messages.join("; ")),
        Error::Authentication { message, .. } => Outcome::NotAuthenticated(message.clone()),
        Error::UnknownOutcome { payload, .. } => {
            // The record may exist: look for it before sending `payload` again.
            Outcome::Other(format!("unknown outcome, payload {payload}"))
        }
        other if other.is_retryable() => Outcome::Other(format!("try again later: {other}")),
        other => Outcome::Other(other.to_string()),
    }
}

/// Four everyday failures, each handled by kind.
pub async fn tour(client: &Client, wrong_secret: &Client) -> Vec<(&'static str, Outcome)> {
    let mut seen = Vec::new();

    let missing = match client.tickets().get(987_654_321).await {
        Ok(None) => Outcome::Missing,
        Ok(Some(_)) => Outcome::Other("found".into()),
        Err(error) => outcome(&error),
    };
    seen.push(("get a ticket that does not exist", missing));

    let too_long = NewTicket::new(
        0,
        TicketPriority::MEDIUM,
        TicketStatus::NEW,
        "x".repeat(300),
    );
    let refused = client.tickets().create(&too_long).await;
    seen.push((
        "create a ticket with a 300-character title",
        refused.map_or_else(
            |e| outcome(&e),
            |id| Outcome::Other(format!("created {id}")),
        ),
    ));

    let no_title = serde_json::json!({"companyID": 0, "priority": 2, "status": 1});
    let rejected = match client.entities().get_entity("Tickets") {
        Ok(tickets) => tickets.create(&no_title).await,
        Err(error) => Err(error),
    };
    seen.push((
        "create a ticket without its required title",
        rejected.map_or_else(
            |e| outcome(&e),
            |id| Outcome::Other(format!("created {id}")),
        ),
    ));

    let denied = wrong_secret.tickets().get(1).await;
    seen.push((
        "read with a wrong secret",
        denied.map_or_else(|e| outcome(&e), |_| Outcome::Other("allowed".into())),
    ));
    seen
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let connection = connect::connect().await?;
    let Some(simulator) = &connection.simulator else {
        println!("This tour makes failing requests on purpose; it runs against the local simulator only.");
        return Ok(());
    };
    let wrong_secret = Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret("not-the-secret")
        .base_url(simulator.base_url())
        .build()?;
    for (what, outcome) in tour(&connection.client, &wrong_secret).await {
        println!("{what}: {outcome:?}");
    }
    Ok(())
}
